#include "scenes/SpecJson.h"

#include <algorithm>
#include <cmath>

namespace synthlabel {
namespace {

using json = nlohmann::ordered_json;

json to_json(const ScalarDist& d) {
  return std::visit(
      [](const auto& v) -> json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, double>) return v;
        else if constexpr (std::is_same_v<T, Uniform>) return json{{"uniform", {v.lo, v.hi}}};
        else if constexpr (std::is_same_v<T, LogUniform>) return json{{"loguniform", {v.lo, v.hi}}};
        else if constexpr (std::is_same_v<T, Normal>) return json{{"normal", {v.mean, v.stddev}}};
        else if constexpr (std::is_same_v<T, TruncatedNormal>)
          return json{{"truncated_normal", {v.mean, v.stddev, v.lo, v.hi}}};
        else if constexpr (std::is_same_v<T, Choice>)
          return v.weights.empty() ? json{{"choice", v.values}} : json{{"choice", v.values}, {"weights", v.weights}};
        else if constexpr (std::is_same_v<T, Sweep>) return json{{"sweep", {v.lo, v.hi}}};
        else return json{{"sequence", v.values}};
      },
      d);
}

json to_json(const IntDist& d) {
  return std::visit(
      [](const auto& v) -> json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::int64_t>) return v;
        else if constexpr (std::is_same_v<T, IntRange>) return json{{"range", {v.lo, v.hi}}};
        else return v.weights.empty() ? json{{"choice", v.values}} : json{{"choice", v.values}, {"weights", v.weights}};
      },
      d);
}

void add_keypoints(json& j, const KeypointsSpec& k) {
  if (k.names.empty()) return;
  json points = json::array();
  for (std::size_t i = 0; i < k.names.size(); ++i) {
    points.push_back({{"name", k.names[i]}, {"position", {k.points[i].x, k.points[i].y, k.points[i].z}}});
  }
  json skeleton = json::array();
  for (const auto& e : k.skeleton) skeleton.push_back({k.names.at(e[0] - 1), k.names.at(e[1] - 1)});
  j["keypoints"] = {{"points", std::move(points)}, {"skeleton", std::move(skeleton)}, {"tolerance_m", k.tolerance_m}};
}

void add_shape(json& j, const ShapeSpec& s) {
  if (s.primitive) {
    j["primitive"] = std::string(primitive_name(*s.primitive));
  } else {
    j["asset"] = s.asset.string();
    j["normalize"] = s.normalize;
    j["units"] = s.unit_scale;
    j["up"] = s.z_up ? "z" : "y";
  }
  add_keypoints(j, s.keypoints);
}

json to_json(const Vec3Dist& d) { return json::array({to_json(d[0]), to_json(d[1]), to_json(d[2])}); }

}  // namespace

