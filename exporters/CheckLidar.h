// The checker's LiDAR part (`lidar:` datasets, docs/lidar.md), from the files alone with readers of
// its own: KITTI/SemanticKITTI .bin (float32 x y z intensity a point) and .label (uint32: semantic id in
// the low 16 bits, instance id in the high 16, as semantic-kitti-api's auxiliary/laserscan.py reads
// them), PCD (header FIELDS/SIZE/TYPE/COUNT/POINTS, DATA binary), PLY (binary little-endian, the
// header's properties in order) and the range image (EXR). Per sweep:
// - every file holds the record's point count, and all agree point for point (bit-equal floats,
//   equal ids); the range image holds each point at (ring, column) and nothing elsewhere;
// - each 3D box's counts recomputed: points inside (the box grown by 0.1 mm) and points of its
//   instance equal the record's; for an instance that does not move (and points ego-compensated),
//   every one of its points lies in its box; the other points inside boxes are counted (surfaces
//   touching or inside a box: the ground under a car).
// The points' distance to the meshes needs the scene: `synthlabel check --config` (cli/CheckLidarMeshes.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/Error.h"

namespace synthlabel {

struct LidarCheckStats {
  std::size_t sweeps = 0, points = 0, files = 0;  // sweeps and points checked, point files compared
  std::size_t boxes = 0;                           // 3D boxes recounted
  std::size_t box_instance_points = 0;             // points of static instances, all inside their boxes
  std::size_t others_inside = 0;                   // points of other surfaces inside a box
  std::size_t moving_outside = 0;                  // points of moving instances outside their box at the sweep's start
  // With the scene (check --config): points tested against the meshes and the largest distance found.
  std::size_t mesh_points = 0;
  double mesh_worst_m = -1;
};

// A point cloud as read back by the checker's own readers.
struct CheckedCloud {
  std::size_t n = 0;
  std::vector<float> x, y, z, intensity, range, noise, time;
  std::vector<std::uint32_t> ring, column, instance, semantic, surface;
};

// A binary PCD v0.7 (any field order; the fields above that it has are filled).
Result<CheckedCloud> read_pcd(std::span<const std::uint8_t> bytes, const std::string& name);

// Frame `frame`'s sweep seen from above, as PNG (`size` pixels square): the LiDAR at the centre, +X
// (forward) up, +Y (left) to the left, each point coloured by its semantic id (the VOC colour map the
// segmentation formats use; grey for 0), each 3D box's edges drawn in its instance's colour, 10 m
// grid lines. `extent_m` is set to the half-width shown. Empty when the frame has no sweep.
std::vector<std::uint8_t> lidar_bev_png(const std::filesystem::path& dir, std::uint64_t frame, std::uint32_t size, double& extent_m);

// `images`: coco.json's images. Appends one defect line per wrong file.
void check_lidar(const std::filesystem::path& dir, const nlohmann::json& images, std::vector<std::string>& defects, LidarCheckStats& stats);

}  // namespace synthlabel
