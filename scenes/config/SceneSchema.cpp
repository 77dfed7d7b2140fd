// The built-in sections of a scene config: the top level (seed, frames, resolution, splits,
// categories, outputs), camera, lights, environment, sensor, render, and the randomizer entries
// (each a Properties bag its plugin reads). Objects, shapes, pools and keypoints are in
// ObjectSchema.cpp. Keys are checked against scenes/ConfigSchema.cpp's table.
#include <algorithm>
#include <cctype>

#include "core/Text.h"
#include "scenes/CameraFiles.h"
#include "scenes/CameraModel.h"
#include "scenes/config/PropertiesImpl.h"
#include "scenes/config/Schema.h"

namespace synthlabel::config {
namespace {

class SceneParser {
 public:
  explicit SceneParser(std::shared_ptr<Reader> reader) : m_reader(std::move(reader)), rd(*m_reader) {}

  SceneSpec parse(const YAML::Node& root) {
    SceneSpec spec;
    if (!root.IsDefined() || root.IsNull()) throw ConfigFailure{rd.doc().file() + ": the config is empty"};
    rd.expect_map(root, "(top level)");
    rd.check_schema_keys(root, "", "");
    if (root["seed"]) spec.seed = rd.unsigned_integer(root["seed"], "seed", 0, UINT64_MAX);
    if (root["frames"]) spec.frames = rd.unsigned_integer(root["frames"], "frames", 1, k_max_frames);
    spec.sweep_frames = spec.frames;
    if (auto r = root["resolution"]) {
      if (!r.IsSequence() || r.size() != 2) rd.fail(r, "resolution", "expected [width, height]");
      spec.width = static_cast<std::uint32_t>(rd.unsigned_integer(r[0], "resolution[0]", 1, k_max_image_side));
      spec.height = static_cast<std::uint32_t>(rd.unsigned_integer(r[1], "resolution[1]", 1, k_max_image_side));
      if (std::uint64_t{spec.width} * spec.height > k_max_pixels) {
        rd.fail(r, "resolution", std::to_string(spec.width) + "x" + std::to_string(spec.height) +
                                  " is more than the limit of " + std::to_string(k_max_pixels) + " pixels per frame");
      }
    }
    parse_categories(root, spec);
    if (auto sp = root["splits"]) {
      if (!sp.IsMap() || sp.size() == 0 || sp.size() > 16) rd.fail(sp, "splits", "expected {name: share, ...}, e.g. {train: 0.8, val: 0.2}, 1 to 16 splits");
      rd.check_keys(sp, "splits", {});  // duplicates
      double total = 0;
      for (const auto& kv : sp) {
        const std::string name = kv.first.Scalar();
        const bool ok = !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
        });
        if (!ok) rd.fail(kv.first, "splits", "'" + name + "': a split's name is 1 to 32 letters, digits, '_' or '-' (it names coco_NAME.json)");
        const double share = rd.number(kv.second, rd.join("splits", name), 0.0, 1e9);
        if (!(share > 0)) rd.fail(kv.second, rd.join("splits", name), "must be > 0");
        spec.splits.emplace_back(name, share);
        total += share;
      }
      for (auto& [name, share] : spec.splits) share /= total;
    }
    if (auto bc = root["background_category"]) {
      spec.background_category = category_id(rd, bc, "background_category", spec);
      if (!spec.categories[spec.background_category - 1].stuff) {
        rd.fail(bc, "background_category", "'" + bc.Scalar() + "' is a thing category; the background takes a stuff category "
                                        "(categories: [..., {name: " + bc.Scalar() + ", stuff: true}])");
      }
    }
    if (auto c = root["camera"]) parse_camera(c, spec.camera);
    if (auto l = root["lights"]) {
      if (!l.IsSequence()) rd.fail(l, "lights", "expected a list of lights");
      if (l.size() > k_max_lights) rd.fail(l, "lights", "at most " + std::to_string(k_max_lights) + " lights");
      for (std::size_t i = 0; i < l.size(); ++i) spec.lights.push_back(parse_light(l[i], "lights[" + std::to_string(i) + "]"));
    } else {
      spec.lights.push_back(LightSpec{});
    }
    if (auto a = root["ambient"]) spec.ambient = rd.scalar_dist(a, "ambient", 0.0, 10.0);
    if (auto b = root["background"]) spec.background = rd.vec3_dist(b, "background", 0.0, 1.0);
    if (auto e = root["environment"]) spec.environment = parse_environment(e);
    if (auto s = root["sensor"]) spec.sensor = parse_sensor(s);
    if (auto d = root["depth_sensor"]) parse_depth_sensor(d, spec.depth_sensor);
    if (auto r = root["render"]) spec.render = parse_render(r);
    if (auto s = root["sequence"]) spec.sequence = parse_sequence(s);
    if (auto l = root["lidar"]) spec.lidar = parse_lidar(rd, l, spec.sequence.has_value());
    auto objs = root["objects"];
    if (!objs) rd.fail(root, "objects", "missing: a config needs at least one object");
    if (!objs.IsSequence() || objs.size() == 0) rd.fail(objs, "objects", "expected a non-empty list of objects");
    for (std::size_t i = 0; i < objs.size(); ++i) {
      spec.objects.push_back(parse_object(rd, objs[i], "objects[" + std::to_string(i) + "]", spec));
    }
    collect_keypoints(rd, objs, spec);
    // Worst-case instance count must fit the 16-bit instance PNG.
    const std::size_t worst = max_labeled_instances(spec);
    if (worst > k_max_instances_per_frame) {
      rd.fail(objs, "objects", "up to " + std::to_string(worst) + " labeled instances per frame; the limit is " +
                                std::to_string(k_max_instances_per_frame));
    }
    if (auto r = root["randomizers"]) parse_randomizers(r, spec);
    if (auto o = root["outputs"]) {
      if (!o.IsSequence()) rd.fail(o, "outputs", "expected a list of formats, e.g. [coco, yolo]");
      // coco (always written) and the options here; any other name is a label format, checked
      // against the format plugins when they are built (exporters/LabelFormat.h, build_formats).
      spec.outputs.where = rd.where(o);
      for (std::size_t i = 0; i < o.size(); ++i) {
        const std::string path = "outputs[" + std::to_string(i) + "]";
        const std::string f = rd.string(o[i], path);
        bool option = f == "coco";
        for (const auto& [name, flag] : k_output_options) {
          if (f == name) spec.outputs.*flag = option = true;
        }
        if (option || spec.outputs.has(f)) continue;
        spec.outputs.formats.push_back(f);
        spec.outputs.format_where.push_back(rd.where(o[i]) + ": " + path);
      }
    }
    if (spec.outputs.scene_flow && !spec.outputs.flow) {
      rd.fail(root["outputs"], "outputs", "scene_flow comes with the optical flow: list flow too, e.g. outputs: [flow, scene_flow]");
    }
    if (spec.camera.rig && spec.sequence) {
      rd.fail(root["camera"]["rig"] ? root["camera"]["rig"] : root["camera"]["stereo"], root["camera"]["rig"] ? "camera.rig" : "camera.stereo",
              "rigs of clips (a sequence) are not built yet: a rig's frames are its cameras at one instant");
    }
    if (spec.lidar && spec.camera.rig) {
      rd.fail(root["lidar"], "lidar", "a LiDAR with camera.rig or camera.stereo is not built yet: each rig camera would move the sensor");
    }
    if (root["depth_sensor"] && !spec.outputs.depth_sensor) {
      rd.fail(root["depth_sensor"], "depth_sensor", "describes the depth_sensor output: list depth_sensor in outputs");
    }
    if (spec.outputs.undistortion_map && !spec.camera.lens) {
      rd.fail(root["outputs"], "outputs", "undistortion_map maps a distorted image to the pinhole one: it needs camera.lens");
    }
    if (spec.outputs.disparity && !(spec.camera.rig && spec.camera.rig->baseline_m > 0)) {
      rd.fail(root["outputs"], "outputs", "disparity is between a rectified pair's images: it needs camera.stereo: {baseline}");
    }
    if (spec.outputs.flow && !spec.sequence) {
      rd.fail(root["outputs"], "outputs", "flow is the motion between a clip's frames: it needs sequence: {length, fps}");
    }
    if (!spec.sequence) {  // motion keys move nothing without clips: say so rather than ignore them
      for (const char* k : {"shutter_s", "rolling_shutter_s"}) {
        if (root["sensor"] && root["sensor"][k]) {
          rd.fail(root["sensor"][k], std::string("sensor.") + k, "exposes the real motion between a clip's frames: it needs sequence: {length, fps}");
        }
      }
      for (const char* k : {"orbit_rate_deg", "elevation_rate_deg", "dolly_rate", "target_velocity", "target_path", "shake_deg", "shake_hz"}) {
        if (root["camera"] && root["camera"][k]) rd.fail(root["camera"][k], std::string("camera.") + k, "only applies with sequence: {length, fps}");
      }
      if (auto ls = root["lights"]; ls && ls.IsSequence()) {
        for (std::size_t i = 0; i < ls.size(); ++i) {
          for (const char* k : {"azimuth_rate_deg", "elevation_rate_deg"}) {
            if (ls[i][k]) rd.fail(ls[i][k], "lights[" + std::to_string(i) + "]." + k, "only applies with sequence: {length, fps}");
          }
        }
      }
      for (std::size_t i = 0; i < objs.size(); ++i) {
        for (const char* k : {"velocity", "angular_velocity_deg", "path"}) {
          if (objs[i][k]) rd.fail(objs[i][k], "objects[" + std::to_string(i) + "]." + k, "only applies with sequence: {length, fps}");
        }
      }
    }
    spec.sweep_at = rd.first_sweep();
    return spec;
  }

