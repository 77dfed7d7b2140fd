#include "exporters/FrameEncoder.h"

#include <xxhash.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "core/FileIo.h"
#include "exporters/Correspondence.h"
#include "exporters/DepthSensor.h"
#include "exporters/Labels.h"
#include "exporters/Polygons.h"
#include "exporters/Rle.h"
#include "exporters/SensorEffects.h"
#include "scenes/CameraModel.h"
#include "scenes/Texture.h"

namespace synthlabel {
namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

// Every JSON we write: compact (or indented), and never throwing on a string that is not UTF-8 (a path
// given on the command line may not be): such bytes become U+FFFD. Config text is checked on load.
std::string to_text(const json& j, int indent = -1) { return j.dump(indent, ' ', false, json::error_handler_t::replace); }


// World -> camera in the OpenCV convention (scenes/CameraModel.h), row-major 4x4.
json world_to_camera_opencv(const Camera& cam) {
  const glm::dmat4 m = world_to_opencv(cam);
  json rows = json::array();
  for (int r = 0; r < 4; ++r) rows.push_back({m[0][r], m[1][r], m[2][r], m[3][r]});
  return rows;
}

// Rounded to 1e-6 (micrometres, millionths of a pixel): stable text, far below any label's precision.
double round6(double v) { return std::round(v * 1e6) / 1e6; }

// An instance's geometry labels (Scene.h InstanceGeometry) as COCO annotation extensions.
void add_geometry(json& ann, const InstanceGeometry& g) {
  json r = json::array();
  for (int row = 0; row < 3; ++row) r.push_back({round6(g.rotation[0][row]), round6(g.rotation[1][row]), round6(g.rotation[2][row])});
  json corners = json::array();
  for (const glm::dvec2& c : g.corners_px) {
    if (std::isfinite(c.x) && std::isfinite(c.y)) corners.push_back({round6(c.x), round6(c.y)});
    else corners.push_back(nullptr);  // behind the camera
  }
  ann["amodal_bbox"] = {round6(g.amodal[0]), round6(g.amodal[1]), round6(g.amodal[2]), round6(g.amodal[3])};
  ann["truncation"] = round6(g.truncation);
  ann["pose"] = {{"R", std::move(r)}, {"t", {round6(g.translation.x), round6(g.translation.y), round6(g.translation.z)}}};
  ann["box3d"] = {{"size", {round6(g.box_size.x), round6(g.box_size.y), round6(g.box_size.z)}},
                  {"centre", {round6(g.box_centre.x), round6(g.box_centre.y), round6(g.box_centre.z)}},
                  {"corners_px", std::move(corners)}};
}

// COCO keypoints of one instance: [x, y, v] per keypoint, in COCO's pixel-index coordinates (the
// centre of pixel (i, j) is (i, j): continuous - 0.5, as Detectron2 reads them). v = 0 (and x = y = 0)
// when the point is not in front of the camera or falls outside the image; else 2 (visible) when the
// depth buffer at the pixel holding it is not nearer than its own depth by more than the tolerance,
// 1 (occluded, by another object or the instance's own surface) otherwise.
void add_keypoints(json& ann, const Instance& inst, std::span<const float> depth, std::uint32_t w, std::uint32_t h,
                   double near_m) {
  json kp = json::array();
  std::uint32_t labeled = 0;
  for (std::size_t k = 0; k < inst.keypoints.size(); ++k) {
    const glm::dvec3 p = k < inst.geometry.keypoints.size() ? inst.geometry.keypoints[k] : glm::dvec3(std::nan(""));
    const bool inside = std::isfinite(p.x) && std::isfinite(p.y) && p.z >= near_m && p.x >= 0 && p.y >= 0 && p.x < double(w) &&
                        p.y < double(h);
    if (!inside) {
      kp.insert(kp.end(), {0, 0, 0});
      continue;
    }
    const auto px = static_cast<std::size_t>(p.x), py = static_cast<std::size_t>(p.y);
    const double d = double(depth[py * w + px]);  // +inf where no surface
    const int v = d < p.z - inst.keypoint_tolerance_m ? 1 : 2;
    kp.insert(kp.end(), {round6(p.x - 0.5), round6(p.y - 0.5), v});
    ++labeled;
  }
  ann["keypoints"] = std::move(kp);
  ann["num_keypoints"] = labeled;
}

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// A float as the shortest decimal that reads back as the same float (0.15f -> 0.15, not
// 0.15000000596046448), so records show the values as sampled.
double tidy(float f) {
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, f).ptr;
  return std::strtod(std::string(buf, end).c_str(), nullptr);
}
json vec(const glm::vec3& v) { return json::array({tidy(v.x), tidy(v.y), tidy(v.z)}); }

