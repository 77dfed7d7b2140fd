// Draws values from the distributions a config declares, with an explicit Rng.
#pragma once

#include <glm/gtc/quaternion.hpp>
#include <glm/vec3.hpp>

#include "randomizers/Rng.h"
#include "scenes/Distribution.h"

namespace synthlabel {

double sample(const ScalarDist& d, Rng& rng);
std::int64_t sample(const IntDist& d, Rng& rng);
glm::dvec3 sample(const Vec3Dist& d, Rng& rng);

// Uniformly distributed rotation (Shoemake 1992, "Uniform random rotations").
glm::dquat sample_uniform_rotation(Rng& rng);

}  // namespace synthlabel