  // from it (build_randomizers), against that randomizer's own schema.
  void parse_randomizers(const YAML::Node& list, SceneSpec& spec) {
    if (!list.IsSequence()) rd.fail(list, "randomizers", "expected a list of randomizers, each {type: NAME, ...}");
    if (list.size() > k_max_randomizers) {
      rd.fail(list, "randomizers", "at most " + std::to_string(k_max_randomizers) + " randomizers");
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string path = "randomizers[" + std::to_string(i) + "]";
      const YAML::Node entry = list[i];
      rd.expect_map(entry, path);
      if (!entry["type"]) rd.fail(entry, rd.join(path, "type"), "missing: which randomizer, e.g. type: place_on_surface");
      auto impl = std::make_shared<Properties::Impl>();
      impl->reader = m_reader;
      impl->node = entry;
      impl->path = path;
      impl->type = rd.string(entry["type"], rd.join(path, "type"));
      rd.check_keys(entry, path, {});  // only for duplicate keys and non-scalar keys: unknown ones are the factory's
      rd.check_text(entry, path);        // the entry is recorded as given (to_json), before its factory reads it
      spec.randomizers.emplace_back(std::move(impl));
    }
  }

  SensorSpec parse_sensor(const YAML::Node& n) {
    rd.expect_map(n, "sensor");
    rd.check_schema_keys(n, "sensor", "sensor");
    SensorSpec s;
    if (n["white_balance"]) s.white_balance = rd.vec3_dist(n["white_balance"], "sensor.white_balance", 0.0, 10.0);
    if (n["brightness"]) s.brightness = rd.scalar_dist(n["brightness"], "sensor.brightness", -1.0, 1.0);
    if (n["contrast"]) s.contrast = rd.scalar_dist(n["contrast"], "sensor.contrast", 0.0, 10.0);
    if (n["saturation"]) s.saturation = rd.scalar_dist(n["saturation"], "sensor.saturation", 0.0, 10.0);
    if (n["vignetting"]) s.vignetting = rd.scalar_dist(n["vignetting"], "sensor.vignetting", 0.0, 1.0);
    if (n["defocus_px"]) s.defocus_px = rd.scalar_dist(n["defocus_px"], "sensor.defocus_px", 0.0, 8.0);
    if (n["motion_px"]) s.motion_px = rd.scalar_dist(n["motion_px"], "sensor.motion_px", 0.0, 32.0);
    if (n["motion_angle_deg"]) s.motion_angle_deg = rd.scalar_dist(n["motion_angle_deg"], "sensor.motion_angle_deg");
    if (n["shot_photons"]) s.shot_photons = rd.scalar_dist(n["shot_photons"], "sensor.shot_photons", 0.0, 1e7);
    if (n["read_noise"]) s.read_noise = rd.scalar_dist(n["read_noise"], "sensor.read_noise", 0.0, 1.0);
    if (n["gamma"]) s.gamma = rd.scalar_dist(n["gamma"], "sensor.gamma", 0.2, 5.0);
    if (n["jpeg_quality"]) s.jpeg_quality = rd.scalar_dist(n["jpeg_quality"], "sensor.jpeg_quality", 0.0, 100.0);
    if (n["shutter_s"]) s.shutter_s = rd.scalar_dist(n["shutter_s"], "sensor.shutter_s", 0.0, 1.0);
    if (n["rolling_shutter_s"]) s.rolling_shutter_s = rd.scalar_dist(n["rolling_shutter_s"], "sensor.rolling_shutter_s", 0.0, 1.0);
    if (n["shutter_samples"]) s.shutter_samples = static_cast<std::uint32_t>(rd.unsigned_integer(n["shutter_samples"], "sensor.shutter_samples", 2, 64));
    return s;
  }