// Every value the randomizers drew for this frame, so a researcher can regress model error on any
// factor. Units as in the config: metres, degrees, linear RGB.
// A camera's lens for the records: the model, its coefficients in OpenCV's order (brown_conrady: k1 k2
// p1 p2 k3 k4 k5 k6 s1 s2 s3 s4, cv::projectPoints' distCoeffs; fisheye: k1 k2 k3 k4, cv::fisheye's
// D), the field it images, the source view rendered and the bound on a label's ray error.
json distortion_json(const Camera& c) {
  const Lens& l = c.lens;
  json d;
  switch (l.model) {
    case LensModel::pinhole: d["model"] = "pinhole"; break;
    case LensModel::brown_conrady: d["model"] = "brown_conrady"; break;
    case LensModel::fisheye: d["model"] = "fisheye"; break;
    case LensModel::radial_table: d["model"] = "radial_table"; break;
  }
  const std::size_t n = l.model == LensModel::brown_conrady ? 12 : l.model == LensModel::fisheye ? 4 : 0;
  d["coefficients"] = json::array();
  for (std::size_t i = 0; i < n; ++i) d["coefficients"].push_back(l.k[i]);
  if (l.model == LensModel::radial_table) {
    d["table"] = json::array();
    for (const auto& [t, r] : l.table) d["table"].push_back({glm::degrees(t), r});
  }
  d["max_field_deg"] = 2.0 * glm::degrees(l.max_theta);
  d["source"] = {{"width", l.source_width}, {"height", l.source_height}, {"fx", l.source_fx}, {"fy", l.source_fy},
                 {"cx", l.source_cx}, {"cy", l.source_cy}};
  d["ray_error_px"] = l.ray_error_px;
  return d;
}

// A rig view: which camera, of which instant, its pose in the rig frame (row-major 4x4, OpenCV axes,
// metres); a stereo pair adds its baseline and rectification (already rectified: R1 = R2 = I; P1, P2
// in synthlabel's pixel coordinates, as K).
json rig_json(const Camera& c) {
  json r = {{"camera", c.rig_camera}, {"name", c.rig_name}, {"instant", c.rig_instant}};
  json m = json::array();
  for (int row = 0; row < 4; ++row) m.push_back({c.camera_to_rig[0][row], c.camera_to_rig[1][row], c.camera_to_rig[2][row], c.camera_to_rig[3][row]});
  r["camera_to_rig"] = std::move(m);
  if (c.stereo_baseline_m > 0) {
    const double b = c.stereo_baseline_m;
    r["stereo"] = {{"baseline_m", b},
                   {"rectified", true},
                   {"R1", {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}},
                   {"R2", {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}},
                   {"P1", {{c.fx, 0.0, c.cx, 0.0}, {0.0, c.fy, c.cy, 0.0}, {0.0, 0.0, 1.0, 0.0}}},
                   {"P2", {{c.fx, 0.0, c.cx, -c.fx * b}, {0.0, c.fy, c.cy, 0.0}, {0.0, 0.0, 1.0, 0.0}}}};
  }
  return r;
}

// fx times the stereo baseline: disparity = that / depth (pixels).
double cam_fx_b(const Camera& c) { return c.fx * c.stereo_baseline_m; }

