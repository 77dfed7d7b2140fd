#include "scenes/Primitives.h"

#include <cmath>
#include <numbers>

#include <glm/geometric.hpp>

namespace synthlabel {
namespace {

constexpr float k_pi = std::numbers::pi_v<float>;

void add_quad(Mesh& m, glm::vec3 a, glm::vec3 b, glm::vec3 c, glm::vec3 d, glm::vec3 n) {
  const auto base = static_cast<std::uint32_t>(m.vertices.size());
  const glm::vec2 uv[4] = {{0, 1}, {1, 1}, {1, 0}, {0, 0}};  // the whole texture on each face
  int k = 0;
  for (auto p : {a, b, c, d}) m.vertices.push_back({p, n, uv[k++]});
  for (std::uint32_t i : {0u, 1u, 2u, 0u, 2u, 3u}) m.indices.push_back(base + i);
}

Mesh make_cube() {
  Mesh m;
  const float h = 0.5f;
  // Each face: counter-clockwise seen from outside.
  add_quad(m, {h, -h, -h}, {h, h, -h}, {h, h, h}, {h, -h, h}, {1, 0, 0});
  add_quad(m, {-h, -h, h}, {-h, h, h}, {-h, h, -h}, {-h, -h, -h}, {-1, 0, 0});
  add_quad(m, {-h, h, -h}, {-h, h, h}, {h, h, h}, {h, h, -h}, {0, 1, 0});
  add_quad(m, {-h, -h, h}, {-h, -h, -h}, {h, -h, -h}, {h, -h, h}, {0, -1, 0});
  add_quad(m, {-h, -h, h}, {h, -h, h}, {h, h, h}, {-h, h, h}, {0, 0, 1});
  add_quad(m, {h, -h, -h}, {-h, -h, -h}, {-h, h, -h}, {h, h, -h}, {0, 0, -1});
  return m;
}

// Grid of (rings+1) x (segments+1) vertices from a surface function f(u, v) -> {position, normal}.
template <class F>
Mesh make_grid(int rings, int segments, F f) {
  Mesh m;
  for (int i = 0; i <= rings; ++i) {
    for (int j = 0; j <= segments; ++j) {
      const float u = static_cast<float>(i) / static_cast<float>(rings);
      const float v = static_cast<float>(j) / static_cast<float>(segments);
      m.vertices.push_back(f(u, v));
      m.vertices.back().uv = {v, u};  // around, then along (top to bottom)
    }
  }
  const auto row = static_cast<std::uint32_t>(segments + 1);
  for (std::uint32_t i = 0; i < static_cast<std::uint32_t>(rings); ++i) {
    for (std::uint32_t j = 0; j < static_cast<std::uint32_t>(segments); ++j) {
      const std::uint32_t a = i * row + j, b = a + row, c = b + 1, d = a + 1;
      for (std::uint32_t k : {a, d, c, a, c, b}) m.indices.push_back(k);
    }
  }
  return m;
}

void add_disk(Mesh& m, float y, float r, int segments, bool up) {
  const auto center = static_cast<std::uint32_t>(m.vertices.size());
  const glm::vec3 n{0.0f, up ? 1.0f : -1.0f, 0.0f};
  m.vertices.push_back({{0.0f, y, 0.0f}, n, {0.5f, 0.5f}});
  for (int j = 0; j <= segments; ++j) {
    const float a = 2.0f * k_pi * static_cast<float>(j) / static_cast<float>(segments);
    m.vertices.push_back({{r * std::sin(a), y, r * std::cos(a)}, n, {0.5f + 0.5f * std::sin(a), 0.5f - 0.5f * std::cos(a)}});
  }
  for (std::uint32_t j = 0; j < static_cast<std::uint32_t>(segments); ++j) {
    // Wound as the grids are (clockwise seen from outside), so a cylinder or cone with its caps is
    // consistently oriented, closed (scenes/MeshClosure.h), and drawn without its hidden faces.
    if (up) {
      for (std::uint32_t k : {center, center + 2 + j, center + 1 + j}) m.indices.push_back(k);
    } else {
      for (std::uint32_t k : {center, center + 1 + j, center + 2 + j}) m.indices.push_back(k);
    }
  }
}

}  // namespace

void compute_bounds(Mesh& mesh) {
  if (mesh.vertices.empty()) {
    mesh.bounds_min = mesh.bounds_max = glm::vec3(0.0f);
    return;
  }
  mesh.bounds_min = mesh.bounds_max = mesh.vertices.front().position;
  for (const auto& v : mesh.vertices) {
    mesh.bounds_min = glm::min(mesh.bounds_min, v.position);
    mesh.bounds_max = glm::max(mesh.bounds_max, v.position);
  }
}

std::optional<PrimitiveKind> primitive_from_name(std::string_view name) {
  for (std::size_t i = 0; i < k_primitive_names.size(); ++i) {
    if (k_primitive_names[i] == name) return static_cast<PrimitiveKind>(i);
  }
  return std::nullopt;
}

std::string_view primitive_name(PrimitiveKind kind) { return k_primitive_names[static_cast<std::size_t>(kind)]; }

Mesh make_primitive(PrimitiveKind kind) {
  constexpr int seg = 48;
  Mesh m;
  switch (kind) {
    case PrimitiveKind::cube:
      m = make_cube();
      break;
    case PrimitiveKind::sphere:
      m = make_grid(seg / 2, seg, [](float u, float v) {
        const float th = k_pi * u, ph = 2.0f * k_pi * v;
        const glm::vec3 n{std::sin(th) * std::sin(ph), std::cos(th), std::sin(th) * std::cos(ph)};
        return Vertex{0.5f * n, n};
      });
      break;
    case PrimitiveKind::cylinder:
      m = make_grid(1, seg, [](float u, float v) {
        const float ph = 2.0f * k_pi * v;
        const glm::vec3 n{std::sin(ph), 0.0f, std::cos(ph)};
        return Vertex{{0.5f * n.x, 0.5f - u, 0.5f * n.z}, n};
      });
      add_disk(m, 0.5f, 0.5f, seg, true);
      add_disk(m, -0.5f, 0.5f, seg, false);
      break;
    case PrimitiveKind::cone: {
      // Slant normal for a cone of radius 0.5 and height 1: (cos, 0.5, sin) normalised.
      m = make_grid(1, seg, [](float u, float v) {
        const float ph = 2.0f * k_pi * v;
        const float r = 0.5f * u;
        const glm::vec3 n = glm::normalize(glm::vec3{std::sin(ph), 0.5f, std::cos(ph)});
        return Vertex{{r * std::sin(ph), 0.5f - u, r * std::cos(ph)}, n};
      });
      add_disk(m, -0.5f, 0.5f, seg, false);
      break;
    }
    case PrimitiveKind::torus:
      m = make_grid(seg, seg / 2, [](float u, float v) {
        const float R = 0.35f, r = 0.15f;
        const float ph = 2.0f * k_pi * u, th = 2.0f * k_pi * v;
        const glm::vec3 ring{std::sin(ph), 0.0f, std::cos(ph)};
        const glm::vec3 n = std::cos(th) * ring + glm::vec3(0.0f, std::sin(th), 0.0f);
        return Vertex{R * ring + r * n, n};
      });
      break;
    case PrimitiveKind::plane:
      add_quad(m, {-0.5f, 0, 0.5f}, {0.5f, 0, 0.5f}, {0.5f, 0, -0.5f}, {-0.5f, 0, -0.5f}, {0, 1, 0});
      break;
  }
  m.name = std::string(primitive_name(kind));
  compute_bounds(m);
  return m;
}

}  // namespace synthlabel
