// Triangle meshes in the project's own types: what the Assimp loader and the procedural primitives
// produce and what the renderer uploads. Units are metres; +Y is up (glTF convention); triangles are
// counter-clockwise seen from outside, but the renderer draws both faces so open meshes still work.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <glm/mat4x4.hpp>
#include <glm/vec2.hpp>
#include <glm/vec3.hpp>

namespace synthlabel {

struct Vertex {
  glm::vec3 position{0.0f};
  glm::vec3 normal{0.0f, 1.0f, 0.0f};
  glm::vec2 uv{0.0f};  // texture coordinates: (0,0) the texture's top-left corner, (1,1) its bottom-right
  glm::vec3 color{1.0f};  // vertex colour (PLY, glTF COLOR_0), linear; multiplies the base colour
};

// A glTF 2.0 metallic-roughness material (docs/conventions.md, "Shading"). The *_map fields index
// Mesh::images while loading, and the uploaded textures after adopt_mesh_textures() (-1: none).
// Trivially copyable (it crosses the importer's pipe as bytes).
struct Material {
  glm::vec3 base_color{0.7f};  // linear; multiplies base_color_map
  float metallic = 0.0f;       // multiplies the metallic-roughness map's blue channel
  float roughness = 0.5f;      // multiplies its green channel
  glm::vec3 emissive{0.0f};    // linear radiance; multiplies emissive_map
  float normal_scale = 1.0f;   // scales the normal map's X and Y
  float occlusion_strength = 1.0f;
  std::int32_t base_color_map = -1, metallic_roughness_map = -1, normal_map = -1, occlusion_map = -1, emissive_map = -1;
};

// A run of triangles drawn with one material.
struct MeshPart {
  std::uint32_t first_index = 0, index_count = 0;
  std::uint32_t material = 0;  // index into Mesh::materials
};

// An image an asset brings (PNG or JPEG, decoded in the importer's sandbox): RGBA8, as stored (sRGB
// for colour maps, linear data for the others).
struct MeshImage {
  std::string name;
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> rgba;
};

struct Mesh {
  std::string name;                     // primitive name or asset path, for messages
  std::vector<Vertex> vertices;
  std::vector<std::uint32_t> indices;   // three per triangle
  glm::vec3 bounds_min{0.0f};
  glm::vec3 bounds_max{0.0f};
  glm::vec3 base_color{0.7f};           // the asset's own diffuse colour (used when the config sets none)
  // Assets: their materials, the parts that use them (covering all indices) and their images.
  // Primitives have none and are drawn with the instance's material alone.
  std::vector<Material> materials;
  std::vector<MeshPart> parts;
  std::vector<MeshImage> images;
  // The first material's base-colour map among the uploaded textures (-1: none), set by
  // adopt_mesh_textures(): what an instance with the config's own colour is textured with.
  std::int32_t texture = -1;
  // The model file's coordinates -> this mesh's (units, up axis and normalize, as the loader applied
  // them to the vertices); identity for primitives. Keypoints go through it.
  glm::dmat4 from_file{1.0};
};

// Recomputes bounds_min/bounds_max from the vertices.
void compute_bounds(Mesh& mesh);

}  // namespace synthlabel
