// Test-side readers, written independently of the exporters so tests check the files, not the code
// that wrote them: PNG via libpng's reader, EXR via TinyEXR's loader, COCO RLE strings via a decoder
// written from the pycocotools algorithm (rleFrString) rather than our encoder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace synthlabel::test {

struct Image {
  std::uint32_t width = 0, height = 0, channels = 0, bit_depth = 0;
  std::vector<std::uint32_t> pixels;  // row-major, channels interleaved, values as stored (16-bit kept)
};

// Reads an 8- or 16-bit grey or RGB PNG; fails the current test (and returns empty) on error.
Image read_png(const std::filesystem::path& path);

struct DepthImage {
  std::uint32_t width = 0, height = 0;
  std::vector<float> z;
};
DepthImage read_exr_depth(const std::filesystem::path& path);
// Writes a one-channel float EXR (channel "Y", as synthlabel's depth files) through TinyEXR.
bool write_exr_depth(const std::filesystem::path& path, const std::vector<float>& z, std::uint32_t width, std::uint32_t height);
// An RGB(A) EXR through TinyEXR's LoadEXR: 4 floats a pixel (RGBA), and the channels' pixel types.
struct RgbaImage {
  std::uint32_t width = 0, height = 0;
  std::vector<float> rgba;
  std::vector<std::string> channels;
  std::vector<int> pixel_types;
};
RgbaImage read_exr_rgba(const std::filesystem::path& path);

// pycocotools string -> counts.
std::vector<std::uint32_t> decode_rle_string(const std::string& s);
// counts -> row-major 0/1 mask of height x width (counts run column-major).
std::vector<std::uint8_t> rle_to_mask(const std::vector<std::uint32_t>& counts, std::uint32_t height,
                                      std::uint32_t width);

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};
// Runs a shell command line; captures stdout and stderr separately.
CommandResult run(const std::string& command_line);

// A fresh empty folder under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

std::string read_file(const std::filesystem::path& path);
// Every regular file below `root`: path relative to root -> bytes (for byte-for-byte comparisons).
std::map<std::string, std::string> read_tree(const std::filesystem::path& root);
std::string shell_quote(const std::string& s);
std::string shell_quote(const std::filesystem::path& p);
inline std::string shell_quote(const char* s) { return shell_quote(std::string(s)); }
// Lines in `s` (its '\n' count): error output must be one line.
int line_count(const std::string& s);

}  // namespace synthlabel::test
