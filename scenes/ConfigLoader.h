// Turns a YAML scene config into a validated, immutable SceneSpec, in stages: the document (YAML,
// includes, overrides, positions: scenes/config/Document.h), typed reads (scenes/config/Reader.h), the
// schema sections (scenes/config/*Schema.cpp). yaml-cpp stays inside scenes/. Assets are loaded from
// the spec by scenes/SceneAssets.h.
// Every problem is reported as one line  `FILE:LINE:COL: KEY.PATH: what was expected`  with
// ExitCode::usage; unknown keys are errors with a suggestion; duplicate keys are errors.
// The schema is documented in docs/config.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/Error.h"
#include "scenes/SceneSpec.h"

namespace synthlabel {

// Reads and validates `path`. Asset paths are resolved relative to the config file's folder.
// `overrides` ("camera.distance=4", "objects[1].count={range: [1, 3]}") are applied in order before
// validation; a value is YAML; a problem in one is reported as "override 'TEXT': KEY: ...".
// With `asset_root` set (--asset-root), every `include:` must lie inside it or the config's own folder
// once symlinks and ".." are resolved; nothing outside is opened. Whatever the root, a config reads
// at most k_max_config_documents files and k_max_config_values values (aliases expanded).
Result<SceneSpec> load_config(const std::filesystem::path& path, const std::vector<std::string>& overrides = {},
                              const std::filesystem::path& asset_root = {});

// Same, from text; `display_name` is used in messages and `base_dir` to resolve asset paths.
Result<SceneSpec> parse_config(std::string_view text, const std::filesystem::path& display_name,
                               const std::filesystem::path& base_dir, const std::vector<std::string>& overrides = {},
                               const std::filesystem::path& asset_root = {});

// What the command line sets over the config (generate --seed, --frames, --resolution): the last
// stage of loading, checked against the same limits as the config's own values. The spec is not
// changed after this.
struct RunValues {
  std::optional<std::uint64_t> seed;
  std::optional<std::uint64_t> frames;
  std::string resolution;  // "WIDTHxHEIGHT", "" = the config's
};
Result<SceneSpec> apply_run_values(SceneSpec spec, const RunValues& values);

}  // namespace synthlabel
