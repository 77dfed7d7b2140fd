#include "exporters/LidarLabels.h"

#include <algorithm>
#include <cmath>

#include <glm/gtc/quaternion.hpp>

#include "scenes/CameraModel.h"

namespace synthlabel {
namespace {

using json = nlohmann::ordered_json;

json rows(const glm::dmat4& m, int n_rows) {
  json out = json::array();
  for (int r = 0; r < n_rows; ++r) out.push_back({m[0][r], m[1][r], m[2][r], m[3][r]});
  return out;
}

}  // namespace

glm::dmat4 lidar_to_camera_cv(const Scene& scene) {
  return world_to_opencv(scene.camera) * scene.lidar.lidar_to_world;
}

bool inside_box(const LidarBox& box, const glm::dvec3& p, double slack) {
  const glm::dvec3 local = glm::transpose(box.rotation) * (p - box.centre);
  for (int a = 0; a < 3; ++a) {
    if (std::abs(local[a]) > 0.5 * box.size[a] + slack) return false;
  }
  return true;
}

std::vector<LidarBox> lidar_boxes(const Scene& scene, const LidarSweep& sweep) {
  std::vector<LidarBox> boxes;
  const glm::dmat4 world_to_lidar = glm::inverse(scene.lidar.lidar_to_world);
  for (const Instance& inst : scene.instances) {
    if (inst.instance_id == 0 || inst.stuff || !inst.geometry.valid) continue;
    const InstanceGeometry& g = inst.geometry;
    LidarBox b;
    b.instance_id = inst.instance_id;
    b.category_id = inst.category_id;
    const glm::dvec3 mid = 0.5 * (g.bounds_min + g.bounds_max);
    b.centre = glm::dvec3(world_to_lidar * glm::dmat4(inst.model) * glm::dvec4(mid, 1.0));
    b.size = g.box_size;
    b.rotation = glm::dmat3(world_to_lidar) * glm::mat3_cast(glm::dquat(inst.rotation));
    b.yaw = std::atan2(b.rotation[0].y, b.rotation[0].x);
    boxes.push_back(b);
  }
  std::sort(boxes.begin(), boxes.end(), [](const LidarBox& a, const LidarBox& b) { return a.instance_id < b.instance_id; });
  // Each box's axis-aligned bounds in the LiDAR frame first: most points are far from most boxes.
  std::vector<std::pair<glm::dvec3, glm::dvec3>> bounds;
  for (const LidarBox& b : boxes) {
    glm::dvec3 half(0.0);
    for (int a = 0; a < 3; ++a) half += glm::abs(b.rotation[a]) * (0.5 * b.size[a] + k_lidar_box_slack_m);
    bounds.emplace_back(b.centre - half, b.centre + half);
  }
  for (const LidarPoint& p : sweep.points) {
    const glm::dvec3 q(p.x, p.y, p.z);
    for (std::size_t i = 0; i < boxes.size(); ++i) {
      LidarBox& b = boxes[i];
      if (p.instance == b.instance_id) ++b.instance_points;
      const auto& [lo, hi] = bounds[i];
      if (q.x < lo.x || q.y < lo.y || q.z < lo.z || q.x > hi.x || q.y > hi.y || q.z > hi.z) continue;
      if (inside_box(b, q, k_lidar_box_slack_m)) ++b.points_inside;
    }
  }
  return boxes;
}

json lidar_box_json(const LidarBox& b, const std::string* category) {
  json r = json::array();
  for (int row = 0; row < 3; ++row) r.push_back({b.rotation[0][row], b.rotation[1][row], b.rotation[2][row]});
  json j = {{"instance_id", b.instance_id}, {"category_id", b.category_id}};
  if (category != nullptr) j["category"] = *category;
  j["centre"] = {b.centre.x, b.centre.y, b.centre.z};
  j["size"] = {b.size.x, b.size.y, b.size.z};
  j["rotation"] = std::move(r);
  j["yaw"] = b.yaw;
  j["points_inside"] = b.points_inside;
  j["instance_points"] = b.instance_points;
  return j;
}

json lidar_record(const Scene& scene, const LidarSweep& sweep, std::span<const LidarBox> boxes) {
  const LidarState& s = scene.lidar;
  json j;
  j["lidar_to_world"] = rows(s.lidar_to_world, 4);
  j["Tr_velo_to_cam"] = rows(lidar_to_camera_cv(scene), 3);
  j["ego_motion"] = s.ego_compensated ? "compensated" : "raw";
  if (s.mount == LidarMount::world) {
    j["yaw_deg"] = s.yaw_deg;
    j["velocity"] = {s.velocity.x, s.velocity.y, s.velocity.z};
  }
  j["rays"] = sweep.rays;
  j["points"] = sweep.points.size();
  j["misses"] = sweep.misses;
  j["out_of_range"] = sweep.out_of_range;
  j["dropped"] = sweep.dropped;
  j["rings"] = sweep.rings;
  j["columns"] = sweep.columns;
  json jb = json::array();
  for (const LidarBox& b : boxes) jb.push_back(lidar_box_json(b));
  j["boxes"] = std::move(jb);
  return j;
}

}  // namespace synthlabel
