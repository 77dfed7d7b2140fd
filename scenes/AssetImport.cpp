// Assimp, in this process: a model file -> the project's Mesh (vertices, materials, parts, the
// images it references, decoded), with file access confined to the model's folder or --asset-root.
// load_mesh_asset (AssetLoader.cpp) runs this in a sandboxed child process.
#include "scenes/AssetLoader.h"

#include <assimp/DefaultIOSystem.h>
#include <assimp/GltfMaterial.h>
#include <assimp/material.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>


#include <algorithm>
#include <map>
#include <string_view>
#include <type_traits>
#include <cstring>
#include <assimp/Importer.hpp>
#include <cmath>
#include <system_error>

#include <glm/geometric.hpp>

#include "core/FileIo.h"
#include "scenes/Texture.h"

namespace synthlabel {
Error asset_error(const std::filesystem::path& path, const std::string& what) {
  return make_error(ExitCode::asset, path.string() + ": " + what);
}

namespace {

// Why a file the model refers to may not be opened ("" when it may): outside `root`, or not a regular file.
std::string refusal(const std::filesystem::path& file, const std::filesystem::path& root) {
  if (!root.empty() && !lies_inside(file, root)) {
    return "it refers to '" + file.string() + "', which is outside --asset-root " + root.string();
  }
  std::error_code ec;
  const auto st = std::filesystem::status(file, ec);
  if (std::filesystem::exists(st) && !std::filesystem::is_regular_file(st)) {
    return "it refers to '" + file.string() + "', which is not a regular file";
  }
  return {};
}

// Assimp's file access, confined: every file a model refers to goes through refusal() first. The
// first refusal is kept for the error message (the import then fails, or goes on without the file).
class ConfinedIOSystem : public Assimp::DefaultIOSystem {
 public:
  explicit ConfinedIOSystem(std::filesystem::path root) : m_root(std::move(root)) {}
  bool Exists(const char* file) const override { return refusal(file, m_root).empty() && DefaultIOSystem::Exists(file); }
  Assimp::IOStream* Open(const char* file, const char* mode) override {
    const std::string_view m(mode ? mode : "rb");
    std::string why = m.find_first_of("wa+") != std::string_view::npos ? "it asks to write '" + std::string(file) + "'"
                                                                        : refusal(file, m_root);
    if (!why.empty()) {
      if (m_refused.empty()) m_refused = std::move(why);
      return nullptr;
    }
    return DefaultIOSystem::Open(file, mode);
  }
  const std::string& refused() const { return m_refused; }
  void refuse(std::string why) {
    if (m_refused.empty()) m_refused = std::move(why);
  }

 private:
  std::filesystem::path m_root;
  std::string m_refused;
};

bool finite(const glm::vec3& v) { return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z); }

}  // namespace

