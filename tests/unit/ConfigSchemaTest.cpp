// The JSON Schema's table (scenes/ConfigSchema.h) and the loader agree on every key: each key the
// table lists is accepted by the loader where the table puts it, a key it does not list is refused
// there as unknown, and every key the loader's source reads is in the table.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "randomizers/Registry.h"
#include "scenes/ConfigLoader.h"
#include "scenes/ConfigSchema.h"
#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

// A config holding `entry` ("KEY: VALUE") in the mapping at each schema path, and how the loader names
// that mapping in messages.
const std::map<std::string_view, std::pair<std::string, std::string>> k_probes = {
    {"", {"{E}\ncategories: [box]\nobjects: [{primitive: cube, category: box}]\n", ""}},
    {"categories[]", {"categories: [{E}]\nobjects: [{primitive: cube, category: box}]\n", "categories[0]."}},
    {"camera", {"categories: [box]\ncamera: {{E}}\nobjects: [{primitive: cube, category: box}]\n", "camera."}},
    {"camera.intrinsics", {"categories: [box]\ncamera: {intrinsics: {{E}}}\nobjects: [{primitive: cube, category: box}]\n", "camera.intrinsics."}},
    {"camera.lens", {"categories: [box]\ncamera: {lens: {{E}}}\nobjects: [{primitive: cube, category: box}]\n", "camera.lens."}},
    {"camera.pose", {"categories: [box]\ncamera: {pose: {{E}}}\nobjects: [{primitive: cube, category: box}]\n", "camera.pose."}},
    {"camera.rig[]", {"categories: [box]\ncamera: {rig: [{{E}}]}\nobjects: [{primitive: cube, category: box}]\n", "camera.rig[0]."}},
    {"camera.stereo", {"categories: [box]\ncamera: {stereo: {{E}}}\nobjects: [{primitive: cube, category: box}]\n", "camera.stereo."}},
    {"depth_sensor", {"categories: [box]\noutputs: [depth_sensor]\ndepth_sensor: {{E}}\nobjects: [{primitive: cube, category: box}]\n", "depth_sensor."}},
    {"depth_sensor.quantization",
     {"categories: [box]\noutputs: [depth_sensor]\ndepth_sensor: {quantization: {{E}}}\nobjects: [{primitive: cube, category: box}]\n",
      "depth_sensor.quantization."}},
    {"camera.poses", {"categories: [box]\ncamera: {poses: {{E}}}\nobjects: [{primitive: cube, category: box}]\n", "camera.poses."}},
    {"lights[]", {"categories: [box]\nlights: [{{E}}]\nobjects: [{primitive: cube, category: box}]\n", "lights[0]."}},
    {"objects[]", {"categories: [box]\nobjects: [{{E}}]\n", "objects[0]."}},
    {"objects[].pool[]", {"categories: [box]\nobjects: [{pool: [{{E}}]}]\n", "objects[0].pool[0]."}},
    {"objects[].keypoints", {"categories: [box]\nobjects: [{primitive: cube, category: box, keypoints: {{E}}}]\n", "objects[0].keypoints."}},
    {"objects[].keypoints.points[]",
     {"categories: [box]\nobjects: [{primitive: cube, category: box, keypoints: {points: [{{E}}]}}]\n", "objects[0].keypoints.points[0]."}},
    {"environment", {"categories: [box]\nenvironment: {{E}}\nobjects: [{primitive: cube, category: box}]\n", "environment."}},
    {"environment.sky", {"categories: [box]\nenvironment: {sky: {{E}}}\nobjects: [{primitive: cube, category: box}]\n", "environment.sky."}},
    {"sensor", {"categories: [box]\nsensor: {{E}}\nobjects: [{primitive: cube, category: box}]\n", "sensor."}},
    {"render", {"categories: [box]\nrender: {{E}}\nobjects: [{primitive: cube, category: box}]\n", "render."}},
    {"sequence", {"categories: [box]\nsequence: {{E}}\nobjects: [{primitive: cube, category: box}]\n", "sequence."}},
    {"lidar", {"categories: [box]\nsequence: {length: 2}\nlidar: {{E}}\nobjects: [{primitive: cube, category: box}]\n", "lidar."}},
    {"camera.target_path[]",
     {"categories: [box]\nsequence: {length: 2}\ncamera: {target_path: [{{E}}]}\nobjects: [{primitive: cube, category: box}]\n",
      "camera.target_path[0]."}},
    {"objects[].path[]",
     {"categories: [box]\nsequence: {length: 2}\nobjects: [{primitive: cube, category: box, path: [{{E}}]}]\n", "objects[0].path[0]."}},
};

std::string error_of(const std::string& text) {
  auto r = parse_config(text, "t.yaml", "/nonexistent");
  return r ? "" : r.error().message;
}

std::string with(std::string tmpl, const std::string& entry) {
  tmpl.replace(tmpl.find("{E}"), 3, entry);
  return tmpl;
}

