// PhysicsWorld: one rigid-body simulation (Bullet, docs/physics.md), fixed time step, single-threaded
// solver, no clock: the same bodies added in the same order and stepped the same number of times give
// the same poses, bit for bit, in a given build. Bullet stays behind this header (pimpl).
//
// Poses are the instance's: position of the mesh's origin and its rotation (world axes, metres, +Y
// up). A dynamic body's centre of mass is its scaled mesh's (or hull's) centroid, its inertia that
// surface's at uniform density; the world keeps the offset, callers never see it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <glm/gtc/quaternion.hpp>
#include <glm/vec3.hpp>

#include "physics/CollisionShapes.h"

namespace synthlabel {

enum class BodyType { dynamic, fixed, kinematic };

struct BodyDesc {
  const CollisionRecipe* recipe = nullptr;
  glm::dvec3 scale{1.0};
  glm::dvec3 position{0.0};
  glm::dquat rotation{1.0, 0.0, 0.0, 0.0};
  glm::dvec3 velocity{0.0};          // m/s
  glm::dvec3 angular_velocity{0.0};  // rad/s, world axes
  BodyType type = BodyType::dynamic;
  double mass = 1.0;  // kg (dynamic bodies)
  double friction = 0.5, restitution = 0.0;
  std::uint32_t tag = 0;  // the caller's id for the body, reported in contacts
};

struct BodyState {
  glm::dvec3 position{0.0};
  glm::dquat rotation{1.0, 0.0, 0.0, 0.0};
  glm::dvec3 velocity{0.0}, angular_velocity{0.0};
};

// Two bodies that began to push on each other in a step (not touching with an impulse the step before).
struct ContactEvent {
  double time_s = 0;            // the end of the step
  std::uint32_t a = 0, b = 0;   // tags, a < b
  double impulse = 0;           // N s, the normal impulses of the step summed over the contact points
  glm::dvec3 position{0.0};     // world, the contact points weighted by impulse
  glm::dvec3 normal{0.0};       // world, unit, pointing from b to a
};

struct WorldSettings {
  glm::dvec3 gravity{0.0, -9.81, 0.0};
  double step_s = 1.0 / 240.0;
  int solver_iterations = 20;
  double margin_m = 0.0005;  // collision margin of hulls (Bullet inflates them by it)
  double linear_damping = 0, angular_damping = 0;  // of dynamic bodies: fraction of speed lost per second
  bool contacts = false;     // find the contact onsets of each step (new_contacts)
};

class PhysicsWorld {
 public:
  explicit PhysicsWorld(const WorldSettings& settings);
  ~PhysicsWorld();
  PhysicsWorld(const PhysicsWorld&) = delete;
  PhysicsWorld& operator=(const PhysicsWorld&) = delete;

  // Adds a body; returns its handle (0, 1, ... in order). A recipe without volume (a plane) is always a
  // fixed body: callers refuse such dynamic bodies first (physics_drop's prepare).
  std::size_t add(const BodyDesc& body);
  void remove(std::size_t handle);
  bool present(std::size_t handle) const;
  // A kinematic body: where it is at the end of the next step (its velocity follows from the move).
  void move_kinematic(std::size_t handle, const glm::dvec3& position, const glm::dquat& rotation);
  void step();
  double time() const;
  std::uint64_t steps() const;
  BodyState state(std::size_t handle) const;
  // The contacts that began in the last step, ordered by (a, b).
  const std::vector<ContactEvent>& new_contacts() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m;
};

}  // namespace synthlabel