json frame_params(const Scene& scene) {
  const Camera& c = scene.camera;
  json p;
  p["camera"] = {{"fov_y_deg", c.fov_y_deg},
                 {"fx", c.fx},
                 {"fy", c.fy},
                 {"cx", c.cx},
                 {"cy", c.cy},
                 {"distance", c.distance_m},
                 {"elevation_deg", c.elevation_deg},
                 {"azimuth_deg", c.azimuth_deg},
                 {"roll_deg", c.roll_deg},
                 {"exposure_ev", c.exposure_ev},
                 {"target", vec(c.target)},
                 {"position", vec(c.position)}};
  if (c.explicit_pose) {
    p["camera"]["pose"] = c.pose_index >= 0 ? "file" : "explicit";
    if (c.pose_index >= 0) p["camera"]["pose_index"] = c.pose_index;
  }
  if (c.lens.model != LensModel::pinhole) p["camera"]["distortion"] = distortion_json(c);
  if (c.rig_camera >= 0) p["camera"]["rig"] = rig_json(c);
  if (scene.clip) {  // the frame's place in its clip, and the camera's turn rate (poses above are at this time)
    p["clip"] = {{"clip", scene.clip->clip}, {"frame_index", scene.clip->index}, {"time_s", scene.clip->time_s}};
    p["camera"]["orbit_rate_deg"] = c.orbit_rate_deg;
    if (c.elevation_rate_deg != 0) p["camera"]["elevation_rate_deg"] = c.elevation_rate_deg;
    if (c.dolly_rate != 0) p["camera"]["dolly_rate"] = c.dolly_rate;
    if (c.target_velocity != glm::dvec3(0.0)) p["camera"]["target_velocity"] = {c.target_velocity.x, c.target_velocity.y, c.target_velocity.z};
    if (!c.target_path.empty()) {
      p["camera"]["target_path"] = json::array();
      for (const auto& [kt, kp] : c.target_path) p["camera"]["target_path"].push_back({{"t", kt}, {"position", {kp.x, kp.y, kp.z}}});
    }
    if (c.shake_deg > 0) {  // the drawn shake and its turns at this frame (yaw, pitch, roll about the camera's axes)
      p["camera"]["shake"] = {{"amplitude_deg", c.shake_deg}, {"hz", c.shake_hz},
                              {"turn_deg", {c.shake_now_deg.x, c.shake_now_deg.y, c.shake_now_deg.z}}};
    }
  }
  p["lights"] = json::array();
  for (const auto& l : scene.lights) {
    static const char* const k_types[] = {"directional", "point", "spot"};
    json jl = {{"type", k_types[static_cast<int>(l.type)]},
               {"elevation_deg", l.elevation_deg},
               {"azimuth_deg", l.azimuth_deg},
               {"intensity", tidy(l.intensity)},
               {"temperature_k", l.temperature_k},
               {"color", vec(l.intensity > 0 ? l.color / l.intensity : l.color)}};
    if (l.type != LightType::directional) {
      jl["distance"] = l.distance_m;
      jl["position"] = vec(l.position);
    }
    if (l.type == LightType::spot) {
      jl["cone_deg"] = l.cone_deg;
      jl["softness"] = l.softness;
    }
    if (scene.clip && (l.azimuth_rate_deg != 0 || l.elevation_rate_deg != 0)) {
      jl["azimuth_rate_deg"] = l.azimuth_rate_deg;
      jl["elevation_rate_deg"] = l.elevation_rate_deg;
    }
    p["lights"].push_back(jl);
  }
  p["ambient"] = tidy(scene.ambient);
  p["background"] = vec(scene.background);
  if (scene.sensor.enabled) {
    const auto& s = scene.sensor;
    p["sensor"] = {{"white_balance", {s.white_balance.x, s.white_balance.y, s.white_balance.z}},
                   {"brightness", s.brightness},
                   {"contrast", s.contrast},
                   {"saturation", s.saturation},
                   {"vignetting", s.vignetting},
                   {"defocus_px", s.defocus_px},
                   {"motion_px", s.motion_px},
                   {"motion_angle_deg", s.motion_angle_deg},
                   {"shot_photons", s.shot_photons},
                   {"read_noise", s.read_noise},
                   {"gamma", s.gamma},
                   {"jpeg_quality", s.jpeg_quality}};
    if (s.shutter_s > 0) p["sensor"]["shutter_s"] = s.shutter_s;
    if (s.rolling_shutter_s > 0) p["sensor"]["rolling_shutter_s"] = s.rolling_shutter_s;
    if (s.shutter_s > 0 || s.rolling_shutter_s > 0) p["sensor"]["shutter_samples"] = s.shutter_samples;
  }
  if (scene.environment.map >= 0) {
    const auto& e = scene.environment;
    p["environment"] = {{"map", e.name}, {"rotation_deg", e.rotation_deg}, {"intensity", e.intensity},
                        {"background", e.background}, {"lighting", e.lighting}};
  }
  p["instances"] = json::array();
  for (const auto& i : scene.instances) {
    p["instances"].push_back({{"object", i.object_index},
                              {"pool_entry", i.pool_entry},
                              {"instance_id", i.instance_id},
                              {"category_id", i.category_id},
                              {"position", vec(i.position)},
                              {"rotation_wxyz", {tidy(i.rotation.w), tidy(i.rotation.x), tidy(i.rotation.y), tidy(i.rotation.z)}},
                              {"scale", vec(i.scale)},
                              {"color", vec(i.color)},
                              {"roughness", tidy(i.roughness)},
                              {"metallic", tidy(i.metallic)},
                              {"texture", i.texture},
                              {"asset_materials", i.asset_materials}});
    if (scene.clip) {
      p["instances"].back()["velocity"] = {i.velocity.x, i.velocity.y, i.velocity.z};
      p["instances"].back()["angular_velocity_deg"] = {i.angular_velocity_deg.x, i.angular_velocity_deg.y, i.angular_velocity_deg.z};
      if (i.physics_path) {  // simulated: the pose above is the frame's; the path has a key per step
        p["instances"].back()["motion"] = "physics";
      } else if (!i.path.empty()) {  // the keyframed path as drawn for the clip
        json keys = json::array();
        for (const Instance::PathKey& k : i.path) {
          json jk = {{"t", k.t}, {"position", {k.position.x, k.position.y, k.position.z}}};
          if (i.path_rotates) jk["rotation_wxyz"] = {k.rotation.w, k.rotation.x, k.rotation.y, k.rotation.z};
          keys.push_back(std::move(jk));
        }
        p["instances"].back()["path"] = std::move(keys);
      }
    }
  }
  p["randomizers"] = scene.randomizer_records;
  if (scene.collisions_recorded) {
    // Contact onsets in this frame's interval (physics_drop, motion: physics; docs/physics.md).
    json events = json::array();
    auto id_of = [&](std::int64_t k) -> std::uint32_t {
      if (k < 0 || static_cast<std::size_t>(k) >= scene.instances.size()) return 0;
      const Instance& inst = scene.instances[static_cast<std::size_t>(k)];
      return inst.stuff ? 0 : inst.instance_id;  // a stuff surface (a floor) is no track
    };
    for (const CollisionEvent& e : scene.collisions) {
      const bool seen = std::isfinite(e.image.x);
      events.push_back({{"time_s", e.time_s},
                        {"instances", {id_of(e.index_a), id_of(e.index_b)}},
                        {"impulse", e.impulse},
                        {"position", {e.position.x, e.position.y, e.position.z}},
                        {"contact_normal", {e.normal.x, e.normal.y, e.normal.z}},
                        {"image_position", seen ? json{e.image.x, e.image.y} : json(nullptr)},
                        {"depth", e.depth}});
    }
    p["collisions"] = std::move(events);
  }
  return p;
}

