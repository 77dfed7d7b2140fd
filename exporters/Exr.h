// OpenEXR files encoded in memory by a small writer of our own (Exr.cpp):
// - depth: one float32 channel named "Y" (the name OpenCV reads; see Exr.cpp), metres along the
//   viewing axis, +inf where no surface;
// - normals: half-float channels R, G, B holding the normal's x, y, z in the OpenCV camera frame,
//   (0, 0, 0) where no surface (see renderer/Renderer.h).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/Error.h"

namespace synthlabel {

enum class ExrCompression { none, zip };

// One channel: `data[pixel * stride]` for each pixel (row-major), stored as half or float.
struct ExrChannel {
  const char* name;
  std::span<const float> data;
  std::size_t stride = 1;
  bool half = false;
};

// Channels in increasing name order (the format's). `zip_level`: deflate level 1 (fast) .. 9
// (small), used with ExrCompression::zip.
Result<std::vector<std::uint8_t>> encode_exr(std::span<const ExrChannel> channels, std::uint32_t width,
                                             std::uint32_t height, ExrCompression compression, int zip_level = 1);

// `zip_level`: deflate level 1 (fast) .. 9 (small), used with ExrCompression::zip.
Result<std::vector<std::uint8_t>> encode_exr_depth(std::span<const float> depth, std::uint32_t width,
                                                   std::uint32_t height, ExrCompression compression,
                                                   int zip_level = 1);
// Flow (outputs: [flow]): `flow` holds 4 floats a pixel (du, dv, status, depth there; renderer/Renderer.h
// FrameBuffers); written as float channels R = du, G = dv, B = status (what OpenCV reads as BGR).
Result<std::vector<std::uint8_t>> encode_exr_flow(std::span<const float> flow, std::uint32_t width, std::uint32_t height,
                                                  ExrCompression compression, int zip_level = 1);
// Float channels R, G, B = x, y, z of `xyz` (3 floats a pixel): scene flow.
Result<std::vector<std::uint8_t>> encode_exr_xyz(std::span<const float> xyz, std::uint32_t width, std::uint32_t height,
                                                 ExrCompression compression, int zip_level = 1);
// `xyz`: 3 floats a pixel.
Result<std::vector<std::uint8_t>> encode_exr_normals(std::span<const float> xyz, std::uint32_t width,
                                                     std::uint32_t height, ExrCompression compression,
                                                     int zip_level = 1);

}  // namespace synthlabel
