// Lens distortion by remapping (docs/camera.md): the renderer draws an undistorted pinhole `source`
// view that covers the lens's field (Camera::lens, scenes/CameraModel.h), and each output pixel takes
// its values from the source where the exact ray through its centre lands:
// - its id, depth, normals (and instance index) are those of the ONE source sample nearest that point
//   (the source pixel containing it), so every label is a surface the rasterizer put at a sample, and
//   the boxes, masks and RLE computed later from the remapped ids describe exactly the output pixels;
// - its RGB is the source colour interpolated bilinearly there (linear light): a filter on RGB only,
//   whose largest weight is that same sample.
// The sample's ray differs from the exact ray by at most half a source pixel on each axis:
// Lens::ray_error_px bounds that in output pixels. Output pixels whose ray lies outside the lens's
// field (beyond the image circle) see nothing: black, depth +inf, id 0.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "renderer/Renderer.h"

namespace synthlabel {

// Output pixel -> source samples, for one camera (its lens, K and source view).
struct LensMap {
  std::uint32_t width = 0, height = 0, source_width = 0, source_height = 0;
  static constexpr std::uint32_t k_outside = 0xffffffffu;
  std::vector<std::uint32_t> nearest;  // source pixel index per output pixel, k_outside beyond the field
  std::vector<std::uint32_t> corner;   // bilinear: the top-left of the 2x2 source pixels around the point
  std::vector<std::uint16_t> weight;   // bilinear: (tx, ty) per output pixel, in 1/256 (0..256)
  // The exact worst distance, in output pixels, between an output pixel's centre and where the ray
  // of its nearest source sample's centre lands through the lens (bounded by Lens::ray_error_px).
  double worst_ray_error_px = 0;
};

// The map for `camera` (a lens that is not the pinhole, its source view fitted).
LensMap build_lens_map(const Camera& camera);

// The output planes from the source planes (FrameBuffers of the source view's size): rgba, depth,
// instance_id, and normals, instance_index, uv and albedo when the source has them.
void remap_frame(const LensMap& map, const FrameBuffers& source, FrameBuffers& out);
// One id plane (render_alone's masks): nearest samples, 0 outside the field.
void remap_ids(const LensMap& map, std::span<const std::uint32_t> source, std::span<std::uint32_t> out);
// The RGBA plane alone (render_color's sub-frames).
void remap_rgba(const LensMap& map, std::span<const std::uint8_t> source, std::vector<std::uint8_t>& out);

// A Renderer for scenes whose camera has a lens: `inner` (created at the source view's size) draws
// each scene's source view; collect, render_alone and render_color return the remapped planes at the
// camera's size. The map is built once per distinct camera model (cached). One thread at a time, as
// any Renderer.
std::unique_ptr<Renderer> make_lens_renderer(std::unique_ptr<Renderer> inner);

}  // namespace synthlabel