  SequenceSpec parse_sequence(const YAML::Node& n) {
    rd.expect_map(n, "sequence");
    rd.check_schema_keys(n, "sequence", "sequence");
    SequenceSpec s;
    if (!n["length"]) rd.fail(n, "sequence.length", "missing: frames per clip, e.g. sequence: {length: 24, fps: 12}");
    s.length = rd.unsigned_integer(n["length"], "sequence.length", 1, 100000);
    if (n["fps"]) s.fps = rd.number(n["fps"], "sequence.fps", 1e-3, 1e4);
    if (n["track_points"]) s.track_points = static_cast<std::uint32_t>(rd.unsigned_integer(n["track_points"], "sequence.track_points", 1, 4096));
    return s;
  }

  RenderSpec parse_render(const YAML::Node& n) {
    rd.expect_map(n, "render");
    rd.check_schema_keys(n, "render", "render");
    RenderSpec r;
    if (auto s = n["supersampling"]) {
      r.supersampling = static_cast<std::uint32_t>(rd.unsigned_integer(s, "render.supersampling", 1, 5));
      if (r.supersampling % 2 == 0) {
        rd.fail(s, "render.supersampling", "expected 1, 3 or 5: an odd factor puts a sample at every pixel centre");
      }
    }
    if (auto s = n["shadow_map_size"]) {
      r.shadow_map_size = static_cast<std::uint32_t>(rd.unsigned_integer(s, "render.shadow_map_size", 0, 8192));
      if (r.shadow_map_size != 0 && r.shadow_map_size < 64) rd.fail(s, "render.shadow_map_size", "expected 0 (no shadows) or 64..8192");
    }
    return r;
  }

