// `synthlabel check DATASET --config CONFIG` for LiDAR datasets (docs/lidar.md): every point against
// the meshes. The scene of each frame is sampled again from the config (which must be the one the
// dataset's manifest records); each point of the PCD is taken back to the world with the recorded
// sensor pose at its own time, its range noise taken off along its beam, and its distance to the
// surface it names (its `surface`: the instance, posed at the point's time) computed in double
// precision over that mesh's triangles, independently of the ray tracer. Each distance must be under
// 0.1 mm, and the point's instance and semantic ids those of that surface.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/Error.h"
#include "exporters/CheckLidar.h"

namespace synthlabel {

// `asset_root` (check --asset-root): as generate's, the config's includes and assets inside it.
Status check_lidar_meshes(const std::filesystem::path& dir, const std::filesystem::path& config, const std::filesystem::path& asset_root,
                          std::vector<std::string>& defects,
                          LidarCheckStats& stats);

}  // namespace synthlabel
