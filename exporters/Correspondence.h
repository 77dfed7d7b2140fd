// Dense correspondence buffers (outputs: object_coords, nocs, world_position; docs/conventions.md):
// from the planes of the frame's one rasterization, nothing rendered again. The point a pixel's
// labels describe is on the ray through the pixel's centre at the pixel's depth, as for the flow
// (with a lens: on the ray of the source sample its labels come from, renderer/LensRemap.h, so the
// point is the one that sample saw); the renderer's instance-index plane names the instance whose
// surface it is, and that instance's own matrices (the ones it was rendered with, in double) carry
// it into its mesh's frame and the world.
// - object_coords: the point in the mesh's own coordinates (as loaded: after `normalize`/`units`,
//   before the instance's scale, rotation and position): BOP-style pose learners' XYZ maps. Every
//   surface (labeled or not).
// - nocs: for labeled things, (object_coords - c) / |hi - lo| + 0.5 with [lo, hi] the mesh's
//   axis-aligned box and c its centre: the normalized object coordinate space of Wang et al. (CVPR
//   2019), whose box has diagonal 1, so values lie in [0, 1]^3.
// - world_position: the point in world coordinates (metres, +Y up).
// Pixels without such a point (no surface; for nocs any surface but a labeled thing's) hold NaN.
#pragma once

#include <vector>

#include "renderer/Renderer.h"
#include "scenes/Scene.h"

namespace synthlabel {

struct CorrespondencePlanes {
  std::vector<float> object_coords, nocs, world_position;  // H x W x 3 each, empty unless asked
};

// Needs fb.depth and fb.instance_index (RendererOptions::flow). Fails (internal) without them.
Result<CorrespondencePlanes> compute_correspondence(const Scene& scene, const FrameBuffers& fb, bool object_coords, bool nocs,
                                                    bool world_position);

}  // namespace synthlabel
