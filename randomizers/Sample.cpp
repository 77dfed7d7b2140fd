#include "randomizers/Sample.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace synthlabel {

namespace {

// Index into `count` items: uniform, or by relative weights (inverse CDF on one uniform draw).
std::size_t pick(std::size_t count, const std::vector<double>& weights, Rng& rng) {
  if (weights.empty()) return static_cast<std::size_t>(rng.integer(0, static_cast<std::int64_t>(count) - 1));
  double total = 0;
  for (double w : weights) total += w;
  const double u = rng.uniform01() * total;
  double acc = 0;
  for (std::size_t i = 0; i < count; ++i) {
    acc += weights[i];
    if (u < acc && weights[i] > 0) return i;
  }
  for (std::size_t i = count; i-- > 0;) {  // u == total by rounding: the last item with weight
    if (weights[i] > 0) return i;
  }
  return 0;
}

}  // namespace

double sample(const ScalarDist& d, Rng& rng, const FrameIndex& at) {
  return std::visit(
      [&](const auto& v) -> double {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, double>) {
          return v;
        } else if constexpr (std::is_same_v<T, Uniform>) {
          return rng.uniform(v.lo, v.hi);
        } else if constexpr (std::is_same_v<T, LogUniform>) {
          return std::exp(rng.uniform(std::log(v.lo), std::log(v.hi)));
        } else if constexpr (std::is_same_v<T, Normal>) {
          return rng.normal(v.mean, v.stddev);
        } else if constexpr (std::is_same_v<T, TruncatedNormal>) {
          // Rejection; the loader guarantees >= 0.1% acceptance, so the cap is never reached in practice.
          for (int tries = 0; tries < 100000; ++tries) {
            const double x = rng.normal(v.mean, v.stddev);
            if (x >= v.lo && x <= v.hi) return x;
          }
          return std::clamp(v.mean, v.lo, v.hi);
        } else if constexpr (std::is_same_v<T, Choice>) {
          return v.values[pick(v.values.size(), v.weights, rng)];
        } else if constexpr (std::is_same_v<T, Sweep>) {
          if (at.frames <= 1) return v.lo;
          const double t = static_cast<double>(std::min(at.frame, at.frames - 1)) / static_cast<double>(at.frames - 1);
          return v.lo + (v.hi - v.lo) * t;
        } else {
          return v.values[static_cast<std::size_t>(at.frame % v.values.size())];
        }
      },
      d);
}

std::int64_t sample(const IntDist& d, Rng& rng, const FrameIndex&) {
  return std::visit(
      [&](const auto& v) -> std::int64_t {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::int64_t>) return v;
        else if constexpr (std::is_same_v<T, IntRange>) return rng.integer(v.lo, v.hi);
        else return v.values[pick(v.values.size(), v.weights, rng)];
      },
      d);
}

glm::dvec3 sample(const Vec3Dist& d, Rng& rng, const FrameIndex& at) {
  // Each axis from its own child stream, so a change to one axis leaves the others' draws alone.
  Rng x = rng.fork("x"), y = rng.fork("y"), z = rng.fork("z");
  return {sample(d[0], x, at), sample(d[1], y, at), sample(d[2], z, at)};
}

glm::dquat sample_uniform_rotation(Rng& rng) {
  const double u1 = rng.uniform01(), u2 = rng.uniform01(), u3 = rng.uniform01();
  const double a = std::sqrt(1.0 - u1), b = std::sqrt(u1);
  const double t2 = 2.0 * std::numbers::pi * u2, t3 = 2.0 * std::numbers::pi * u3;
  return glm::dquat(b * std::cos(t3), a * std::sin(t2), a * std::cos(t2), b * std::sin(t3));  // (w, x, y, z)
}

}  // namespace synthlabel