  EnvironmentSpec parse_environment(const YAML::Node& n) {
    rd.expect_map(n, "environment");
    rd.check_schema_keys(n, "environment", "environment");
    EnvironmentSpec env;
    const YAML::Node maps = n["maps"];
    if (!maps) {
      // The built-in analytic sky, by default or as configured.
      env.sky = SkyParams{};
      if (const YAML::Node s = n["sky"]) {
        rd.expect_map(s, "environment.sky");
        rd.check_schema_keys(s, "environment.sky", "environment.sky");
        if (s["turbidity"]) env.sky->turbidity = rd.number(s["turbidity"], "environment.sky.turbidity", 1.7, 10.0);
        if (s["sun_elevation_deg"]) env.sky->sun_elevation_deg = rd.number(s["sun_elevation_deg"], "environment.sky.sun_elevation_deg", 0.0, 90.0);
        if (s["sun_azimuth_deg"]) env.sky->sun_azimuth_deg = rd.number(s["sun_azimuth_deg"], "environment.sky.sun_azimuth_deg", -360.0, 360.0);
        if (s["ground_albedo"]) env.sky->ground_albedo = rd.number(s["ground_albedo"], "environment.sky.ground_albedo", 0.0, 1.0);
      }
      if (n["weights"]) rd.fail(n["weights"], "environment.weights", "only applies to a list of maps");
    } else if (n["sky"]) {
      rd.fail(n["sky"], "environment.sky", "give either maps or sky, not both");
    }
    std::vector<YAML::Node> items;
    if (!maps) {
      // the sky: no files
    } else if (maps.IsScalar()) {
      items.push_back(maps);
    } else if (maps.IsSequence() && maps.size() > 0) {
      for (const auto& m : maps) items.push_back(m);
    } else {
      rd.fail(maps, "environment.maps", "expected a file name or a non-empty list of file names");
    }
    if (maps && items.size() > k_max_environment_maps) {
      rd.fail(maps, "environment.maps", "at most " + std::to_string(k_max_environment_maps) + " maps");
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string path = "environment.maps[" + std::to_string(i) + "]";
      const std::filesystem::path rel = rd.string(items[i], path);
      env.maps.push_back(rel.is_absolute() ? rel : (rd.source_of(items[i]).second / rel).lexically_normal());
      env.where.push_back(rd.where(items[i]) + ": " + path);
    }
    if (n["weights"]) env.weights = rd.weights(n["weights"], "environment.weights", env.maps.size());
    if (n["rotation_deg"]) env.rotation_deg = rd.scalar_dist(n["rotation_deg"], "environment.rotation_deg");
    if (n["intensity"]) env.intensity = rd.scalar_dist(n["intensity"], "environment.intensity", 0.0, 1000.0);
    if (n["background"]) env.background = rd.boolean(n["background"], "environment.background");
    if (n["lighting"]) env.lighting = rd.boolean(n["lighting"], "environment.lighting");
    return env;
  }

  void parse_categories(const YAML::Node& root, SceneSpec& spec) {
    auto cats = root["categories"];
    if (!cats) rd.fail(root, "categories", "missing: list the category names, e.g. categories: [box, ball]");
    if (!cats.IsSequence() || cats.size() == 0) rd.fail(cats, "categories", "expected a non-empty list of names");
    if (cats.size() > k_max_categories) {
      rd.fail(cats, "categories", "at most " + std::to_string(k_max_categories) + " categories");
    }
    for (std::size_t i = 0; i < cats.size(); ++i) {
      const std::string path = "categories[" + std::to_string(i) + "]";
      CategorySpec c;
      if (cats[i].IsMap()) {
        rd.check_schema_keys(cats[i], path, "categories[]");
        if (!cats[i]["name"]) rd.fail(cats[i], path + ".name", "missing");
        c.name = rd.string(cats[i]["name"], path + ".name");
        c.supercategory = cats[i]["supercategory"] ? rd.string(cats[i]["supercategory"], path + ".supercategory") : c.name;
        if (cats[i]["stuff"]) c.stuff = rd.boolean(cats[i]["stuff"], path + ".stuff");
      } else {
        c.name = rd.string(cats[i], path);
        c.supercategory = c.name;
      }
      for (const auto& prev : spec.categories) {
        if (prev.name == c.name) rd.fail(cats[i], path, "category '" + c.name + "' is listed twice");
      }
      if (!c.stuff && !spec.categories.empty() && spec.categories.back().stuff) {
        rd.fail(cats[i], path, "thing category '" + c.name + "' after a stuff category: list stuff categories last, so things "
                            "keep ids 1..N (YOLO class = id - 1)");
      }
      spec.categories.push_back(c);
    }
  }

