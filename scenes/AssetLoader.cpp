#include "scenes/AssetLoader.h"

#include <assimp/material.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <assimp/Importer.hpp>
#include <cmath>
#include <system_error>

#include <glm/geometric.hpp>

#include "core/FileIo.h"
#include "scenes/Texture.h"

namespace synthlabel {
namespace {

Error asset_error(const std::filesystem::path& path, const std::string& what) {
  return make_error(ExitCode::asset, path.string() + ": " + what);
}

bool finite(const glm::vec3& v) { return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z); }

}  // namespace

// The base-colour texture every triangle mesh of the file shares (glTF baseColorTexture, else the
// diffuse texture), embedded or in a file beside the asset. Only PNG is decoded; anything else (or a
// file that mixes textures) leaves the mesh untextured, with its base colour.
void read_base_color_texture(const aiScene& scene, const std::filesystem::path& path, Mesh& out) {
  std::string shared;
  bool first = true;
  for (unsigned mi = 0; mi < scene.mNumMeshes; ++mi) {
    const aiMesh* m = scene.mMeshes[mi];
    if (m == nullptr || (m->mPrimitiveTypes & aiPrimitiveType_TRIANGLE) == 0 || m->mVertices == nullptr) continue;
    std::string name;
    if (scene.mMaterials != nullptr && m->mMaterialIndex < scene.mNumMaterials && m->mTextureCoords[0] != nullptr) {
      aiString p;
      const aiMaterial* mat = scene.mMaterials[m->mMaterialIndex];
      if (mat->GetTexture(aiTextureType_BASE_COLOR, 0, &p) == AI_SUCCESS ||
          mat->GetTexture(aiTextureType_DIFFUSE, 0, &p) == AI_SUCCESS) {
        name = p.C_Str();
      }
    }
    if (first) shared = name;
    else if (name != shared) return;  // parts with different textures (or none): not supported yet
    first = false;
  }
  if (shared.empty()) return;
  std::vector<std::uint8_t> bytes;
  if (const aiTexture* t = scene.GetEmbeddedTexture(shared.c_str())) {
    if (t->mHeight != 0 || t->pcData == nullptr) return;  // raw texel arrays: rare, not read
    const auto* data = reinterpret_cast<const std::uint8_t*>(t->pcData);
    bytes.assign(data, data + t->mWidth);  // compressed image bytes
  } else {
    const auto file = (path.parent_path() / shared).lexically_normal();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec) || std::filesystem::file_size(file, ec) > (64u << 20)) return;
    auto text = read_text_file(file);
    if (!text) return;
    bytes.assign(text->begin(), text->end());
  }
  auto texture = decode_png(bytes, shared);
  if (!texture) return;
  out.texture_width = texture->width;
  out.texture_height = texture->height;
  out.texture_rgba = std::move(texture->rgba);
}

