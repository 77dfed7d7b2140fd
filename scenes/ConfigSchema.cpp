#include "scenes/ConfigSchema.h"

#include <string>

#include "scenes/Primitives.h"
#include "scenes/SceneSpec.h"

namespace synthlabel {
namespace {

using json = nlohmann::ordered_json;

const char* const k_dist_forms[] = {"uniform", "loguniform", "normal", "truncated_normal", "choice", "sweep", "sequence"};

// "camera" -> "camera", "objects[].keypoints" -> "objects_keypoints": a $defs name.
std::string def_name(std::string_view path) {
  std::string s;
  for (char c : path) {
    if (c == '.') s += '_';
    else if (c != '[' && c != ']') s += c;
  }
  return s.empty() ? "config" : s;
}

json ref(std::string_view path) { return {{"$ref", "#/$defs/" + def_name(path)}}; }

json kind_schema(std::string_view kind) {
  const std::string_view map = "map:", list = "list:", en = "enum:";
  if (kind.substr(0, map.size()) == map) return ref(kind.substr(map.size()));
  if (kind.substr(0, list.size()) == list) return {{"type", "array"}, {"items", ref(kind.substr(list.size()))}};
  if (kind.substr(0, en.size()) == en) {
    json values = json::array();
    std::string_view rest = kind.substr(en.size());
    for (std::size_t bar; (bar = rest.find('|')) != std::string_view::npos; rest.remove_prefix(bar + 1)) values.push_back(rest.substr(0, bar));
    values.push_back(rest);
    return {{"enum", values}};
  }
  if (kind == "uint") return {{"type", "integer"}, {"minimum", 0}};
  if (kind == "number") return {{"type", "number"}};
  if (kind == "bool") return {{"type", "boolean"}};
  if (kind == "string") return {{"type", "string"}, {"minLength", 1}};
  if (kind == "strings") {
    json one_of = json::array();
    one_of.push_back({{"type", "string"}});
    one_of.push_back({{"type", "array"}, {"items", {{"type", "string"}}}, {"minItems", 1}});
    return {{"oneOf", one_of}};
  }
  if (kind == "dist") return {{"$ref", "#/$defs/dist"}};
  if (kind == "vec3") return {{"$ref", "#/$defs/vec3"}};
  if (kind == "count") return {{"$ref", "#/$defs/count"}};
  if (kind == "weights") return {{"type", "array"}, {"items", {{"type", "number"}, {"minimum", 0}}}};
  if (kind == "name_weights") return {{"type", "object"}, {"additionalProperties", {{"type", "number"}, {"minimum", 0}}}};
  if (kind == "resolution") {
    return {{"type", "array"}, {"items", {{"type", "integer"}, {"minimum", 1}, {"maximum", k_max_image_side}}}, {"minItems", 2}, {"maxItems", 2}};
  }
  if (kind == "categories") {
    json one_of = json::array();
    one_of.push_back({{"type", "string"}, {"minLength", 1}});
    one_of.push_back(ref("categories[]"));
    json out = {{"type", "array"}, {"minItems", 1}, {"maxItems", k_max_categories}};
    out["items"] = {{"oneOf", one_of}};
    return out;
  }
  if (kind == "outputs") return {{"type", "array"}, {"items", {{"type", "string"}}}};  // names: config_json_schema
  if (kind == "scale" || kind == "rotation") {
    json any_of = json::array();
    any_of.push_back(kind == "scale" ? json{{"$ref", "#/$defs/dist"}} : json{{"const", "uniform"}});
    any_of.push_back({{"$ref", "#/$defs/vec3"}});
    return {{"anyOf", any_of}};
  }
  if (kind == "skeleton") {
    json pair = {{"type", "array"}, {"minItems", 2}, {"maxItems", 2}};
    pair["items"] = {{"type", "string"}};
    json out = {{"type", "array"}};
    out["items"] = std::move(pair);
    return out;
  }
  if (kind == "numbers") return {{"type", "array"}, {"items", {{"type", "number"}}}, {"minItems", 1}};
  if (kind == "pairs1") return {{"type", "array"}, {"items", {{"type", "number"}}}, {"minItems", 2}, {"maxItems", 2}};
  if (kind == "quantization") {
    json one_of = json::array();
    one_of.push_back({{"const", "none"}});
    one_of.push_back(ref("depth_sensor.quantization"));
    return {{"oneOf", one_of}};
  }
  if (kind == "xyz") return {{"type", "array"}, {"items", {{"type", "number"}}}, {"minItems", 3}, {"maxItems", 3}};
  if (kind == "pairs" || kind == "matrix4") {
    const int n = kind == "pairs" ? 2 : 4;
    json row = {{"type", "array"}, {"items", {{"type", "number"}}}, {"minItems", n}, {"maxItems", n}};
    json out = {{"type", "array"}, {"items", row}};
    if (kind == "matrix4") out["minItems"] = 4, out["maxItems"] = 4;
    return out;
  }
  if (kind == "randomizers") {
    // Each randomizer's own parameters are its factory's (synthlabel randomizers NAME lists them).
    json item = {{"type", "object"}};
    item["required"] = json::array({"type"});
    item["properties"]["type"] = {{"type", "string"}};
    json out = {{"type", "array"}, {"maxItems", k_max_randomizers}};
    out["items"] = std::move(item);
    return out;
  }
  return json::object();
}

}  // namespace

const std::vector<SchemaMap>& config_schema() {
  static const std::string primitives = [] {
    std::string s = "enum:";
    for (std::size_t i = 0; i < k_primitive_names.size(); ++i) {
      if (i) s += '|';
      s += k_primitive_names[i];
    }
    return s;
  }();
  static const std::vector<SchemaMap> maps = {
      {"",
       {{"include", "strings", "other configs read first, this file on top (docs/config.md, include)"},
        {"seed", "uint", "random seed; default 0; --seed overrides"},
        {"frames", "uint", "frames to render, 1..100000000; default 1; --frames overrides"},
        {"resolution", "resolution", "[width, height], each 1..16384; default [640, 480]"},
        {"categories", "categories", "category names (ids 1.. in order) or {name, supercategory, stuff}"},
        {"camera", "map:camera", "the camera and its orbit"},
        {"lights", "list:lights[]", "at most 4 lights; default one directional light"},
        {"ambient", "dist", "ambient light, 0..10"},
        {"background", "vec3", "background colour, linear RGB in [0, 1]"},
        {"background_category", "string", "a stuff category for the pixels no surface covers"},
        {"objects", "list:objects[]", "the objects of the scene; at least one"},
        {"randomizers", "randomizers", "randomizers applied in order (docs/randomizers.md)"},
        {"environment", "map:environment", "HDR environment maps or the analytic sky"},
        {"sensor", "map:sensor", "camera effects on the RGB only"},
        {"depth_sensor", "map:depth_sensor", "with outputs: [depth_sensor]: how a depth camera measures the exact depth (noise, dropouts, quantization)"},
        {"render", "map:render", "anti-aliasing and shadows"},
        {"outputs", "outputs", "label formats and extras besides COCO instances"},
        {"splits", "name_weights", "dataset splits {name: share}, e.g. {train: 0.8, val: 0.2}: coco_NAME.json each"},
        {"sequence", "map:sequence", "clips: frames come in clips of `length`, the scene drawn once per clip and moving"},
        {"lidar", "map:lidar", "a LiDAR: exact rays against the scene's triangles, labeled per point (docs/lidar.md)"}}},
      {"lidar",
       {{"preset", "enum:vlp16|hdl32|hdl64|os1_128|rosette", "a sensor's beams, columns and range (docs/lidar.md lists them)"},
        {"channels_deg", "numbers", "spinning: each channel's elevation in degrees (instead of a preset)"},
        {"directions", "pairs", "solid state: [[azimuth_deg, elevation_deg], ...] in firing order, one sweep (instead of a preset)"},
        {"columns", "uint", "spinning: firings per revolution, 1..65536 (default the preset's, else 2048)"},
        {"rotation_hz", "number", "spinning: revolutions per second, 0.1..1000 (default 10): a sweep lasts 1 / rotation_hz"},
        {"direction", "enum:clockwise|counter_clockwise", "spinning: the sense of rotation seen from above (default clockwise)"},
        {"start_azimuth_deg", "number", "spinning: column 0's azimuth, degrees from +X towards +Y (default 180: behind)"},
        {"sweep_s", "number", "solid state: seconds one sweep of directions takes (default 0.1)"},
        {"fov_deg", "number", "rosette: the circle's full angle in degrees (default 38.4)"},
        {"points", "uint", "rosette: points per sweep (default 10000)"},
        {"range", "pairs1", "[min, max] metres a return is measured in (default [0.5, the preset's max or 120])"},
        {"range_noise", "number", "Gaussian stddev in metres added along the beam, 0..10 (default 0)"},
        {"dropout", "number", "chance a return is lost, 0..1 (default 0)"},
        {"intensity_reference", "number", "metres at which a white surface facing the beam reads intensity 1 (default 10)"},
        {"ego_motion", "enum:compensated|raw", "points in the sensor frame at the sweep's start (compensated, default) or at each point's firing time (raw)"},
        {"mount", "enum:camera|world", "camera: a pose relative to the camera (default); world: its own pose"},
        {"position", "vec3", "mount camera: in the camera frame (x right, y down, z forward), metres; mount world: world position"},
        {"rotation_deg", "xyz", "mount camera: XYZ Euler degrees of the sensor from its default (x forward, z up along the camera)"},
        {"yaw_deg", "dist", "mount world: heading about world +Y; 0 faces +X"},
        {"velocity", "vec3", "mount world, with sequence: metres per second the sensor moves, drawn per clip"}}},
      {"sequence",
       {{"length", "uint", "frames per clip, 1..100000"},
        {"fps", "number", "frames per second: frame k of a clip is at time k / fps"},
        {"track_points", "uint", "outputs: [tracks]: surface points tracked per labeled instance, 1..4096 (default 16)"}}},
      {"categories[]",
       {{"name", "string", "the category's name"},
        {"supercategory", "string", "COCO supercategory; default the name"},
        {"stuff", "bool", "a stuff category (after every thing category)"}}},
      {"camera",
       {{"fov_deg", "dist", "vertical field of view, 1..179 degrees"},
        {"intrinsics", "map:camera.intrinsics", "pinhole intrinsics in pixels instead of fov_deg"},
        {"near", "number", "near clip plane, 1e-6..1e6 metres"},
        {"far", "number", "far clip plane, up to 1e9 metres"},
        {"target", "vec3", "the point the camera looks at"},
        {"distance", "dist", "distance to the target, metres"},
        {"elevation_deg", "dist", "elevation above the target, -90..90"},
        {"azimuth_deg", "dist", "azimuth around the target"},
        {"roll_deg", "dist", "roll about the viewing axis"},
        {"exposure_ev", "dist", "exposure in stops, -20..20"},
        {"tone_map", "enum:none|filmic", "none (clip at 1) or filmic (ACES)"},
        {"orbit_rate_deg", "dist", "with sequence: degrees per second the camera turns about the target (azimuth), drawn per clip"},
        {"elevation_rate_deg", "dist", "with sequence: degrees per second the orbit's elevation changes, drawn per clip"},
        {"dolly_rate", "dist", "with sequence: metres per second added to the distance (negative: towards the target), drawn per clip"},
        {"target_velocity", "vec3", "with sequence: metres per second the target moves (the camera pans and tilts to follow), drawn per clip"},
        {"shake_deg", "dist", "with sequence: hand-held shake, amplitude in degrees of smooth turns about the camera's axes, 0..30"},
        {"shake_hz", "dist", "with sequence: the shake's base frequency in Hz (default 1.5)"},
        {"target_path", "list:camera.target_path[]", "with sequence: keyframes {t, position} the look-at target follows (instead of target)"},
        {"lens", "map:camera.lens", "lens distortion: brown_conrady, fisheye or radial_table, or an OpenCV calibration file"},
        {"pose", "map:camera.pose", "an explicit pose instead of the orbit: position, look_at, up, or world_to_camera"},
        {"poses", "map:camera.poses", "one pose per frame from a file (JSON world_to_camera list or TUM trajectory)"},
        {"rig", "list:camera.rig[]", "several cameras at fixed poses relative to the drawn one; frame f is camera f mod n of instant f / n"},
        {"stereo", "map:camera.stereo", "a rectified stereo pair: left at the drawn pose, right at +X baseline"}}},
      {"camera.rig[]",
       {{"name", "string", "the camera's name (default camN)"},
        {"position", "xyz", "in the rig frame (the drawn camera's axes: x right, y down, z forward), metres"},
        {"rotation_deg", "xyz", "XYZ Euler angles in the rig frame (applied X, then Y, then Z)"}}},
      {"camera.stereo",
       {{"baseline", "number", "metres between the two cameras' centres, along the left camera's +X"}}},
      {"depth_sensor",
       {{"axial_noise", "xyz", "[a, b, c]: sigma(z) = a + b (z - c)^2 metres (default Kinect v1's 0.0012, 0.0019, 0.4)"},
        {"range", "pairs1", "[min, max] metres measured (default [0.4, 8])"},
        {"max_incidence_deg", "number", "no return where the surface turns further from the ray (default 80)"},
        {"edge_jump", "number", "metres of depth step (or no surface) beside a pixel that make it an edge (default 0.05)"},
        {"edge_dropout", "number", "chance an edge pixel has no return, 0..1 (default 0.5)"},
        {"quantization", "quantization", "{baseline, subpixel}: depth from disparity in 1/subpixel steps (default 0.075 m, 8), or none"}}},
      {"depth_sensor.quantization",
       {{"baseline", "number", "metres between projector and camera"},
        {"subpixel", "number", "disparity steps per pixel"}}},
      {"camera.lens",
       {{"model", "enum:brown_conrady|fisheye|radial_table", "OpenCV's Brown-Conrady, OpenCV fisheye (Kannala-Brandt), or a radial table"},
        {"calibration", "string", "an OpenCV calibration file (camera_matrix, distortion_coefficients): K and coefficients"},
        {"k1", "dist", "radial coefficient (both models)"},
        {"k2", "dist", "radial coefficient (both models)"},
        {"p1", "dist", "brown_conrady: tangential coefficient"},
        {"p2", "dist", "brown_conrady: tangential coefficient"},
        {"k3", "dist", "radial coefficient (both models)"},
        {"k4", "dist", "radial coefficient: brown_conrady's rational denominator, fisheye's 4th"},
        {"k5", "dist", "brown_conrady: rational denominator"},
        {"k6", "dist", "brown_conrady: rational denominator"},
        {"s1", "dist", "brown_conrady: thin prism"},
        {"s2", "dist", "brown_conrady: thin prism"},
        {"s3", "dist", "brown_conrady: thin prism"},
        {"s4", "dist", "brown_conrady: thin prism"},
        {"table", "pairs", "radial_table: [[field_deg, radius in focal lengths], ...] from [0, 0], increasing"},
        {"max_field_deg", "number", "the image circle's full angle, 1..160 degrees; pixels beyond see nothing"},
        {"oversample", "number", "source samples per output pixel at the image centre, 0.25..8 (default 2)"}}},
      {"camera.pose",
       {{"position", "vec3", "the camera's position, metres"},
        {"look_at", "vec3", "the point it looks at (default the origin)"},
        {"up", "vec3", "the world direction that is up in the image (default +Y)"},
        {"world_to_camera", "matrix4", "4x4 row-major, OpenCV camera axes (instead of position/look_at/up)"}}},
      {"camera.poses",
       {{"file", "string", "JSON list of world_to_camera 4x4 matrices, or a TUM trajectory (timestamp tx ty tz qx qy qz qw)"},
        {"order", "enum:sequential|random", "frame f takes entry f mod n (default), or one drawn per frame"}}},
      {"camera.target_path[]",
       {{"t", "number", "seconds into the clip"},
        {"position", "vec3", "where the camera looks at t, drawn per clip"}}},
      {"camera.intrinsics",
       {{"fx", "dist", "focal length x, pixels"},
        {"fy", "dist", "focal length y, pixels"},
        {"cx", "dist", "principal point x, pixels"},
        {"cy", "dist", "principal point y, pixels"}}},
      {"lights[]",
       {{"type", "enum:directional|point|spot", "default directional"},
        {"elevation_deg", "dist", "direction or position: elevation"},
        {"azimuth_deg", "dist", "direction or position: azimuth"},
        {"intensity", "dist", "0..1000"},
        {"color", "vec3", "linear RGB in [0, 1]"},
        {"temperature_k", "dist", "colour temperature, 1000..40000 K"},
        {"target", "vec3", "point and spot lights: the point they face"},
        {"distance", "dist", "point and spot lights: distance from the target"},
        {"cone_deg", "dist", "spot lights: half-angle of the cone"},
        {"softness", "dist", "spot lights: fraction of the cone that fades"},
        {"shadows", "bool", "cast shadows (directional and spot)"},
        {"azimuth_rate_deg", "dist", "with sequence: degrees per second the light turns about +Y (a sun path), drawn per clip"},
        {"elevation_rate_deg", "dist", "with sequence: degrees per second its elevation changes, drawn per clip"}}},
      {"objects[]",
       {{"name", "string", "a name randomizers refer to"},
        {"primitive", primitives, "a built-in shape"},
        {"asset", "string", "a mesh file (glTF, OBJ, PLY, ...), relative to this file"},
        {"normalize", "bool", "centre the asset and scale its largest side to 1"},
        {"units", "number", "metres per file unit"},
        {"up", "enum:y|z", "the asset's up axis"},
        {"category", "string", "its category's name"},
        {"labeled", "bool", "false: rendered but not labeled"},
        {"count", "count", "instances per frame, 0..10000"},
        {"scale", "scale", "uniform or per-axis scale"},
        {"position", "vec3", "world position, metres"},
        {"rotation", "rotation", "'uniform' or Euler angles in degrees [x, y, z]"},
        {"color", "vec3", "base colour, linear RGB; default the mesh's own"},
        {"pool", "list:objects[].pool[]", "shapes drawn per instance instead of one"},
        {"category_weights", "name_weights", "with pool: {category: weight}, the chance of each category"},
        {"keypoints", "map:objects[].keypoints", "named points on the shape, for COCO keypoints"},
        {"velocity", "vec3", "with sequence: metres per second, world axes, drawn per clip"},
        {"angular_velocity_deg", "vec3", "with sequence: degrees per second about the world x, y, z axes, drawn per clip"},
        {"path", "list:objects[].path[]", "with sequence: keyframes {t, position, rotation_deg} the object follows (instead of velocities)"}}},
      {"objects[].path[]",
       {{"t", "number", "seconds into the clip"},
        {"position", "vec3", "where the object is at t, drawn per clip"},
        {"rotation_deg", "vec3", "its XYZ Euler rotation at t, drawn per clip (in every key or none)"}}},
      {"objects[].pool[]",
       {{"primitive", primitives, "a built-in shape"},
        {"asset", "string", "a mesh file"},
        {"normalize", "bool", "centre and scale to 1"},
        {"units", "number", "metres per file unit"},
        {"up", "enum:y|z", "the asset's up axis"},
        {"category", "string", "its category's name"},
        {"weight", "number", "its weight in the pool"},
        {"keypoints", "map:objects[].keypoints", "named points on the shape"}}},
      {"objects[].keypoints",
       {{"points", "list:objects[].keypoints.points[]", "the points, in the model's coordinates"},
        {"skeleton", "skeleton", "pairs of point names"},
        {"tolerance_m", "number", "depth tolerance for visibility, metres"}}},
      {"objects[].keypoints.points[]", {{"name", "string", "the point's name"}, {"position", "vec3", "[x, y, z] in the model's coordinates"}}},
      {"environment",
       {{"maps", "strings", "equirectangular EXR files"},
        {"sky", "map:environment.sky", "the analytic sky (without maps)"},
        {"weights", "weights", "weights of the maps"},
        {"rotation_deg", "dist", "rotation about +Y"},
        {"intensity", "dist", "0..1000"},
        {"background", "bool", "show it behind the scene"},
        {"lighting", "bool", "light the scene with it"}}},
      {"environment.sky",
       {{"turbidity", "number", "1.7..10"},
        {"sun_elevation_deg", "number", "0..90"},
        {"sun_azimuth_deg", "number", "-360..360"},
        {"ground_albedo", "number", "0..1"}}},
      {"sensor",
       {{"white_balance", "vec3", "per-channel gains, 0..10"},
        {"brightness", "dist", "-1..1"},
        {"contrast", "dist", "0..10"},
        {"saturation", "dist", "0..10"},
        {"vignetting", "dist", "0..1"},
        {"defocus_px", "dist", "0..8"},
        {"motion_px", "dist", "0..32"},
        {"motion_angle_deg", "dist", "direction of the motion blur"},
        {"shutter_s", "dist", "with sequence: seconds the shutter is open (motion blur of the RGB from the real motion), 0..1"},
        {"rolling_shutter_s", "dist", "with sequence: rolling shutter, seconds from the top row's exposure to the bottom row's, 0..1"},
        {"shutter_samples", "integer", "sub-frame renders averaged over the shutter time, 2..64 (default 8)"},
        {"shot_photons", "dist", "0..1e7"},
        {"read_noise", "dist", "0..1"},
        {"gamma", "dist", "0.2..5"},
        {"jpeg_quality", "dist", "JPEG round trip of the RGB, 0..100"}}},
      {"render",
       {{"supersampling", "uint", "odd, 1..5: samples per pixel side for the RGB"},
        {"shadow_map_size", "uint", "0 (no shadows) or 64..8192"}}},
  };
  return maps;
}

std::vector<std::string_view> schema_keys(std::string_view path) {
  for (const SchemaMap& m : config_schema()) {
    if (m.path == path) {
      std::vector<std::string_view> keys;
      for (const SchemaKey& k : m.keys) keys.push_back(k.name);
      return keys;
    }
  }
  return {};
}

json config_json_schema(std::span<const std::string> format_names) {
  json defs = json::object();
  for (const SchemaMap& m : config_schema()) {
    json props = json::object();
    for (const SchemaKey& k : m.keys) {
      json p = kind_schema(k.kind);
      p["description"] = std::string(k.help);
      props[std::string(k.name)] = std::move(p);
    }
    defs[def_name(m.path)] = {{"type", "object"}, {"additionalProperties", false}, {"properties", std::move(props)}};
  }
  // A number or one distribution: {uniform: [lo, hi]}, ..., {choice: [...], weights: [...]}.
  json forms = json::array({{{"type", "number"}}});
  for (const char* f : k_dist_forms) {
    json body = {{"type", "array"}};
    json form = {{"type", "object"}, {"required", {f}}, {"properties", {{f, body}}}, {"additionalProperties", false}};
    if (std::string_view(f) == "choice") form["properties"]["weights"] = {{"type", "array"}, {"items", {{"type", "number"}}}};
    forms.push_back(std::move(form));
  }
  json outputs = {"coco"};
  for (const auto& [name, flag] : k_output_options) outputs.push_back(name);
  for (const auto& name : format_names) outputs.push_back(name);
  defs["config"]["properties"]["outputs"]["items"] = {{"enum", outputs}};
  defs["dist"] = {{"oneOf", forms}};
  defs["vec3"] = {{"oneOf",
                   {{{"type", "array"}, {"items", {{"$ref", "#/$defs/dist"}}}, {"minItems", 3}, {"maxItems", 3}},
                    {{"type", "object"},
                     {"required", {"uniform"}},
                     {"additionalProperties", false},
                     {"properties", {{"uniform", {{"type", "array"}, {"minItems", 2}, {"maxItems", 2}}}}}}}}};
  defs["count"] = {{"oneOf",
                    {{{"type", "integer"}, {"minimum", 0}, {"maximum", k_max_count_per_object}},
                     {{"type", "object"}, {"required", {"range"}}, {"additionalProperties", false}, {"properties", {{"range", {{"type", "array"}}}}}},
                     {{"type", "object"},
                      {"required", {"choice"}},
                      {"additionalProperties", false},
                      {"properties", {{"choice", {{"type", "array"}}}, {"weights", {{"type", "array"}}}}}}}}};
  json schema = {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
                 {"$id", "https://synthlabel.dev/config.schema.json"},
                 {"title", "synthlabel scene config"},
                 {"description", "Generated by `synthlabel schema` from the table the loader checks keys against "
                                 "(scenes/ConfigSchema.cpp). Ranges and cross-key rules are the loader's: run "
                                 "`synthlabel validate CONFIG`."}};
  json top = defs["config"];
  for (auto& [k, v] : top.items()) schema[k] = v;
  schema["$defs"] = std::move(defs);
  return schema;
}

}  // namespace synthlabel
