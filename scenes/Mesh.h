// Triangle meshes in the project's own types: what the Assimp loader and the procedural primitives
// produce and what the renderer uploads. Units are metres; +Y is up (glTF convention); triangles are
// counter-clockwise seen from outside, but the renderer draws both faces so open meshes still work.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <glm/vec2.hpp>
#include <glm/vec3.hpp>

namespace synthlabel {

struct Vertex {
  glm::vec3 position{0.0f};
  glm::vec3 normal{0.0f, 1.0f, 0.0f};
  glm::vec2 uv{0.0f};  // texture coordinates: (0,0) the texture's top-left corner, (1,1) its bottom-right
};

struct Mesh {
  std::string name;                     // primitive name or asset path, for messages
  std::vector<Vertex> vertices;
  std::vector<std::uint32_t> indices;   // three per triangle
  glm::vec3 bounds_min{0.0f};
  glm::vec3 bounds_max{0.0f};
  glm::vec3 base_color{0.7f};           // the asset's own diffuse colour (used when the config sets none)
  // The asset's own base-colour texture (glTF baseColorTexture, else the diffuse texture), when every
  // part of the file uses the same one and it is a PNG: sRGB RGBA8, width x height. Decoded in the
  // importer's sandbox. `texture` is its index among the uploaded textures (-1: none), set by
  // adopt_mesh_textures().
  std::uint32_t texture_width = 0, texture_height = 0;
  std::vector<std::uint8_t> texture_rgba;
  std::int32_t texture = -1;
};

// Recomputes bounds_min/bounds_max from the vertices.
void compute_bounds(Mesh& mesh);

}  // namespace synthlabel
