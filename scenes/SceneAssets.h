// What a run loads once from a validated spec, and the renderer uploads once: the mesh library
// (one Mesh per distinct primitive or (asset file, import options), and which mesh each of the
// spec's shapes uses, with its keypoints in mesh space), the environment maps, and the textures
// (the randomizers' texture files, then the images assets bring). The spec is only read: what
// loading learns lives here, not in the spec. Asset failures are Error(ExitCode::asset) naming the
// config location and the file. With `asset_root` set (--asset-root), every file must lie inside it
// once symlinks and ".." are resolved (for configs from untrusted sources).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <glm/vec3.hpp>

#include "core/Error.h"
#include "scenes/Environment.h"
#include "scenes/Mesh.h"
#include "scenes/SceneSpec.h"
#include "scenes/Texture.h"

namespace synthlabel {

// A shape of the spec as loaded: its mesh in the library and its keypoints (KeypointsSpec::points
// through the file's units, up axis and normalize).
struct ShapeMesh {
  std::uint32_t mesh = 0;
  std::vector<glm::dvec3> keypoints;
};

struct MeshLibrary {
  std::vector<Mesh> meshes;
  // Per object of the spec: its shape (one entry), or each entry of its pool in order.
  std::vector<std::vector<ShapeMesh>> shapes;

  const ShapeMesh& shape(std::size_t object, std::size_t entry = 0) const { return shapes.at(object).at(entry); }
  std::size_t size() const { return meshes.size(); }
  const Mesh& operator[](std::size_t i) const { return meshes[i]; }
  operator std::span<const Mesh>() const { return meshes; }  // NOLINT: the library is its meshes
};

struct SceneAssets {
  MeshLibrary meshes;
  std::vector<EnvironmentMap> environments;  // Scene::environment.map refers into them
  std::vector<Texture> textures;             // Instance::texture refers into them
};

// The randomizers' texture files (RandomizerPipeline::textures) and where the config names each.
struct TextureFiles {
  std::span<const std::filesystem::path> files = {};
  std::span<const std::string> where = {};
};

// Meshes, environment maps and textures, then the assets' own images adopted as textures
// (adopt_mesh_textures); `before_adopt`, when given, sees the assets just before that (the meshes
// still hold their images: what input hashes are taken from).
Result<SceneAssets> load_scene_assets(const SceneSpec& spec, const TextureFiles& textures,
                                      const std::filesystem::path& asset_root = {},
                                      const std::function<Status(const SceneAssets&)>& before_adopt = {});

// The parts, for tests and tools that need only one.
Result<MeshLibrary> load_meshes(const SceneSpec& spec, const std::filesystem::path& asset_root = {});
Result<std::vector<EnvironmentMap>> load_environments(const SceneSpec& spec, const std::filesystem::path& asset_root = {});
Result<std::vector<Texture>> load_textures(std::span<const std::filesystem::path> files, std::span<const std::string> where,
                                           const std::filesystem::path& asset_root = {});

// --asset-root resolved (symlinks and ".." included); empty when none was given; ExitCode::usage when
// it is not a folder.
Result<std::filesystem::path> resolve_asset_root(const std::filesystem::path& asset_root);
// Error(ExitCode::asset) "WHERE: FILE is outside --asset-root ROOT" unless `file` lies inside `root`
// once symlinks and ".." are resolved; no check when `root` is empty.
Status check_inside_root(const std::filesystem::path& root, const std::filesystem::path& file, const std::string& where);

}  // namespace synthlabel
