// Depth as OpenEXR: one float32 channel named "Z", metres along the viewing axis, +inf where no
// surface (see renderer/Renderer.h). Encoded in memory by a small writer of our own (Exr.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/Error.h"

namespace synthlabel {

enum class ExrCompression { none, zip };

// `zip_level`: deflate level 1 (fast) .. 9 (small), used with ExrCompression::zip.
Result<std::vector<std::uint8_t>> encode_exr_depth(std::span<const float> depth, std::uint32_t width,
                                                   std::uint32_t height, ExrCompression compression,
                                                   int zip_level = 1);

}  // namespace synthlabel
