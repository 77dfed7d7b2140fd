// Collision shapes from the meshes as loaded, for the physics randomizer (docs/physics.md). Pure CPU
// and Bullet-free: a CollisionRecipe says which shape stands for a mesh (an analytic primitive, its
// convex hull, or an approximate convex decomposition) and holds the hulls' vertices in mesh
// space; physics/World.cpp turns a recipe and an instance's scale into Bullet shapes. Recipes are
// computed once per mesh and cached for the process (RecipeCache); building one is the expensive part
// (a decomposition takes tens to hundreds of milliseconds), making Bullet shapes from it is cheap.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <glm/mat3x3.hpp>
#include <glm/vec3.hpp>

#include "core/Error.h"
#include "scenes/Mesh.h"
#include "scenes/Primitives.h"

namespace synthlabel {

// As a dynamic body (fixtures that are not primitives collide as their triangles: physics/World.cpp).
enum class ShapeKind { box, sphere, plane, convex_hull, convex_decomposition };
std::string_view shape_kind_name(ShapeKind kind);

// A closed convex polyhedron: its vertices and its surface's triangles (outward, counter-clockwise).
struct ConvexPiece {
  std::vector<glm::dvec3> points;
  std::vector<std::array<std::uint32_t, 3>> triangles;
};

// Volume, centre of mass and inertia tensor (about the centre, unit density) of a closed surface.
struct MassProperties {
  double volume = 0;
  glm::dvec3 centre{0.0};
  glm::dmat3 inertia{0.0};
};

// Of the closed surface (points, triangles), each point first multiplied by `scale`.
MassProperties mass_properties(std::span<const glm::dvec3> points, std::span<const std::array<std::uint32_t, 3>> triangles,
                               const glm::dvec3& scale);

// The mesh's vertices welded by exact position, and its triangles over them.
struct WeldedMesh {
  std::vector<glm::dvec3> points;
  std::vector<std::array<std::uint32_t, 3>> triangles;
  std::size_t boundary_edges = 0;      // edges of one triangle only
  std::size_t nonmanifold_edges = 0;   // edges of three or more, or two with the same direction
  bool closed() const { return boundary_edges == 0 && nonmanifold_edges == 0 && !triangles.empty(); }
};
WeldedMesh weld(const Mesh& mesh);

// Generalized winding number of the surface (points, triangles) at p (Jacobson et al. 2013): the
// solid angles of its triangles seen from p (Van Oosterom and Strackee 1983) over 4 pi; about +-1
// inside a closed surface, 0 outside.
double winding_number(std::span<const glm::dvec3> points, std::span<const std::array<std::uint32_t, 3>> triangles,
                      const glm::dvec3& p);

// The radical inverse of i in `base` (the Halton sequence's coordinate), in [0, 1).
double radical_inverse(std::uint32_t i, std::uint32_t base);

// The convex hull of `points` (Bullet's btConvexHullComputer); empty when they span no volume.
ConvexPiece convex_hull(std::span<const glm::dvec3> points);

struct CollisionRecipe {
  ShapeKind kind = ShapeKind::convex_hull;     // as a dynamic body
  std::optional<PrimitiveKind> primitive;      // the procedural primitive the mesh is, if it is one
  std::vector<ConvexPiece> pieces;             // convex_decomposition: each part's hull
  ConvexPiece hull;                            // the whole mesh's hull (convex_hull, and a sphere scaled out of its symmetry)
  WeldedMesh surface;                          // the mesh itself (static triangle meshes, mass properties)
  double mesh_volume = 0, hull_volume = 0;     // mesh units^3; mesh_volume 0 unless closed
  std::string note;                            // a fallback taken, said once at start-up
  double build_ms = 0;
  // Whether it can be a dynamic body: a closed surface or a hull with volume.
  bool has_volume() const { return hull_volume > 0; }
  // The closed surface mass properties come from: the mesh when closed, else its hull.
  bool closed() const { return surface.closed() && mesh_volume > 0; }
};

// How a mesh collides. A primitive (by its name, with no asset parts) is analytic (a torus, concave,
// is decomposed); any other mesh is its convex hull when it fills at least `convex_ratio` of the hull,
// else a convex decomposition (recursive splitting, CollisionShapes.cpp) when it is a closed manifold,
// else its hull with a note saying why. (Bullet's HACD, libbullet-extras-dev, was tried first and
// left out: on the torus primitive, in either winding, its parts' hulls filled the hole.)
CollisionRecipe make_recipe(const Mesh& mesh, double convex_ratio = 0.95);

// Recipes by mesh index, computed once for the process; thread-safe.
class RecipeCache {
 public:
  explicit RecipeCache(std::size_t meshes = 0);
  const CollisionRecipe& get(std::span<const Mesh> meshes, std::uint32_t index) const;

 private:
  struct Slot {
    std::once_flag once;
    std::unique_ptr<CollisionRecipe> recipe;
  };
  mutable std::mutex m_grow;
  mutable std::vector<std::unique_ptr<Slot>> m_slots;
};

}  // namespace synthlabel
