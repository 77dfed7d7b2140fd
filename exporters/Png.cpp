#include "exporters/Png.h"

#include <png.h>

#include <algorithm>
#include <array>

#include <csetjmp>
#include <cstdio>

#include <string>

namespace synthlabel {
namespace {

struct Sink {
  std::vector<std::uint8_t>* out;
  std::string error;
};

void on_write(png_structp png, png_bytep data, png_size_t size) {
  auto* sink = static_cast<Sink*>(png_get_io_ptr(png));
  sink->out->insert(sink->out->end(), data, data + size);
}
void on_flush(png_structp) {}
void on_error(png_structp png, png_const_charp msg) {
  auto* sink = static_cast<Sink*>(png_get_error_ptr(png));
  sink->error = msg ? msg : "libpng error";
  png_longjmp(png, 1);
}
void on_warning(png_structp, png_const_charp) {}

// Rows come from `row(y)`; `channels` 1 or 3, `depth` 8 or 16. When `rgba_in` is set, rows are RGBA8
// and libpng strips the filler byte.
template <class RowFn>
Result<std::vector<std::uint8_t>> encode(std::uint32_t width, std::uint32_t height, int color_type, int depth,
                                         bool rgba_in, const PngOptions& options, RowFn row,
                                         std::span<const std::array<std::uint8_t, 3>> palette = {}) {
  std::vector<std::uint8_t> out;
  out.reserve(std::size_t{width} * height / 2);
  Sink sink{&out, {}};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, on_error, on_warning);
  if (!png) return make_error(ExitCode::internal, "png_create_write_struct failed");
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    return make_error(ExitCode::internal, "png_create_info_struct failed");
  }
  // libpng reports errors by longjmp: nothing with a destructor may live between here and the end.
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return make_error(ExitCode::internal, "PNG encoding failed: " + sink.error);
  }
  png_set_write_fn(png, &sink, on_write, on_flush);
  png_set_compression_level(png, options.zlib_level);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, options.filter_sub ? PNG_FILTER_SUB : PNG_FILTER_NONE);
  png_set_IHDR(png, info, width, height, depth, color_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (!palette.empty()) {
    png_color colours[256];
    const int n = static_cast<int>(std::min<std::size_t>(palette.size(), 256));
    for (int i = 0; i < n; ++i) colours[i] = {palette[static_cast<std::size_t>(i)][0], palette[static_cast<std::size_t>(i)][1], palette[static_cast<std::size_t>(i)][2]};
    png_set_PLTE(png, info, colours, n);
  }
  png_write_info(png, info);
  if (rgba_in) png_set_filler(png, 0, PNG_FILLER_AFTER);
  if (depth == 16) png_set_swap(png);  // host little-endian -> PNG big-endian
  for (std::uint32_t y = 0; y < height; ++y) png_write_row(png, row(y));
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_png_rgb_from_rgba(std::span<const std::uint8_t> rgba, std::uint32_t width,
                                                           std::uint32_t height, const PngOptions& options) {
  return encode(width, height, PNG_COLOR_TYPE_RGB, 8, true, options, [&](std::uint32_t y) {
    return const_cast<png_bytep>(rgba.data() + std::size_t{y} * width * 4);
  });
}

Result<std::vector<std::uint8_t>> encode_png_gray8(std::span<const std::uint8_t> pixels, std::uint32_t width,
                                                   std::uint32_t height, const PngOptions& options) {
  return encode(width, height, PNG_COLOR_TYPE_GRAY, 8, false, options, [&](std::uint32_t y) {
    return const_cast<png_bytep>(pixels.data() + std::size_t{y} * width);
  });
}

Result<std::vector<std::uint8_t>> encode_png_gray16(std::span<const std::uint16_t> pixels, std::uint32_t width,
                                                    std::uint32_t height, const PngOptions& options) {
  return encode(width, height, PNG_COLOR_TYPE_GRAY, 16, false, options, [&](std::uint32_t y) {
    return reinterpret_cast<png_bytep>(const_cast<std::uint16_t*>(pixels.data() + std::size_t{y} * width));
  });
}

Result<std::vector<std::uint8_t>> encode_png_rgb16(std::span<const std::uint16_t> pixels, std::uint32_t width,
                                                   std::uint32_t height, const PngOptions& options) {
  return encode(width, height, PNG_COLOR_TYPE_RGB, 16, false, options, [&](std::uint32_t y) {
    return reinterpret_cast<png_bytep>(const_cast<std::uint16_t*>(pixels.data() + std::size_t{y} * width * 3));
  });
}

Result<std::vector<std::uint8_t>> encode_png_palette8(std::span<const std::uint8_t> pixels, std::uint32_t width,
                                                      std::uint32_t height, std::span<const std::array<std::uint8_t, 3>> palette,
                                                      const PngOptions& options) {
  return encode(
      width, height, PNG_COLOR_TYPE_PALETTE, 8, false, options,
      [&](std::uint32_t y) { return const_cast<png_bytep>(pixels.data() + std::size_t{y} * width); }, palette);
}

Result<PngData> read_png(const std::filesystem::path& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return make_error(ExitCode::io, path.string() + ": cannot open");
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (png == nullptr || info == nullptr) {
    png_destroy_read_struct(&png, &info, nullptr);
    std::fclose(f);
    return make_error(ExitCode::internal, "libpng: out of memory");
  }
  PngData out;
  std::vector<std::uint8_t> row;  // (declared before setjmp: a longjmp must not skip destructors)
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    std::fclose(f);
    return make_error(ExitCode::asset, path.string() + ": not a readable PNG image");
  }
  png_set_error_fn(png, nullptr, [](png_structp p, png_const_charp) { png_longjmp(p, 1); }, [](png_structp, png_const_charp) {});
  png_init_io(png, f);
  png_read_info(png, info);
  if (png_get_color_type(png, info) == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (png_get_bit_depth(png, info) < 8) png_set_packing(png);
  png_read_update_info(png, info);
  out.width = png_get_image_width(png, info);
  out.height = png_get_image_height(png, info);
  out.bit_depth = png_get_bit_depth(png, info);
  out.channels = png_get_channels(png, info);
  if (out.width == 0 || out.height == 0 || out.width > 65536 || out.height > 65536 || out.channels == 0 ||
      out.channels > 4 || (out.bit_depth != 8 && out.bit_depth != 16)) {
    png_destroy_read_struct(&png, &info, nullptr);
    std::fclose(f);
    return make_error(ExitCode::asset, path.string() + ": unsupported PNG layout");
  }
  row.resize(png_get_rowbytes(png, info));
  out.values.reserve(std::size_t{out.width} * out.height * out.channels);
  for (std::uint32_t y = 0; y < out.height; ++y) {
    png_read_row(png, row.data(), nullptr);
    for (std::size_t i = 0; i < std::size_t{out.width} * out.channels; ++i) {
      out.values.push_back(out.bit_depth == 16 ? static_cast<std::uint16_t>((row[2 * i] << 8) | row[2 * i + 1]) : row[i]);
    }
  }
  png_destroy_read_struct(&png, &info, nullptr);
  std::fclose(f);
  return out;
}

}  // namespace synthlabel
