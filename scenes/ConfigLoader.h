// Turns a YAML scene config into a validated SceneSpec (yaml-cpp stays inside ConfigLoader.cpp).
// Every problem is reported as one line  `FILE:LINE:COL: KEY.PATH: what was expected`  with
// ExitCode::usage; unknown keys are errors with a suggestion; duplicate keys are errors.
// The schema is documented in docs/config.md.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/Error.h"
#include "scenes/Environment.h"
#include "scenes/Mesh.h"
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

// Builds the mesh library for a spec: one Mesh per distinct primitive or (asset, options), and sets
// each ObjectSpec::mesh_index. Asset failures are Error(ExitCode::asset) naming the config location
// and the asset file. With `asset_root` set, every asset must lie inside it once symlinks and ".."
// are resolved (for configs from untrusted sources).
// --asset-root resolved (symlinks and ".." included); empty when none was given; ExitCode::usage when
// it is not a folder.
Result<std::filesystem::path> resolve_asset_root(const std::filesystem::path& asset_root);
// Error(ExitCode::asset) "WHERE: FILE is outside --asset-root ROOT" unless `file` lies inside `root`
// once symlinks and ".." are resolved; no check when `root` is empty.
Status check_inside_root(const std::filesystem::path& root, const std::filesystem::path& file, const std::string& where);

Result<std::vector<Mesh>> load_meshes(SceneSpec& spec, const std::filesystem::path& asset_root = {});

// Reads the spec's environment maps (none without an `environment:`), in config order; failures are
// Error(ExitCode::asset) naming the config location and the file. `asset_root` as for load_meshes.
Result<std::vector<EnvironmentMap>> load_environments(const SceneSpec& spec, const std::filesystem::path& asset_root = {});

}  // namespace synthlabel
