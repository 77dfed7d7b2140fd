#include "tests/support/TestSupport.h"

#include <algorithm>

#include <gtest/gtest.h>
#include <png.h>
#include <sys/wait.h>
#include <tinyexr.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace synthlabel::test {

Image read_png(const std::filesystem::path& path) {
  Image img;
  // The classic reader, not the simplified API: we want the stored values, unconverted.
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    ADD_FAILURE() << "cannot open " << path;
    return img;
  }
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    std::fclose(f);
    ADD_FAILURE() << "cannot decode " << path;
    return Image{};
  }
  png_init_io(png, f);
  png_read_info(png, info);
  img.width = png_get_image_width(png, info);
  img.height = png_get_image_height(png, info);
  img.bit_depth = png_get_bit_depth(png, info);
  const int ct = png_get_color_type(png, info);
  // Palette images give their indices (Pascal VOC's label PNGs), unexpanded.
  img.channels = ct == PNG_COLOR_TYPE_RGB ? 3u : (ct == PNG_COLOR_TYPE_GRAY || ct == PNG_COLOR_TYPE_PALETTE) ? 1u : 0u;
  if (img.channels == 0 || (img.bit_depth != 8 && img.bit_depth != 16)) {
    png_destroy_read_struct(&png, &info, nullptr);
    std::fclose(f);
    ADD_FAILURE() << path << ": unexpected PNG colour type or depth";
    return Image{};
  }
  const std::size_t row_bytes = png_get_rowbytes(png, info);
  std::vector<std::uint8_t> row(row_bytes);
  img.pixels.reserve(std::size_t{img.width} * img.height * img.channels);
  for (std::uint32_t y = 0; y < img.height; ++y) {
    png_read_row(png, row.data(), nullptr);
    for (std::size_t i = 0; i < std::size_t{img.width} * img.channels; ++i) {
      img.pixels.push_back(img.bit_depth == 16 ? (std::uint32_t{row[2 * i]} << 8) | row[2 * i + 1] : row[i]);
    }
  }
  png_destroy_read_struct(&png, &info, nullptr);
  std::fclose(f);
  return img;
}

DepthImage read_exr_depth(const std::filesystem::path& path) {
  DepthImage d;
  EXRVersion version;
  if (ParseEXRVersionFromFile(&version, path.c_str()) != TINYEXR_SUCCESS) {
    ADD_FAILURE() << "not an EXR: " << path;
    return d;
  }
  EXRHeader header;
  InitEXRHeader(&header);
  const char* err = nullptr;
  if (ParseEXRHeaderFromFile(&header, &version, path.c_str(), &err) != TINYEXR_SUCCESS) {
    ADD_FAILURE() << "bad EXR header " << path << ": " << (err ? err : "");
    if (err) FreeEXRErrorMessage(err);
    return d;
  }
  EXRImage image;
  InitEXRImage(&image);
  if (LoadEXRImageFromFile(&image, &header, path.c_str(), &err) != TINYEXR_SUCCESS) {
    ADD_FAILURE() << "bad EXR " << path << ": " << (err ? err : "");
    if (err) FreeEXRErrorMessage(err);
    FreeEXRHeader(&header);
    return d;
  }
  EXPECT_EQ(header.num_channels, 1);
  EXPECT_STREQ(header.channels[0].name, "Y");  // the single-channel name OpenCV reads
  EXPECT_EQ(header.pixel_types[0], TINYEXR_PIXELTYPE_FLOAT);
  d.width = static_cast<std::uint32_t>(image.width);
  d.height = static_cast<std::uint32_t>(image.height);
  const auto* z = reinterpret_cast<const float*>(image.images[0]);
  d.z.assign(z, z + std::size_t{d.width} * d.height);
  FreeEXRImage(&image);
  FreeEXRHeader(&header);
  return d;
}

bool write_exr_depth(const std::filesystem::path& path, const std::vector<float>& z, std::uint32_t width, std::uint32_t height) {
  EXRHeader header;
  InitEXRHeader(&header);
  EXRImage image;
  InitEXRImage(&image);
  std::vector<float> data(z);
  float* planes[1] = {data.data()};
  image.images = reinterpret_cast<unsigned char**>(planes);
  image.num_channels = 1;
  image.width = static_cast<int>(width);
  image.height = static_cast<int>(height);
  EXRChannelInfo channel{};
  channel.name[0] = 'Y';
  header.channels = &channel;
  header.num_channels = 1;
  int types[1] = {TINYEXR_PIXELTYPE_FLOAT};
  header.pixel_types = types;
  header.requested_pixel_types = types;
  const char* err = nullptr;
  const int rc = SaveEXRImageToFile(&image, &header, path.c_str(), &err);
  if (err) FreeEXRErrorMessage(err);
  return rc == TINYEXR_SUCCESS;
}

