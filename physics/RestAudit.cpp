#include "physics/RestAudit.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <glm/geometric.hpp>

#include "physics/CollisionShapes.h"

namespace synthlabel {

double point_triangle_distance(const glm::dvec3& p, const glm::dvec3& a, const glm::dvec3& b, const glm::dvec3& c,
                               glm::dvec3* closest) {
  const glm::dvec3 ab = b - a, ac = c - a, ap = p - a;
  glm::dvec3 q;
  const double d1 = glm::dot(ab, ap), d2 = glm::dot(ac, ap);
  const glm::dvec3 bp = p - b;
  const double d3 = glm::dot(ab, bp), d4 = glm::dot(ac, bp);
  const glm::dvec3 cp = p - c;
  const double d5 = glm::dot(ab, cp), d6 = glm::dot(ac, cp);
  const double vc = d1 * d4 - d3 * d2, vb = d5 * d2 - d1 * d6, va = d3 * d6 - d5 * d4;
  if (d1 <= 0 && d2 <= 0) {
    q = a;
  } else if (d3 >= 0 && d4 <= d3) {
    q = b;
  } else if (vc <= 0 && d1 >= 0 && d3 <= 0) {
    q = a + ab * (d1 / (d1 - d3));
  } else if (d6 >= 0 && d5 <= d6) {
    q = c;
  } else if (vb <= 0 && d2 >= 0 && d6 <= 0) {
    q = a + ac * (d2 / (d2 - d6));
  } else if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0) {
    q = b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6)));
  } else {
    const double denom = 1.0 / (va + vb + vc);
    q = a + ab * (vb * denom) + ac * (vc * denom);
  }
  if (closest) *closest = q;
  return glm::length(p - q);
}

namespace {

struct World {
  std::vector<glm::dvec3> points;
  std::vector<std::array<std::uint32_t, 3>> triangles;
  glm::dvec3 lo{std::numeric_limits<double>::infinity()}, hi{-std::numeric_limits<double>::infinity()};
  bool closed = false;
};

World posed(const PosedMesh& pm) {
  const WeldedMesh w = weld(*pm.mesh);
  World out;
  out.closed = w.closed();
  out.triangles = w.triangles;
  for (const auto& p : w.points) {
    const glm::dvec3 q = glm::dvec3(pm.model * glm::dvec4(p, 1.0));
    out.points.push_back(q);
    out.lo = glm::min(out.lo, q);
    out.hi = glm::max(out.hi, q);
  }
  return out;
}

// Every vertex, then `n` points spread over the surface by area (stratified over the cumulative
// area, barycentric coordinates from the Halton sequence in bases 2 and 3).
std::vector<glm::dvec3> surface_points(const World& w, std::uint32_t n) {
  std::vector<glm::dvec3> out = w.points;
  std::vector<double> cumulative;
  double total = 0;
  for (const auto& t : w.triangles) {
    total += 0.5 * glm::length(glm::cross(w.points[t[1]] - w.points[t[0]], w.points[t[2]] - w.points[t[0]]));
    cumulative.push_back(total);
  }
  if (total <= 0) return out;
  for (std::uint32_t s = 0; s < n; ++s) {
    const double at = (s + 0.5) / n * total;
    const auto k = static_cast<std::size_t>(std::lower_bound(cumulative.begin(), cumulative.end(), at) - cumulative.begin());
    const auto& t = w.triangles[std::min(k, w.triangles.size() - 1)];
    const double r1 = std::sqrt(radical_inverse(s + 1, 2)), r2 = radical_inverse(s + 1, 3);
    out.push_back((1 - r1) * w.points[t[0]] + r1 * (1 - r2) * w.points[t[1]] + r1 * r2 * w.points[t[2]]);
  }
  return out;
}

bool in_box(const glm::dvec3& p, const World& w, double pad) {
  return p.x >= w.lo.x - pad && p.y >= w.lo.y - pad && p.z >= w.lo.z - pad && p.x <= w.hi.x + pad && p.y <= w.hi.y + pad &&
         p.z <= w.hi.z + pad;
}

// Distance from p to w's surface; `behind`: p lies behind the nearest triangle's face.
double distance(const glm::dvec3& p, const World& w, bool* behind = nullptr) {
  double best = std::numeric_limits<double>::infinity();
  for (const auto& t : w.triangles) {
    glm::dvec3 q;
    const glm::dvec3 &a = w.points[t[0]], &b = w.points[t[1]], &c = w.points[t[2]];
    const double d = point_triangle_distance(p, a, b, c, &q);
    if (d < best) {
      best = d;
      if (behind) *behind = glm::dot(p - q, glm::cross(b - a, c - a)) < 0;
    }
  }
  return best;
}

}  // namespace

RestAudit audit_rest(std::span<const PosedMesh> meshes, std::uint32_t samples, double support_m) {
  std::vector<World> worlds;
  std::vector<std::vector<glm::dvec3>> points;
  for (const auto& pm : meshes) {
    worlds.push_back(posed(pm));
    points.push_back(pm.dynamic ? surface_points(worlds.back(), samples) : std::vector<glm::dvec3>{});
  }
  RestAudit audit;
  auto test = [&](std::size_t i, std::size_t j, const std::vector<glm::dvec3>& pts) {
    double deepest = 0;
    for (const glm::dvec3& p : pts) {
      if (!in_box(p, worlds[j], 1e-9)) continue;
      ++audit.points_tested;
      bool inside = false;
      double depth = 0;
      if (worlds[j].closed) {
        inside = std::abs(winding_number(worlds[j].points, worlds[j].triangles, p)) > 0.5;
        if (inside) depth = distance(p, worlds[j]);
      } else {
        depth = distance(p, worlds[j], &inside);
      }
      if (inside) deepest = std::max(deepest, depth);
      if (inside && depth > audit.worst_penetration_m) {
        audit.worst_penetration_m = depth;
        audit.worst_a = meshes[i].tag, audit.worst_b = meshes[j].tag;
      }
    }
    if (deepest > 0) audit.overlaps.push_back({i, j, deepest});
  };
  for (std::size_t i = 0; i < meshes.size(); ++i) {
    for (std::size_t j = 0; j < meshes.size(); ++j) {
      if (i == j || !meshes[i].dynamic) continue;
      // a's points in b, and b's points in a: a fixture's points are its vertices only.
      test(i, j, points[i]);
      if (!meshes[j].dynamic) test(j, i, worlds[j].points);
    }
  }
  std::stable_sort(audit.overlaps.begin(), audit.overlaps.end(),
                   [](const RestAudit::Overlap& x, const RestAudit::Overlap& y) { return x.depth > y.depth; });
  for (std::size_t i = 0; i < meshes.size(); ++i) {
    if (!meshes[i].dynamic || worlds[i].points.empty()) continue;
    const glm::dvec3 low = *std::min_element(worlds[i].points.begin(), worlds[i].points.end(),
                                             [](const glm::dvec3& a, const glm::dvec3& b) { return a.y < b.y; });
    double gap = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < meshes.size(); ++j) {
      if (j == i || !in_box(low, worlds[j], std::min(gap, 1.0))) continue;
      gap = std::min(gap, distance(low, worlds[j]));
    }
    audit.worst_support_gap_m = std::max(audit.worst_support_gap_m, gap);
    if (gap > support_m) audit.unsupported.push_back(meshes[i].tag);
  }
  return audit;
}

}  // namespace synthlabel
