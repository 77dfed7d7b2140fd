// Draws values from the distributions a config declares, with an explicit Rng.
#pragma once

#include <glm/gtc/quaternion.hpp>
#include <glm/vec3.hpp>

#include "randomizers/Rng.h"
#include "scenes/Distribution.h"

namespace synthlabel {

// Which frame is being drawn, for the per-frame forms (sweep, sequence): `frames` is the config's own
// frame count (SceneSpec::sweep_frames, not --frames), so a sweep spans the same frames in any range
// or shard.
struct FrameIndex {
  std::uint64_t frame = 0;
  std::uint64_t frames = 1;
};

double sample(const ScalarDist& d, Rng& rng, const FrameIndex& at);
std::int64_t sample(const IntDist& d, Rng& rng, const FrameIndex& at);
glm::dvec3 sample(const Vec3Dist& d, Rng& rng, const FrameIndex& at);

// Uniformly distributed rotation (Shoemake 1992, "Uniform random rotations").
glm::dquat sample_uniform_rotation(Rng& rng);

}  // namespace synthlabel
