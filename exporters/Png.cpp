#include "exporters/Png.h"

#include <libdeflate.h>
#include <png.h>
#include <zlib.h>

#include "exporters/ZlibStream.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

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
  png_set_compression_mem_level(png, options.mem_level);
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

constexpr std::size_t k_libpng_idat = 8192;  // PNG_ZBUF_SIZE: libpng writes an IDAT each time it fills

// `n` host-endian 16-bit samples as PNG stores them (big-endian).
void put_be16(const std::uint16_t* src, std::size_t n, std::uint8_t* dst) {
  for (std::size_t i = 0; i < n; ++i) {
    dst[2 * i] = static_cast<std::uint8_t>(src[i] >> 8);
    dst[2 * i + 1] = static_cast<std::uint8_t>(src[i]);
  }
}

void put_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (24 - 8 * i)));
}
void put_chunk(std::vector<std::uint8_t>& out, const char* type, const std::uint8_t* data, std::size_t n) {
  put_be32(out, static_cast<std::uint32_t>(n));
  const std::size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data, data + n);
  put_be32(out, libdeflate_crc32(0, out.data() + start, n + 4));
}

// The writer for all but small images: with zlib, the same bytes as `encode` (libpng 1.6 with these
// settings): signature, IHDR, PLTE when paletted, the zlib stream of the filtered rows (deflate at the
// level, Z_FILTERED when rows are filtered as libpng chooses, a 32 KiB window, the memory level) cut
// into IDAT chunks of libpng's 8 KiB buffer, IEND; with PngOptions::libdeflate, libdeflate's stream
// in the same chunks. `put_row(y, dst)` writes row y's bytes as stored (big-endian samples, no
// filler), `rowbytes` of them; the Sub filter subtracts the byte `bpp` before. Nullopt when the
// deflate fails (the caller then asks libpng).
template <class RowFn>
std::optional<std::vector<std::uint8_t>> encode_direct(std::uint32_t width, std::uint32_t height, int color_type, int depth,
                                                       std::size_t rowbytes, std::size_t bpp, const PngOptions& options,
                                                       RowFn put_row, std::span<const std::array<std::uint8_t, 3>> palette) {
  const std::size_t stride = rowbytes + 1;
  std::vector<std::uint8_t> filtered(stride * height), row(rowbytes);
  for (std::uint32_t y = 0; y < height; ++y) {
    std::uint8_t* dst = filtered.data() + stride * y;
    if (!options.filter_sub) {
      dst[0] = 0;
      put_row(y, dst + 1);
      continue;
    }
    put_row(y, row.data());
    dst[0] = 1;  // Sub
    for (std::size_t i = 0; i < bpp && i < rowbytes; ++i) dst[1 + i] = row[i];
    for (std::size_t i = bpp; i < rowbytes; ++i) dst[1 + i] = static_cast<std::uint8_t>(row[i] - row[i - bpp]);
  }
  std::vector<std::uint8_t> stream;
  stream.reserve(filtered.size() / 2);
  const bool deflated = options.libdeflate ? append_zlib_stream_libdeflate(filtered, options.zlib_level, stream)
                                           : append_zlib_stream(filtered, options.zlib_level,
                                                                options.filter_sub ? Z_FILTERED : Z_DEFAULT_STRATEGY, stream,
                                                                options.mem_level);
  if (!deflated) {
    return std::nullopt;
  }
  std::vector<std::uint8_t> out;
  out.reserve(stream.size() + stream.size() / k_libpng_idat * 12 + 1024);
  const std::uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
  out.insert(out.end(), signature, signature + 8);
  std::vector<std::uint8_t> ihdr;
  put_be32(ihdr, width);
  put_be32(ihdr, height);
  ihdr.insert(ihdr.end(), {static_cast<std::uint8_t>(depth), static_cast<std::uint8_t>(color_type), 0, 0, 0});
  put_chunk(out, "IHDR", ihdr.data(), ihdr.size());
  if (!palette.empty()) {
    std::vector<std::uint8_t> plte;
    for (std::size_t i = 0; i < palette.size() && i < 256; ++i) plte.insert(plte.end(), palette[i].begin(), palette[i].end());
    put_chunk(out, "PLTE", plte.data(), plte.size());
  }
  for (std::size_t at = 0; at < stream.size(); at += k_libpng_idat) {
    put_chunk(out, "IDAT", stream.data() + at, std::min(k_libpng_idat, stream.size() - at));
  }
  put_chunk(out, "IEND", nullptr, 0);
  return out;
}

