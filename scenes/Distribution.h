// Values in a config are either fixed or drawn from a distribution. These are plain descriptions;
// sampling lives in randomizers/ (with an explicit RNG).
//
// YAML forms (see docs/config.md):
//   3.5                                      constant
//   {uniform: [lo, hi]}                      uniform on [lo, hi)
//   {loguniform: [lo, hi]}                   log-uniform on [lo, hi), 0 < lo
//   {normal: [mean, stddev]}                 Gaussian
//   {truncated_normal: [mean, stddev, lo, hi]}  Gaussian restricted to [lo, hi]
//   {choice: [a, b, c]}                      one of the values, equally likely
//   {choice: [a, b], weights: [3, 1]}        one of the values, with these relative weights
//   {sweep: [lo, hi]}                        per frame: lo at frame 0 to hi at the last frame, linearly
//   {sequence: [a, b, c]}                    per frame: a, b, c, a, b, ... (frame index mod length)
// Integers (counts):
//   3 | {range: [lo, hi]} (inclusive) | {choice: [...], weights: [...]}
// Vectors: [x, y, z] where each element is any scalar form, or {uniform: [[x0,y0,z0], [x1,y1,z1]]}.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <variant>
#include <vector>

namespace synthlabel {

struct Uniform {
  double lo = 0.0, hi = 1.0;
};
struct LogUniform {
  double lo = 1.0, hi = 10.0;
};
struct Normal {
  double mean = 0.0, stddev = 1.0;
};
struct TruncatedNormal {
  double mean = 0.0, stddev = 1.0, lo = -1.0, hi = 1.0;
};
struct Choice {
  std::vector<double> values;
  std::vector<double> weights;  // empty: equally likely
};
struct Sweep {
  double lo = 0.0, hi = 1.0;
};
struct Sequence {
  std::vector<double> values;
};
using ScalarDist = std::variant<double, Uniform, LogUniform, Normal, TruncatedNormal, Choice, Sweep, Sequence>;

struct IntRange {
  std::int64_t lo = 0, hi = 0;  // inclusive
};
struct IntChoice {
  std::vector<std::int64_t> values;
  std::vector<double> weights;  // empty: equally likely
};
using IntDist = std::variant<std::int64_t, IntRange, IntChoice>;

using Vec3Dist = std::array<ScalarDist, 3>;

// A distribution's centre (its value when fixed; the middle of a range; the mean of a Gaussian or of
// the listed values): the nominal value sizes that do not change per frame are computed from.
inline double centre(const ScalarDist& d) {
  struct Visit {
    double operator()(double v) const { return v; }
    double operator()(const Uniform& u) const { return 0.5 * (u.lo + u.hi); }
    double operator()(const LogUniform& u) const { return std::sqrt(u.lo * u.hi); }
    double operator()(const Normal& n) const { return n.mean; }
    double operator()(const TruncatedNormal& n) const { return std::clamp(n.mean, n.lo, n.hi); }
    double operator()(const Choice& c) const { return mean(c.values); }
    double operator()(const Sweep& s) const { return 0.5 * (s.lo + s.hi); }
    double operator()(const Sequence& s) const { return mean(s.values); }
    static double mean(const std::vector<double>& v) {
      double sum = 0;
      for (double x : v) sum += x;
      return v.empty() ? 0.0 : sum / static_cast<double>(v.size());
    }
  };
  return std::visit(Visit{}, d);
}

inline Vec3Dist constant_vec3(double x, double y, double z) { return {ScalarDist{x}, ScalarDist{y}, ScalarDist{z}}; }

}  // namespace synthlabel
