#include "scenes/ConfigLoader.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>

#include "core/FileIo.h"
#include "scenes/SceneAssets.h"
#include "scenes/config/Schema.h"

namespace synthlabel {

Result<SceneSpec> parse_config(std::string_view text, const std::filesystem::path& display_name,
                               const std::filesystem::path& base_dir, const std::vector<std::string>& overrides,
                               const std::filesystem::path& asset_root) {
  auto doc = std::make_shared<config::Document>(display_name.string(), base_dir);
  if (!asset_root.empty()) {
    auto root = resolve_asset_root(asset_root);
    if (!root) return root.error();
    doc->confine_includes({*root, base_dir});
  }
  try {
    YAML::Node root = YAML::Load(std::string(text));
    doc->charge(root, display_name.string());
    std::vector<std::string> stack = {display_name.lexically_normal().string()};
    root = doc->load_with_includes(root, base_dir, stack);
    for (const auto& o : overrides) doc->apply_override(root, o);
    SceneSpec spec = config::parse_scene(std::make_shared<config::Reader>(doc), root);
    spec.source = display_name;
    return spec;
  } catch (const ConfigError& f) {
    return make_error(ExitCode::usage, f.message);
  } catch (const YAML::DeepRecursion& e) {
    std::string msg = display_name.string();
    if (!e.mark.is_null()) msg += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return make_error(ExitCode::usage, msg + ": YAML nested more than " + std::to_string(e.depth() - 1) +
                                           " levels deep; a scene config needs a handful");
  } catch (const YAML::Exception& e) {
    // Syntax errors: yaml-cpp's mark is 0-based.
    std::string msg = display_name.string();
    if (!e.mark.is_null()) msg += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return make_error(ExitCode::usage, msg + ": YAML syntax error: " + e.msg);
  }
}

Result<SceneSpec> load_config(const std::filesystem::path& path, const std::vector<std::string>& overrides,
                              const std::filesystem::path& asset_root) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return make_error(ExitCode::usage, path.string() + ": not a regular file (a config is a YAML file)");
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > k_max_config_bytes) {
    return make_error(ExitCode::usage, path.string() + ": the config is " + std::to_string(size) +
                                           " bytes; the limit is " + std::to_string(k_max_config_bytes));
  }
  auto text = read_text_file(path);
  if (!text) return make_error(ExitCode::usage, text.error().message);
  return parse_config(*text, path, path.parent_path(), overrides, asset_root);
}

Result<SceneSpec> apply_run_values(SceneSpec spec, const RunValues& values) {
  if (values.seed) spec.seed = *values.seed;
  if (values.frames) {
    if (*values.frames == 0 || *values.frames > k_max_frames) {
      return make_error(ExitCode::usage, "--frames must be from 1 to " + std::to_string(k_max_frames));
    }
    spec.frames = *values.frames;
  }
  if (!values.resolution.empty()) {
    unsigned long w = 0, h = 0;
    char x = 0, extra = 0;
    if (std::sscanf(values.resolution.c_str(), "%lu%c%lu%c", &w, &x, &h, &extra) != 3 || x != 'x' || w == 0 || h == 0 ||
        w > k_max_image_side || h > k_max_image_side || std::uint64_t{w} * h > k_max_pixels) {
      return make_error(ExitCode::usage, "--resolution '" + values.resolution + "': expected WIDTHxHEIGHT, each 1 to " +
                                             std::to_string(k_max_image_side) + ", at most " + std::to_string(k_max_pixels) +
                                             " pixels");
    }
    spec.width = static_cast<std::uint32_t>(w);
    spec.height = static_cast<std::uint32_t>(h);
  }
  return spec;
}

}  // namespace synthlabel
