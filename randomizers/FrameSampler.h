// sample_frame: the randomizers' one entry point. A pure function of (spec, meshes, frame index):
// no global RNG, no clock. Stream names used (see Rng.h): "camera/...", "lights[i]/...",
// "ambient", "background", "objects[i]/count", "objects[i]/instance[j]/{position,rotation,scale,color}".
//
// Camera: orbits `target` at `distance`; elevation is the angle above the horizontal plane through the
// target, azimuth turns about +Y, 0 degrees putting the camera on the +Z side. Labeled instances get
// instance ids 1..N in config order (object by object, instance by instance); unlabeled ones get 0.
#pragma once

#include <cstdint>
#include <span>

#include <glm/vec3.hpp>

#include "scenes/Mesh.h"
#include "scenes/Scene.h"
#include "scenes/SceneSpec.h"

namespace synthlabel {

Scene sample_frame(const SceneSpec& spec, std::span<const Mesh> meshes, std::uint64_t frame);

// Linear-RGB colour of a blackbody at `kelvin` (clamped to 1000..40000), largest channel 1.
glm::dvec3 kelvin_to_linear_rgb(double kelvin);

}  // namespace synthlabel