  void parse_camera(const YAML::Node& n, CameraSpec& cam) {
    rd.expect_map(n, "camera");
    rd.check_schema_keys(n, "camera", "camera");
    if (n["fov_deg"]) cam.fov_y_deg = rd.scalar_dist(n["fov_deg"], "camera.fov_deg", 1.0, 179.0);
    if (auto k = n["intrinsics"]) {
      if (n["fov_deg"]) rd.fail(k, "camera.intrinsics", "give either fov_deg or intrinsics, not both");
      rd.expect_map(k, "camera.intrinsics");
      rd.check_schema_keys(k, "camera.intrinsics", "camera.intrinsics");
      IntrinsicsSpec in;
      for (const char* key : {"fx", "fy", "cx", "cy"}) {
        if (!k[key]) rd.fail(k, rd.join("camera.intrinsics", key), "missing: intrinsics need fx, fy, cx and cy (pixels)");
      }
      in.fx = rd.scalar_dist(k["fx"], "camera.intrinsics.fx", 1e-3, 1e7);
      in.fy = rd.scalar_dist(k["fy"], "camera.intrinsics.fy", 1e-3, 1e7);
      in.cx = rd.scalar_dist(k["cx"], "camera.intrinsics.cx", -1e6, 1e6);
      in.cy = rd.scalar_dist(k["cy"], "camera.intrinsics.cy", -1e6, 1e6);
      cam.intrinsics = in;
    }
    // Beyond these the projection loses every surface in float32 (near 1e-7 or far 1e39 render nothing).
    if (n["near"]) cam.near_m = rd.number(n["near"], "camera.near", 1e-6, 1e6);
    if (n["far"]) cam.far_m = rd.number(n["far"], "camera.far", 1e-6, 1e9);
    if (!(cam.near_m > 0.0)) rd.fail(n["near"], "camera.near", "must be > 0");
    if (!(cam.far_m > cam.near_m)) rd.fail(n["far"] ? n["far"] : n, "camera.far", "must be greater than camera.near");
    if (n["target"]) cam.target = rd.vec3_dist(n["target"], "camera.target");
    if (n["distance"]) cam.distance_m = rd.scalar_dist(n["distance"], "camera.distance", 1e-6, 1e6);
    if (n["elevation_deg"]) cam.elevation_deg = rd.scalar_dist(n["elevation_deg"], "camera.elevation_deg", -90.0, 90.0);
    if (n["azimuth_deg"]) cam.azimuth_deg = rd.scalar_dist(n["azimuth_deg"], "camera.azimuth_deg");
    if (n["roll_deg"]) cam.roll_deg = rd.scalar_dist(n["roll_deg"], "camera.roll_deg");
    if (n["exposure_ev"]) cam.exposure_ev = rd.scalar_dist(n["exposure_ev"], "camera.exposure_ev", -20.0, 20.0);
    if (n["orbit_rate_deg"]) cam.orbit_rate_deg = rd.scalar_dist(n["orbit_rate_deg"], "camera.orbit_rate_deg", -1e5, 1e5);
    if (n["elevation_rate_deg"]) cam.elevation_rate_deg = rd.scalar_dist(n["elevation_rate_deg"], "camera.elevation_rate_deg", -1e5, 1e5);
    if (n["dolly_rate"]) cam.dolly_rate = rd.scalar_dist(n["dolly_rate"], "camera.dolly_rate", -1e5, 1e5);
    if (n["target_velocity"]) cam.target_velocity = rd.vec3_dist(n["target_velocity"], "camera.target_velocity", -1e5, 1e5);
    if (n["shake_deg"]) cam.shake_deg = rd.scalar_dist(n["shake_deg"], "camera.shake_deg", 0.0, 30.0);
    if (auto p = n["target_path"]) {
      if (!p.IsSequence() || p.size() == 0 || p.size() > 1000) rd.fail(p, "camera.target_path", "expected a list of 1..1000 keys {t, position}");
      for (const char* k : {"target", "target_velocity"}) {
        if (n[k]) rd.fail(n[k], std::string("camera.") + k, "the camera looks along its target_path: give one or the other");
      }
      for (std::size_t i = 0; i < p.size(); ++i) {
        CameraSpec::TargetKey key;
        rd.keyframe(p[i], "camera.target_path[" + std::to_string(i) + "]", "camera.target_path[]", "{t: 2, position: [1, 0, 0]}",
                    cam.target_path.empty() ? nullptr : &cam.target_path.back(), key);
        cam.target_path.push_back(std::move(key));
      }
    }
    if (n["shake_hz"]) cam.shake_hz = rd.scalar_dist(n["shake_hz"], "camera.shake_hz", 0.0, 100.0);
    if (auto l = n["lens"]) parse_lens(n, l, cam);
    if (auto p = n["pose"]) {
      rd.expect_map(p, "camera.pose");
      rd.check_schema_keys(p, "camera.pose", "camera.pose");
      PoseSpec pose;
      if (auto m = p["world_to_camera"]) {
        for (const char* k : {"position", "look_at", "up"}) {
          if (p[k]) rd.fail(p[k], std::string("camera.pose.") + k, "give world_to_camera or position/look_at/up, not both");
        }
        if (!m.IsSequence() || m.size() != 4) rd.fail(m, "camera.pose.world_to_camera", "expected 4 rows of 4 numbers (row-major, OpenCV camera axes)");
        std::array<double, 16> rows{};
        for (std::size_t r = 0; r < 4; ++r) {
          const auto row = rd.number_list(m[r], "camera.pose.world_to_camera[" + std::to_string(r) + "]", 4);
          std::copy(row.begin(), row.end(), rows.begin() + static_cast<std::ptrdiff_t>(4 * r));
        }
        auto t = rigid_transform(rows);
        if (!t) rd.fail(m, "camera.pose.world_to_camera", t.error().message);
        pose.world_to_camera = *t;
      } else {
        if (p["position"]) pose.position = rd.vec3_dist(p["position"], "camera.pose.position");
        if (p["look_at"]) pose.look_at = rd.vec3_dist(p["look_at"], "camera.pose.look_at");
        if (p["up"]) pose.up = rd.vec3_dist(p["up"], "camera.pose.up");
        if (!p["position"]) rd.fail(p, "camera.pose.position", "missing: an explicit pose needs position (and look_at, default the origin)");
      }
      cam.pose = pose;
    }
    if (auto p = n["poses"]) {
      if (n["pose"]) rd.fail(p, "camera.poses", "give camera.pose or camera.poses, not both");
      rd.expect_map(p, "camera.poses");
      rd.check_schema_keys(p, "camera.poses", "camera.poses");
      if (!p["file"]) rd.fail(p, "camera.poses.file", "missing: a JSON list of world_to_camera matrices or a TUM trajectory");
      PoseFileSpec poses;
      const std::filesystem::path rel = rd.string(p["file"], "camera.poses.file");
      const std::filesystem::path file = rel.is_absolute() ? rel : (rd.source_of(p["file"]).second / rel).lexically_normal();
      poses.file = file.string();
      auto parsed = parse_poses(rd.doc().read_named_file(p["file"], "camera.poses.file", file), file.string());
      if (!parsed) rd.fail(p["file"], "camera.poses.file", parsed.error().message);
      poses.world_to_camera = std::move(parsed).value();
      if (auto o = p["order"]) {
        const std::string v = rd.string(o, "camera.poses.order");
        std::string_view kinds[] = {"sequential", "random"};
        if (v != "sequential" && v != "random") rd.fail(o, "camera.poses.order", "unknown order '" + v + "'" + suggest(v, kinds));
        poses.random = v == "random";
      }
      cam.poses = std::move(poses);
    }
    if (auto r = n["rig"]) {
      if (!r.IsSequence() || r.size() < 1 || r.size() > 16) rd.fail(r, "camera.rig", "expected a list of 1..16 cameras {name, position, rotation_deg}");
      RigSpec rig;
      for (std::size_t i = 0; i < r.size(); ++i) {
        const std::string path = "camera.rig[" + std::to_string(i) + "]";
        rd.expect_map(r[i], path);
        rd.check_schema_keys(r[i], path, "camera.rig[]");
        RigCamera c;
        c.name = r[i]["name"] ? rd.string(r[i]["name"], path + ".name") : "cam" + std::to_string(i);
        for (const auto& other : rig.cameras) {
          if (other.name == c.name) rd.fail(r[i]["name"] ? r[i]["name"] : r[i], path + ".name", "camera '" + c.name + "' is named twice");
        }
        for (const auto& [key, value] : {std::pair<const char*, glm::dvec3*>{"position", &c.position}, {"rotation_deg", &c.rotation_deg}}) {
          if (!r[i][key]) continue;
          const auto v = rd.number_list(r[i][key], path + "." + key, 3);
          *value = glm::dvec3(v[0], v[1], v[2]);
        }
        rig.cameras.push_back(std::move(c));
      }
      cam.rig = std::move(rig);
    }
    if (auto st = n["stereo"]) {
      if (n["rig"]) rd.fail(st, "camera.stereo", "give camera.stereo (a rectified pair) or camera.rig, not both");
      rd.expect_map(st, "camera.stereo");
      rd.check_schema_keys(st, "camera.stereo", "camera.stereo");
      if (!st["baseline"]) rd.fail(st, "camera.stereo.baseline", "missing: the distance between the two cameras, metres");
      RigSpec rig;
      rig.baseline_m = rd.number(st["baseline"], "camera.stereo.baseline", 1e-6, 1e3);
      rig.cameras.push_back({"left", glm::dvec3(0.0), glm::dvec3(0.0)});
      rig.cameras.push_back({"right", glm::dvec3(rig.baseline_m, 0.0, 0.0), glm::dvec3(0.0)});  // +X of the left camera: to its right
      cam.rig = std::move(rig);
    }
    if (cam.pose || cam.poses) {
      for (const char* k : {"target", "distance", "elevation_deg", "azimuth_deg", "orbit_rate_deg", "elevation_rate_deg", "dolly_rate",
                            "target_velocity", "target_path"}) {
        if (n[k]) rd.fail(n[k], std::string("camera.") + k, std::string("belongs to the orbit; the camera has an explicit ") + (cam.pose ? "pose" : "poses file"));
      }
    }
    if (auto t = n["tone_map"]) {
      const std::string v = rd.string(t, "camera.tone_map");
      std::string_view kinds[] = {"none", "filmic"};
      if (v != "none" && v != "filmic") rd.fail(t, "camera.tone_map", "unknown tone map '" + v + "'" + suggest(v, kinds));
      cam.filmic = v == "filmic";
    }
  }

