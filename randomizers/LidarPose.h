// The LiDAR's pose per frame (`lidar:`, docs/lidar.md): drawn with the frame (stream "lidar/..."),
// and at any time of a clip for the beams of a sweep.
#pragma once

#include <cstdint>

#include <glm/mat4x4.hpp>

#include "randomizers/Sample.h"
#include "scenes/Scene.h"
#include "scenes/SceneSpec.h"

namespace synthlabel {

// The sensor of frame `output_frame` (draws keyed by `key_frame`: the frame, or its clip), its
// lidar_to_world at `t` (the frame's time in its clip, 0 without one) with the frame's `camera`.
LidarState draw_lidar(const SceneSpec& spec, const Camera& camera, std::uint64_t key_frame, const FrameIndex& at,
                      std::uint64_t output_frame, double t);

// LiDAR -> world at clip time `t`, with `camera` the camera at that time (mount camera).
glm::dmat4 lidar_to_world_at(const LidarState& state, const Camera& camera, double t);

// LiDAR -> world at clip time `t` for frame `scene` (its drawn sensor; with a sequence the clip as
// drawn, Scene::clip_start, for the camera's motion): the frame's own pose at the frame's time.
glm::dmat4 lidar_to_world_in_clip(const Scene& scene, double t);

}  // namespace synthlabel
