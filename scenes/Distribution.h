// Values in a config are either fixed or drawn from a distribution. These are plain descriptions;
// sampling lives in randomizers/ (with an explicit RNG).
//
// YAML forms (see docs/config.md):
//   3.5                          constant
//   {uniform: [lo, hi]}          uniform on [lo, hi)
//   {normal: [mean, stddev]}     Gaussian
//   {choice: [a, b, c]}          one of the values, equally likely
// Integers (counts):
//   3 | {range: [lo, hi]} (inclusive) | {choice: [...]}
// Vectors: [x, y, z] where each element is any scalar form, or {uniform: [[x0,y0,z0], [x1,y1,z1]]}.
#pragma once

#include <array>
#include <cstdint>
#include <variant>
#include <vector>

namespace synthlabel {

struct Uniform {
  double lo = 0.0, hi = 1.0;
};
struct Normal {
  double mean = 0.0, stddev = 1.0;
};
struct Choice {
  std::vector<double> values;
};
using ScalarDist = std::variant<double, Uniform, Normal, Choice>;

struct IntRange {
  std::int64_t lo = 0, hi = 0;  // inclusive
};
struct IntChoice {
  std::vector<std::int64_t> values;
};
using IntDist = std::variant<std::int64_t, IntRange, IntChoice>;

using Vec3Dist = std::array<ScalarDist, 3>;

inline Vec3Dist constant_vec3(double x, double y, double z) { return {ScalarDist{x}, ScalarDist{y}, ScalarDist{z}}; }

}  // namespace synthlabel