// Whether encode_direct writes the image: levels 1..9 and more than 16 KiB of filtered rows, where
// libpng keeps deflate's full window (pngwutil.c's png_deflate_claim narrows it for smaller images).
bool direct(const PngOptions& options, std::size_t rowbytes, std::uint32_t height) {
  return !options.via_libpng && options.zlib_level >= 1 && options.zlib_level <= 9 && (rowbytes + 1) * height > 16384;
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_png_rgb_from_rgba(std::span<const std::uint8_t> rgba, std::uint32_t width,
                                                           std::uint32_t height, const PngOptions& options) {
  if (direct(options, std::size_t{width} * 3, height)) {
    auto png = encode_direct(width, height, PNG_COLOR_TYPE_RGB, 8, std::size_t{width} * 3, 3, options,
                             [&](std::uint32_t y, std::uint8_t* dst) {
                               const std::uint8_t* src = rgba.data() + std::size_t{y} * width * 4;
                               for (std::uint32_t x = 0; x < width; ++x, src += 4, dst += 3) std::memcpy(dst, src, 3);
                             }, {});
    if (png) return std::move(*png);
  }
  return encode(width, height, PNG_COLOR_TYPE_RGB, 8, true, options, [&](std::uint32_t y) {
    return const_cast<png_bytep>(rgba.data() + std::size_t{y} * width * 4);
  });
}

Result<std::vector<std::uint8_t>> encode_png_gray8(std::span<const std::uint8_t> pixels, std::uint32_t width,
                                                   std::uint32_t height, const PngOptions& options) {
  if (direct(options, width, height)) {
    auto png = encode_direct(width, height, PNG_COLOR_TYPE_GRAY, 8, width, 1, options,
                             [&](std::uint32_t y, std::uint8_t* dst) { std::memcpy(dst, pixels.data() + std::size_t{y} * width, width); }, {});
    if (png) return std::move(*png);
  }
  return encode(width, height, PNG_COLOR_TYPE_GRAY, 8, false, options, [&](std::uint32_t y) {
    return const_cast<png_bytep>(pixels.data() + std::size_t{y} * width);
  });
}

Result<std::vector<std::uint8_t>> encode_png_gray16(std::span<const std::uint16_t> pixels, std::uint32_t width,
                                                    std::uint32_t height, const PngOptions& options) {
  if (direct(options, std::size_t{width} * 2, height)) {
    auto png = encode_direct(width, height, PNG_COLOR_TYPE_GRAY, 16, std::size_t{width} * 2, 2, options,
                             [&](std::uint32_t y, std::uint8_t* dst) { put_be16(pixels.data() + std::size_t{y} * width, width, dst); }, {});
    if (png) return std::move(*png);
  }
  return encode(width, height, PNG_COLOR_TYPE_GRAY, 16, false, options, [&](std::uint32_t y) {
    return reinterpret_cast<png_bytep>(const_cast<std::uint16_t*>(pixels.data() + std::size_t{y} * width));
  });
}

Result<std::vector<std::uint8_t>> encode_png_rgb16(std::span<const std::uint16_t> pixels, std::uint32_t width,
                                                   std::uint32_t height, const PngOptions& options) {
  if (direct(options, std::size_t{width} * 6, height)) {
    auto png = encode_direct(width, height, PNG_COLOR_TYPE_RGB, 16, std::size_t{width} * 6, 6, options,
                             [&](std::uint32_t y, std::uint8_t* dst) {
                               put_be16(pixels.data() + std::size_t{y} * width * 3, std::size_t{width} * 3, dst);
                             }, {});
    if (png) return std::move(*png);
  }
  return encode(width, height, PNG_COLOR_TYPE_RGB, 16, false, options, [&](std::uint32_t y) {
    return reinterpret_cast<png_bytep>(const_cast<std::uint16_t*>(pixels.data() + std::size_t{y} * width * 3));
  });
}

Result<std::vector<std::uint8_t>> encode_png_palette8(std::span<const std::uint8_t> pixels, std::uint32_t width,
                                                      std::uint32_t height, std::span<const std::array<std::uint8_t, 3>> palette,
                                                      const PngOptions& options) {
  if (direct(options, width, height) && palette.size() <= 256) {
    auto png = encode_direct(width, height, PNG_COLOR_TYPE_PALETTE, 8, width, 1, options,
                             [&](std::uint32_t y, std::uint8_t* dst) { std::memcpy(dst, pixels.data() + std::size_t{y} * width, width); },
                             palette);
    if (png) return std::move(*png);
  }
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
