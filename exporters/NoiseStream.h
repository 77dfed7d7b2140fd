// The pseudo-random stream of one frame's sensor noise (RGB effects, the depth sensor): SplitMix64
// from a key drawn per frame, so a frame's noise depends only on (config, seed, frame) and the order
// its pixels are visited in.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace synthlabel {

// SplitMix64: the noise stream for one frame, from its key.
struct Noise {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  double spare = 0;
  bool has_spare = false;
  double normal() {  // Box-Muller, both values of each pair used
    if (has_spare) {
      has_spare = false;
      return spare;
    }
    const double u1 = std::max(uniform(), 1e-300), u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare = r * std::sin(2.0 * 3.14159265358979323846 * u2);
    has_spare = true;
    return r * std::cos(2.0 * 3.14159265358979323846 * u2);
  }
  double poisson(double lambda) {
    if (lambda <= 0) return 0;
    if (lambda > 30) return std::max(0.0, std::round(lambda + std::sqrt(lambda) * normal()));
    const double limit = std::exp(-lambda);  // Knuth
    double k = 0, p = uniform();
    while (p > limit) {
      ++k;
      p *= uniform();
    }
    return k;
  }
};


}  // namespace synthlabel
