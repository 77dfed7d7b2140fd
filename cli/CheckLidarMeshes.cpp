#include "cli/CheckLidarMeshes.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <glm/geometric.hpp>
#include <glm/mat4x4.hpp>

#include "cli/Generate.h"
#include "core/FileIo.h"
#include "exporters/FrameEncoder.h"
#include "randomizers/FrameSampler.h"
#include "randomizers/LidarPose.h"
#include "scenes/SpecJson.h"

namespace synthlabel {
namespace {

using json = nlohmann::json;

// The distance from `p` to triangle (a, b, c): the closest point by the triangle's Voronoi regions
// (Ericson, Real-Time Collision Detection, 5.1.5).
double triangle_distance(const glm::dvec3& p, const glm::dvec3& a, const glm::dvec3& b, const glm::dvec3& c) {
  const glm::dvec3 ab = b - a, ac = c - a, ap = p - a;
  const double d1 = glm::dot(ab, ap), d2 = glm::dot(ac, ap);
  if (d1 <= 0 && d2 <= 0) return glm::length(p - a);
  const glm::dvec3 bp = p - b;
  const double d3 = glm::dot(ab, bp), d4 = glm::dot(ac, bp);
  if (d3 >= 0 && d4 <= d3) return glm::length(p - b);
  const double vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0) return glm::length(p - (a + ab * (d1 / (d1 - d3))));
  const glm::dvec3 cp = p - c;
  const double d5 = glm::dot(ab, cp), d6 = glm::dot(ac, cp);
  if (d6 >= 0 && d5 <= d6) return glm::length(p - c);
  const double vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0) return glm::length(p - (a + ac * (d2 / (d2 - d6))));
  const double va = d3 * d6 - d5 * d4;
  if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0) return glm::length(p - (b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6)))));
  const double denom = 1.0 / (va + vb + vc);
  return glm::length(p - (a + ab * (vb * denom) + ac * (vc * denom)));
}

Result<json> load(const std::filesystem::path& path) {
  auto text = read_text_file(path);
  if (!text) return text.error();
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded()) return make_error(ExitCode::usage, path.string() + ": not JSON");
  return j;
}

}  // namespace

