// The PNG and EXR zlib streams (exporters/ZlibStream.h) and the PNG writer (exporters/Png.h): the same
// bytes as zlib's own deflate() and as libpng's writer, for every image kind the exporters write.
#include "exporters/Png.h"
#include "exporters/ZlibStream.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <random>

namespace synthlabel {
namespace {

// What zlib's deflate() writes with its own header and checksum (windowBits 15).
std::vector<std::uint8_t> zlib_reference(const std::vector<std::uint8_t>& in, int level, int strategy, int mem_level) {
  z_stream z;
  std::memset(&z, 0, sizeof z);
  EXPECT_EQ(deflateInit2(&z, level, Z_DEFLATED, 15, mem_level, strategy), Z_OK);
  std::vector<std::uint8_t> out(deflateBound(&z, static_cast<uLong>(in.size())));
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// `png` written to a temporary file named `name`, read back by libpng (read_png), the file removed.
Result<PngData> read_back(const std::vector<std::uint8_t>& png, const std::string& name) {
  const auto tmp = std::filesystem::temp_directory_path() / name;
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return make_error(ExitCode::io, "cannot write " + tmp.string());
  const bool written = std::fwrite(png.data(), 1, png.size(), f) == png.size();
  std::fclose(f);
  auto back = written ? read_png(tmp) : Result<PngData>(make_error(ExitCode::io, "cannot write " + tmp.string()));
  std::filesystem::remove(tmp);
  return back;
}

// Flat areas, smooth gradients and noise: matches of every length and literals.
std::vector<std::uint8_t> test_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> b(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t region = (i / 5000) % 3;
    b[i] = region == 0 ? 7 : region == 1 ? static_cast<std::uint8_t>(i / 37) : static_cast<std::uint8_t>(rng());
  }
  return b;
}

TEST(ZlibStream, SameBytesAsZlibsDeflate) {
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{1000}, std::size_t{300000}}) {
    const auto in = test_bytes(n, static_cast<std::uint32_t>(n));
    for (const auto& [level, mem_level] : {std::pair{1, 8}, std::pair{1, 5}, std::pair{2, 8}, std::pair{6, 8}, std::pair{9, 8}}) {
      for (const int strategy : {Z_DEFAULT_STRATEGY, Z_FILTERED}) {
        std::vector<std::uint8_t> out = {42};  // appended after what is there
        ASSERT_TRUE(append_zlib_stream(in, level, strategy, out, mem_level));
        const auto ref = zlib_reference(in, level, strategy, mem_level);
        ASSERT_EQ(out.size(), ref.size() + 1) << n << " bytes, level " << level << ", memory level " << mem_level;
        EXPECT_EQ(out[0], 42);
        EXPECT_TRUE(std::equal(ref.begin(), ref.end(), out.begin() + 1)) << n << " bytes, level " << level << ", memory level " << mem_level;
        std::vector<std::uint8_t> back(n + 1);
        uLongf back_size = static_cast<uLongf>(back.size());
        ASSERT_EQ(uncompress(back.data(), &back_size, out.data() + 1, static_cast<uLong>(out.size() - 1)), Z_OK);
        EXPECT_EQ(back_size, n);
        EXPECT_TRUE(std::equal(in.begin(), in.end(), back.begin()));
      }
    }
  }
}

TEST(ZlibStream, LibdeflatesStreamInflatesToTheInput) {
  for (const std::size_t n : {std::size_t{0}, std::size_t{1000}, std::size_t{300000}}) {
    const auto in = test_bytes(n, static_cast<std::uint32_t>(n) + 1);
    for (const int level : {1, 2, 6, 12}) {
      std::vector<std::uint8_t> out = {42};
      ASSERT_TRUE(append_zlib_stream_libdeflate(in, level, out)) << n << " bytes, level " << level;
      EXPECT_EQ(out[0], 42);
      std::vector<std::uint8_t> back(n + 1);
      uLongf back_size = static_cast<uLongf>(back.size());
      ASSERT_EQ(uncompress(back.data(), &back_size, out.data() + 1, static_cast<uLong>(out.size() - 1)), Z_OK);  // zlib inflates it
      EXPECT_EQ(back_size, n);
      EXPECT_TRUE(std::equal(in.begin(), in.end(), back.begin()));
    }
  }
  std::vector<std::uint8_t> out;
  EXPECT_FALSE(append_zlib_stream_libdeflate(test_bytes(10, 1), 13, out));
}

