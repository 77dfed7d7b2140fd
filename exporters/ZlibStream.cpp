#include "exporters/ZlibStream.h"

#include <libdeflate.h>
#include <zlib.h>

#include <array>
#include <cstring>
#include <limits>
#include <memory>

namespace synthlabel {

bool append_zlib_stream(std::span<const std::uint8_t> in, int level, int strategy, std::vector<std::uint8_t>& out,
                        int mem_level) {
  if (in.size() > std::numeric_limits<uInt>::max() / 2) return false;  // one deflate call's counts are 32-bit
  z_stream z;
  std::memset(&z, 0, sizeof z);
  // A negative window: raw deflate, the same deflate data without zlib's header and checksum.
  if (deflateInit2(&z, level, Z_DEFLATED, -15, mem_level, strategy) != Z_OK) return false;
  const std::size_t start = out.size();
  // The header as zlib's deflate() writes it (deflate.c): CMF (deflate, 32 KiB window), then FLG with
  // the level class in FLEVEL and the check bits that make CMF * 256 + FLG a multiple of 31.
  const unsigned level_flags = strategy >= Z_HUFFMAN_ONLY || level < 2 ? 0u : level < 6 ? 1u : level == 6 ? 2u : 3u;
  unsigned header = (Z_DEFLATED + ((15u - 8u) << 4)) << 8 | level_flags << 6;
  header += 31 - header % 31;
  const uLong bound = deflateBound(&z, static_cast<uLong>(in.size()));
  out.resize(start + 2 + bound + 4);
  out[start] = static_cast<std::uint8_t>(header >> 8);
  out[start + 1] = static_cast<std::uint8_t>(header);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data() + start + 2;
  z.avail_out = static_cast<uInt>(bound);
  const int rc = deflate(&z, Z_FINISH);
  const std::size_t written = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) {
    out.resize(start);
    return false;
  }
  const std::uint32_t adler = libdeflate_adler32(1, in.data(), in.size());  // big-endian after the data
  std::uint8_t* tail = out.data() + start + 2 + written;
  for (int i = 0; i < 4; ++i) tail[i] = static_cast<std::uint8_t>(adler >> (24 - 8 * i));
  out.resize(start + 2 + written + 4);
  return true;
}

bool append_zlib_stream_libdeflate(std::span<const std::uint8_t> in, int level, std::vector<std::uint8_t>& out) {
  if (level < 1 || level > 12) return false;
  struct Free {
    void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
  };
  // A compressor's tables are large (allocating one per image cost more than it saved).
  thread_local std::array<std::unique_ptr<libdeflate_compressor, Free>, 13> compressors;
  auto& c = compressors[static_cast<std::size_t>(level)];
  if (!c) c.reset(libdeflate_alloc_compressor(level));
  if (!c) return false;
  const std::size_t start = out.size(), bound = libdeflate_zlib_compress_bound(c.get(), in.size());
  out.resize(start + bound);
  const std::size_t n = libdeflate_zlib_compress(c.get(), in.data(), in.size(), out.data() + start, bound);
  out.resize(start + n);
  return n != 0;
}

}  // namespace synthlabel
