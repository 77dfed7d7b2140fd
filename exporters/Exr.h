// Depth as OpenEXR: one float32 channel named "Z", metres along the viewing axis, +inf where no
// surface (see renderer/Renderer.h). Encoded in memory with TinyEXR.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/Error.h"

namespace synthlabel {

enum class ExrCompression { none, zip };

Result<std::vector<std::uint8_t>> encode_exr_depth(std::span<const float> depth, std::uint32_t width,
                                                   std::uint32_t height, ExrCompression compression);

}  // namespace synthlabel