// Scene flow (outputs: [scene_flow]): per pixel whose flow is defined, the 3D displacement of its
// surface point to the other frame, in this frame's OpenCV camera frame (metres): the destination
// (pixel centre + flow, at the flow's depth there) unprojected with K in the other camera, brought into
// this camera, minus the point here (the pixel centre's ray at its depth). 0 where there is no flow.
std::vector<float> scene_flow(const FrameBuffers& fb, const std::vector<float>& flow, const Camera& here, const Camera* there) {
  const std::size_t pixels = std::size_t{fb.width} * fb.height;
  std::vector<float> out(pixels * 3, 0.0f);
  if (there == nullptr) return out;
  const glm::dmat4 to_here = world_to_opencv(here) * glm::inverse(world_to_opencv(*there));
  for (std::size_t p = 0; p < pixels; ++p) {
    if (flow[4 * p + 2] < 0.0f) continue;
    const double x = double(p % fb.width) + 0.5, y = double(p / fb.width) + 0.5, d = fb.depth[p], z = flow[4 * p + 3];
    const double qx = x + double(flow[4 * p]), qy = y + double(flow[4 * p + 1]);
    const glm::dvec3 a((x - here.cx) / here.fx * d, (y - here.cy) / here.fy * d, d);
    const glm::dvec4 b = to_here * glm::dvec4((qx - there->cx) / there->fx * z, (qy - there->cy) / there->fy * z, z, 1.0);
    for (int c = 0; c < 3; ++c) out[3 * p + static_cast<std::size_t>(c)] = static_cast<float>(b[c] - a[c]);
  }
  return out;
}

// With flow: the poses the flow was computed from at the clip's previous and next frame (null where the
// frame is at its clip's end): that frame's world -> camera (OpenCV, as image.camera) and each
// instance's pose there, in params.instances' order. The checker reprojects with these.
json flow_neighbours(const Scene& scene) {
  json j = json::object();
  const std::pair<const char*, const std::optional<NeighbourPoses>*> sides[2] = {{"previous", &scene.previous},
                                                                                  {"next", &scene.next}};
  for (const auto& [name, side] : sides) {
    if (!*side) {
      j[name] = nullptr;
      continue;
    }
    const NeighbourPoses& n = **side;
    json instances = json::array();
    for (std::size_t k = 0; k < n.models.size(); ++k) {
      const glm::quat& q = n.rotations[k];
      instances.push_back({{"instance_id", scene.instances[k].instance_id},
                           {"position", vec(n.positions[k])},
                           {"rotation_wxyz", {tidy(q.w), tidy(q.x), tidy(q.y), tidy(q.z)}},
                           {"scale", vec(n.scales[k])}});
    }
    j[name] = {{"frame", n.frame}, {"world_to_camera", world_to_camera_opencv(n.camera)}, {"instances", std::move(instances)}};
  }
  return j;
}

// The first three channels of a four-channel plane (RGBA -> RGB, flow -> du, dv, status).
template <class T>
std::vector<T> first_three_of_four(std::span<const T> in) {
  std::vector<T> out(in.size() / 4 * 3);
  for (std::size_t i = 0; i < in.size() / 4; ++i) {
    for (std::size_t c = 0; c < 3; ++c) out[3 * i + c] = in[4 * i + c];
  }
  return out;
}

}  // namespace

std::string record_path(std::uint64_t frame) { return "records/" + frame_stem(frame) + ".json"; }

namespace {
// A hash as records store it: 16 lowercase hex digits.
std::string hex16(XXH64_hash_t hash) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash));
  return buf;
}
}  // namespace

std::string content_hash(std::span<const std::uint8_t> bytes) { return hex16(XXH3_64bits(bytes.data(), bytes.size())); }

std::string file_content_hash(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  XXH3_state_t* state = XXH3_createState();
  if (state == nullptr) return "";
  XXH3_64bits_reset(state);
  std::vector<char> chunk(std::size_t{1} << 20);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (in.gcount() > 0) XXH3_64bits_update(state, chunk.data(), static_cast<std::size_t>(in.gcount()));
  }
  const bool ok = in.eof();
  const std::string hash = hex16(XXH3_64bits_digest(state));
  XXH3_freeState(state);
  return ok ? hash : std::string();
}

std::string content_hash(std::span<const std::span<const std::uint8_t>> parts) {
  XXH3_state_t* state = XXH3_createState();
  if (state == nullptr) return "";
  XXH3_64bits_reset(state);
  for (const auto& p : parts) XXH3_64bits_update(state, p.data(), p.size());
  const std::string hash = hex16(XXH3_64bits_digest(state));
  XXH3_freeState(state);
  return hash;
}

std::optional<EncodeOptions> encode_options_for(std::string_view preset) {
  EncodeOptions o;
  if (preset == "fast") return o;
  if (preset == "small") {
    o.rgb_png.zlib_level = o.label_png.zlib_level = 9;
    o.rgb_png.libdeflate = false;  // zlib's level 9, as before
    o.label_png.mem_level = 8;  // the default hash table: level 9 searches it for the longest matches
    o.exr_zip_level = 9;
    return o;
  }
  if (preset == "none") {
    o.rgb_png.zlib_level = o.label_png.zlib_level = 0;
    o.rgb_png.filter_sub = false;
    o.depth_exr = ExrCompression::none;
    return o;
  }
  return std::nullopt;
}