TEST(ConfigSchema, TheLoaderAcceptsEveryKeyTheSchemaListsAndNoOther) {
  std::size_t keys = 0;
  for (const SchemaMap& m : config_schema()) {
    SCOPED_TRACE(std::string(m.path));
    const auto probe = k_probes.find(m.path);
    ASSERT_NE(probe, k_probes.end()) << "no probe for schema path '" << m.path << "': add one";
    const auto& [tmpl, named] = probe->second;
    for (const SchemaKey& k : m.keys) {
      // A value of the wrong shape, maybe: any error but "unknown key" means the loader knows the key.
      const std::string err = error_of(with(tmpl, std::string(k.name) + ": 1"));
      EXPECT_EQ(err.find(named + std::string(k.name) + ": unknown key"), std::string::npos) << err;
      ++keys;
    }
    const std::string err = error_of(with(tmpl, "zz_not_a_key: 1"));
    EXPECT_NE(err.find(named + "zz_not_a_key: unknown key"), std::string::npos) << err;
  }
  EXPECT_GT(keys, 90u);
}

TEST(ConfigSchema, EveryKeyTheLoaderReadsIsInTheSchema) {
  // Keys read as n["key"] in the loader's source; the distribution forms and a randomizer's `type`
  // are not mapping keys of the table (the schema's $defs hold the forms).
  std::string source;  // the schema's readers (scenes/config/*Schema.cpp)
  for (const char* file : {"scenes/config/SceneSchema.cpp", "scenes/config/ObjectSchema.cpp", "scenes/config/LidarSchema.cpp"}) {
    source += test::read_file(std::filesystem::path(SYNTHLABEL_SOURCE_DIR) / file);
  }
  std::set<std::string> in_schema;
  for (const SchemaMap& m : config_schema()) {
    for (const SchemaKey& k : m.keys) in_schema.insert(std::string(k.name));
  }
  const std::set<std::string> forms = {"uniform", "loguniform", "normal", "truncated_normal", "choice", "weights", "sweep",
                                       "sequence", "range", "type"};
  std::size_t read = 0;
  for (auto at = source.find("[\""); at != std::string::npos; at = source.find("[\"", at + 2)) {
    auto end = at + 2;  // ["key"] with a key of [a-z_]+
    while (end < source.size() && ((source[end] >= 'a' && source[end] <= 'z') || source[end] == '_')) ++end;
    if (end == at + 2 || source.compare(end, 2, "\"]") != 0) continue;
    const std::string k = source.substr(at + 2, end - at - 2);
    if (forms.count(k) && !in_schema.count(k)) continue;
    EXPECT_TRUE(in_schema.count(k)) << "the loader reads '" << k << "', which the schema does not list";
    ++read;
  }
  EXPECT_GT(read, 50u);
}

TEST(RandomizerParameters, WhatRandomizersNameListsIsWhatTheLoaderAcceptsAndTheDocsDescribe) {
  // `synthlabel randomizers NAME` lists the parameters its factory asks for: each is accepted in a
  // config, a key it does not list is refused as unknown, and docs/randomizers.md's section on the
  // randomizer has a row for each.
  const std::string docs = test::read_file(std::filesystem::path(SYNTHLABEL_SOURCE_DIR) / "docs/randomizers.md");
  std::size_t listed = 0;
  for (const RandomizerInfo& info : randomizer_registry().entries()) {
    SCOPED_TRACE(info.name);
    std::string needs;
    const auto params = describe_randomizer(info, needs);
    EXPECT_FALSE(params.empty());
    const auto section = docs.find("## " + info.name + "\n");
    ASSERT_NE(section, std::string::npos) << "docs/randomizers.md has no section for it";
    const std::string text = docs.substr(section, docs.find("\n## ", section + 1) - section);
    // The parameters each needs to be built at all, so an unknown key is what stops it.
    const std::string textures = (std::filesystem::path(SYNTHLABEL_SOURCE_DIR) / "assets/textures").string();
    const std::map<std::string, std::string> needed = {
        {"background_image", "folder: " + textures + ", "}, {"light_count", "count: 1, "}, {"material", "hue_deg: 10, "},
        {"place_on_surface", "x_range: [-1, 1], z_range: [-1, 1], "}, {"physics_drop", "x_range: [-1, 1], z_range: [-1, 1], "}, {"occluders", "objects: [b], "}, {"rotate", "jitter_deg: 2, "}};
    const auto it = needed.find(info.name);
    const std::string base = it == needed.end() ? "" : it->second;
    auto error_with = [&](const std::string& key) {
      auto spec = parse_config("categories: [box]\nobjects: [{name: b, primitive: cube, category: box}]\n"
                               "lights: [{}, {}]\nrandomizers: [{type: " + info.name + ", " + (base.find(key + ":") == std::string::npos ? base : "") +
                                   key + ": 1}]\n",
                               "t.yaml", "/nonexistent");
      if (!spec) return spec.error().message;
      auto built = build_randomizers(*spec);
      return built ? std::string() : built.error().message;
    };
    for (const ParamInfo& p : params) {
      EXPECT_EQ(error_with(p.key).find("unknown key"), std::string::npos) << p.key;
      EXPECT_NE(text.find("`" + p.key + "`"), std::string::npos) << p.key << " is not in docs/randomizers.md";
      ++listed;
    }
    EXPECT_NE(error_with("zz_not_a_parameter").find("unknown key for randomizer"), std::string::npos);
  }
  EXPECT_GT(listed, 25u);
}

}  // namespace
}  // namespace synthlabel