namespace {

// Reads the image a material names: embedded ("*N" or a name Assimp resolves) or a file beside the
// asset, PNG or JPEG. Returns its index in out.images (shared by every material that names it), -1
// when there is none or it cannot be read (the material then goes without that map).
std::int32_t read_image(const aiScene& scene, const std::filesystem::path& path, const std::string& name, Mesh& out,
                        ConfinedIOSystem& io, const std::filesystem::path& root) {
  if (name.empty()) return -1;
  for (std::size_t i = 0; i < out.images.size(); ++i) {
    if (out.images[i].name == name) return static_cast<std::int32_t>(i);
  }
  if (out.images.size() >= k_max_asset_images) return -1;
  std::vector<std::uint8_t> bytes;
  if (const aiTexture* t = scene.GetEmbeddedTexture(name.c_str())) {
    if (t->mHeight != 0 || t->pcData == nullptr) return -1;  // raw texel arrays: rare, not read
    const auto* data = reinterpret_cast<const std::uint8_t*>(t->pcData);
    bytes.assign(data, data + t->mWidth);  // compressed image bytes
  } else {
    const auto file = (path.parent_path() / name).lexically_normal();
    if (std::string why = refusal(file, root); !why.empty()) {
      io.refuse(std::move(why));
      return -1;
    }
    auto text = read_bounded_file(file, k_max_texture_bytes, "image");
    if (!text) return -1;
    bytes.assign(text->begin(), text->end());
  }
  auto image = decode_image(bytes, name);
  if (!image) return -1;
  out.images.push_back({name, image->width, image->height, std::move(image->rgba)});
  return static_cast<std::int32_t>(out.images.size() - 1);
}

std::string texture_name(const aiMaterial& mat, std::initializer_list<aiTextureType> types) {
  for (aiTextureType t : types) {
    aiString p;
    if (mat.GetTexture(t, 0, &p) == AI_SUCCESS && p.length > 0) return p.C_Str();
  }
  return {};
}

// Our material from Assimp's: glTF 2.0 metallic-roughness keys, or the classic diffuse ones.
Material read_material(const aiScene& scene, const aiMaterial& mat, const std::filesystem::path& path, Mesh& out,
                       ConfinedIOSystem& io, const std::filesystem::path& root) {
  Material m;
  aiColor4D c;
  if (aiGetMaterialColor(&mat, AI_MATKEY_BASE_COLOR, &c) == AI_SUCCESS ||
      aiGetMaterialColor(&mat, AI_MATKEY_COLOR_DIFFUSE, &c) == AI_SUCCESS) {
    m.base_color = glm::clamp(glm::vec3(c.r, c.g, c.b), glm::vec3(0.0f), glm::vec3(1.0f));
  }
  float f = 0.0f;
  if (aiGetMaterialFloat(&mat, AI_MATKEY_METALLIC_FACTOR, &f) == AI_SUCCESS && std::isfinite(f)) m.metallic = std::clamp(f, 0.0f, 1.0f);
  if (aiGetMaterialFloat(&mat, AI_MATKEY_ROUGHNESS_FACTOR, &f) == AI_SUCCESS && std::isfinite(f)) m.roughness = std::clamp(f, 0.0f, 1.0f);
  if (aiGetMaterialColor(&mat, AI_MATKEY_COLOR_EMISSIVE, &c) == AI_SUCCESS) {
    m.emissive = glm::clamp(glm::vec3(c.r, c.g, c.b), glm::vec3(0.0f), glm::vec3(1000.0f));
  }
  ai_real scale = 1;
  if (aiGetMaterialFloat(&mat, AI_MATKEY_GLTF_TEXTURE_SCALE(aiTextureType_NORMALS, 0), &scale) == AI_SUCCESS && std::isfinite(scale)) {
    m.normal_scale = std::clamp(static_cast<float>(scale), -10.0f, 10.0f);
  }
  ai_real strength = 1;
  if (aiGetMaterialFloat(&mat, AI_MATKEY_GLTF_TEXTURE_STRENGTH(aiTextureType_LIGHTMAP, 0), &strength) == AI_SUCCESS &&
      std::isfinite(strength)) {
    m.occlusion_strength = std::clamp(static_cast<float>(strength), 0.0f, 1.0f);
  }
  m.base_color_map = read_image(scene, path, texture_name(mat, {aiTextureType_BASE_COLOR, aiTextureType_DIFFUSE}), out, io, root);
  // glTF's metallicRoughnessTexture (Assimp 5.2 files it as UNKNOWN; later versions as METALNESS).
  m.metallic_roughness_map =
      read_image(scene, path, texture_name(mat, {aiTextureType_UNKNOWN, aiTextureType_METALNESS, aiTextureType_DIFFUSE_ROUGHNESS}), out, io, root);
  m.normal_map = read_image(scene, path, texture_name(mat, {aiTextureType_NORMALS}), out, io, root);
  m.occlusion_map = read_image(scene, path, texture_name(mat, {aiTextureType_LIGHTMAP, aiTextureType_AMBIENT_OCCLUSION}), out, io, root);
  m.emissive_map = read_image(scene, path, texture_name(mat, {aiTextureType_EMISSIVE}), out, io, root);
  if (m.emissive_map >= 0 && m.emissive == glm::vec3(0.0f)) m.emissive_map = -1;  // glTF: factor 0 means none
  return m;
}

}  // namespace

