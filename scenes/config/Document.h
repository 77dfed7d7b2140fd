// The config document: the YAML text of a scene config, with its includes merged in and the
// command-line overrides applied, as one tree whose every node still knows where it came from
// (where(): FILE:LINE:COL, or the override). It enforces the input budgets (files included, values
// with aliases expanded) and, with --asset-root, where includes may be read from. Errors are thrown
// as ConfigError and turned into Error values once, by load_config.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "scenes/Properties.h"
#include "scenes/SceneSpec.h"

namespace synthlabel::config {

// Thrown inside the loader, caught once at the top and turned into an Error value.
using ConfigFailure = ConfigError;

class Document {
 public:
  Document(std::string file, std::filesystem::path base_dir) : m_file(std::move(file)), m_base(std::move(base_dir)) {}

  const std::string& file() const { return m_file; }
  // With --asset-root: includes must lie inside one of these folders (lies_inside).
  void confine_includes(std::vector<std::filesystem::path> roots) { m_include_roots = std::move(roots); }

  // Counts `doc`'s values with aliases expanded against the whole config's budget; fails (naming
  // `what`) past k_max_config_values, or when aliases nest too deep.
  void charge(const YAML::Node& doc, const std::string& what);

  // "FILE:LINE:COL" of a node (in the file it came from), or the override that set it.
  std::string where(const YAML::Node& n) const;

  // The file a node was read from (an included file, or the config itself) and that file's folder.
  std::pair<std::string, std::filesystem::path> source_of(const YAML::Node& n) const;

  // Reads `path` and the files it includes (depth first, in order), merged so that later files and
  // finally `path` itself win: mappings merge key by key, anything else is replaced.
  YAML::Node load_with_includes(const YAML::Node& root, const std::filesystem::path& dir, std::vector<std::string>& stack);

  // `over` on top of `base`; the nodes themselves are kept (not copied), so messages still point
  // into the file each value came from. "include" keys are dropped.
  static YAML::Node merge(const YAML::Node& base, const YAML::Node& over);

  static bool contains(const YAML::Node& root, const YAML::Node& n);

  // A key an override added is new to the tree: errors about it name the override too.
  void remember_key(const YAML::Node& map, const std::string& key, const std::string& label);

  // Applies "a.b[2].c=value" to the tree (value parsed as YAML); maps along the path are created.
  void apply_override(YAML::Node& root, const std::string& text);

  // The text of a file a key names (camera.lens.calibration, camera.poses.file): under --asset-root
  // it must lie inside the root or the config's folder, as includes; at most 4 MiB. Fails at `n`.
  std::string read_named_file(const YAML::Node& n, const std::string& key, const std::filesystem::path& file) const;

  static bool path_is_include(const std::string& path) { return path == "include" || path.rfind("include[", 0) == 0; }
  [[noreturn]] void fail(const YAML::Node& n, const std::string& key, const std::string& what) const;

 private:
  std::string m_file;
  std::filesystem::path m_base;
  std::vector<std::pair<std::string, YAML::Node>> m_overrides;  // label, value node
  struct Included {
    std::string name;
    std::filesystem::path dir;
    YAML::Node root;
  };
  std::vector<Included> m_includes;
  std::vector<std::filesystem::path> m_include_roots;
  std::size_t m_documents = 0;
  std::uint64_t m_values_left = k_max_config_values;

  // False once the budget is spent or aliases nest deeper than a parsed document can (a cycle).
  bool count_values(const YAML::Node& n, int depth);
};

}  // namespace synthlabel::config
