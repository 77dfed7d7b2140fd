#include "tests/support/PbrAsset.h"

#include <png.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>
// libjpeg's header needs size_t and FILE declared first.
#include <jpeglib.h>

namespace synthlabel::test {
namespace {

constexpr std::uint32_t k_side = 16;

void write_png(const std::filesystem::path& path, const std::vector<std::uint8_t>& rgba) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = image.height = k_side;
  image.format = PNG_FORMAT_RGBA;
  if (!png_image_write_to_file(&image, path.c_str(), 0, rgba.data(), 0, nullptr)) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

void write_jpeg(const std::filesystem::path& path, const std::vector<std::uint8_t>& rgb) {
  jpeg_compress_struct info{};
  jpeg_error_mgr err{};
  info.err = jpeg_std_error(&err);
  jpeg_create_compress(&info);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = info.image_height = k_side;
  info.input_components = 3;
  info.in_color_space = JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, 100, TRUE);
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = const_cast<std::uint8_t*>(rgb.data()) + std::size_t{info.next_scanline} * k_side * 3;
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(buffer), static_cast<std::streamsize>(size));
  std::free(buffer);
  jpeg_destroy_compress(&info);
}

std::vector<std::uint8_t> fill(std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  std::vector<std::uint8_t> px;
  for (std::uint32_t i = 0; i < k_side * k_side; ++i) px.insert(px.end(), {r, g, b, 255});
  return px;
}

std::string base64(const std::vector<std::uint8_t>& bytes) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t{bytes[i]} << 16) | (i + 1 < bytes.size() ? std::uint32_t{bytes[i + 1]} << 8 : 0) |
                            (i + 2 < bytes.size() ? bytes[i + 2] : 0);
    out += k[(n >> 18) & 63];
    out += k[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? k[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? k[n & 63] : '=';
  }
  return out;
}

template <class T>
void append(std::vector<std::uint8_t>& out, std::initializer_list<T> values) {
  for (T v : values) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    out.insert(out.end(), p, p + sizeof v);
  }
}

}  // namespace

