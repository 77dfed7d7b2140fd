#include "scenes/AssetLoader.h"

#include <assimp/material.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>
#include <assimp/Importer.hpp>
#include <cmath>
#include <system_error>

#include <glm/geometric.hpp>

namespace synthlabel {
namespace {

Error asset_error(const std::filesystem::path& path, const std::string& what) {
  return make_error(ExitCode::asset, path.string() + ": " + what);
}

bool finite(const glm::vec3& v) { return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z); }

// OFF and PLY headers declare element counts that Assimp reserves memory for before reading; a hostile
// header (assimp-testmodels' invalid/OutOfMemory.off) makes it allocate for minutes. Every element
// takes at least one byte of the file, so a count above the file size cannot be genuine.
std::optional<std::string> implausible_counts(const std::filesystem::path& path, std::uintmax_t file_size) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext != ".off" && ext != ".ply") return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  auto too_many = [&](const std::string& what, const std::string& token) -> std::optional<std::string> {
    if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    if (token.size() > 19 || std::stoull(token) > file_size) {
      return "header declares " + token + " " + what + " but the file is only " + std::to_string(file_size) + " bytes";
    }
    return std::nullopt;
  };
  if (ext == ".ply") {
    for (int i = 0; i < 64 && std::getline(in, line); ++i) {
      std::istringstream ss(line);
      std::string kw, name, count;
      ss >> kw >> name >> count;
      if (kw == "end_header") break;
      if (kw == "element") {
        if (auto why = too_many(name + " elements", count)) return why;
      }
    }
    return std::nullopt;
  }
  // OFF: keyword (OFF, COFF, NOFF, ...), then "vertices faces edges", possibly on the keyword's line.
  std::vector<std::string> tokens;
  for (int i = 0; i < 16 && tokens.size() < 4 && std::getline(in, line); ++i) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream ss(line);
    for (std::string t; ss >> t && tokens.size() < 4;) tokens.push_back(t);
  }
  if (tokens.size() >= 3) {
    if (auto why = too_many("vertices", tokens[1])) return why;
    if (auto why = too_many("faces", tokens[2])) return why;
  }
  return std::nullopt;
}

}  // namespace

Result<Mesh> load_mesh_asset(const std::filesystem::path& path, const AssetOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return asset_error(path, "asset file not found");
  if (!std::filesystem::is_regular_file(path, ec)) return asset_error(path, "asset is not a regular file");
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return asset_error(path, "cannot read: " + ec.message());
  if (size == 0) return asset_error(path, "file is empty");
  if (auto why = implausible_counts(path, size)) return asset_error(path, *why);

  Assimp::Importer importer;
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
  if (scene == nullptr) {
    std::string why = importer.GetErrorString();
    if (why.empty()) why = "unknown Assimp error";
    return asset_error(path, "cannot load: " + why);
  }
  if ((scene->mFlags & AI_SCENE_FLAGS_INCOMPLETE) != 0 || scene->mNumMeshes == 0) {
    return asset_error(path, "file holds no mesh");
  }

  Mesh out;
  out.name = path.string();
  bool color_taken = false;
  for (unsigned mi = 0; mi < scene->mNumMeshes; ++mi) {
    const aiMesh* m = scene->mMeshes[mi];
    if (m == nullptr || (m->mPrimitiveTypes & aiPrimitiveType_TRIANGLE) == 0 || m->mVertices == nullptr) continue;
    const auto base = static_cast<std::uint32_t>(out.vertices.size());
    for (unsigned v = 0; v < m->mNumVertices; ++v) {
      Vertex vert;
      vert.position = {m->mVertices[v].x, m->mVertices[v].y, m->mVertices[v].z};
      if (m->mNormals != nullptr) vert.normal = {m->mNormals[v].x, m->mNormals[v].y, m->mNormals[v].z};
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
    if (!color_taken && scene->mMaterials != nullptr && m->mMaterialIndex < scene->mNumMaterials) {
      aiColor4D c;
      if (aiGetMaterialColor(scene->mMaterials[m->mMaterialIndex], AI_MATKEY_BASE_COLOR, &c) == AI_SUCCESS ||
          aiGetMaterialColor(scene->mMaterials[m->mMaterialIndex], AI_MATKEY_COLOR_DIFFUSE, &c) == AI_SUCCESS) {
        out.base_color = glm::clamp(glm::vec3(c.r, c.g, c.b), glm::vec3(0.0f), glm::vec3(1.0f));
        color_taken = true;
      }
    }
  }
  if (out.indices.empty()) return asset_error(path, "file holds no triangles");
  compute_bounds(out);
  if (options.normalize) {
    const glm::vec3 extent = out.bounds_max - out.bounds_min;
    const float side = std::max({extent.x, extent.y, extent.z});
    if (!(side > 0.0f)) return asset_error(path, "mesh has zero size, cannot normalize");
    const glm::vec3 centre = 0.5f * (out.bounds_min + out.bounds_max);
    for (auto& v : out.vertices) v.position = (v.position - centre) / side;
    compute_bounds(out);
  }
  return out;
}

}  // namespace synthlabel