Result<Mesh> load_mesh_asset_in_process(const std::filesystem::path& path, const AssetOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return asset_error(path, "asset file not found");
  if (!std::filesystem::is_regular_file(path, ec)) return asset_error(path, "asset is not a regular file");
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return asset_error(path, "cannot read: " + ec.message());
  if (size == 0) return asset_error(path, "file is empty");
  if (std::string why = refusal(path, options.root); !why.empty()) return asset_error(path, why);

  Assimp::Importer importer;
  auto* io = new ConfinedIOSystem(options.root);  // owned by the importer
  importer.SetIOHandler(io);
  // Drop points and lines (SortByPType + this flag) so only triangles reach us.
  importer.SetPropertyInteger(AI_CONFIG_PP_SBP_REMOVE, aiPrimitiveType_POINT | aiPrimitiveType_LINE);
  const unsigned flags = aiProcess_Triangulate | aiProcess_JoinIdenticalVertices | aiProcess_GenSmoothNormals |
                         aiProcess_PreTransformVertices | aiProcess_SortByPType | aiProcess_ValidateDataStructure |
                         aiProcess_FindInvalidData;
  const aiScene* scene = nullptr;
  try {
    scene = importer.ReadFile(path.string(), flags);
  } catch (const std::exception& e) {
    return asset_error(path, std::string("cannot load: ") + e.what());
  }
  if (!io->refused().empty()) return asset_error(path, "cannot load: " + io->refused());
  if (scene == nullptr) {
    std::string why = importer.GetErrorString();
    if (why.empty()) why = "unknown Assimp error";
    if (why.find("bad_alloc") != std::string::npos) {
      why = "the importer ran out of memory (limit " + std::to_string(k_asset_memory_limit >> 30) +
            " GiB): the file is malformed or declares absurd sizes";
    }
    return asset_error(path, "cannot load: " + why);
  }
  if ((scene->mFlags & AI_SCENE_FLAGS_INCOMPLETE) != 0 || scene->mNumMeshes == 0) {
    return asset_error(path, "file holds no mesh");
  }

  Mesh out;
  out.name = path.string();
  std::map<unsigned, std::uint32_t> material_of;  // Assimp's material index -> ours
  for (unsigned mi = 0; mi < scene->mNumMeshes; ++mi) {
    const aiMesh* m = scene->mMeshes[mi];
    if (m == nullptr || (m->mPrimitiveTypes & aiPrimitiveType_TRIANGLE) == 0 || m->mVertices == nullptr) continue;
    const auto base = static_cast<std::uint32_t>(out.vertices.size());
    const std::size_t part_start = out.indices.size();
    for (unsigned v = 0; v < m->mNumVertices; ++v) {
      Vertex vert;
      vert.position = {m->mVertices[v].x, m->mVertices[v].y, m->mVertices[v].z};
      if (m->mNormals != nullptr) vert.normal = {m->mNormals[v].x, m->mNormals[v].y, m->mNormals[v].z};
      // Assimp's UV origin is the image's bottom-left (OpenGL); ours is the top-left (glTF, Vulkan).
      if (m->mTextureCoords[0] != nullptr) {
        vert.uv = {m->mTextureCoords[0][v].x, 1.0f - m->mTextureCoords[0][v].y};
        if (!std::isfinite(vert.uv.x) || !std::isfinite(vert.uv.y)) vert.uv = {0.0f, 0.0f};
      }
      if (m->mColors[0] != nullptr) {
        const aiColor4D& c = m->mColors[0][v];
        vert.color = glm::vec3(c.r, c.g, c.b);
        vert.color = finite(vert.color) ? glm::clamp(vert.color, glm::vec3(0.0f), glm::vec3(1.0f)) : glm::vec3(1.0f);
      }
      if (!finite(vert.position)) return asset_error(path, "vertex " + std::to_string(v) + " is not finite");
      if (!finite(vert.normal) || glm::length(vert.normal) < 1e-12f) vert.normal = {0.0f, 1.0f, 0.0f};
      out.vertices.push_back(vert);
    }
    for (unsigned f = 0; f < m->mNumFaces; ++f) {
      const aiFace& face = m->mFaces[f];
      if (face.mNumIndices != 3) continue;
      for (unsigned k = 0; k < 3; ++k) {
        if (face.mIndices[k] >= m->mNumVertices) {
          return asset_error(path, "face " + std::to_string(f) + " refers to a missing vertex");
        }
        out.indices.push_back(base + face.mIndices[k]);
      }
    }
    // One part per Assimp mesh (PreTransformVertices merges meshes that share a material).
    std::uint32_t material = 0;
    if (scene->mMaterials != nullptr && m->mMaterialIndex < scene->mNumMaterials) {
      auto [it, added] = material_of.try_emplace(m->mMaterialIndex, static_cast<std::uint32_t>(out.materials.size()));
      if (added) out.materials.push_back(read_material(*scene, *scene->mMaterials[m->mMaterialIndex], path, out, *io, options.root));
      material = it->second;
    } else {
      if (out.materials.empty()) out.materials.push_back(Material{});
    }
    const auto first = static_cast<std::uint32_t>(part_start);
    const auto count = static_cast<std::uint32_t>(out.indices.size() - part_start);
    if (count > 0) out.parts.push_back({first, count, material});
  }
  if (!io->refused().empty()) return asset_error(path, "cannot load: " + io->refused());
  if (out.indices.empty()) return asset_error(path, "file holds no triangles");
  if (!out.materials.empty()) out.base_color = out.materials[out.parts.empty() ? 0 : out.parts.front().material].base_color;
  if (options.z_up || options.unit_scale != 1.0) {
    const auto s = static_cast<float>(options.unit_scale);
    for (auto& v : out.vertices) {
      if (options.z_up) {  // (x, y, z) Z-up -> (x, z, -y) Y-up: a rotation, so normals turn alike
        v.position = {v.position.x, v.position.z, -v.position.y};
        v.normal = {v.normal.x, v.normal.z, -v.normal.y};
      }
      v.position *= s;
    }
    const double us = options.unit_scale;
    out.from_file = options.z_up ? glm::dmat4(us, 0, 0, 0, 0, 0, -us, 0, 0, us, 0, 0, 0, 0, 0, 1)  // columns: x->x, y->-z, z->y
                                 : glm::dmat4(us, 0, 0, 0, 0, us, 0, 0, 0, 0, us, 0, 0, 0, 0, 1);
  }
  compute_bounds(out);
  if (options.normalize) {
    const glm::vec3 extent = out.bounds_max - out.bounds_min;
    const float side = std::max({extent.x, extent.y, extent.z});
    if (!(side > 0.0f)) return asset_error(path, "mesh has zero size, cannot normalize");
    const glm::vec3 centre = 0.5f * (out.bounds_min + out.bounds_max);
    for (auto& v : out.vertices) v.position = (v.position - centre) / side;
    compute_bounds(out);
    glm::dmat4 fit(1.0 / double(side));
    fit[3] = glm::dvec4(-glm::dvec3(centre) / double(side), 1.0);
    out.from_file = fit * out.from_file;
  }
  return out;
}

}  // namespace synthlabel
