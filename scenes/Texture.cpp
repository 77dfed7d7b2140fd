#include "scenes/Texture.h"

#include "core/Srgb.h"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstdlib>
// libjpeg's header needs size_t and FILE declared first.
#include <jpeglib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "core/FileIo.h"

namespace synthlabel {

Texture make_texture(std::string name, std::uint32_t width, std::uint32_t height, std::span<const std::uint8_t> rgba) {
  Texture t;
  t.name = std::move(name);
  t.width = t.height = k_texture_side;
  t.rgba.resize(std::size_t{k_texture_side} * k_texture_side * 4);
  // Box filter when shrinking, nearest when enlarging: each output texel averages the source texels
  // whose centres fall in its footprint (at least the one under its centre).
  for (std::uint32_t y = 0; y < k_texture_side; ++y) {
    const std::uint32_t y0 = y * height / k_texture_side;
    const std::uint32_t y1 = std::max(y0 + 1, (y + 1) * height / k_texture_side);
    for (std::uint32_t x = 0; x < k_texture_side; ++x) {
      const std::uint32_t x0 = x * width / k_texture_side;
      const std::uint32_t x1 = std::max(x0 + 1, (x + 1) * width / k_texture_side);
      std::uint32_t sum[4] = {0, 0, 0, 0};
      for (std::uint32_t sy = y0; sy < y1; ++sy) {
        for (std::uint32_t sx = x0; sx < x1; ++sx) {
          for (std::size_t c = 0; c < 4; ++c) sum[c] += rgba[(std::size_t{sy} * width + sx) * 4 + c];
        }
      }
      const std::uint32_t n = (y1 - y0) * (x1 - x0);
      for (std::size_t c = 0; c < 4; ++c) {
        t.rgba[(std::size_t{y} * k_texture_side + x) * 4 + c] = static_cast<std::uint8_t>((sum[c] + n / 2) / n);
      }
    }
  }
  return t;
}

Result<Texture> decode_png(std::span<const std::uint8_t> bytes, const std::string& what) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
    return make_error(ExitCode::asset, what + ": not a readable PNG image (" + image.message + ")");
  }
  if (image.width == 0 || image.height == 0 || image.width > 16384 || image.height > 16384) {
    png_image_free(&image);
    return make_error(ExitCode::asset,
                      what + ": unexpected size " + std::to_string(image.width) + "x" + std::to_string(image.height));
  }
  image.format = PNG_FORMAT_RGBA;
  Texture t;
  t.name = what;
  t.width = image.width;
  t.height = image.height;
  t.rgba.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, t.rgba.data(), 0, nullptr)) {
    const std::string why = image.message;
    png_image_free(&image);
    return make_error(ExitCode::asset, what + ": not a readable PNG image (" + why + ")");
  }
  return t;
}

