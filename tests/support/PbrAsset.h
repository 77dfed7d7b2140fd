// A small glTF 2.0 asset written by the tests themselves, so material import can be checked against
// known texels: two unit quads side by side in the z = 0 plane, facing +Z, uv (0,0) at the top left
// of each.
// - Part 0 (x in [-1, 0]): material "mapped": base colour factor white x a PNG whose left half is red
//   and right half blue; metallic-roughness PNG (roughness 0.5 in green, metallic 1 in blue) with
//   factors 1; a normal-map PNG tilted towards +u (or flat); an occlusion PNG of 0.5; an emissive
//   map written as JPEG (mid grey) with emissiveFactor `emissive`.
// - Part 1 (x in [0, 1]): material "plain": base colour (0, 0.6, 0), roughness 0.8, metallic 0, no maps.
#pragma once

#include <filesystem>

#include <glm/vec3.hpp>

namespace synthlabel::test {

struct PbrAssetOptions {
  bool tilted_normals = true;       // the normal map leans towards +u (else it is flat: (0.5, 0.5, 1))
  glm::vec3 emissive{0.0f};         // emissiveFactor of the mapped material
  float metallic = 1.0f, roughness = 1.0f;  // factors of the mapped material
};

// Writes pbr.gltf and its images into `dir`; returns the .gltf path.
std::filesystem::path write_pbr_gltf(const std::filesystem::path& dir, const PbrAssetOptions& options = {});

}  // namespace synthlabel::test
