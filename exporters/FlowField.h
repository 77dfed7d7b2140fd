// Optical flow from the buffers of one rasterization (outputs: [flow]; convention in
// docs/conventions.md, "Optical flow"). Nothing is rasterized again and nothing is matched: the point a
// pixel's labels describe (the ray through the pixel's centre, at the pixel's depth, unprojected with
// K) belongs to the instance the renderer's instance-index plane names there; that instance's rigid
// motion between the two frames (this camera -> object -> world at the other frame -> the other
// camera, from the very matrices each frame renders with) moves it, and K projects it. With a lens
// (scenes/CameraModel.h) the point is on the ray of the pixel's label sample (label_ray) and the other
// frame's lens projects it; where that lens does not image it, status 0 and du = dv = 0. Whether the
// other frame shows it is read from the other frame's own depth and id buffers, the ones its labels
// come from: visible when the destination pixel holds the same id at the point's depth there (within
// k_flow_tolerance_m + k_flow_tolerance_rel x that depth).
#pragma once

#include <cstdint>
#include <vector>

#include "core/Error.h"
#include "renderer/Renderer.h"
#include "scenes/Scene.h"

namespace synthlabel {

inline constexpr double k_flow_tolerance_m = 0.01, k_flow_tolerance_rel = 0.02;

// What the flow of a neighbouring frame needs of it: its depth and instance-id buffers.
struct LabelPlanes {
  std::uint64_t frame = 0;
  std::uint32_t width = 0, height = 0;
  std::vector<float> depth;
  std::vector<std::uint32_t> ids;
};

// Fills fb.flow_forward (to scene.next) and fb.flow_backward (to scene.previous), 4 floats a pixel:
// du, dv (pixels, from this pixel's centre to where its point projects there; x right, y down),
// status (1 visible there, 0 occluded or outside the frame, -1 no flow: no surface here, no such
// frame, or the point is not in front of that camera; du = dv = 0 then) and the point's depth in that
// frame's camera. Needs fb.depth, fb.instance_id and fb.instance_index (RendererOptions::flow), and
// the neighbours' planes wherever scene.previous / scene.next exist (else an internal error).
Status compute_flow(const Scene& scene, FrameBuffers& fb, const LabelPlanes* previous, const LabelPlanes* next);

}  // namespace synthlabel
