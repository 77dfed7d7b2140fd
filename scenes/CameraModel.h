// The one pinhole camera model (docs/conventions.md), used by the sampler's geometry labels, the
// randomizers that test visibility, the renderer's pixel boxes and the writers: world points to the
// OpenCV camera frame (+X right, +Y down, +Z forward, metres), and to pixels,
// u = fx X/Z + cx, v = fy Y/Z + cy, with pixel (0, 0) spanning [0, 1)^2 (its centre at (0.5, 0.5)).
// Camera::view is world -> camera in OpenGL axes (+Y up, looking down -Z); the OpenCV frame is that
// with Y and Z negated. All in double precision.
#pragma once

#include <array>
#include <cstdint>

#include <glm/mat4x4.hpp>
#include <glm/vec2.hpp>
#include <glm/vec3.hpp>

#include "scenes/Scene.h"

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
// A point in the OpenCV camera frame (Z > 0) to pixel coordinates.
inline glm::dvec2 project(const Camera& camera, const glm::dvec3& p) {
  return glm::dvec2(camera.fx * p.x / p.z + camera.cx, camera.fy * p.y / p.z + camera.cy);
}
// The 8 corners of the box [lo, hi]: corner k takes hi.x when bit 0 of k is set, hi.y for bit 1,
// hi.z for bit 2.
std::array<glm::dvec3, 8> box_corners(const glm::dvec3& lo, const glm::dvec3& hi);

// The frame pixels whose centres an object can cover: its box [lo, hi] (object space) under `model`
// projected, widened by a pixel for the device's float arithmetic; the whole frame when part of the
// box is nearer than the near plane; empty when it misses the frame.
PixelBox pixel_box(const Camera& camera, const glm::mat4& model, const glm::vec3& lo, const glm::vec3& hi);

}  // namespace synthlabel
