// An audit of settled poses that does not use the physics engine: the meshes themselves, as posed,
// checked for interpenetration (points sampled on each surface tested against every other mesh) and
// for support (each dynamic mesh's lowest point within a tolerance of another surface). What
// tests/unit/PhysicsTest.cpp asserts on the physics examples (docs/physics.md).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <glm/mat4x4.hpp>

#include "scenes/Mesh.h"

namespace synthlabel {

struct PosedMesh {
  const Mesh* mesh = nullptr;
  glm::dmat4 model{1.0};  // mesh -> world
  bool dynamic = false;   // audited for support (fixtures hold up the others)
  std::uint32_t tag = 0;  // the caller's id
};

struct RestAudit {
  double worst_penetration_m = 0;  // deepest sampled point of one mesh inside another
  std::uint32_t worst_a = 0, worst_b = 0;  // tags: a's point inside b
  std::size_t points_tested = 0;   // sampled points tested against another mesh's inside
  std::vector<std::uint32_t> unsupported;  // dynamic meshes whose lowest point is farther than `support_m` from every other
  struct Overlap {
    std::size_t a = 0, b = 0;  // indices into the audited list: a's deepest point inside b
    double depth = 0;
  };
  std::vector<Overlap> overlaps;  // every interpenetrating pair found, deepest first
  double worst_support_gap_m = 0;  // largest such distance over the dynamic meshes
};

// `samples` points per mesh drawn uniformly by area (a fixed low-discrepancy rule, no randomness),
// plus every vertex. A point is inside a closed mesh when its generalized winding number exceeds 1/2,
// inside an open one (a ground plane) when it lies behind the nearest triangle; its depth is its
// distance to that mesh's surface.
RestAudit audit_rest(std::span<const PosedMesh> meshes, std::uint32_t samples, double support_m);

// Distance from `p` to the triangle (a, b, c), and the closest point (Ericson, Real-Time Collision
// Detection, 5.1.5).
double point_triangle_distance(const glm::dvec3& p, const glm::dvec3& a, const glm::dvec3& b, const glm::dvec3& c,
                               glm::dvec3* closest = nullptr);

}  // namespace synthlabel
