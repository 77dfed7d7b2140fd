#include "scenes/MeshClosure.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include <glm/geometric.hpp>

namespace synthlabel {
namespace {

// Vertices welded by position: a grid of cells `eps` wide; a vertex joins the first earlier one within
// eps in its cell or a neighbouring one.
std::vector<std::uint32_t> weld(const std::vector<Vertex>& vertices, float eps) {
  auto key = [](std::int64_t x, std::int64_t y, std::int64_t z) {
    return static_cast<std::uint64_t>((x * 73856093) ^ (y * 19349663) ^ (z * 83492791));
  };
  std::unordered_multimap<std::uint64_t, std::uint32_t> cells;
  std::vector<std::uint32_t> id(vertices.size());
  for (std::size_t i = 0; i < vertices.size(); ++i) {
    const glm::vec3 p = vertices[i].position;
    const auto cx = static_cast<std::int64_t>(std::floor(p.x / eps)), cy = static_cast<std::int64_t>(std::floor(p.y / eps)),
               cz = static_cast<std::int64_t>(std::floor(p.z / eps));
    id[i] = static_cast<std::uint32_t>(i);
    bool found = false;
    for (std::int64_t dx = -1; dx <= 1 && !found; ++dx) {
      for (std::int64_t dy = -1; dy <= 1 && !found; ++dy) {
        for (std::int64_t dz = -1; dz <= 1 && !found; ++dz) {
          auto [lo, hi] = cells.equal_range(key(cx + dx, cy + dy, cz + dz));
          for (auto it = lo; it != hi; ++it) {
            const glm::vec3 d = vertices[it->second].position - p;
            if (std::abs(d.x) <= eps && std::abs(d.y) <= eps && std::abs(d.z) <= eps) {
              id[i] = id[it->second];
              found = true;
              break;
            }
          }
        }
      }
    }
    cells.emplace(key(cx, cy, cz), static_cast<std::uint32_t>(i));
  }
  return id;
}

}  // namespace

Closure mesh_closure(const Mesh& mesh) {
  if (mesh.vertices.empty() || mesh.indices.size() < 3 || mesh.indices.size() % 3 != 0) return Closure::open;
  glm::vec3 lo = mesh.vertices.front().position, hi = lo;
  for (const Vertex& v : mesh.vertices) {
    lo = glm::min(lo, v.position);
    hi = glm::max(hi, v.position);
  }
  const float diagonal = glm::length(hi - lo);
  if (!(diagonal > 0.0f) || !std::isfinite(diagonal)) return Closure::open;
  const std::vector<std::uint32_t> id = weld(mesh.vertices, 1e-6f * diagonal);
  // Directed edges of the non-degenerate triangles: each must occur once, and its reverse once.
  std::unordered_map<std::uint64_t, std::uint32_t> edges;
  auto edge = [](std::uint32_t a, std::uint32_t b) { return std::uint64_t{a} << 32 | b; };
  double volume = 0.0;
  std::size_t triangles = 0;
  for (std::size_t t = 0; t + 2 < mesh.indices.size(); t += 3) {
    std::array<std::uint32_t, 3> v{};
    for (std::size_t k = 0; k < 3; ++k) {
      const std::uint32_t i = mesh.indices[t + k];
      if (i >= mesh.vertices.size()) return Closure::open;
      v[k] = id[i];
    }
    if (v[0] == v[1] || v[1] == v[2] || v[2] == v[0]) continue;  // degenerate: covers no pixel
    ++triangles;
    for (std::size_t k = 0; k < 3; ++k) {
      if (++edges[edge(v[k], v[(k + 1) % 3])] > 1) return Closure::open;
    }
    const glm::dvec3 p0(mesh.vertices[mesh.indices[t]].position), p1(mesh.vertices[mesh.indices[t + 1]].position),
        p2(mesh.vertices[mesh.indices[t + 2]].position);
    volume += glm::dot(p0, glm::cross(p1, p2));
  }
  if (triangles == 0) return Closure::open;
  for (const auto& [e, count] : edges) {
    if (!edges.contains(e << 32 | e >> 32)) return Closure::open;  // an edge only one triangle runs along
  }
  if (volume == 0.0) return Closure::open;
  return volume > 0.0 ? Closure::outward : Closure::inward;
}

}  // namespace synthlabel