Result<EncodedFrame> encode_frame(const Scene& scene, const FrameBuffers& fb, const EncodeOptions& options,
                                  std::span<const InstanceLabel> amodal, std::span<const SilhouetteBeyond> beyond) {
  EncodedFrame out;
  out.frame = scene.frame;
  const std::string stem = frame_stem(scene.frame);
  const std::uint32_t w = fb.width, h = fb.height;
  const std::size_t pixels = std::size_t{w} * h;

  // Instance id -> category id (stuff surfaces too) and -> instance (things only), from the scene that
  // was rendered. Things hold ids 1..max_id, stuff surfaces the ids above (Instance::instance_id).
  std::vector<std::uint32_t> category_of(1, 0);
  std::vector<const Instance*> instance_of(1, nullptr);
  std::uint32_t max_id = 0;
  bool any_stuff = false;
  for (const Instance& inst : scene.instances) {
    if (inst.instance_id == 0) continue;
    if (inst.instance_id >= category_of.size()) {
      category_of.resize(inst.instance_id + 1, 0);
      instance_of.resize(inst.instance_id + 1, nullptr);
    }
    category_of[inst.instance_id] = inst.category_id;
    if (inst.stuff) {
      any_stuff = true;
      continue;
    }
    instance_of[inst.instance_id] = &inst;
    max_id = std::max(max_id, inst.instance_id);
  }
  EncodeTimings& t = out.timings;
  auto t0 = Clock::now();
  // The label planes, in one pass over the id buffer: the things' ids every instance output reads
  // (stuff ids become 0; a copy only when there are any), as the 16-bit instance plane, and the
  // category per pixel: a thing's, a stuff surface's, the background category where no surface is.
  std::vector<std::uint32_t> things_copy(any_stuff ? pixels : 0);
  std::vector<std::uint16_t> ids16(pixels);
  std::vector<std::uint8_t> semantic(pixels);
  {
    const auto background = static_cast<std::uint8_t>(options.background_category);
    const std::uint32_t* id_at = fb.instance_id.data();
    const float* depth_at = fb.depth.data();
    std::uint32_t* things_at = any_stuff ? things_copy.data() : nullptr;
    for (std::size_t i = 0; i < pixels; ++i) {
      const std::uint32_t id = id_at[i], thing = id <= max_id ? id : 0;
      if (things_at != nullptr) things_at[i] = thing;
      ids16[i] = static_cast<std::uint16_t>(thing);
      const bool sky = background != 0 && id == 0 && std::isinf(depth_at[i]);
      semantic[i] = sky ? background : static_cast<std::uint8_t>(category_of[id]);
    }
  }
  const std::span<const std::uint32_t> things = any_stuff ? std::span<const std::uint32_t>(things_copy) : fb.instance_id;
  auto labels = extract_instance_labels(things, w, h, max_id);
  if (!labels) return labels.error();
  t.labels = since(t0);

  t0 = Clock::now();
  // Sensor effects change the RGB only: labels below come from the untouched id buffer.
  std::vector<std::uint8_t> sensed;
  std::span<const std::uint8_t> colour = fb.rgba;
  if (scene.sensor.enabled) {
    sensed = fb.rgba;
    apply_sensor_effects(scene.sensor, w, h, sensed);
    colour = sensed;
  }
  const bool jpeg = options.rgb_jpeg_quality > 0 && !options.in_memory;
  const bool memory = options.in_memory;
  if (memory) {
    out.planes = std::make_unique<FramePlanes>();
    out.planes->width = w;
    out.planes->height = h;
  }
  // The RGB as PNG, or as JPEG (lossy: the RGB only; every label below is the same either way). KITTI
  // and BOP copies stay PNG. In memory: the pixels the PNG would hold.
  std::vector<std::uint8_t> rgb_file, rgb_png_copy;
  if (memory) {
    out.planes->rgb = first_three_of_four(colour);
  } else {
    auto rgb = jpeg ? encode_jpeg_rgb(colour, w, h, options.rgb_jpeg_quality) : encode_png_rgb_from_rgba(colour, w, h, options.rgb_png);
    if (!rgb) return rgb.error();
    rgb_file = std::move(rgb).value();
    if (jpeg && options.formats && options.formats->needs_png_copy()) {
      auto png = encode_png_rgb_from_rgba(colour, w, h, options.rgb_png);
      if (!png) return png.error();
      rgb_png_copy = std::move(png).value();
    }
  }
  t.rgb_png = since(t0);

  t0 = Clock::now();
  std::vector<std::uint8_t> inst_png;
  if (!memory) {
    auto png = encode_png_gray16(ids16, w, h, options.label_png);
    if (!png) return png.error();
    inst_png = std::move(png).value();
  }
  t.instance_png = since(t0);

  t0 = Clock::now();
  std::vector<std::uint8_t> sem_png;
  if (!memory) {
    auto png = encode_png_gray8(semantic, w, h, options.label_png);
    if (!png) return png.error();
    sem_png = std::move(png).value();
  }
  t.semantic_png = since(t0);

  t0 = Clock::now();
  std::vector<std::uint8_t> depth_exr;
  if (memory) {
    out.planes->depth.assign(fb.depth.begin(), fb.depth.end());
  } else {
    auto exr = encode_exr_depth(fb.depth, w, h, options.depth_exr, options.exr_zip_level);
    if (!exr) return exr.error();
    depth_exr = std::move(exr).value();
  }
  t.depth_exr = since(t0);

  const std::string rgb_path = "rgb/" + stem + (jpeg ? ".jpg" : ".png"), inst_path = "instance/" + stem + ".png",
                    sem_path = "semantic/" + stem + ".png", depth_path = "depth/" + stem + ".exr",
                    normals_path = "normals/" + stem + ".exr";
  if (!memory) {
    out.files.emplace_back(rgb_path, std::move(rgb_file));
    out.files.emplace_back(inst_path, std::move(inst_png));
    out.files.emplace_back(sem_path, std::move(sem_png));
    out.files.emplace_back(depth_path, std::move(depth_exr));
  }
  if (options.outputs.normals) {
    if (fb.normals.size() != pixels * 3) return make_error(ExitCode::internal, "outputs: [normals] but the renderer read none back");
    t0 = Clock::now();
    if (memory) {
      out.planes->normals.assign(fb.normals.begin(), fb.normals.end());
    } else {
      auto normals = encode_exr_normals(fb.normals, w, h, options.depth_exr, options.exr_zip_level);
      if (!normals) return normals.error();
      out.files.emplace_back(normals_path, std::move(normals).value());
    }
    t.depth_exr += since(t0);
  }
  // Stereo disparity (outputs: disparity): fx B / depth, 0 where no surface.
  if (options.outputs.disparity) {
    t0 = Clock::now();
    std::vector<float> disparity(pixels, 0.0f);
    const double fb_ = cam_fx_b(scene.camera);
    for (std::size_t i = 0; i < pixels; ++i) {
      if (std::isfinite(fb.depth[i]) && fb.depth[i] > 0.0f) disparity[i] = static_cast<float>(fb_ / double(fb.depth[i]));
    }
    if (memory) {
      out.planes->disparity = std::move(disparity);
    } else {
      auto exr = encode_exr_depth(disparity, w, h, options.depth_exr, options.exr_zip_level);
      if (!exr) return exr.error();
      out.files.emplace_back("disparity/" + stem + ".exr", std::move(exr).value());
    }
    t.depth_exr += since(t0);
  }
  // The undistortion map (outputs: undistortion_map): the same for every frame of a fixed lens, so
  // made once per lens model on each encoder thread.
  if (options.outputs.undistortion_map) {
    t0 = Clock::now();
    thread_local std::optional<Camera> map_of;
    thread_local std::vector<float> map;
    if (!map_of || !same_lens_model(*map_of, scene.camera)) {
      map = undistortion_map(scene.camera);
      map_of = scene.camera;
    }
    if (memory) {
      out.planes->undistortion_map = map;
    } else {
      auto exr = encode_exr_xyz(map, w, h, options.depth_exr, options.exr_zip_level);
      if (!exr) return exr.error();
      out.files.emplace_back("undistortion/" + stem + ".exr", std::move(exr).value());
    }
    t.depth_exr += since(t0);
  }
  // Texture coordinates and albedo (outputs: uv, albedo), as the renderer read them back.
  if (options.outputs.uv || options.outputs.albedo) {
    if (fb.uv.size() != pixels * 2 || fb.albedo.size() != pixels * 3) {
      return make_error(ExitCode::internal, "outputs: [uv, albedo] but the renderer read none back");
    }
    t0 = Clock::now();
    if (options.outputs.uv) {
      std::vector<float> uvw(pixels * 3);  // u, v and a third channel: 1 where a surface is, else 0
      for (std::size_t i = 0; i < pixels; ++i) {
        uvw[3 * i] = fb.uv[2 * i], uvw[3 * i + 1] = fb.uv[2 * i + 1];
        uvw[3 * i + 2] = std::isfinite(fb.uv[2 * i]) ? 1.0f : 0.0f;
      }
      if (memory) {
        out.planes->uv = std::move(uvw);
      } else {
        auto exr = encode_exr_xyz(uvw, w, h, options.depth_exr, options.exr_zip_level);
        if (!exr) return exr.error();
        out.files.emplace_back("uv/" + stem + ".exr", std::move(exr).value());
      }
    }
    if (options.outputs.albedo) {
      if (memory) {
        out.planes->albedo.assign(fb.albedo.begin(), fb.albedo.end());
      } else {
        auto exr = encode_exr_normals(fb.albedo, w, h, options.depth_exr, options.exr_zip_level);  // halves, as rendered
        if (!exr) return exr.error();
        out.files.emplace_back("albedo/" + stem + ".exr", std::move(exr).value());
      }
    }
    t.depth_exr += since(t0);
  }
  // A depth camera's measurement (outputs: depth_sensor), beside the exact depth.
  if (options.outputs.depth_sensor) {
    t0 = Clock::now();
    auto measured = measure_depth(scene, fb, options.depth_sensor);
    if (!measured) return measured.error();
    if (memory) {
      out.planes->depth_sensor = std::move(measured).value();
    } else {
      auto exr = encode_exr_depth(*measured, w, h, options.depth_exr, options.exr_zip_level);
      if (!exr) return exr.error();
      out.files.emplace_back("depth_sensor/" + stem + ".exr", std::move(exr).value());
    }
    t.depth_exr += since(t0);
  }
  // Dense correspondence (outputs: object_coords, nocs, world_position): float x, y, z per pixel.
  const std::pair<const char*, bool> k_correspondence[] = {
      {"object_coords", options.outputs.object_coords}, {"nocs", options.outputs.nocs}, {"world_position", options.outputs.world_position}};
  if (options.outputs.object_coords || options.outputs.nocs || options.outputs.world_position) {
    t0 = Clock::now();
    auto planes = compute_correspondence(scene, fb, options.outputs.object_coords, options.outputs.nocs, options.outputs.world_position);
    if (!planes) return planes.error();
    std::vector<float>* const plane_of[] = {&planes->object_coords, &planes->nocs, &planes->world_position};
    std::vector<float>* const memory_of[] = {memory ? &out.planes->object_coords : nullptr, memory ? &out.planes->nocs : nullptr,
                                             memory ? &out.planes->world_position : nullptr};
    for (std::size_t i = 0; i < 3; ++i) {
      if (!k_correspondence[i].second) continue;
      if (memory) {
        *memory_of[i] = std::move(*plane_of[i]);
        continue;
      }
      auto exr = encode_exr_xyz(*plane_of[i], w, h, options.depth_exr, options.exr_zip_level);
      if (!exr) return exr.error();
      out.files.emplace_back(std::string(k_correspondence[i].first) + "/" + stem + ".exr", std::move(exr).value());
    }
    t.depth_exr += since(t0);
  }
  const std::string flow_paths[2] = {"flow/forward/" + stem + ".exr", "flow/backward/" + stem + ".exr"};
  const std::string scene_flow_paths[2] = {"flow/scene_forward/" + stem + ".exr", "flow/scene_backward/" + stem + ".exr"};
  if (options.outputs.flow) {
    if (fb.flow_forward.size() != pixels * 4 || fb.flow_backward.size() != pixels * 4) {
      return make_error(ExitCode::internal, "outputs: [flow] but the renderer read no flow back");
    }
    t0 = Clock::now();
    for (int d = 0; d < 2; ++d) {
      const std::vector<float>& flow = d == 0 ? fb.flow_forward : fb.flow_backward;
      const std::optional<NeighbourPoses>& other = d == 0 ? scene.next : scene.previous;
      if (memory) {  // the channels the file holds: du, dv, status
        (d == 0 ? out.planes->flow_forward : out.planes->flow_backward) = first_three_of_four<float>(flow);
      } else {
        auto flow_exr = encode_exr_flow(flow, w, h, options.depth_exr, options.exr_zip_level);
        if (!flow_exr) return flow_exr.error();
        out.files.emplace_back(flow_paths[d], std::move(flow_exr).value());
      }
      if (options.outputs.scene_flow) {
        auto xyz = scene_flow(fb, flow, scene.camera, other ? &other->camera : nullptr);
        if (memory) {
          (d == 0 ? out.planes->scene_flow_forward : out.planes->scene_flow_backward) = std::move(xyz);
        } else {
          auto sf_exr = encode_exr_xyz(xyz, w, h, options.depth_exr, options.exr_zip_level);
          if (!sf_exr) return sf_exr.error();
          out.files.emplace_back(scene_flow_paths[d], std::move(sf_exr).value());
        }
      }
    }
    t.depth_exr += since(t0);
  }
  if (memory) {  // (the formats, which read `semantic`, do not run in memory)
    out.planes->instance = std::move(ids16);
    out.planes->semantic = std::move(semantic);
  }

  // The LiDAR sweep (`lidar:`), cast here on the encoder's thread.
  std::optional<LidarSweep> sweep;
  std::vector<LidarBox> lidar_box_list;
  if (options.lidar) {
    const auto tl = Clock::now();
    auto swept = options.lidar(scene);
    if (!swept) return swept.error();
    sweep = std::move(swept).value();
    t.lidar += sweep->trace_seconds;
    t.lidar_rays += sweep->rays;
    t.lidar_points += sweep->points.size();
    lidar_box_list = lidar_boxes(scene, *sweep);
    t.labels += since(tl) - sweep->trace_seconds;
  }
  t0 = Clock::now();
  const std::uint64_t image_id = scene.frame + 1;
  const Camera& cam = scene.camera;
  json record;
  record["image"] = json{{"id", image_id},
                   {"file_name", rgb_path},
                   {"width", w},
                   {"height", h},
                   {"instance_file", inst_path},
                   {"semantic_file", sem_path},
                   {"depth_file", depth_path},
                   {"frame", scene.frame},
                   {"camera",
                    {{"K", {{cam.fx, 0.0, cam.cx}, {0.0, cam.fy, cam.cy}, {0.0, 0.0, 1.0}}},
                     {"world_to_camera", world_to_camera_opencv(cam)}}}};
  if (cam.lens.model != LensModel::pinhole) record["image"]["camera"]["distortion"] = distortion_json(cam);
  if (cam.rig_camera >= 0) record["image"]["rig"] = rig_json(cam);
  if (options.outputs.disparity) record["image"]["disparity_file"] = "disparity/" + stem + ".exr";
  if (options.outputs.uv) record["image"]["uv_file"] = "uv/" + stem + ".exr";
  if (options.outputs.albedo) record["image"]["albedo_file"] = "albedo/" + stem + ".exr";
  if (options.outputs.depth_sensor) record["image"]["depth_sensor_file"] = "depth_sensor/" + stem + ".exr";
  if (options.outputs.undistortion_map) record["image"]["undistortion_file"] = "undistortion/" + stem + ".exr";
  if (options.outputs.normals) record["image"]["normals_file"] = normals_path;
  for (const auto& [name, on] : k_correspondence) {
    if (on) record["image"][std::string(name) + "_file"] = std::string(name) + "/" + stem + ".exr";
  }
  if (options.outputs.flow) {
    record["image"]["flow_forward_file"] = flow_paths[0];
    record["image"]["flow_backward_file"] = flow_paths[1];
    if (options.outputs.scene_flow) {
      record["image"]["scene_flow_forward_file"] = scene_flow_paths[0];
      record["image"]["scene_flow_backward_file"] = scene_flow_paths[1];
    }
  }
  if (!scene.split.empty()) record["image"]["split"] = scene.split;
  if (scene.clip) {  // COCO video fields (as YouTube-VIS / TAO use them): clip c is video c + 1
    record["image"]["video_id"] = scene.clip->clip + 1;
    record["image"]["frame_index"] = scene.clip->index;
  }
  // Each label's boundary loops, for COCO polygons.
  std::vector<std::vector<PolygonLoop>> loops;
  if (options.outputs.polygons) {
    for (const InstanceLabel& l : *labels) loops.push_back(trace_loops(things, w, h, l.instance_id, l.x, l.y, l.w, l.h));
  }
  if (!memory) {
    const std::vector<std::uint8_t>& rgb_bytes = out.files.front().second;
    FrameLabels frame{stem,          w,           h, things, category_of, *labels, jpeg ? rgb_png_copy : rgb_bytes,
                      options.category_names, scene.instances, amodal, &scene.camera, fb.depth, scene.frame, loops, beyond,
                      semantic, rgb_bytes, jpeg ? ".jpg" : ".png", scene.clip ? &*scene.clip : nullptr,
                      fb.flow_forward, fb.flow_backward};
    if (sweep) {
      frame.lidar = &*sweep;
      frame.lidar_boxes = lidar_box_list;
      frame.lidar_to_camera = lidar_to_camera_cv(scene);
    }
    if (options.formats) SL_TRY_STATUS(options.formats->encode(frame, out.files, record));
  }
  json annotations = json::array();
  for (std::size_t li = 0; li < labels->size(); ++li) {
    const InstanceLabel& l = (*labels)[li];
    // Compressed RLE, or with outputs: [polygons] exact pixel-edge polygons (exporters/Polygons.h).
    json segmentation;
    if (options.outputs.polygons) {
      segmentation = coco_polygons(loops[li]);
    } else {
      segmentation = {{"size", {h, w}}, {"counts", rle_counts_to_string(l.rle_counts)}};
    }
    annotations.push_back(json{{"image_id", image_id},
                                   {"category_id", category_of[l.instance_id]},
                                   {"instance_id", l.instance_id},
                                   {"segmentation", std::move(segmentation)},
                                   {"area", l.area},
                                   {"bbox", {l.x, l.y, l.w, l.h}},
                                   {"iscrowd", 0}});
    if (scene.clip) annotations.back()["track_id"] = l.instance_id;  // an object keeps its id for its clip
    const Instance* inst = instance_of[l.instance_id];
    if (inst != nullptr && inst->geometry.valid) add_geometry(annotations.back(), inst->geometry);
    if (inst != nullptr && !inst->keypoints.empty()) add_keypoints(annotations.back(), *inst, fb.depth, w, h, cam.near_m);
    // Both lists are in increasing id order.
    const auto a_it = std::lower_bound(amodal.begin(), amodal.end(), l.instance_id,
                                       [](const InstanceLabel& a, std::uint32_t id) { return a.instance_id < id; });
    if (a_it != amodal.end() && a_it->instance_id == l.instance_id) {
      const InstanceLabel& a = *a_it;
      // Visible pixels are a subset of the unoccluded ones (same rasterization): visibility <= 1.
      json& ann = annotations.back();
      ann["amodal_segmentation"] = {{"size", {h, w}}, {"counts", rle_counts_to_string(a.rle_counts)}};
      ann["amodal_area"] = a.area;
      ann["amodal_pixel_bbox"] = {a.x, a.y, a.w, a.h};
      ann["visibility"] = a.area ? round6(double(l.area) / double(a.area)) : 0.0;
    }
  }
  out.annotations = annotations.size();
  record["annotations"] = std::move(annotations);
  record["params"] = frame_params(scene);
  if (options.outputs.flow) record["flow"] = flow_neighbours(scene);
  if (sweep) record["lidar"] = lidar_record(scene, *sweep, lidar_box_list);
  if (sweep && memory) out.planes->lidar = std::move(sweep->points);
  if (!memory) {
    json hashes = json::object();
    for (const auto& [rel, bytes] : out.files) hashes[rel] = content_hash(bytes);
    record["files"] = std::move(hashes);
  }
  const std::string text = to_text(record);
  out.files.emplace_back(record_path(scene.frame), std::vector<std::uint8_t>(text.begin(), text.end()));
  t.record = since(t0);
  return out;
}

}  // namespace synthlabel