namespace {

// libjpeg reports fatal errors through error_exit, which must not return: jump back out.
struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void jpeg_fail(j_common_ptr info) {
  auto* err = reinterpret_cast<JpegError*>(info->err);
  (*info->err->format_message)(info, err->message);
  std::longjmp(err->jump, 1);
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_jpeg_rgb(std::span<const std::uint8_t> rgba, std::uint32_t width, std::uint32_t height,
                                                  int quality) {
  jpeg_compress_struct info{};
  JpegError err{};
  info.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_fail;
  err.mgr.output_message = [](j_common_ptr) {};
  unsigned char* out = nullptr;
  unsigned long size = 0;
  if (setjmp(err.jump) != 0) {
    jpeg_destroy_compress(&info);
    std::free(out);
    return make_error(ExitCode::io, std::string("cannot encode JPEG: ") + err.message);
  }
  jpeg_create_compress(&info);
  jpeg_mem_dest(&info, &out, &size);
  info.image_width = width;
  info.image_height = height;
  info.input_components = 4;
  info.in_color_space = JCS_EXT_RGBA;  // libjpeg-turbo: RGBA8 in, alpha ignored
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, std::clamp(quality, 1, 100), TRUE);
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    auto* row = const_cast<JSAMPLE*>(rgba.data() + std::size_t{info.next_scanline} * width * 4);
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  std::vector<std::uint8_t> bytes(out, out + size);
  std::free(out);
  return bytes;
}

Result<Texture> decode_jpeg(std::span<const std::uint8_t> bytes, const std::string& what) {
  jpeg_decompress_struct info{};
  JpegError err{};
  info.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_fail;
  err.mgr.output_message = [](j_common_ptr) {};  // warnings: not printed
  Texture t;
  t.name = what;
  if (setjmp(err.jump) != 0) {  // (only trivially destructible locals live across the jump)
    jpeg_destroy_decompress(&info);
    return make_error(ExitCode::asset, what + ": not a readable JPEG image (" + err.message + ")");
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&info, TRUE);
  if (info.image_width == 0 || info.image_height == 0 || info.image_width > 16384 || info.image_height > 16384) {
    const std::string size = std::to_string(info.image_width) + "x" + std::to_string(info.image_height);
    jpeg_destroy_decompress(&info);
    return make_error(ExitCode::asset, what + ": unexpected size " + size);
  }
  info.out_color_space = JCS_EXT_RGBA;  // libjpeg-turbo: RGBA8 straight from the decoder, alpha 255
  jpeg_start_decompress(&info);
  t.width = info.output_width;
  t.height = info.output_height;
  t.rgba.resize(std::size_t{t.width} * t.height * 4);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = t.rgba.data() + std::size_t{info.output_scanline} * t.width * 4;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return t;
}

std::vector<std::uint8_t> texture_mip_levels(const Texture& t) {
  static_assert(k_texture_side == 1u << (k_texture_mip_levels - 1), "levels down to 1x1");
  // sRGB <-> linear for colour textures (alpha and data maps are averaged as stored).
  const std::array<double, 256>& to_linear = srgb8_to_linear();
  auto to_srgb = [](double l) { return static_cast<std::uint8_t>(std::clamp(std::lround(linear_to_srgb(l) * 255.0), 0L, 255L)); };
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> above(t.rgba);
  std::uint32_t side = t.width;
  while (side > 1) {
    const std::uint32_t half = side / 2;
    std::vector<std::uint8_t> level(std::size_t{half} * half * 4);
    for (std::uint32_t y = 0; y < half; ++y) {
      for (std::uint32_t x = 0; x < half; ++x) {
        for (std::size_t c = 0; c < 4; ++c) {
          const std::size_t p[4] = {(std::size_t{2 * y} * side + 2 * x) * 4 + c, (std::size_t{2 * y} * side + 2 * x + 1) * 4 + c,
                                    (std::size_t{2 * y + 1} * side + 2 * x) * 4 + c, (std::size_t{2 * y + 1} * side + 2 * x + 1) * 4 + c};
          std::uint8_t& dst = level[(std::size_t{y} * half + x) * 4 + c];
          if (t.data || c == 3) {
            dst = static_cast<std::uint8_t>((above[p[0]] + above[p[1]] + above[p[2]] + above[p[3]] + 2) / 4);
          } else {
            dst = to_srgb((to_linear[above[p[0]]] + to_linear[above[p[1]]] + to_linear[above[p[2]]] + to_linear[above[p[3]]]) / 4.0);
          }
        }
      }
    }
    out.insert(out.end(), level.begin(), level.end());
    above = std::move(level);
    side = half;
  }
  return out;
}

Result<Texture> decode_image(std::span<const std::uint8_t> bytes, const std::string& what) {
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) return decode_jpeg(bytes, what);
  return decode_png(bytes, what);
}

Status adopt_mesh_textures(std::span<Mesh> meshes, std::vector<Texture>& textures) {
  for (Mesh& m : meshes) {
    std::vector<std::int32_t> layer(m.images.size(), -1);
    for (std::size_t i = 0; i < m.images.size(); ++i) {
      if (textures.size() >= k_max_textures) {
        return make_error(ExitCode::usage, "more than " + std::to_string(k_max_textures) + " textures in all");
      }
      layer[i] = static_cast<std::int32_t>(textures.size());
      const MeshImage& img = m.images[i];
      textures.push_back(make_texture(m.name + ":" + img.name, img.width, img.height, img.rgba));
    }
    auto remap = [&](std::int32_t& map) {
      if (map >= 0) map = static_cast<std::size_t>(map) < layer.size() ? layer[static_cast<std::size_t>(map)] : -1;
    };
    for (Material& mat : m.materials) {
      remap(mat.base_color_map);
      remap(mat.metallic_roughness_map);
      remap(mat.normal_map);
      remap(mat.occlusion_map);
      remap(mat.emissive_map);
      for (std::int32_t map : {mat.metallic_roughness_map, mat.normal_map, mat.occlusion_map}) {
        if (map >= 0) textures[static_cast<std::size_t>(map)].data = true;
      }
    }
    m.images.clear();
    m.images.shrink_to_fit();
    m.texture = m.parts.empty() ? -1 : m.materials[m.parts.front().material].base_color_map;
  }
  return ok_status();
}

Result<Texture> load_texture(const std::filesystem::path& path) {
  auto fail = [&](const std::string& what) { return make_error(ExitCode::asset, path.string() + ": " + what); };
  auto bytes = read_bounded_file(path, k_max_texture_bytes, "texture");
  if (!bytes) return fail(bytes.error().message);
  auto t = decode_png({reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()}, path.string());
  if (!t) return t.error();
  return make_texture(path.filename().string(), t->width, t->height, t->rgba);
}

Result<std::vector<std::filesystem::path>> list_textures(const std::filesystem::path& folder) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    return make_error(ExitCode::asset, folder.string() + ": texture folder not found (or not a folder)");
  }
  std::vector<std::filesystem::path> out;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    std::string ext = it->path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".png" && it->is_regular_file()) out.push_back(it->path());
  }
  if (ec) return make_error(ExitCode::asset, folder.string() + ": cannot list: " + ec.message());
  std::sort(out.begin(), out.end());
  if (out.empty()) return make_error(ExitCode::asset, folder.string() + ": no .png files in the texture folder");
  if (out.size() > k_max_textures) {
    return make_error(ExitCode::asset, folder.string() + ": more than " + std::to_string(k_max_textures) + " textures");
  }
  return out;
}

}  // namespace synthlabel
