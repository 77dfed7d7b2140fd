#include "randomizers/Sample.h"

#include <cmath>
#include <numbers>

namespace synthlabel {

double sample(const ScalarDist& d, Rng& rng) {
  return std::visit(
      [&](const auto& v) -> double {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, double>) return v;
        else if constexpr (std::is_same_v<T, Uniform>) return rng.uniform(v.lo, v.hi);
        else if constexpr (std::is_same_v<T, Normal>) return rng.normal(v.mean, v.stddev);
        else return v.values[static_cast<std::size_t>(rng.integer(0, static_cast<std::int64_t>(v.values.size()) - 1))];
      },
      d);
}

std::int64_t sample(const IntDist& d, Rng& rng) {
  return std::visit(
      [&](const auto& v) -> std::int64_t {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::int64_t>) return v;
        else if constexpr (std::is_same_v<T, IntRange>) return rng.integer(v.lo, v.hi);
        else return v.values[static_cast<std::size_t>(rng.integer(0, static_cast<std::int64_t>(v.values.size()) - 1))];
      },
      d);
}

glm::dvec3 sample(const Vec3Dist& d, Rng& rng) {
  // Each axis from its own child stream, so a change to one axis leaves the others' draws alone.
  Rng x = rng.fork("x"), y = rng.fork("y"), z = rng.fork("z");
  return {sample(d[0], x), sample(d[1], y), sample(d[2], z)};
}

glm::dquat sample_uniform_rotation(Rng& rng) {
  const double u1 = rng.uniform01(), u2 = rng.uniform01(), u3 = rng.uniform01();
  const double a = std::sqrt(1.0 - u1), b = std::sqrt(u1);
  const double t2 = 2.0 * std::numbers::pi * u2, t3 = 2.0 * std::numbers::pi * u3;
  return glm::dquat(b * std::cos(t3), a * std::sin(t2), a * std::cos(t2), b * std::sin(t3));  // (w, x, y, z)
}

}  // namespace synthlabel