nlohmann::ordered_json to_json(const SceneSpec& spec) {
  json j;
  j["seed"] = spec.seed;
  j["frames"] = spec.frames;
  if (spec.sweep_frames != spec.frames) j["sweep_frames"] = spec.sweep_frames;  // --frames changed `frames`
  if (!spec.splits.empty()) {
    j["splits"] = json::object();
    for (const auto& [name, share] : spec.splits) j["splits"][name] = share;
  }
  j["resolution"] = {spec.width, spec.height};
  j["categories"] = json::array();
  for (std::size_t i = 0; i < spec.categories.size(); ++i) {
    const CategorySpec& cat = spec.categories[i];
    json jc = {{"id", i + 1}, {"name", cat.name}, {"supercategory", cat.supercategory}};
    if (cat.stuff) jc["stuff"] = true;
    if (!cat.keypoints.empty()) {  // COCO keypoints: names and 1-based skeleton pairs
      jc["keypoints"] = cat.keypoints;
      jc["skeleton"] = json::array();
      for (const auto& e : cat.skeleton) jc["skeleton"].push_back({e[0], e[1]});
    }
    j["categories"].push_back(std::move(jc));
  }
  if (spec.background_category != 0) j["background_category"] = spec.categories.at(spec.background_category - 1).name;
  const auto& c = spec.camera;
  j["camera"] = {{"fov_deg", to_json(c.fov_y_deg)},         {"near", c.near_m},
                 {"far", c.far_m},                          {"target", to_json(c.target)},
                 {"distance", to_json(c.distance_m)},       {"elevation_deg", to_json(c.elevation_deg)},
                 {"azimuth_deg", to_json(c.azimuth_deg)},
                 {"roll_deg", to_json(c.roll_deg)},
                 {"exposure_ev", to_json(c.exposure_ev)},
                 {"tone_map", c.filmic ? "filmic" : "none"}};
  if (c.intrinsics) {
    j["camera"].erase("fov_deg");
    j["camera"]["intrinsics"] = {{"fx", to_json(c.intrinsics->fx)},
                                 {"fy", to_json(c.intrinsics->fy)},
                                 {"cx", to_json(c.intrinsics->cx)},
                                 {"cy", to_json(c.intrinsics->cy)}};
  }
  if (c.pose || c.poses) {
    for (const char* k : {"target", "distance", "elevation_deg", "azimuth_deg"}) j["camera"].erase(k);
    if (c.poses) {
      j["camera"]["poses"] = {{"file", c.poses->file}, {"order", c.poses->random ? "random" : "sequential"}};
    } else if (c.pose->world_to_camera) {
      json m = json::array();
      for (int r = 0; r < 4; ++r) m.push_back({(*c.pose->world_to_camera)[0][r], (*c.pose->world_to_camera)[1][r], (*c.pose->world_to_camera)[2][r], (*c.pose->world_to_camera)[3][r]});
      j["camera"]["pose"] = {{"world_to_camera", m}};
    } else {
      j["camera"]["pose"] = {{"position", to_json(c.pose->position)}, {"look_at", to_json(c.pose->look_at)}, {"up", to_json(c.pose->up)}};
    }
  }
  if (c.rig) {
    if (c.rig->baseline_m > 0) {
      j["camera"]["stereo"] = {{"baseline", c.rig->baseline_m}};
    } else {
      j["camera"]["rig"] = json::array();
      for (const RigCamera& rc : c.rig->cameras) {
        j["camera"]["rig"].push_back({{"name", rc.name},
                                      {"position", {rc.position.x, rc.position.y, rc.position.z}},
                                      {"rotation_deg", {rc.rotation_deg.x, rc.rotation_deg.y, rc.rotation_deg.z}}});
      }
    }
  }
  if (c.lens) {  // the coefficients as drawn from (a calibration file's are written out, its K is the intrinsics above)
    static const char* const k_models[] = {"pinhole", "brown_conrady", "fisheye", "radial_table"};
    const LensSpec& l = *c.lens;
    json jl = {{"model", k_models[static_cast<int>(l.model)]}};
    const std::size_t n = l.model == LensModel::brown_conrady ? 12 : l.model == LensModel::fisheye ? 4 : 0;
    for (std::size_t i = 0; i < n; ++i) jl[l.model == LensModel::fisheye ? k_fisheye_coefficients[i] : k_lens_coefficients[i]] = to_json(l.k[i]);
    if (l.model == LensModel::radial_table) {
      jl["table"] = json::array();
      for (const auto& [t, r] : l.table) jl["table"].push_back({t * 180.0 / 3.14159265358979323846, r});
    }
    if (l.max_field_deg > 0) jl["max_field_deg"] = l.max_field_deg;
    jl["oversample"] = l.oversample;
    j["camera"]["lens"] = std::move(jl);
  }
  j["lights"] = json::array();
  for (const auto& l : spec.lights) {
    static const char* const k_types[] = {"directional", "point", "spot"};
    json jl = {{"type", k_types[static_cast<int>(l.type)]},
               {"elevation_deg", to_json(l.elevation_deg)},
               {"azimuth_deg", to_json(l.azimuth_deg)},
               {"intensity", to_json(l.intensity)},
               {"color", to_json(l.color)},
               {"temperature_k", l.temperature_k ? to_json(*l.temperature_k) : json(nullptr)},
               {"shadows", l.shadows}};
    if (l.type != LightType::directional) {
      jl["target"] = to_json(l.target);
      jl["distance"] = to_json(l.distance_m);
    }
    if (l.type == LightType::spot) {
      jl["cone_deg"] = to_json(l.cone_deg);
      jl["softness"] = to_json(l.softness);
    }
    j["lights"].push_back(jl);
  }
  if (spec.environment) {
    const auto& e = *spec.environment;
    json maps = json::array();
    for (const auto& m : e.maps) maps.push_back(m.string());
    j["environment"] = {{"maps", maps},
                        {"weights", e.weights},
                        {"sky", e.sky ? json{{"turbidity", e.sky->turbidity},
                                             {"sun_elevation_deg", e.sky->sun_elevation_deg},
                                             {"sun_azimuth_deg", e.sky->sun_azimuth_deg},
                                             {"ground_albedo", e.sky->ground_albedo}}
                                      : json(nullptr)},
                        {"rotation_deg", to_json(e.rotation_deg)},
                        {"intensity", to_json(e.intensity)},
                        {"background", e.background},
                        {"lighting", e.lighting}};
  }
  if (spec.sensor) {
    const auto& s = *spec.sensor;
    j["sensor"] = {{"white_balance", to_json(s.white_balance)}, {"brightness", to_json(s.brightness)},
                   {"contrast", to_json(s.contrast)},           {"saturation", to_json(s.saturation)},
                   {"vignetting", to_json(s.vignetting)},       {"defocus_px", to_json(s.defocus_px)},
                   {"motion_px", to_json(s.motion_px)},         {"motion_angle_deg", to_json(s.motion_angle_deg)},
                   {"shot_photons", to_json(s.shot_photons)},   {"read_noise", to_json(s.read_noise)},
                   {"gamma", to_json(s.gamma)},                 {"jpeg_quality", to_json(s.jpeg_quality)}};
    if (s.shutter_s) j["sensor"]["shutter_s"] = to_json(*s.shutter_s);
    if (s.rolling_shutter_s) j["sensor"]["rolling_shutter_s"] = to_json(*s.rolling_shutter_s);
    if (s.shutter_s || s.rolling_shutter_s) j["sensor"]["shutter_samples"] = s.shutter_samples;
  }
  j["outputs"] = json::array({"coco"});
  for (const auto& [name, flag] : k_output_options) {
    if (spec.outputs.*flag) j["outputs"].push_back(name);
  }
  for (const auto& f : spec.outputs.formats) j["outputs"].push_back(f);
  j["render"] = {{"supersampling", spec.render.supersampling}, {"shadow_map_size", spec.render.shadow_map_size}};
  if (spec.sequence) {  // (the motion keys exist only with one)
    j["sequence"] = {{"length", spec.sequence->length}, {"fps", spec.sequence->fps}};
    if (spec.outputs.has("tracks")) j["sequence"]["track_points"] = spec.sequence->track_points;
    j["camera"]["orbit_rate_deg"] = to_json(spec.camera.orbit_rate_deg);
    const CameraSpec& cs = spec.camera;
    const ScalarDist zero = 0.0;
    if (to_json(cs.elevation_rate_deg) != to_json(zero)) j["camera"]["elevation_rate_deg"] = to_json(cs.elevation_rate_deg);
    if (to_json(cs.dolly_rate) != to_json(zero)) j["camera"]["dolly_rate"] = to_json(cs.dolly_rate);
    if (to_json(cs.target_velocity) != to_json(constant_vec3(0, 0, 0))) j["camera"]["target_velocity"] = to_json(cs.target_velocity);
    if (!cs.target_path.empty()) {
      j["camera"]["target_path"] = json::array();
      for (const auto& k : cs.target_path) j["camera"]["target_path"].push_back({{"t", k.t}, {"position", to_json(k.position)}});
    }
    if (to_json(cs.shake_deg) != to_json(zero)) {
      j["camera"]["shake_deg"] = to_json(cs.shake_deg);
      j["camera"]["shake_hz"] = to_json(cs.shake_hz);
    }
    for (std::size_t i = 0; i < spec.lights.size(); ++i) {
      if (to_json(spec.lights[i].azimuth_rate_deg) != to_json(zero)) j["lights"][i]["azimuth_rate_deg"] = to_json(spec.lights[i].azimuth_rate_deg);
      if (to_json(spec.lights[i].elevation_rate_deg) != to_json(zero)) j["lights"][i]["elevation_rate_deg"] = to_json(spec.lights[i].elevation_rate_deg);
    }
  }
  j["ambient"] = to_json(spec.ambient);
  j["background"] = to_json(spec.background);
  j["objects"] = json::array();
  for (const auto& o : spec.objects) {
    json jo;
    jo["name"] = o.name;
    if (!o.pool.empty()) {
      jo["pool"] = json::array();
      for (const auto& e : o.pool) {
        json je;
        add_shape(je, e.shape);
        if (e.category_id) je["category"] = spec.categories.at(e.category_id - 1).name;
        je["probability"] = e.probability;
        jo["pool"].push_back(je);
      }
    } else {
      add_shape(jo, o.shape);
    }
    jo["labeled"] = o.labeled;
    if (o.category_id != 0 && o.pool.empty()) jo["category"] = spec.categories.at(o.category_id - 1).name;
    jo["count"] = to_json(o.count);
    jo["scale"] = o.uniform_scale ? to_json(o.scale[0]) : to_json(o.scale);
    jo["position"] = to_json(o.position);
    jo["rotation"] = o.rotation.uniform_so3 ? json("uniform") : to_json(o.rotation.euler_deg);
    // Without a color: the mesh's own colour (an asset's materials; a primitive's default base colour).
    if (o.color) jo["color"] = to_json(*o.color);
    if (spec.sequence) {
      jo["velocity"] = to_json(o.velocity);
      jo["angular_velocity_deg"] = to_json(o.angular_velocity_deg);
      if (!o.path.empty()) {
        jo["path"] = json::array();
        for (const PathKeySpec& k : o.path) {
          json jk = {{"t", k.t}, {"position", to_json(k.position)}};
          if (k.rotation_deg) jk["rotation_deg"] = to_json(*k.rotation_deg);
          jo["path"].push_back(jk);
        }
      }
    }
    j["objects"].push_back(jo);
  }
  j["randomizers"] = json::array();
  for (const auto& r : spec.randomizers) j["randomizers"].push_back(r.to_json());
  return j;
}

}  // namespace synthlabel