  void parse_depth_sensor(const YAML::Node& n, DepthSensorSpec& d) {
    rd.expect_map(n, "depth_sensor");
    rd.check_schema_keys(n, "depth_sensor", "depth_sensor");
    if (auto a = n["axial_noise"]) {
      const auto v = rd.number_list(a, "depth_sensor.axial_noise", 3);
      if (v[0] < 0 || v[1] < 0) rd.fail(a, "depth_sensor.axial_noise", "[a, b, c]: sigma(z) = a + b (z - c)^2 metres, a and b >= 0");
      d.sigma_a = v[0], d.sigma_b = v[1], d.sigma_c = v[2];
    }
    if (auto r = n["range"]) {
      const auto v = rd.number_list(r, "depth_sensor.range", 2);
      if (!(v[0] >= 0 && v[1] > v[0])) rd.fail(r, "depth_sensor.range", "[min, max] metres, 0 <= min < max");
      d.min_m = v[0], d.max_m = v[1];
    }
    if (auto m = n["max_incidence_deg"]) d.max_incidence_deg = rd.number(m, "depth_sensor.max_incidence_deg", 0.0, 90.0);
    if (auto e = n["edge_jump"]) d.edge_jump_m = rd.number(e, "depth_sensor.edge_jump", 0.0, 1e6);
    if (auto e = n["edge_dropout"]) d.edge_dropout = rd.number(e, "depth_sensor.edge_dropout", 0.0, 1.0);
    if (auto q = n["quantization"]) {
      if (q.IsScalar() && q.Scalar() == "none") {
        d.subpixel = 0;
      } else {
        rd.expect_map(q, "depth_sensor.quantization");
        rd.check_schema_keys(q, "depth_sensor.quantization", "depth_sensor.quantization");
        if (q["baseline"]) d.baseline_m = rd.number(q["baseline"], "depth_sensor.quantization.baseline", 1e-6, 1e3);
        if (q["subpixel"]) d.subpixel = rd.number(q["subpixel"], "depth_sensor.quantization.subpixel", 1.0, 1e6);
      }
    }
  }

