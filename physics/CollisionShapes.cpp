#include "physics/CollisionShapes.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <limits>
#include <tuple>
#include <unordered_map>

#include <LinearMath/btConvexHullComputer.h>

namespace synthlabel {

std::string_view shape_kind_name(ShapeKind kind) {
  switch (kind) {
    case ShapeKind::box: return "box";
    case ShapeKind::sphere: return "sphere";
    case ShapeKind::plane: return "plane";
    case ShapeKind::convex_hull: return "convex hull";
    case ShapeKind::convex_decomposition: return "convex decomposition";
  }
  return "?";
}

MassProperties mass_properties(std::span<const glm::dvec3> points, std::span<const std::array<std::uint32_t, 3>> triangles,
                               const glm::dvec3& scale) {
  // Each triangle and the origin span a signed tetrahedron; for one with a vertex at the origin and
  // the others a, b, c: volume v = a . (b x c) / 6, first moment v (a + b + c) / 4, second moment
  // (covariance) v / 20 (a a^T + b b^T + c c^T + s s^T) with s = a + b + c.
  double volume = 0;
  glm::dvec3 first(0.0);
  glm::dmat3 second(0.0);
  for (const auto& t : triangles) {
    const glm::dvec3 a = points[t[0]] * scale, b = points[t[1]] * scale, c = points[t[2]] * scale;
    const double v = glm::dot(a, glm::cross(b, c)) / 6.0;
    const glm::dvec3 s = a + b + c;
    volume += v;
    first += v * s / 4.0;
    second += (v / 20.0) * (glm::outerProduct(a, a) + glm::outerProduct(b, b) + glm::outerProduct(c, c) + glm::outerProduct(s, s));
  }
  MassProperties m;
  m.volume = volume;
  if (std::abs(volume) < 1e-300) return m;
  m.centre = first / volume;
  const glm::dmat3 cov = second - volume * glm::outerProduct(m.centre, m.centre);
  const double tr = cov[0][0] + cov[1][1] + cov[2][2];
  m.inertia = tr * glm::dmat3(1.0) - cov;
  return m;
}

WeldedMesh weld(const Mesh& mesh) {
  WeldedMesh w;
  // Welded on a grid of a millionth of the mesh's size: the procedural sphere's seam and poles
  // repeat positions up to float rounding of sin(pi) and sin(2 pi).
  const glm::dvec3 extent = glm::dvec3(mesh.bounds_max - mesh.bounds_min);
  const double cell = std::max(1e-12, 1e-6 * glm::length(extent));
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, std::uint32_t> index;
  std::vector<std::uint32_t> remap(mesh.vertices.size());
  for (std::size_t i = 0; i < mesh.vertices.size(); ++i) {
    const glm::dvec3 p(mesh.vertices[i].position);
    const auto key = std::make_tuple(std::llround(p.x / cell), std::llround(p.y / cell), std::llround(p.z / cell));
    auto [it, added] = index.emplace(key, static_cast<std::uint32_t>(w.points.size()));
    if (added) w.points.push_back(p);
    remap[i] = it->second;
  }
  for (std::size_t t = 0; t + 2 < mesh.indices.size(); t += 3) {
    const std::array<std::uint32_t, 3> tri = {remap[mesh.indices[t]], remap[mesh.indices[t + 1]], remap[mesh.indices[t + 2]]};
    if (tri[0] == tri[1] || tri[1] == tri[2] || tri[0] == tri[2]) continue;  // degenerate once welded
    w.triangles.push_back(tri);
  }
  // One winding for the whole surface: the renderer draws both faces, so meshes (the procedural cone's
  // cap and side) may mix them. Breadth-first over shared edges, a neighbour that runs an edge the same
  // way as the triangle it is reached from is turned.
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<std::uint32_t>> by_edge;  // undirected edge -> triangles
  for (std::uint32_t t = 0; t < w.triangles.size(); ++t) {
    for (std::size_t e = 0; e < 3; ++e) {
      const std::uint32_t a = w.triangles[t][e], b = w.triangles[t][(e + 1) % 3];
      by_edge[{std::min(a, b), std::max(a, b)}].push_back(t);
    }
  }
  auto runs = [&](std::uint32_t t, std::uint32_t a, std::uint32_t b) {
    for (std::size_t e = 0; e < 3; ++e) {
      if (w.triangles[t][e] == a && w.triangles[t][(e + 1) % 3] == b) return true;
    }
    return false;
  };
  std::vector<bool> seen(w.triangles.size(), false);
  for (std::uint32_t start = 0; start < w.triangles.size(); ++start) {
    if (seen[start]) continue;
    seen[start] = true;
    std::vector<std::uint32_t> queue = {start};
    while (!queue.empty()) {
      const std::uint32_t t = queue.back();
      queue.pop_back();
      for (std::size_t e = 0; e < 3; ++e) {
        const std::uint32_t a = w.triangles[t][e], b = w.triangles[t][(e + 1) % 3];
        for (const std::uint32_t n : by_edge[{std::min(a, b), std::max(a, b)}]) {
          if (seen[n]) continue;
          seen[n] = true;
          if (runs(n, a, b)) std::swap(w.triangles[n][1], w.triangles[n][2]);
          queue.push_back(n);
        }
      }
    }
  }
  std::map<std::pair<std::uint32_t, std::uint32_t>, int> directed;
  for (const auto& tri : w.triangles) {
    for (std::size_t e = 0; e < 3; ++e) directed[{tri[e], tri[(e + 1) % 3]}]++;
  }
  // Closed and consistently oriented: every edge a->b used once, and b->a once.
  for (const auto& [edge, n] : directed) {
    const auto back = directed.find({edge.second, edge.first});
    const int m = back == directed.end() ? 0 : back->second;
    if (edge.first > edge.second && m > 0) continue;  // counted from the other direction
    if (n > 1 || m > 1) {
      ++w.nonmanifold_edges;
    } else if (m == 0) {
      ++w.boundary_edges;
    }
  }
  return w;
}

double radical_inverse(std::uint32_t i, std::uint32_t base) {
  double f = 1.0, r = 0.0;
  while (i > 0) {
    f /= base;
    r += f * (i % base);
    i /= base;
  }
  return r;
}

double winding_number(std::span<const glm::dvec3> points, std::span<const std::array<std::uint32_t, 3>> triangles,
                      const glm::dvec3& p) {
  double sum = 0;
  for (const auto& t : triangles) {
    const glm::dvec3 a = points[t[0]] - p, b = points[t[1]] - p, c = points[t[2]] - p;
    const double la = glm::length(a), lb = glm::length(b), lc = glm::length(c);
    sum += 2.0 * std::atan2(glm::dot(a, glm::cross(b, c)), la * lb * lc + glm::dot(a, b) * lc + glm::dot(b, c) * la + glm::dot(c, a) * lb);
  }
  return sum / (4.0 * 3.14159265358979323846);
}

ConvexPiece convex_hull(std::span<const glm::dvec3> points) {
  ConvexPiece piece;
  if (points.size() < 4) return piece;
  btConvexHullComputer hc;
  hc.compute(&points[0].x, static_cast<int>(sizeof(glm::dvec3)), static_cast<int>(points.size()), 0.0f, 0.0f);
  for (int i = 0; i < hc.vertices.size(); ++i) {
    const std::size_t src = static_cast<std::size_t>(hc.original_vertex_index[i]);
    piece.points.push_back(points[src]);  // the input's double coordinates, not Bullet's floats
  }
  for (int f = 0; f < hc.faces.size(); ++f) {
    const btConvexHullComputer::Edge* first = &hc.edges[hc.faces[f]];
    const btConvexHullComputer::Edge* e = first->getNextEdgeOfFace();
    const auto v0 = static_cast<std::uint32_t>(first->getSourceVertex());
    while (e->getTargetVertex() != first->getSourceVertex()) {
      piece.triangles.push_back({v0, static_cast<std::uint32_t>(e->getSourceVertex()), static_cast<std::uint32_t>(e->getTargetVertex())});
      e = e->getNextEdgeOfFace();
    }
  }
  if (mass_properties(piece.points, piece.triangles, glm::dvec3(1.0)).volume <= 0.0) return {};
  return piece;
}

namespace {

// The share of a hull's volume that lies outside the mesh, estimated from up to 64 points spread
// uniformly through the hull (the Halton sequence in bases 2, 3, 5 over its box, those inside kept).
double outside_share(const WeldedMesh& w, const ConvexPiece& hull) {
  glm::dvec3 lo(std::numeric_limits<double>::infinity()), hi(-std::numeric_limits<double>::infinity());
  for (const auto& p : hull.points) lo = glm::min(lo, p), hi = glm::max(hi, p);
  std::uint32_t inside = 0, outside = 0;
  for (std::uint32_t s = 1; s <= 2048 && inside < 64; ++s) {
    const glm::dvec3 p = lo + (hi - lo) * glm::dvec3(radical_inverse(s, 2), radical_inverse(s, 3), radical_inverse(s, 5));
    bool in_hull = true;
    for (const auto& t : hull.triangles) {
      const glm::dvec3 a = hull.points[t[0]], b = hull.points[t[1]], c = hull.points[t[2]];
      if (glm::dot(glm::cross(b - a, c - a), p - a) > 0) {
        in_hull = false;
        break;
      }
    }
    if (!in_hull) continue;
    ++inside;
    if (std::abs(winding_number(w.points, w.triangles, p)) < 0.5) ++outside;
  }
  return inside ? static_cast<double>(outside) / inside : 0.0;
}

// Approximate convex decomposition of a closed surface: the triangles are split in two by the plane
// through their box's centre across its longest side (each triangle to the side of its centroid),
// recursively, until a part's hull lies within the mesh (at most 1/16 of it outside) or after 3
// levels (at most 8 parts: each pair of touching bodies costs parts x parts hull tests a step); each part is the hull of its triangles. Parts stay within about a
// part's size of the surface, so holes stay open (a washer's).
void split(const WeldedMesh& w, const std::vector<std::uint32_t>& tris, int depth, std::vector<ConvexPiece>& out) {
  std::vector<glm::dvec3> pts;
  glm::dvec3 lo(std::numeric_limits<double>::infinity()), hi(-std::numeric_limits<double>::infinity());
  for (const std::uint32_t t : tris) {
    for (const std::uint32_t v : w.triangles[t]) {
      pts.push_back(w.points[v]);
      lo = glm::min(lo, w.points[v]);
      hi = glm::max(hi, w.points[v]);
    }
  }
  ConvexPiece hull = convex_hull(pts);
  if (hull.points.empty()) return;  // a flat patch: the parts around it hold the volume
  if (depth >= 3 || outside_share(w, hull) <= 1.0 / 16.0) {
    out.push_back(std::move(hull));
    return;
  }
  const glm::dvec3 extent = hi - lo;
  const int axis = extent.x >= extent.y && extent.x >= extent.z ? 0 : (extent.y >= extent.z ? 1 : 2);
  const double mid = 0.5 * (lo[axis] + hi[axis]);
  std::vector<std::uint32_t> left, right;
  for (const std::uint32_t t : tris) {
    const double c = (w.points[w.triangles[t][0]][axis] + w.points[w.triangles[t][1]][axis] + w.points[w.triangles[t][2]][axis]) / 3.0;
    (c < mid ? left : right).push_back(t);
  }
  if (left.empty() || right.empty()) {
    out.push_back(std::move(hull));
    return;
  }
  split(w, left, depth + 1, out);
  split(w, right, depth + 1, out);
}

std::vector<ConvexPiece> decompose(const WeldedMesh& w) {
  std::vector<std::uint32_t> all(w.triangles.size());
  for (std::uint32_t t = 0; t < all.size(); ++t) all[t] = t;
  std::vector<ConvexPiece> pieces;
  split(w, all, 0, pieces);
  return pieces;
}

}  // namespace

CollisionRecipe make_recipe(const Mesh& mesh, double convex_ratio) {
  const auto t0 = std::chrono::steady_clock::now();
  CollisionRecipe r;
  r.surface = weld(mesh);
  r.hull = convex_hull(r.surface.points);
  r.hull_volume = r.hull.points.empty() ? 0.0 : mass_properties(r.hull.points, r.hull.triangles, glm::dvec3(1.0)).volume;
  if (r.surface.closed()) {
    r.mesh_volume = mass_properties(r.surface.points, r.surface.triangles, glm::dvec3(1.0)).volume;
    if (r.mesh_volume < 0) {  // wound clockwise seen from outside: turned, so volumes and normals point out
      for (auto& t : r.surface.triangles) std::swap(t[1], t[2]);
      r.mesh_volume = -r.mesh_volume;
    }
  }
  if (mesh.parts.empty()) r.primitive = primitive_from_name(mesh.name);
  bool decomposable = false;
  if (r.primitive) {
    switch (*r.primitive) {
      case PrimitiveKind::cube: r.kind = ShapeKind::box; break;
      case PrimitiveKind::sphere: r.kind = ShapeKind::sphere; break;
      // Cylinders and cones collide as the hull of their 48-sided mesh, not Bullet's btCylinderShape /
      // btConeShape: measured, a peg as btCylinderShape settled 4.5 mm deep into a washer's hull parts,
      // as the hull of its mesh 0.6 mm (tests/unit/PhysicsTest.cpp); and the hull is what is rendered.
      case PrimitiveKind::cylinder:
      case PrimitiveKind::cone: r.kind = ShapeKind::convex_hull; break;
      case PrimitiveKind::plane: r.kind = ShapeKind::plane; break;
      case PrimitiveKind::torus: decomposable = true; break;
    }
  } else if (r.hull_volume > 0 && r.mesh_volume < convex_ratio * r.hull_volume) {
    decomposable = true;
  }
  if (decomposable) {
    if (!r.surface.closed()) {
      r.kind = ShapeKind::convex_hull;
      r.note = "not a closed manifold mesh (" + std::to_string(r.surface.boundary_edges) + " open edges, " +
               std::to_string(r.surface.nonmanifold_edges) +
               " non-manifold): a convex decomposition needs one, so it collides as its convex hull";
    } else {
      r.pieces = decompose(r.surface);
      if (r.pieces.size() >= 2) {
        r.kind = ShapeKind::convex_decomposition;
      } else {
        r.kind = ShapeKind::convex_hull;
        r.note = "the convex decomposition found fewer than two parts: it collides as its convex hull";
        r.pieces.clear();
      }
    }
  }
  r.build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

RecipeCache::RecipeCache(std::size_t meshes) {
  for (std::size_t i = 0; i < meshes; ++i) m_slots.push_back(std::make_unique<Slot>());
}

const CollisionRecipe& RecipeCache::get(std::span<const Mesh> meshes, std::uint32_t index) const {
  Slot* slot = nullptr;
  {
    std::lock_guard lock(m_grow);
    while (m_slots.size() <= index) m_slots.push_back(std::make_unique<Slot>());
    slot = m_slots[index].get();  // slots never move: unique_ptr
  }
  std::call_once(slot->once, [&] { slot->recipe = std::make_unique<CollisionRecipe>(make_recipe(meshes[index])); });
  return *slot->recipe;
}

}  // namespace synthlabel
