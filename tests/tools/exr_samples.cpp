// exr_samples OUTDIR: writes EXR files through synthlabel's own EXR writer (exporters/Exr.h) from bit
// patterns that tests/python/test_exr_opencv.py computes again, so the test can compare what OpenCV
// reads with the exact values written:
//   depth_zip.exr, depth_none.exr   one float32 channel (as depth files), value of pixel p: the float
//                                    whose bits are (p * 2654435761 + 12345) mod 2^32, NaNs -> +inf
//   normals_zip.exr                  half R, G, B (as normals files): channel c of pixel p holds the half
//                                    whose bits are (p * 40503 + c * 7919) mod 2^16, NaNs -> +inf
// Size 37 x 23: odd, and more than one 16-line ZIP chunk.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include <glm/gtc/packing.hpp>

#include "exporters/Exr.h"

namespace {

constexpr std::uint32_t k_width = 37, k_height = 23;

bool write(const std::filesystem::path& path, const synthlabel::Result<std::vector<std::uint8_t>>& bytes) {
  if (!bytes) {
    std::fprintf(stderr, "exr_samples: %s\n", bytes.error().message.c_str());
    return false;
  }
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes->data()), static_cast<std::streamsize>(bytes->size()));
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: exr_samples OUTDIR\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const std::size_t pixels = std::size_t{k_width} * k_height;
  std::vector<float> depth(pixels), normals(pixels * 3);
  for (std::size_t p = 0; p < pixels; ++p) {
    const auto bits = static_cast<std::uint32_t>(p * 2654435761u + 12345u);
    float f = 0;
    std::memcpy(&f, &bits, 4);
    depth[p] = std::isnan(f) ? INFINITY : f;
    for (std::size_t c = 0; c < 3; ++c) {
      const auto h = static_cast<std::uint16_t>((p * 40503u + c * 7919u) & 0xffffu);
      const float v = glm::unpackHalf1x16(h);
      normals[3 * p + c] = std::isnan(v) ? INFINITY : v;
    }
  }
  using synthlabel::ExrCompression;
  const bool ok = write(dir / "depth_zip.exr", synthlabel::encode_exr_depth(depth, k_width, k_height, ExrCompression::zip)) &&
                  write(dir / "depth_none.exr", synthlabel::encode_exr_depth(depth, k_width, k_height, ExrCompression::none)) &&
                  write(dir / "normals_zip.exr", synthlabel::encode_exr_normals(normals, k_width, k_height, ExrCompression::zip));
  return ok ? 0 : 1;
}