  void parse_lens(const YAML::Node& n_camera, const YAML::Node& l, CameraSpec& cam) {
    rd.expect_map(l, "camera.lens");
    rd.check_schema_keys(l, "camera.lens", "camera.lens");
    LensSpec lens;
    std::optional<LensModel> model;
    if (auto m = l["model"]) {
      const std::string v = rd.string(m, "camera.lens.model");
      std::string_view kinds[] = {"brown_conrady", "fisheye", "radial_table"};
      if (v == "brown_conrady") model = LensModel::brown_conrady;
      else if (v == "fisheye") model = LensModel::fisheye;
      else if (v == "radial_table") model = LensModel::radial_table;
      else rd.fail(m, "camera.lens.model", "unknown lens model '" + v + "'" + suggest(v, kinds));
    }
    if (auto c = l["calibration"]) {
      const std::filesystem::path rel = rd.string(c, "camera.lens.calibration");
      const std::filesystem::path file = rel.is_absolute() ? rel : (rd.source_of(c).second / rel).lexically_normal();
      auto cal = parse_calibration(rd.doc().read_named_file(c, "camera.lens.calibration", file), file.string());
      if (!cal) rd.fail(c, "camera.lens.calibration", cal.error().message);
      if (model && cal->model && *model != *cal->model) {
        rd.fail(l["model"], "camera.lens.model", "the calibration file's distortion_model says otherwise");
      }
      if (!model) model = cal->model ? *cal->model : LensModel::brown_conrady;
      if (*model == LensModel::radial_table) rd.fail(c, "camera.lens.calibration", "a calibration file gives brown_conrady or fisheye coefficients, not a table");
      const std::size_t n = cal->distortion.size();
      if (*model == LensModel::fisheye ? n != 4 : (n != 4 && n != 5 && n != 8 && n != 12 && n != 14)) {
        rd.fail(c, "camera.lens.calibration", file.string() + ": " + std::to_string(n) + " distortion coefficients; " +
                                                 (*model == LensModel::fisheye ? "the fisheye model has 4 (k1..k4)" : "OpenCV's model has 4, 5, 8, 12 or 14"));
      }
      if (n == 14 && (cal->distortion[12] != 0.0 || cal->distortion[13] != 0.0)) {
        rd.fail(c, "camera.lens.calibration", file.string() + ": the tilted-sensor terms (tauX, tauY) are not modelled; they must be 0");
      }
      if (*model == LensModel::fisheye) {
        for (std::size_t i = 0; i < 4; ++i) lens.k[i] = cal->distortion[i];
      } else {
        for (std::size_t i = 0; i < std::min<std::size_t>(n, 12); ++i) lens.k[i] = cal->distortion[i];
      }
      if (n_camera["intrinsics"] || n_camera["fov_deg"]) {
        rd.fail(c, "camera.lens.calibration", "the calibration file gives K: leave camera.fov_deg and camera.intrinsics out");
      }
      cam.intrinsics = IntrinsicsSpec{cal->fx, cal->fy, cal->cx, cal->cy};
      lens.calibration = file.string();
      lens.calibration_width = cal->width;
      lens.calibration_height = cal->height;
      lens.calibration_k[0] = cal->fx, lens.calibration_k[1] = cal->fy, lens.calibration_k[2] = cal->cx, lens.calibration_k[3] = cal->cy;
    }
    if (!model) rd.fail(l, "camera.lens.model", "missing: brown_conrady, fisheye or radial_table (or a calibration file)");
    lens.model = *model;
    for (std::size_t i = 0; i < k_lens_coefficients.size(); ++i) {
      const YAML::Node v = l[k_lens_coefficients[i]];
      if (!v) continue;
      const std::string path = std::string("camera.lens.") + k_lens_coefficients[i];
      if (l["calibration"]) rd.fail(v, path, "the calibration file gives the coefficients; draw around them with overrides of the file, not both");
      if (lens.model == LensModel::radial_table) rd.fail(v, path, "a radial_table lens takes table, not coefficients");
      std::size_t slot = i;
      if (lens.model == LensModel::fisheye) {  // its k1..k4 sit in Lens::k[0..3] (cv::fisheye's D)
        const auto at = std::find_if(k_fisheye_coefficients.begin(), k_fisheye_coefficients.end(),
                                     [&](const char* name) { return std::string_view(name) == k_lens_coefficients[i]; });
        if (at == k_fisheye_coefficients.end()) rd.fail(v, path, "the fisheye model has k1..k4 only");
        slot = static_cast<std::size_t>(at - k_fisheye_coefficients.begin());
      }
      lens.k[slot] = rd.scalar_dist(v, path, -1e6, 1e6);
    }
    if (auto t = l["table"]) {
      if (lens.model != LensModel::radial_table) rd.fail(t, "camera.lens.table", "only for model: radial_table");
      if (!t.IsSequence() || t.size() < 2 || t.size() > 10000) rd.fail(t, "camera.lens.table", "expected 2..10000 pairs [field_deg, radius]");
      double last_t = -1, last_r = -1;
      for (std::size_t i = 0; i < t.size(); ++i) {
        const std::string path = "camera.lens.table[" + std::to_string(i) + "]";
        const auto pair = rd.number_list(t[i], path, 2);
        if (pair[0] < 0 || pair[0] >= 180.0) rd.fail(t[i], path, "the field angle is degrees from the axis, 0 <= angle < 180");
        if (!(pair[0] > last_t) || !(pair[1] > last_r) || pair[1] < 0) {
          rd.fail(t[i], path, "angles and radii must both increase (the radius in focal lengths, >= 0)");
        }
        last_t = pair[0], last_r = pair[1];
        lens.table.emplace_back(glm::radians(pair[0]), pair[1]);
      }
      if (lens.table.front() != std::pair<double, double>{0.0, 0.0}) rd.fail(t[0], "camera.lens.table[0]", "the table starts at [0, 0] (the optical axis)");
    } else if (lens.model == LensModel::radial_table) {
      rd.fail(l, "camera.lens.table", "missing: a radial_table lens needs table: [[0, 0], [field_deg, radius], ...]");
    }
    if (auto f = l["max_field_deg"]) lens.max_field_deg = rd.number(f, "camera.lens.max_field_deg", 1.0, k_max_source_field_deg);
    if (auto o = l["oversample"]) lens.oversample = rd.number(o, "camera.lens.oversample", 0.25, 8.0);
    cam.lens = std::move(lens);
  }

