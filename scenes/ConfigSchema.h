// The config's keys as data: every mapping a config may hold, its keys, what each takes and a line of
// help. The loader (scenes/config/Reader.h) checks keys against this table, and `synthlabel schema` writes
// the JSON Schema made from it (docs/config.schema.json, for editors with a YAML language server), so
// the two cannot drift. Ranges, cross-key rules (min <= max, categories named by objects) and the
// randomizers' own parameters stay the loader's: the schema is for completion and the first checks.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace synthlabel {

struct SchemaKey {
  std::string_view name;
  // What the key takes: uint, number, bool, string, strings (one or a list), dist (a number or a
  // distribution), vec3 ([x, y, z] of dists or {uniform: [[...], [...]]}), count (an integer, range or
  // choice), weights (numbers), enum:a|b|c, map:PATH (a mapping of PATH's keys), list:PATH (a list
  // of them), name_weights ({name: weight}), or a shape named after the key (resolution, categories,
  // outputs, scale, rotation, skeleton, randomizers).
  std::string_view kind;
  std::string_view help;
};

struct SchemaMap {
  std::string_view path;  // "" (the top level), "camera", "lights[]", "objects[].keypoints", ...
  std::vector<SchemaKey> keys;
};

const std::vector<SchemaMap>& config_schema();
// The keys of the mapping at `path` (as in config_schema()); empty for an unknown path.
std::vector<std::string_view> schema_keys(std::string_view path);
// The JSON Schema (draft 2020-12) of a config file. No key is required: an included file holds part
// of a config (the loader requires categories and objects once includes are merged).
// `format_names`: the label formats `outputs:` may name besides coco and the options (the format
// plugins, exporters/LabelFormat.h, register them above this layer).
nlohmann::ordered_json config_json_schema(std::span<const std::string> format_names);

}  // namespace synthlabel