RgbaImage read_exr_rgba(const std::filesystem::path& path) {
  RgbaImage out;
  EXRVersion version;
  EXRHeader header;
  InitEXRHeader(&header);
  const char* err = nullptr;
  if (ParseEXRVersionFromFile(&version, path.c_str()) != TINYEXR_SUCCESS ||
      ParseEXRHeaderFromFile(&header, &version, path.c_str(), &err) != TINYEXR_SUCCESS) {
    ADD_FAILURE() << "bad EXR header " << path << ": " << (err ? err : "");
    if (err) FreeEXRErrorMessage(err);
    return out;
  }
  for (int c = 0; c < header.num_channels; ++c) {
    out.channels.emplace_back(header.channels[c].name);
    out.pixel_types.push_back(header.pixel_types[c]);
  }
  FreeEXRHeader(&header);
  float* rgba = nullptr;
  int w = 0, h = 0;
  if (LoadEXR(&rgba, &w, &h, path.c_str(), &err) != TINYEXR_SUCCESS) {
    ADD_FAILURE() << "bad EXR " << path << ": " << (err ? err : "");
    if (err) FreeEXRErrorMessage(err);
    return out;
  }
  out.width = static_cast<std::uint32_t>(w);
  out.height = static_cast<std::uint32_t>(h);
  out.rgba.assign(rgba, rgba + std::size_t{out.width} * out.height * 4);
  std::free(rgba);
  return out;
}

std::vector<std::uint32_t> decode_rle_string(const std::string& s) {
  // From the description of pycocotools' rleFrString: 6-bit groups offset by 48, low 5 bits of data,
  // 0x20 = more groups follow, 0x10 in the last group = negative; from the 4th value on, the value
  // is a difference to the value two places back.
  std::vector<std::uint32_t> counts;
  std::size_t p = 0;
  while (p < s.size()) {
    std::int64_t x = 0;
    int k = 0;
    bool more = true;
    while (more) {
      if (p >= s.size()) {
        ADD_FAILURE() << "truncated RLE string";
        return {};
      }
      const int c = s[p] - 48;
      if (c < 0 || c > 63) {
        ADD_FAILURE() << "bad RLE character";
        return {};
      }
      x |= static_cast<std::int64_t>(c & 0x1f) << (5 * k);
      more = (c & 0x20) != 0;
      ++p;
      ++k;
      if (!more && (c & 0x10)) x |= -(std::int64_t{1} << (5 * k));  // sign-extend
    }
    if (counts.size() > 2) x += counts[counts.size() - 2];
    if (x < 0) {
      ADD_FAILURE() << "negative run length in RLE";
      return {};
    }
    counts.push_back(static_cast<std::uint32_t>(x));
  }
  return counts;
}

std::vector<std::uint8_t> rle_to_mask(const std::vector<std::uint32_t>& counts, std::uint32_t height,
                                      std::uint32_t width) {
  std::vector<std::uint8_t> mask(std::size_t{height} * width, 0);
  std::size_t pos = 0;  // column-major position
  std::uint8_t value = 0;
  for (std::uint32_t c : counts) {
    for (std::uint32_t i = 0; i < c; ++i, ++pos) {
      if (pos >= mask.size()) {
        ADD_FAILURE() << "RLE runs longer than the image";
        return mask;
      }
      const std::size_t col = pos / height, row = pos % height;
      mask[row * width + col] = value;
    }
    value ^= 1;
  }
  EXPECT_EQ(pos, mask.size()) << "RLE runs do not cover the image";
  return mask;
}

CommandResult run(const std::string& command_line) {
  CommandResult r;
  char err_path[] = "/tmp/synthlabel-test-stderr-XXXXXX";
  const int fd = mkstemp(err_path);
  if (fd < 0) {
    ADD_FAILURE() << "mkstemp failed";
    return r;
  }
  close(fd);
  const std::string full = command_line + " 2>" + err_path;
  FILE* p = popen(full.c_str(), "r");
  if (!p) {
    ADD_FAILURE() << "popen failed";
    return r;
  }
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.err = read_file(err_path);
  std::remove(err_path);
  return r;
}

TempDir::TempDir() {
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto p = std::filesystem::temp_directory_path() / ("synthlabel-test-" + std::to_string(rd()));
    if (std::filesystem::create_directory(p)) {
      m_path = p;
      return;
    }
  }
  ADD_FAILURE() << "cannot create a temp folder";
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!m_path.empty()) std::filesystem::remove_all(m_path, ec);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::map<std::string, std::string> read_tree(const std::filesystem::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) files[std::filesystem::relative(e.path(), root).string()] = read_file(e.path());
  }
  return files;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string shell_quote(const std::filesystem::path& p) { return shell_quote(p.string()); }

int line_count(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace synthlabel::test
