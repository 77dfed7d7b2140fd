// Colour textures for texture swaps: PNG files (8-bit sRGB), read with libpng and resampled to one
// size so the renderer holds them in one array. Texture coordinates: (0,0) is the image's top-left
// corner, (1,1) its bottom-right, repeating outside (Mesh.h, docs/conventions.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/Error.h"
#include "scenes/Mesh.h"

namespace synthlabel {

struct Texture {
  std::string name;  // file name, for records
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> rgba;  // sRGB-encoded RGBA8, row-major, top row first
  // Linear data rather than colour (a model's metallic-roughness, normal or occlusion map): its mip
  // levels average the stored values; a colour texture's average in linear light.
  bool data = false;
};

inline constexpr std::uint32_t k_texture_side = 512;  // as uploaded
inline constexpr std::size_t k_max_textures = 256;
inline constexpr std::uint64_t k_max_texture_bytes = 64ull << 20;

// Reads a PNG (any bit depth and colour type libpng reads; alpha ignored), resampled to
// k_texture_side squared. Errors are ExitCode::asset naming the file.
Result<Texture> load_texture(const std::filesystem::path& path);

// The mip chain below level 0 of a k_texture_side square texture: levels 1 .. log2(side), each a 2x2
// box filter of the one above (in linear light for colour, as stored for data), concatenated.
std::vector<std::uint8_t> texture_mip_levels(const Texture& t);
inline constexpr std::uint32_t k_texture_mip_levels = 10;  // 512 .. 1

// From pixels in memory (tests): `rgba` is width x height sRGB RGBA8.
Texture make_texture(std::string name, std::uint32_t width, std::uint32_t height, std::span<const std::uint8_t> rgba);

// Decodes PNG bytes to sRGB RGBA8 (any bit depth and colour type); `what` names the source in errors.
Result<Texture> decode_png(std::span<const std::uint8_t> bytes, const std::string& what);

// Encodes RGBA8 (alpha dropped) as a baseline JPEG (libjpeg-turbo, its default 4:2:0 chroma, quality
// 1..100); the same pixels and quality give the same bytes.
Result<std::vector<std::uint8_t>> encode_jpeg_rgb(std::span<const std::uint8_t> rgba, std::uint32_t width, std::uint32_t height,
                                                  int quality);

// Decodes JPEG bytes (libjpeg-turbo) to RGBA8, alpha 255.
Result<Texture> decode_jpeg(std::span<const std::uint8_t> bytes, const std::string& what);

// PNG or JPEG, by the file's signature.
Result<Texture> decode_image(std::span<const std::uint8_t> bytes, const std::string& what);

// Appends every image the meshes brought to `textures` (resampled) and points their materials' maps
// at them; frees the meshes' copies.
Status adopt_mesh_textures(std::span<Mesh> meshes, std::vector<Texture>& textures);

// The .png files directly in `folder`, sorted by name (so indices do not depend on the file system).
Result<std::vector<std::filesystem::path>> list_textures(const std::filesystem::path& folder);

}  // namespace synthlabel