  LightSpec parse_light(const YAML::Node& n, const std::string& path) {
    rd.expect_map(n, path);
    rd.check_schema_keys(n, path, "lights[]");
    LightSpec l;
    if (n["type"]) {
      const std::string t = rd.string(n["type"], rd.join(path, "type"));
      std::string_view kinds[] = {"directional", "point", "spot"};
      if (t == "point") l.type = LightType::point;
      else if (t == "spot") l.type = LightType::spot;
      else if (t != "directional") rd.fail(n["type"], rd.join(path, "type"), "unknown light type '" + t + "'" + suggest(t, kinds));
    }
    const bool positional = l.type != LightType::directional;
    for (const char* k : {"target", "distance"}) {
      if (n[k] && !positional) rd.fail(n[k], rd.join(path, k), "only applies to point and spot lights");
    }
    for (const char* k : {"cone_deg", "softness"}) {
      if (n[k] && l.type != LightType::spot) rd.fail(n[k], rd.join(path, k), "only applies to spot lights");
    }
    if (n["target"]) l.target = rd.vec3_dist(n["target"], rd.join(path, "target"));
    if (n["distance"]) l.distance_m = rd.scalar_dist(n["distance"], rd.join(path, "distance"), 1e-3, 1e6);
    if (n["cone_deg"]) l.cone_deg = rd.scalar_dist(n["cone_deg"], rd.join(path, "cone_deg"), 0.1, 89.9);
    if (n["softness"]) l.softness = rd.scalar_dist(n["softness"], rd.join(path, "softness"), 0.0, 1.0);
    if (n["elevation_deg"]) l.elevation_deg = rd.scalar_dist(n["elevation_deg"], rd.join(path, "elevation_deg"), -90.0, 90.0);
    if (n["azimuth_deg"]) l.azimuth_deg = rd.scalar_dist(n["azimuth_deg"], rd.join(path, "azimuth_deg"));
    if (n["intensity"]) l.intensity = rd.scalar_dist(n["intensity"], rd.join(path, "intensity"), 0.0, 1000.0);
    if (n["color"]) l.color = rd.vec3_dist(n["color"], rd.join(path, "color"), 0.0, 1.0);
    if (n["temperature_k"]) l.temperature_k = rd.scalar_dist(n["temperature_k"], rd.join(path, "temperature_k"), 1000.0, 40000.0);
    if (n["azimuth_rate_deg"]) l.azimuth_rate_deg = rd.scalar_dist(n["azimuth_rate_deg"], rd.join(path, "azimuth_rate_deg"), -1e5, 1e5);
    if (n["elevation_rate_deg"]) l.elevation_rate_deg = rd.scalar_dist(n["elevation_rate_deg"], rd.join(path, "elevation_rate_deg"), -1e5, 1e5);
    if (auto s = n["shadows"]) {
      l.shadows = rd.boolean(s, rd.join(path, "shadows"));
      if (l.shadows && l.type == LightType::point) rd.fail(s, rd.join(path, "shadows"), "point lights cast no shadows (only directional and spot lights do)");
    }
    if (l.type == LightType::point) l.shadows = false;
    return l;
  }


 private:
  std::shared_ptr<Reader> m_reader;  // shared with the randomizer entries' Properties
  Reader& rd;
};

}  // namespace

}  // namespace synthlabel::config

namespace synthlabel {

std::size_t max_labeled_instances(const SceneSpec& spec) {
  std::size_t worst = 0;
  for (const auto& o : spec.objects) {
    if (!o.labeled) continue;
    worst += static_cast<std::size_t>(std::visit(
        [](const auto& d) -> std::int64_t {
          using T = std::decay_t<decltype(d)>;
          if constexpr (std::is_same_v<T, std::int64_t>) return d;
          else if constexpr (std::is_same_v<T, IntRange>) return d.hi;
          else return *std::max_element(d.values.begin(), d.values.end());
        },
        o.count));
  }
  return worst;
}

}  // namespace synthlabel

namespace synthlabel::config {

SceneSpec parse_scene(std::shared_ptr<Reader> reader, const YAML::Node& root) { return SceneParser(std::move(reader)).parse(root); }

}  // namespace synthlabel::config
