// The one pinhole camera model (docs/conventions.md), used by the sampler's geometry labels, the
// randomizers that test visibility, the renderer's pixel boxes and the writers: world points to the
// OpenCV camera frame (+X right, +Y down, +Z forward, metres), and to pixels,
// u = fx X/Z + cx, v = fy Y/Z + cy, with pixel (0, 0) spanning [0, 1)^2 (its centre at (0.5, 0.5)).
// Camera::view is world -> camera in OpenGL axes (+Y up, looking down -Z); the OpenCV frame is that
// with Y and Z negated. All in double precision.
//
// With a lens (Camera::lens, docs/camera.md) a point's normalized coordinates are distorted before K:
// u = fx x'' + cx, v = fy y'' + cy, with (x'', y'') from OpenCV's models (Brown-Conrady as
// cv::projectPoints, Kannala-Brandt as cv::fisheye::projectPoints) or a radial table. Pixel
// coordinates are synthlabel's (pixel (0, 0) spans [0, 1)^2): OpenCV's cx, cy are 0.5 less.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <glm/mat4x4.hpp>
#include <glm/vec2.hpp>
#include <glm/vec3.hpp>

#include "scenes/Scene.h"
#include "scenes/SceneSpec.h"

namespace synthlabel {

// A rectangle of frame pixels: columns x .. x + w - 1, rows y .. y + h - 1.
struct PixelBox {
  std::uint32_t x = 0, y = 0, w = 0, h = 0;
};

// World -> OpenCV camera frame as a matrix (Camera::view with its Y and Z rows negated); column-major
// as glm has it, m[column][row].
glm::dmat4 world_to_opencv(const Camera& camera);
// A world point in the OpenCV camera frame.
glm::dvec3 to_opencv(const Camera& camera, const glm::dvec3& world);
// A point in the OpenCV camera frame to its distorted normalized coordinates (x'', y''): (X/Z, Y/Z)
// for the pinhole; NaN where the lens does not image it (behind a pinhole or Brown-Conrady camera,
// beyond Lens::max_theta).
glm::dvec2 distort(const Lens& lens, const glm::dvec3& p);
// A point in the OpenCV camera frame (Z > 0 for the pinhole) to pixel coordinates through the lens;
// NaN where the lens does not image it.
inline glm::dvec2 project(const Camera& camera, const glm::dvec3& p) {
  if (camera.lens.model == LensModel::pinhole) return glm::dvec2(camera.fx * p.x / p.z + camera.cx, camera.fy * p.y / p.z + camera.cy);
  const glm::dvec2 d = distort(camera.lens, p);
  return glm::dvec2(camera.fx * d.x + camera.cx, camera.fy * d.y + camera.cy);
}
// The unit ray (OpenCV camera frame) that lands at pixel coordinates (u, v) (continuous: a pixel's
// centre is (x + 0.5, y + 0.5)); false where no ray of the lens's field lands there (outside the image
// circle). Inverts `project` to 1e-12 in normalized coordinates.
bool pixel_ray(const Camera& camera, double u, double v, glm::dvec3& ray);

// The lens `spec` describes with coefficients `k` (drawn, or the distributions' centres), finished
// (finish_lens with its max_field_deg). Returns finish_lens's "" or why the lens is unusable.
std::string make_lens(const LensSpec& spec, const std::array<double, 12>& k, Lens& lens);
// The widest field one undistorted pinhole source view covers (degrees, full angle): a lens images at
// most this (cube-map sources for wider lenses are not built).
inline constexpr double k_max_source_field_deg = 160.0;
// Lens set-up, once per frame after the lens and K are drawn: Lens::max_theta from the configured
// field (max_field_deg, 0: the model's own limit) and the model's monotonic range. Returns "" or why
// the lens is unusable (e.g. coefficients that fold the image back before the field's edge).
std::string finish_lens(Lens& lens, double max_field_deg);
// The source view's size for `camera` (its lens finished): `oversample` source samples per output
// pixel at the image centre, covering every output pixel's ray; {0, 0} for the pinhole.
std::pair<std::uint32_t, std::uint32_t> source_size(const Camera& camera, double oversample);
// Fits the source view of size (w, h) to this frame's lens and K: Lens::source_* (at most `oversample`
// samples per output pixel at the centre, fewer when the frame's field needs more room than the
// nominal size gave) and Lens::ray_error_px.
void fit_source(Camera& camera, double oversample, std::uint32_t w, std::uint32_t h);
// The ray (OpenCV camera frame, scaled to Z = 1) of the sample whose labels pixel (x, y) holds: its
// centre's ray for the pinhole; with a lens, the ray of the source-view sample the remap takes the
// pixel's labels and depth from (renderer/LensRemap.h), so that ray x depth is the point that sample
// saw. False where the pixel sees nothing (beyond the lens's field).
bool label_ray(const Camera& camera, std::uint32_t x, std::uint32_t y, glm::dvec3& ray);
// label_ray for every pixel, row-major (Z = 0 where the pixel sees nothing): made once per lens model
// on each thread and kept until another model asks (the reference stays valid until then).
const std::vector<glm::dvec3>& label_rays(const Camera& camera);
// The frame's undistortion map, as cv2.initUndistortRectifyMap(K, D, None, K, size, CV_32FC1) makes
// it: for each pixel (u, v) of the undistorted image (same K; OpenCV's pixel coordinates, centres at
// integers) the distorted image's coordinates (OpenCV's) its ray lands at, and 1; (NaN, NaN, 0) where
// the lens does not image that ray. 3 floats a pixel, row-major.
std::vector<float> undistortion_map(const Camera& camera);
// Whether two cameras have the same size, K, lens and source view: every pixel's ray is the same.
bool same_lens_model(const Camera& a, const Camera& b);
// The pinhole camera the renderer draws for a camera with a lens: the source view (size, K), no lens.
Camera source_camera(const Camera& camera);
// The 8 corners of the box [lo, hi]: corner k takes hi.x when bit 0 of k is set, hi.y for bit 1,
// hi.z for bit 2.
std::array<glm::dvec3, 8> box_corners(const glm::dvec3& lo, const glm::dvec3& hi);

// The frame pixels whose centres an object can cover: its box [lo, hi] (object space) under `model`
// projected, widened by a pixel for the device's float arithmetic; the whole frame when part of the
// box is nearer than the near plane; empty when it misses the frame.
PixelBox pixel_box(const Camera& camera, const glm::mat4& model, const glm::vec3& lo, const glm::vec3& hi);

}  // namespace synthlabel
