#include "scenes/SceneAssets.h"

#include <map>

#include "core/FileIo.h"
#include "scenes/AssetLoader.h"
#include "scenes/Primitives.h"

namespace synthlabel {

// --asset-root resolved (symlinks and ".." included); empty when none was given.
Result<std::filesystem::path> resolve_asset_root(const std::filesystem::path& asset_root) {
  if (asset_root.empty()) return std::filesystem::path();
  std::error_code ec;
  auto root = std::filesystem::weakly_canonical(asset_root, ec);
  if (ec || !std::filesystem::is_directory(root)) {
    return make_error(ExitCode::usage, "--asset-root '" + asset_root.string() + "' is not a folder");
  }
  return root;
}

// Fails when `file` lies outside `root` once symlinks and ".." are resolved (no check without a root).
Status check_inside_root(const std::filesystem::path& root, const std::filesystem::path& file, const std::string& where) {
  if (root.empty() || lies_inside(file, root)) return ok_status();
  return make_error(ExitCode::asset, where + ": " + file.string() + " is outside --asset-root " + root.string());
}

Result<MeshLibrary> load_meshes(const SceneSpec& spec, const std::filesystem::path& asset_root) {
  auto root_r = resolve_asset_root(asset_root);
  if (!root_r) return root_r.error();
  const std::filesystem::path root = *root_r;
  MeshLibrary lib;
  std::vector<Mesh>& meshes = lib.meshes;
  std::map<std::string, std::uint32_t> index;  // dedupe key -> mesh index
  auto add = [&](const ShapeSpec& shape) -> Result<ShapeMesh> {
    const AssetOptions options{shape.normalize, shape.unit_scale, shape.z_up, root};
    const std::string key = shape.primitive ? "primitive:" + std::string(primitive_name(*shape.primitive))
                                            : "asset:" + std::string(options.normalize ? "n:" : "r:") +
                                                  (options.z_up ? "z:" : "y:") + std::to_string(options.unit_scale) +
                                                  ":" + shape.asset.string();
    ShapeMesh out;
    if (auto it = index.find(key); it != index.end()) {
      out.mesh = it->second;
    } else {
      if (shape.primitive) {
        meshes.push_back(make_primitive(*shape.primitive));
      } else {
        SL_TRY_STATUS(check_inside_root(root, shape.asset, shape.where));
        auto mesh = load_mesh_asset(shape.asset, options);
        if (!mesh) return make_error(ExitCode::asset, shape.where + ": " + mesh.error().message);
        meshes.push_back(std::move(mesh).value());
      }
      out.mesh = static_cast<std::uint32_t>(meshes.size() - 1);
      index.emplace(key, out.mesh);
    }
    // Keypoints follow the vertices: the file's coordinates through units, up axis and normalize.
    const glm::dmat4& from_file = meshes[out.mesh].from_file;
    for (const glm::dvec3& p : shape.keypoints.points) out.keypoints.emplace_back(from_file * glm::dvec4(p, 1.0));
    return out;
  };
  for (const auto& o : spec.objects) {
    auto& shapes = lib.shapes.emplace_back();
    if (o.pool.empty()) {
      ShapeMesh s;
      SL_TRY_ASSIGN(s, add(o.shape));
      shapes.push_back(std::move(s));
    }
    for (const auto& e : o.pool) {
      ShapeMesh s;
      SL_TRY_ASSIGN(s, add(e.shape));
      shapes.push_back(std::move(s));
    }
  }
  return lib;
}

Result<std::vector<Texture>> load_textures(std::span<const std::filesystem::path> files, std::span<const std::string> where,
                                           const std::filesystem::path& asset_root) {
  auto root = resolve_asset_root(asset_root);
  if (!root) return root.error();
  std::vector<Texture> out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    SL_TRY_STATUS(check_inside_root(*root, files[i], where[i]));
    auto t = load_texture(files[i]);
    if (!t) return make_error(t.error().code, where[i] + ": " + t.error().message);
    out.push_back(std::move(t).value());
  }
  return out;
}

Result<SceneAssets> load_scene_assets(const SceneSpec& spec, const TextureFiles& textures, const std::filesystem::path& asset_root,
                                      const std::function<Status(const SceneAssets&)>& before_adopt) {
  SceneAssets assets;
  SL_TRY_ASSIGN(assets.meshes, load_meshes(spec, asset_root));
  SL_TRY_ASSIGN(assets.environments, load_environments(spec, asset_root));
  SL_TRY_ASSIGN(assets.textures, load_textures(textures.files, textures.where, asset_root));
  if (before_adopt) SL_TRY_STATUS(before_adopt(assets));
  SL_TRY_STATUS(adopt_mesh_textures(assets.meshes.meshes, assets.textures));
  return assets;
}

Result<std::vector<EnvironmentMap>> load_environments(const SceneSpec& spec, const std::filesystem::path& asset_root) {
  std::vector<EnvironmentMap> maps;
  if (!spec.environment) return maps;
  auto root = resolve_asset_root(asset_root);
  if (!root) return root.error();
  const EnvironmentSpec& env = *spec.environment;
  if (env.sky) maps.push_back(make_sky(*env.sky));
  for (std::size_t i = 0; i < env.maps.size(); ++i) {
    SL_TRY_STATUS(check_inside_root(*root, env.maps[i], env.where[i]));
    auto map = load_environment(env.maps[i]);
    if (!map) return make_error(ExitCode::asset, env.where[i] + ": " + map.error().message);
    maps.push_back(std::move(map).value());
  }
  return maps;
}

}  // namespace synthlabel