Status check_lidar_meshes(const std::filesystem::path& dir, const std::filesystem::path& config, const std::filesystem::path& asset_root,
                          std::vector<std::string>& defects,
                          LidarCheckStats& stats) {
  json manifest;
  SL_TRY_ASSIGN(manifest, load(dir / "manifest.json"));
  GenerateOptions options;
  options.config = config;
  options.asset_root = asset_root;
  options.no_formats = true;
  if (manifest.contains("seed") && manifest["seed"].is_number_unsigned()) options.seed = manifest["seed"].get<std::uint64_t>();
  const json recorded = manifest.value("config", json::object());
  if (recorded.contains("frames") && recorded["frames"].is_number_unsigned()) options.frames = recorded["frames"].get<std::uint64_t>();
  if (recorded.contains("resolution") && recorded["resolution"].is_array() && recorded["resolution"].size() == 2) {
    options.resolution = std::to_string(recorded["resolution"][0].get<std::uint64_t>()) + "x" + std::to_string(recorded["resolution"][1].get<std::uint64_t>());
  }
  std::unique_ptr<PreparedRun> run;
  SL_TRY_ASSIGN(run, prepare_run(options));
  const json ours = json::parse(to_json(run->spec).dump());
  for (const auto& [key, value] : recorded.items()) {
    if (!ours.contains(key) || ours[key] != value) {
      return make_error(ExitCode::usage, "check --config: " + config.string() + " is not the config " + dir.string() +
                                             " was generated from (its resolved config differs at '" + key + "')");
    }
  }
  const SceneSpec& spec = run->spec;
  if (!spec.lidar) return make_error(ExitCode::usage, "check --config: " + config.string() + " has no lidar: section");
  const MeshLibrary& meshes = run->assets.meshes;
  json coco;
  SL_TRY_ASSIGN(coco, load(dir / "coco.json"));
  for (const json& im : coco.value("images", json::array())) {
    if (!im.contains("frame") || !im["frame"].is_number_unsigned()) continue;
    const std::uint64_t frame = im["frame"].get<std::uint64_t>();
    json rec;
    SL_TRY_ASSIGN(rec, load(dir / record_path(frame)));
    if (!rec.contains("lidar") || !rec.contains("files")) continue;
    std::string pcd_name;
    for (const auto& [file, hash] : rec["files"].items()) {
      (void)hash;
      if (file.rfind("pcd/", 0) == 0) pcd_name = file;
    }
    if (pcd_name.empty()) {
      defects.push_back(record_path(frame) + ": check --config reads each point's surface, time and noise from the pcd output: list pcd in outputs");
      return ok_status();
    }
    auto bytes = read_text_file(path_inside(dir, pcd_name));
    if (!bytes) return bytes.error();
    auto cloud = read_pcd({reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()}, pcd_name);
    if (!cloud) {
      defects.push_back(cloud.error().message);
      continue;
    }
    const Scene scene = sample_frame(spec, meshes, *run->randomizers, frame);
    const bool clip = scene.clip.has_value() && scene.clip_start != nullptr;
    const double t0 = scene.clip ? scene.clip->time_s : 0.0;
    // The sensor at a point's time, and each surface posed then (world-space vertices), cached.
    std::map<float, glm::dmat4> sensor_at;
    std::map<std::pair<std::uint32_t, float>, std::vector<glm::dvec3>> posed;
    auto sensor = [&](float time) -> const glm::dmat4& {
      auto it = sensor_at.find(time);
      if (it != sensor_at.end()) return it->second;
      return sensor_at.emplace(time, lidar_to_world_in_clip(scene, t0 + double(time))).first->second;
    };
    std::size_t far = 0, mislabeled = 0, first_far = 0;
    double worst = 0;
    const glm::dmat4 start = scene.lidar.lidar_to_world;
    for (std::size_t i = 0; i < cloud->n; ++i) {
      const std::uint32_t k = cloud->surface[i];
      if (k >= scene.instances.size()) {
        defects.push_back(pcd_name + ": point " + std::to_string(i) + " names surface " + std::to_string(k) + ", the frame has " +
                          std::to_string(scene.instances.size()));
        break;
      }
      const Instance& inst = scene.instances[k];
      const std::uint32_t want_instance = inst.stuff ? 0u : inst.instance_id;
      if (cloud->instance[i] != want_instance || cloud->semantic[i] != inst.category_id) ++mislabeled;
      const float time = cloud->time[i];
      const glm::dmat4& at = sensor(time);
      const glm::dvec3 p(cloud->x[i], cloud->y[i], cloud->z[i]);
      const glm::dvec3 world = glm::dvec3((scene.lidar.ego_compensated ? start : at) * glm::dvec4(p, 1.0));
      const glm::dvec3 origin(at[3]);
      const glm::dvec3 exact = world - double(cloud->noise[i]) * glm::normalize(world - origin);
      const bool moves = clip && has_motion(inst);
      const auto key = std::make_pair(k, moves ? time : 0.0f);
      auto it = posed.find(key);
      if (it == posed.end()) {
        Instance moved = moves ? scene.clip_start->instances[k] : inst;
        if (moves) move_instance(moved, t0 + double(time));
        const Mesh& mesh = meshes[inst.mesh_index];
        std::vector<glm::dvec3> v(mesh.vertices.size());
        const glm::dmat4 model(moved.model);
        for (std::size_t j = 0; j < v.size(); ++j) v[j] = glm::dvec3(model * glm::dvec4(glm::dvec3(mesh.vertices[j].position), 1.0));
        it = posed.emplace(key, std::move(v)).first;
      }
      const Mesh& mesh = meshes[inst.mesh_index];
      double best = 1e300;
      for (std::size_t t = 0; t + 2 < mesh.indices.size(); t += 3) {
        best = std::min(best, triangle_distance(exact, it->second[mesh.indices[t]], it->second[mesh.indices[t + 1]], it->second[mesh.indices[t + 2]]));
      }
      worst = std::max(worst, best);
      if (best > 1e-4 && far++ == 0) first_far = i;
    }
    stats.mesh_points += cloud->n;
    stats.mesh_worst_m = std::max(stats.mesh_worst_m, worst);
    if (far) {
      defects.push_back(pcd_name + ": " + std::to_string(far) + " points lie more than 0.1 mm from the surface they name (first: point " +
                        std::to_string(first_far) + "; worst " + std::to_string(worst) + " m)");
    }
    if (mislabeled) defects.push_back(pcd_name + ": " + std::to_string(mislabeled) + " points' instance or semantic id is not their surface's");
  }
  return ok_status();
}

}  // namespace synthlabel
