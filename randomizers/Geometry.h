// Geometry the placement randomizers need: oriented bounding boxes of instances, an exact
// separating-axis overlap test between two boxes, and the lowest point of a posed mesh.
#pragma once

#include <array>

#include <glm/gtc/quaternion.hpp>
#include <glm/mat3x3.hpp>
#include <glm/vec3.hpp>

#include "scenes/Mesh.h"
#include "scenes/Scene.h"

namespace synthlabel {

struct Obb {
  glm::dvec3 centre{0.0};
  glm::dmat3 axes{1.0};    // columns: unit box axes in world space
  glm::dvec3 half{0.0};    // half extents along those axes, metres
};

// The box of the mesh's own bounds, carried by the instance's scale, rotation and position.
Obb instance_obb(const Instance& inst, const Mesh& mesh);

// True when the boxes interpenetrate by more than `tolerance` metres (touching is not overlapping).
// Separating-axis test over the 15 candidate axes (Gottschalk et al. 1996), exact for boxes.
bool obbs_overlap(const Obb& a, const Obb& b, double tolerance = 1e-9);

std::array<glm::dvec3, 8> obb_corners(const Obb& box);

// The world axis-aligned box (min corner, max corner) around the instance's oriented box.
struct WorldBox {
  glm::dvec3 lo, hi;
};
WorldBox instance_world_box(const Instance& inst, const Mesh& mesh);

// min over the mesh's vertices of (rotation * (scale * v)).y: how far below its origin a posed
// mesh reaches, so that position.y = surface - lowest puts it exactly on the surface.
double lowest_point(const Mesh& mesh, const glm::dquat& rotation, const glm::dvec3& scale);

}  // namespace synthlabel
