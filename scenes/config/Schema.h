// The scene config's schema readers: YAML tree -> SceneSpec, through a Reader (typed, checked
// reads). SceneSchema.cpp reads the top level and the built-in sections; ObjectSchema.cpp the
// objects. The spec is complete when parse_scene returns; nothing writes it afterwards.
#pragma once

#include <memory>
#include <string>

#include "scenes/config/Reader.h"

namespace synthlabel::config {

// The whole config (the document's merged tree with overrides applied).
SceneSpec parse_scene(std::shared_ptr<Reader> reader, const YAML::Node& root);

// Used by parse_scene (ObjectSchema.cpp).
ObjectSpec parse_object(Reader& r, const YAML::Node& n, const std::string& path, const SceneSpec& spec);
// The `lidar:` section (LidarSchema.cpp); `sequence`: the config has clips.
LidarSpec parse_lidar(Reader& r, const YAML::Node& n, bool sequence);
// Every shape of a category declares the same keypoints; the category takes them.
void collect_keypoints(Reader& r, const YAML::Node& objects, SceneSpec& spec);
// The id (1-based) of the category named by `c`; fails with a suggestion.
std::uint32_t category_id(Reader& r, const YAML::Node& c, const std::string& path, const SceneSpec& spec);

}  // namespace synthlabel::config