Result<Mesh> load_mesh_asset_in_process(const std::filesystem::path& path, const AssetOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return asset_error(path, "asset file not found");
  if (!std::filesystem::is_regular_file(path, ec)) return asset_error(path, "asset is not a regular file");
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return asset_error(path, "cannot read: " + ec.message());
  if (size == 0) return asset_error(path, "file is empty");

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
  bool color_taken = false;
  for (unsigned mi = 0; mi < scene->mNumMeshes; ++mi) {
    const aiMesh* m = scene->mMeshes[mi];
    if (m == nullptr || (m->mPrimitiveTypes & aiPrimitiveType_TRIANGLE) == 0 || m->mVertices == nullptr) continue;
    const auto base = static_cast<std::uint32_t>(out.vertices.size());
    for (unsigned v = 0; v < m->mNumVertices; ++v) {
      Vertex vert;
      vert.position = {m->mVertices[v].x, m->mVertices[v].y, m->mVertices[v].z};
      if (m->mNormals != nullptr) vert.normal = {m->mNormals[v].x, m->mNormals[v].y, m->mNormals[v].z};
      // Assimp's UV origin is the image's bottom-left (OpenGL); ours is the top-left (glTF, Vulkan).
      if (m->mTextureCoords[0] != nullptr) {
        vert.uv = {m->mTextureCoords[0][v].x, 1.0f - m->mTextureCoords[0][v].y};
        if (!std::isfinite(vert.uv.x) || !std::isfinite(vert.uv.y)) vert.uv = {0.0f, 0.0f};
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
  read_base_color_texture(*scene, path, out);
  if (options.z_up || options.unit_scale != 1.0) {
    const auto s = static_cast<float>(options.unit_scale);
    for (auto& v : out.vertices) {
      if (options.z_up) {  // (x, y, z) Z-up -> (x, z, -y) Y-up: a rotation, so normals turn alike
        v.position = {v.position.x, v.position.z, -v.position.y};
        v.normal = {v.normal.x, v.normal.z, -v.normal.y};
      }
      v.position *= s;
    }
  }
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

namespace synthlabel {
namespace {

// The child's answer on the pipe: 'E' + message, or 'M' + counts, colour, vertices, indices.
void write_all(int fd, const void* data, std::size_t size) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(3);
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

unsigned long cpu_seconds_for(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return k_asset_cpu_base_seconds + (ec ? 0 : k_asset_cpu_seconds_per_mib * (size >> 20));
}

[[noreturn]] void child_import(int fd, const std::filesystem::path& path, const AssetOptions& options) {
#if !defined(__SANITIZE_ADDRESS__)
  // (AddressSanitizer reserves terabytes of address space, so no address-space limit under it.)
  const rlimit mem{k_asset_memory_limit, k_asset_memory_limit};
  setrlimit(RLIMIT_AS, &mem);
#endif
  const rlimit cpu{cpu_seconds_for(path), cpu_seconds_for(path) + 5};
  setrlimit(RLIMIT_CPU, &cpu);
  auto r = load_mesh_asset_in_process(path, options);
  if (!r) {
    write_all(fd, "E", 1);
    write_all(fd, r.error().message.data(), r.error().message.size());
  } else {
    const std::uint64_t counts[2] = {r->vertices.size(), r->indices.size()};
    write_all(fd, "M", 1);
    write_all(fd, counts, sizeof counts);
    write_all(fd, &r->base_color, sizeof r->base_color);
    write_all(fd, r->vertices.data(), r->vertices.size() * sizeof(Vertex));
    write_all(fd, r->indices.data(), r->indices.size() * sizeof(std::uint32_t));
    const std::uint32_t size[2] = {r->texture_width, r->texture_height};
    write_all(fd, size, sizeof size);
    write_all(fd, r->texture_rgba.data(), r->texture_rgba.size());
  }
  ::close(fd);
  _exit(0);  // no destructors or atexit handlers of the parent's state
}

}  // namespace

Result<Mesh> load_mesh_asset(const std::filesystem::path& path, const AssetOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return asset_error(path, "asset file not found");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return asset_error(path, std::string("cannot start the importer: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return asset_error(path, std::string("cannot start the importer: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_import(fds[1], path, options);
  }
  ::close(fds[1]);
  std::string reply;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    if (sig == SIGXCPU || sig == SIGKILL) {
      return asset_error(path, "the importer used more than " + std::to_string(cpu_seconds_for(path)) +
                                   " s of CPU on this file and was stopped (an endless loop on malformed data?)");
    }
    return asset_error(path, std::string("the importer crashed on this file (signal ") + std::to_string(sig) + ", " +
                                 strsignal(sig) + "): the file is malformed");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || reply.empty()) {
    return asset_error(path, "the importer failed on this file (out of memory, or malformed)");
  }
  if (reply[0] == 'E') return make_error(ExitCode::asset, reply.substr(1));
  std::uint64_t counts[2] = {0, 0};
  Mesh mesh;
  mesh.name = path.string();
  const std::size_t head = 1 + sizeof counts + sizeof mesh.base_color;
  if (reply[0] != 'M' || reply.size() < head) return asset_error(path, "the importer's reply is damaged");
  std::memcpy(counts, reply.data() + 1, sizeof counts);
  std::memcpy(&mesh.base_color, reply.data() + 1 + sizeof counts, sizeof mesh.base_color);
  const std::size_t geometry = static_cast<std::size_t>(counts[0]) * sizeof(Vertex) + counts[1] * sizeof(std::uint32_t);
  std::uint32_t tex[2] = {0, 0};
  if (counts[0] > reply.size() / sizeof(Vertex) || counts[1] > reply.size() / sizeof(std::uint32_t) ||
      reply.size() < head + geometry + sizeof tex) {
    return asset_error(path, "the importer's reply is damaged");
  }
  std::memcpy(tex, reply.data() + head + geometry, sizeof tex);
  const std::size_t texels = std::size_t{tex[0]} * tex[1] * 4;
  if (tex[0] > 16384 || tex[1] > 16384 || reply.size() != head + geometry + sizeof tex + texels) {
    return asset_error(path, "the importer's reply is damaged");
  }
  mesh.vertices.resize(counts[0]);
  mesh.indices.resize(counts[1]);
  std::memcpy(mesh.vertices.data(), reply.data() + head, counts[0] * sizeof(Vertex));
  std::memcpy(mesh.indices.data(), reply.data() + head + counts[0] * sizeof(Vertex), counts[1] * sizeof(std::uint32_t));
  mesh.texture_width = tex[0];
  mesh.texture_height = tex[1];
  const auto* texel_bytes = reinterpret_cast<const std::uint8_t*>(reply.data() + head + geometry + sizeof tex);
  mesh.texture_rgba.assign(texel_bytes, texel_bytes + texels);
  compute_bounds(mesh);
  return mesh;
}

}  // namespace synthlabel
