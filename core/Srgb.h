// The sRGB transfer function (IEC 61966-2-1), one definition for everything that decodes or encodes
// 8-bit colour: textures' mip levels, sensor effects, the material randomizer, blackbody colours and
// motion blur's averaging.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

namespace synthlabel {

// Encoded value in [0, 1] -> linear light.
inline double srgb_to_linear(double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); }

// Linear light -> encoded value in [0, 1] (clamped to [0, 1] first).
inline double linear_to_srgb(double l) {
  l = std::clamp(l, 0.0, 1.0);
  return l <= 0.0031308 ? 12.92 * l : 1.055 * std::pow(l, 1.0 / 2.4) - 0.055;
}

// srgb_to_linear of each 8-bit value v / 255.
inline const std::array<double, 256>& srgb8_to_linear() {
  static const std::array<double, 256> table = [] {
    std::array<double, 256> t{};
    for (std::size_t v = 0; v < 256; ++v) t[v] = srgb_to_linear(static_cast<double>(v) / 255.0);
    return t;
  }();
  return table;
}

}  // namespace synthlabel
