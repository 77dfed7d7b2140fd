// Deterministic randomness. Every draw in a frame comes from a stream keyed by
// (seed, frame index, a name such as "objects[2]/instance[0]/color"), so:
// - frame i depends only on (seed, i) and the config, never on other frames, order, threads or shards;
// - changing one factor in a config (say camera distance) leaves every other factor's draws unchanged,
//   which is what one-factor-at-a-time ablations need.
// The generator is SplitMix64 (Steele, Lea, Flood 2014) over a key mixed from those three parts;
// samplers are written here (not <random> distributions, whose output differs between standard
// libraries). Documented in docs/determinism.md.
#pragma once

#include <cstdint>
#include <string_view>

namespace synthlabel {

class Rng {
 public:
  // Stream for (seed, frame, name).
  Rng(std::uint64_t seed, std::uint64_t frame, std::string_view stream);

  // A child stream: same rule, keyed additionally by `name`.
  Rng fork(std::string_view name) const;

  std::uint64_t next_u64();
  double uniform01();                      // [0, 1), 53 random bits
  double uniform(double lo, double hi);    // [lo, hi); lo when lo == hi
  double normal(double mean, double stddev);  // Box-Muller
  std::int64_t integer(std::int64_t lo, std::int64_t hi);  // inclusive, unbiased
  std::uint64_t key() const { return m_key; }

 private:
  explicit Rng(std::uint64_t key) : m_key(key), m_state(key) {}
  std::uint64_t m_key;
  std::uint64_t m_state;
};

std::uint64_t mix64(std::uint64_t x);          // SplitMix64 finalizer
std::uint64_t hash_name(std::string_view s);   // FNV-1a 64

}  // namespace synthlabel
