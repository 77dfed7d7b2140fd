// A zlib stream (RFC 1950) whose deflate data come from zlib itself, byte for byte what zlib's
// deflate() writes for the same level, strategy and window, and whose Adler-32 checksum comes from
// libdeflate: zlib 1.2.13 sums Adler-32 a byte at a time (0.25 ms a megabyte on the CI machine),
// libdeflate with SIMD (0.014 ms). The PNG and EXR writers' hot path (docs/performance.md, session 16).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace synthlabel {

// Appends the zlib stream of `in` to `out`: deflate at `level` (1..9) with `strategy` (zlib's
// Z_DEFAULT_STRATEGY, Z_FILTERED, ...), a 32 KiB window and `mem_level` (1..9; 8 is deflateInit's
// and libpng's default). False when zlib fails (out of memory) or `in` is 2 GiB or more (the PNG writer
// then falls back to libpng, the EXR writer's 16-line chunks are far below it).
bool append_zlib_stream(std::span<const std::uint8_t> in, int level, int strategy, std::vector<std::uint8_t>& out,
                        int mem_level = 8);

// A zlib stream of `in` by libdeflate's compressor at `level` (1..12; one compressor per thread and
// level, kept): other deflate data than zlib's, the same bytes once inflated. False when it fails.
bool append_zlib_stream_libdeflate(std::span<const std::uint8_t> in, int level, std::vector<std::uint8_t>& out);

}  // namespace synthlabel