std::filesystem::path write_pbr_gltf(const std::filesystem::path& dir, const PbrAssetOptions& o) {
  std::vector<std::uint8_t> base;
  for (std::uint32_t y = 0; y < k_side; ++y) {
    for (std::uint32_t x = 0; x < k_side; ++x) base.insert(base.end(), {std::uint8_t(x < k_side / 2 ? 255 : 0), 0, std::uint8_t(x < k_side / 2 ? 0 : 255), 255});
  }
  write_png(dir / "base.png", base);
  write_png(dir / "mr.png", fill(0, 128, 255));
  // (0.6, 0, 0.8) encoded: leaning towards +u.
  write_png(dir / "normal.png", o.tilted_normals ? fill(204, 128, 230) : fill(128, 128, 255));
  write_png(dir / "occlusion.png", fill(128, 128, 128));
  std::vector<std::uint8_t> grey(k_side * k_side * 3, 128);
  write_jpeg(dir / "emissive.jpg", grey);

  // Two quads: positions, normals, uvs (4 vertices each), then uint16 indices.
  std::vector<std::uint8_t> buf;
  for (float x0 : {-1.0f, 0.0f}) {
    append<float>(buf, {x0, 1, 0, x0 + 1, 1, 0, x0 + 1, 0, 0, x0, 0, 0});
  }
  const std::size_t normals_at = buf.size();
  for (int i = 0; i < 8; ++i) append<float>(buf, {0, 0, 1});
  const std::size_t uvs_at = buf.size();
  for (int q = 0; q < 2; ++q) append<float>(buf, {0, 0, 1, 0, 1, 1, 0, 1});
  const std::size_t indices_at = buf.size();
  append<std::uint16_t>(buf, {0, 3, 2, 0, 2, 1, 0, 3, 2, 0, 2, 1});  // each primitive indexes its own 4 vertices
  auto view = [](std::size_t offset, std::size_t length) {
    return "{\"buffer\": 0, \"byteOffset\": " + std::to_string(offset) + ", \"byteLength\": " + std::to_string(length) + "}";
  };
  auto num = [](float v) { return std::to_string(v); };
  std::string g = "{\"asset\": {\"version\": \"2.0\"},\n \"scene\": 0, \"scenes\": [{\"nodes\": [0]}], \"nodes\": [{\"mesh\": 0}],\n";
  g += " \"buffers\": [{\"byteLength\": " + std::to_string(buf.size()) +
       ", \"uri\": \"data:application/octet-stream;base64," + base64(buf) + "\"}],\n";
  g += " \"bufferViews\": [" + view(0, normals_at) + ", " + view(normals_at, uvs_at - normals_at) + ", " +
       view(uvs_at, indices_at - uvs_at) + ", " + view(indices_at, buf.size() - indices_at) + "],\n";
  g += " \"accessors\": [\n";
  for (int q = 0; q < 2; ++q) {
    const std::string off = std::to_string(q * 48), uvoff = std::to_string(q * 32), ioff = std::to_string(q * 12);
    g += "  {\"bufferView\": 0, \"byteOffset\": " + off + ", \"componentType\": 5126, \"count\": 4, \"type\": \"VEC3\", " +
         "\"min\": [" + (q ? "0" : "-1") + ", 0, 0], \"max\": [" + (q ? "1" : "0") + ", 1, 0]},\n";
    g += "  {\"bufferView\": 1, \"byteOffset\": " + off + ", \"componentType\": 5126, \"count\": 4, \"type\": \"VEC3\"},\n";
    g += "  {\"bufferView\": 2, \"byteOffset\": " + uvoff + ", \"componentType\": 5126, \"count\": 4, \"type\": \"VEC2\"},\n";
    g += "  {\"bufferView\": 3, \"byteOffset\": " + ioff + ", \"componentType\": 5123, \"count\": 6, \"type\": \"SCALAR\"}" +
         (q ? "\n" : ",\n");
  }
  g += " ],\n \"meshes\": [{\"primitives\": [\n";
  g += "  {\"attributes\": {\"POSITION\": 0, \"NORMAL\": 1, \"TEXCOORD_0\": 2}, \"indices\": 3, \"material\": 0},\n";
  g += "  {\"attributes\": {\"POSITION\": 4, \"NORMAL\": 5, \"TEXCOORD_0\": 6}, \"indices\": 7, \"material\": 1}]}],\n";
  g += " \"materials\": [\n";
  g += "  {\"name\": \"mapped\", \"pbrMetallicRoughness\": {\"baseColorTexture\": {\"index\": 0}, \"metallicRoughnessTexture\": "
       "{\"index\": 1}, \"metallicFactor\": " + num(o.metallic) + ", \"roughnessFactor\": " + num(o.roughness) +
       "}, \"normalTexture\": {\"index\": 2}, \"occlusionTexture\": {\"index\": 3}, \"emissiveTexture\": {\"index\": 4}, "
       "\"emissiveFactor\": [" + num(o.emissive.x) + ", " + num(o.emissive.y) + ", " + num(o.emissive.z) + "]},\n";
  g += "  {\"name\": \"plain\", \"pbrMetallicRoughness\": {\"baseColorFactor\": [0, 0.6, 0, 1], \"metallicFactor\": 0, "
       "\"roughnessFactor\": 0.8}}],\n";
  g += " \"textures\": [{\"source\": 0}, {\"source\": 1}, {\"source\": 2}, {\"source\": 3}, {\"source\": 4}],\n";
  g += " \"images\": [{\"uri\": \"base.png\"}, {\"uri\": \"mr.png\"}, {\"uri\": \"normal.png\"}, {\"uri\": \"occlusion.png\"}, "
       "{\"uri\": \"emissive.jpg\"}]\n}\n";
  const auto path = dir / "pbr.gltf";
  std::ofstream(path) << g;
  return path;
}

}  // namespace synthlabel::test
