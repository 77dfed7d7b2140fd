// The `lidar:` section (docs/lidar.md): a spinning sensor from a preset or a table of channel
// elevations, or a solid-state one (the rosette preset or a table of directions); range, noise,
// dropouts; its mount on the camera or in the world.
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "core/Text.h"
#include "scenes/SceneSpec.h"
#include "scenes/config/Schema.h"

namespace synthlabel::config {

LidarSpec parse_lidar(Reader& rd, const YAML::Node& n, bool sequence) {
  rd.expect_map(n, "lidar");
  rd.check_schema_keys(n, "lidar", "lidar");
  LidarSpec l;
  l.where = rd.where(n);
  if (n["preset"] && (n["channels_deg"] || n["directions"])) {
    rd.fail(n["preset"], "lidar.preset", "give a preset or a table (channels_deg, directions), not both");
  }
  if (n["channels_deg"] && n["directions"]) rd.fail(n["directions"], "lidar.directions", "a spinning sensor (channels_deg) or a solid-state one (directions), not both");
  if (!n["preset"] && !n["channels_deg"] && !n["directions"]) {
    rd.fail(n, "lidar", "missing the beams: preset (vlp16, hdl32, hdl64, os1_128, rosette), channels_deg: [elevations] or directions: [[azimuth, elevation], ...]");
  }
  if (auto p = n["preset"]) {
    const std::string name = rd.string(p, "lidar.preset");
    const LidarPreset* found = nullptr;
    std::vector<std::string_view> names;
    for (const LidarPreset& q : k_lidar_presets) {
      names.push_back(q.name);
      if (q.name == name) found = &q;
    }
    if (found == nullptr) rd.fail(p, "lidar.preset", "unknown preset '" + name + "'" + suggest(name, names));
    l.preset = name;
    l.max_range_m = found->max_range_m;
    if (found->channels == 0) {
      l.spinning = false, l.rosette = true;
    } else {
      l.elevations_deg = lidar_preset_elevations(*found);
      l.columns = found->columns;
    }
  }
  if (auto c = n["channels_deg"]) {
    if (!c.IsSequence()) rd.fail(c, "lidar.channels_deg", "expected a list of elevations in degrees, e.g. [2, 0, -2]");
    if (c.size() == 0) rd.fail(c, "lidar.channels_deg", "zero channels: list at least one elevation in degrees");
    if (c.size() > 1024) rd.fail(c, "lidar.channels_deg", "at most 1024 channels");
    for (std::size_t i = 0; i < c.size(); ++i) {
      l.elevations_deg.push_back(rd.number(c[i], "lidar.channels_deg[" + std::to_string(i) + "]", -90.0, 90.0));
    }
    std::sort(l.elevations_deg.begin(), l.elevations_deg.end(), std::greater<>());
    if (std::adjacent_find(l.elevations_deg.begin(), l.elevations_deg.end()) != l.elevations_deg.end()) {
      rd.fail(c, "lidar.channels_deg", "two channels share an elevation: each ring needs its own");
    }
  }
  if (auto d = n["directions"]) {
    if (!d.IsSequence() || d.size() == 0) rd.fail(d, "lidar.directions", "expected a non-empty list of [azimuth_deg, elevation_deg]");
    if (d.size() > k_max_lidar_rays) rd.fail(d, "lidar.directions", "at most 2,000,000 directions");
    l.spinning = false;
    for (std::size_t i = 0; i < d.size(); ++i) {
      const std::string path = "lidar.directions[" + std::to_string(i) + "]";
      const auto v = rd.number_list(d[i], path, 2);
      if (!(v[0] >= -180 && v[0] <= 180 && v[1] >= -90 && v[1] <= 90)) rd.fail(d[i], path, "[azimuth, elevation] in degrees: azimuth -180..180, elevation -90..90");
      l.directions_deg.push_back({v[0], v[1]});
    }
  }
  auto spinning_only = [&](const char* key) {
    if (n[key] && !l.spinning) rd.fail(n[key], std::string("lidar.") + key, "is for spinning sensors (a preset with channels, or channels_deg)");
  };
  auto solid_only = [&](const char* key) {
    if (n[key] && l.spinning) rd.fail(n[key], std::string("lidar.") + key, "is for solid-state sensors (preset: rosette, or directions)");
  };
  for (const char* k : {"columns", "rotation_hz", "direction", "start_azimuth_deg"}) spinning_only(k);
  for (const char* k : {"sweep_s"}) solid_only(k);
  for (const char* k : {"fov_deg", "points"}) {
    if (n[k] && !l.rosette) rd.fail(n[k], std::string("lidar.") + k, "is the rosette's (preset: rosette)");
  }
  if (auto c = n["columns"]) l.columns = static_cast<std::uint32_t>(rd.unsigned_integer(c, "lidar.columns", 1, 65536));
  if (auto r = n["rotation_hz"]) l.rotation_hz = rd.number(r, "lidar.rotation_hz", 0.1, 1000.0);
  if (auto d = n["direction"]) {
    const std::string v = rd.string(d, "lidar.direction");
    if (v != "clockwise" && v != "counter_clockwise") rd.fail(d, "lidar.direction", "clockwise or counter_clockwise (seen from above), not '" + v + "'");
    l.clockwise = v == "clockwise";
  }
  if (auto s = n["start_azimuth_deg"]) l.start_azimuth_deg = rd.number(s, "lidar.start_azimuth_deg", -360.0, 360.0);
  if (auto s = n["sweep_s"]) l.sweep_s = rd.number(s, "lidar.sweep_s", 1e-6, 10.0);
  if (auto f = n["fov_deg"]) l.rosette_fov_deg = rd.number(f, "lidar.fov_deg", 0.1, 170.0);
  if (auto p = n["points"]) l.rosette_points = static_cast<std::uint32_t>(rd.unsigned_integer(p, "lidar.points", 1, k_max_lidar_rays));
  if (l.spinning && l.rays_per_sweep() > k_max_lidar_rays) {
    // (each ray costs about 100 bytes while its frame is in flight: beams and points)
    rd.fail(n, "lidar", std::to_string(l.rays_per_sweep()) + " rays a sweep (channels x columns); the limit is 2,000,000 (8x an OS1-128 sweep)");
  }
  if (auto r = n["range"]) {
    const auto v = rd.number_list(r, "lidar.range", 2);
    if (!(v[0] >= 0 && v[1] > v[0] && v[1] <= 1e5)) {
      rd.fail(r, "lidar.range", "[min, max] metres with 0 <= min < max <= 100000 (min above max: swap them)");
    }
    l.min_range_m = v[0], l.max_range_m = v[1];
  }
  if (auto r = n["range_noise"]) l.range_noise_m = rd.number(r, "lidar.range_noise", 0.0, 10.0);
  if (auto d = n["dropout"]) l.dropout = rd.number(d, "lidar.dropout", 0.0, 1.0);
  if (auto i = n["intensity_reference"]) l.intensity_reference_m = rd.number(i, "lidar.intensity_reference", 1e-3, 1e5);
  if (auto e = n["ego_motion"]) {
    const std::string v = rd.string(e, "lidar.ego_motion");
    if (v != "compensated" && v != "raw") rd.fail(e, "lidar.ego_motion", "compensated (points in the sensor frame at the sweep's start) or raw (at each point's firing time), not '" + v + "'");
    l.ego_compensated = v == "compensated";
  }
  if (auto m = n["mount"]) {
    const std::string v = rd.string(m, "lidar.mount");
    if (v != "camera" && v != "world") rd.fail(m, "lidar.mount", "camera (a pose relative to the camera) or world (its own pose), not '" + v + "'");
    l.mount = v == "world" ? LidarMount::world : LidarMount::camera;
  }
  if (auto p = n["position"]) l.position = rd.vec3_dist(p, "lidar.position", -1e6, 1e6);
  if (l.mount == LidarMount::camera) {
    for (const char* k : {"yaw_deg", "velocity"}) {
      if (n[k]) rd.fail(n[k], std::string("lidar.") + k, "is for mount: world (on the camera the sensor moves with it)");
    }
    if (auto r = n["rotation_deg"]) {
      const auto v = rd.number_list(r, "lidar.rotation_deg", 3);
      l.rotation_deg = glm::dvec3(v[0], v[1], v[2]);
    }
  } else {
    if (n["rotation_deg"]) rd.fail(n["rotation_deg"], "lidar.rotation_deg", "is for mount: camera; in the world the sensor is level, turned by yaw_deg");
    if (auto y = n["yaw_deg"]) l.yaw_deg = rd.scalar_dist(y, "lidar.yaw_deg", -1e4, 1e4);
    if (auto v = n["velocity"]) {
      if (!sequence) rd.fail(v, "lidar.velocity", "moves the sensor through a clip: it needs sequence: {length, fps}");
      l.velocity = rd.vec3_dist(v, "lidar.velocity", -1e4, 1e4);
    }
  }
  return l;
}

}  // namespace synthlabel::config