// The RGB as --compression fast writes it (libdeflate's deflate): libpng reads back every pixel.
TEST(Png, LibdeflatesRgbReadsBackTheSamePixels) {
  const std::uint32_t w = 203, h = 151;
  const auto rgba = test_bytes(4 * std::size_t{w} * h, 3);
  const PngOptions options{2, true, false, 8, true};
  auto png = encode_png_rgb_from_rgba(rgba, w, h, options);
  ASSERT_TRUE(png.ok());
  auto zlibs = encode_png_rgb_from_rgba(rgba, w, h, PngOptions{2, true});
  ASSERT_TRUE(zlibs.ok());
  EXPECT_NE(*png, *zlibs);  // another deflate stream
  auto back = read_back(*png, "synthlabel_png_libdeflate_test.png");
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->channels, 3u);
  ASSERT_EQ(back->values.size(), std::size_t{w} * h * 3);
  for (std::size_t i = 0; i < std::size_t{w} * h; ++i) {
    for (std::size_t c = 0; c < 3; ++c) ASSERT_EQ(back->values[3 * i + c], rgba[4 * i + c]) << i;
  }
}

// Every kind of PNG the exporters write, at sizes on either side of the 16 KiB below which libpng
// writes them (Png.h), with and without the Sub filter, at levels 0 (libpng: stored), 1, 6 and 9 (and
// 1 at memory level 5, the label images'): the same bytes as libpng's writer with the same settings,
// and libpng reads back the pixels.
TEST(Png, SameBytesAsLibpngsWriter) {
  const std::array<std::array<std::uint8_t, 3>, 4> palette{{{0, 0, 0}, {128, 0, 0}, {0, 128, 0}, {128, 128, 0}}};
  for (const auto& [w, h] : {std::pair{640u, 480u}, std::pair{203u, 151u}, std::pair{21u, 9u}}) {
    const std::size_t n = std::size_t{w} * h;
    const auto rgba = test_bytes(4 * n, 1);
    std::vector<std::uint8_t> gray = test_bytes(n, 2), indices(n);
    std::vector<std::uint16_t> gray16(n), rgb16(3 * n);
    for (std::size_t i = 0; i < n; ++i) {
      gray16[i] = static_cast<std::uint16_t>(gray[i] * 257 + i / 1000);
      indices[i] = static_cast<std::uint8_t>(gray[i] % palette.size());
    }
    for (std::size_t i = 0; i < 3 * n; ++i) rgb16[i] = static_cast<std::uint16_t>(rgba[i] << 8 | rgba[(i + 7) % rgba.size()]);
    for (const auto& [level, mem_level] : {std::pair{0, 8}, std::pair{1, 8}, std::pair{1, 5}, std::pair{6, 8}, std::pair{9, 8}}) {
      for (const bool sub : {false, true}) {
        SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h) + " level " + std::to_string(level) + " memory level " +
                     std::to_string(mem_level) + (sub ? " sub" : ""));
        const PngOptions direct{level, sub, false, mem_level}, libpng{level, sub, true, mem_level};
        auto same = [](Result<std::vector<std::uint8_t>> a, Result<std::vector<std::uint8_t>> b) {
          ASSERT_TRUE(a.ok() && b.ok());
          EXPECT_EQ(*a, *b);
        };
        same(encode_png_rgb_from_rgba(rgba, w, h, direct), encode_png_rgb_from_rgba(rgba, w, h, libpng));
        same(encode_png_gray8(gray, w, h, direct), encode_png_gray8(gray, w, h, libpng));
        same(encode_png_gray16(gray16, w, h, direct), encode_png_gray16(gray16, w, h, libpng));
        same(encode_png_rgb16(rgb16, w, h, direct), encode_png_rgb16(rgb16, w, h, libpng));
        same(encode_png_palette8(indices, w, h, palette, direct), encode_png_palette8(indices, w, h, palette, libpng));
      }
    }
    // Read back by libpng.
    auto png = encode_png_gray16(gray16, w, h, PngOptions{1, true, false});
    ASSERT_TRUE(png.ok());
    auto back = read_back(*png, "synthlabel_png_test_" + std::to_string(w) + ".png");
    ASSERT_TRUE(back.ok()) << back.error().message;
    ASSERT_EQ(back->width, w);
    ASSERT_EQ(back->height, h);
    ASSERT_EQ(back->bit_depth, 16u);
    ASSERT_EQ(back->values.size(), n);
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(back->values[i], gray16[i]) << i;
  }
}

}  // namespace
}  // namespace synthlabel
