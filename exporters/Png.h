// In-memory PNG encoding, byte for byte libpng's (with zlib; PngOptions::libdeflate deflates otherwise);
// reading with libpng. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "core/Error.h"

namespace synthlabel {

struct PngOptions {
  int zlib_level = 1;   // 0..9; 1 is fast and still small for label images
  bool filter_sub = false;  // PNG "Sub" row filter (helps photos); off = no filter (best for flat labels)
  // Test hook: always libpng's writer. Otherwise images of more than 16 KiB of filtered rows at levels
  // 1..9 are written here, the same bytes as libpng's (tests/unit/PngTest.cpp) at a fraction of the
  // overhead; smaller ones, and level 0, by libpng (it narrows the deflate window for small images,
  // and level 0's stored blocks follow its buffer size).
  bool via_libpng = false;
  // zlib's memory level (1..9; 8 is zlib's and libpng's default): the size of deflate's hash table
  // (2^(mem_level + 7) entries), which deflate slides down at every 32 KiB of input (zlib's
  // deflate.c, slide_hash). Label images (long runs, few matches to find) deflate a quarter faster at
  // 5 than at 8 at the same size (docs/performance.md, session 17); photos and depth do not.
  int mem_level = 8;
  // Deflate with libdeflate at `zlib_level` (1..12) instead of zlib: other bytes, the same pixels.
  // The RGB at --compression fast, level 2: as fast as zlib's level 1 on flat renders, a fifth
  // faster on textured ones, and 10-15 % smaller (docs/performance.md, session 17). Images written by
  // libpng (small ones, level 0) stay zlib's.
  bool libdeflate = false;
};

// Label images (ids, categories) at --compression fast: zlib level 1, no filter, memory level 5.
// The dataset's own (EncodeOptions::label_png) and the label formats' (exporters/formats).
inline constexpr PngOptions k_label_png{1, false, false, 5};

// RGBA8 input, written as 8-bit RGB (alpha dropped).
Result<std::vector<std::uint8_t>> encode_png_rgb_from_rgba(std::span<const std::uint8_t> rgba, std::uint32_t width,
                                                           std::uint32_t height, const PngOptions& options);
// 8-bit greyscale.
Result<std::vector<std::uint8_t>> encode_png_gray8(std::span<const std::uint8_t> pixels, std::uint32_t width,
                                                   std::uint32_t height, const PngOptions& options);
// 16-bit greyscale (host-endian input; PNG stores big-endian).
Result<std::vector<std::uint8_t>> encode_png_gray16(std::span<const std::uint16_t> pixels, std::uint32_t width,
                                                    std::uint32_t height, const PngOptions& options);

// 16-bit RGB, 3 values a pixel (host-endian input; PNG stores big-endian).
Result<std::vector<std::uint8_t>> encode_png_rgb16(std::span<const std::uint16_t> pixels, std::uint32_t width,
                                                   std::uint32_t height, const PngOptions& options);

// 8-bit palette indices with their palette (at most 256 RGB colours): Pascal VOC's label PNGs.
Result<std::vector<std::uint8_t>> encode_png_palette8(std::span<const std::uint8_t> pixels, std::uint32_t width,
                                                      std::uint32_t height, std::span<const std::array<std::uint8_t, 3>> palette,
                                                      const PngOptions& options);

// A decoded PNG with its values as stored (16-bit kept): gray, gray+alpha, RGB or RGBA, 8 or 16 bits
// (palette images are expanded to RGB(A)).
struct PngData {
  std::uint32_t width = 0, height = 0, channels = 0, bit_depth = 0;
  std::vector<std::uint16_t> values;  // row-major, channels interleaved
};
// Reads a PNG file; ExitCode::io if it cannot be opened, ExitCode::asset if it does not decode.
Result<PngData> read_png(const std::filesystem::path& path);

}  // namespace synthlabel
