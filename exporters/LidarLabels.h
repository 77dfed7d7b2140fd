// What the LiDAR formats share (docs/lidar.md): each labeled instance's 3D box in the LiDAR frame at
// the sweep's start with its point counts, and the LiDAR -> camera transform (KITTI's Tr_velo_to_cam).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <glm/mat3x3.hpp>
#include <glm/mat4x4.hpp>
#include <glm/vec3.hpp>
#include <nlohmann/json.hpp>

#include "scenes/Lidar.h"
#include "scenes/Scene.h"

namespace synthlabel {

// A point on a box's face is inside it: the box is grown by 0.1 mm (float32 points lie within a few
// micrometres of the surface they hit).
inline constexpr double k_lidar_box_slack_m = 1e-4;

struct LidarBox {
  std::uint32_t instance_id = 0, category_id = 0;
  glm::dvec3 centre{0.0};   // LiDAR frame, metres
  glm::dvec3 size{0.0};     // along the box's own axes: the mesh's x, y, z extents times the scale
  glm::dmat3 rotation{1.0}; // box axes -> LiDAR frame (columns: the box's x, y, z)
  double yaw = 0;           // heading of the box's x axis about the LiDAR's z, radians from +X
  // Points of the sweep inside the box grown by k_lidar_box_slack_m (any surface: points on the box's
  // faces are in), and points labeled with its instance.
  std::uint64_t points_inside = 0, instance_points = 0;
};

// The box of every labeled (thing) instance with a mesh, in id order, counted against `sweep`.
std::vector<LidarBox> lidar_boxes(const Scene& scene, const LidarSweep& sweep);

// Whether point `p` (LiDAR frame) lies inside `box` (closed, with `slack` metres around it).
bool inside_box(const LidarBox& box, const glm::dvec3& p, double slack = 0.0);

// LiDAR (at the sweep's start) -> the frame's camera, OpenCV axes.
glm::dmat4 lidar_to_camera_cv(const Scene& scene);

// One box as the record and the lidar_boxes format write it: instance_id, category_id, the category's
// name when given, centre, size, rotation (row-major, box axes -> LiDAR), yaw, points_inside,
// instance_points.
nlohmann::ordered_json lidar_box_json(const LidarBox& box, const std::string* category = nullptr);

// The frame record's `lidar` entry: the sensor's pose, Tr_velo_to_cam, the sweep's counts and boxes.
nlohmann::ordered_json lidar_record(const Scene& scene, const LidarSweep& sweep, std::span<const LidarBox> boxes);

}  // namespace synthlabel
