#include "randomizers/Geometry.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace synthlabel {

Obb instance_obb(const Instance& inst, const Mesh& mesh) {
  const glm::dvec3 lo(mesh.bounds_min), hi(mesh.bounds_max), scale(inst.scale);
  const glm::dquat q(inst.rotation);
  Obb box;
  box.axes = glm::mat3_cast(q);
  box.half = 0.5 * (hi - lo) * glm::abs(scale);
  box.centre = glm::dvec3(inst.position) + q * (0.5 * (hi + lo) * scale);
  return box;
}

bool obbs_overlap(const Obb& a, const Obb& b, double tolerance) {
  // R[i][j] = a.axis(i) . b.axis(j); t = b.centre - a.centre in a's frame.
  double r[3][3], abs_r[3][3];
  const glm::dvec3 d = b.centre - a.centre;
  double t[3];
  for (int i = 0; i < 3; ++i) {
    t[i] = glm::dot(d, a.axes[i]);
    for (int j = 0; j < 3; ++j) {
      r[i][j] = glm::dot(a.axes[i], b.axes[j]);
      abs_r[i][j] = std::abs(r[i][j]) + 1e-6;  // rounding (rotations are stored as floats) errs towards overlap
    }
  }
  // On the axis a_i x b_j every term is scaled by its length |sin|, so the tolerance is too.
  auto separated = [&](double dist, double ra, double rb, double axis_length = 1.0) {
    return dist >= ra + rb - tolerance * axis_length;
  };
  for (int i = 0; i < 3; ++i) {  // a's face axes
    const double rb = b.half[0] * abs_r[i][0] + b.half[1] * abs_r[i][1] + b.half[2] * abs_r[i][2];
    if (separated(std::abs(t[i]), a.half[i], rb)) return false;
  }
  for (int j = 0; j < 3; ++j) {  // b's face axes
    const double ra = a.half[0] * abs_r[0][j] + a.half[1] * abs_r[1][j] + a.half[2] * abs_r[2][j];
    const double dist = std::abs(t[0] * r[0][j] + t[1] * r[1][j] + t[2] * r[2][j]);
    if (separated(dist, ra, b.half[j])) return false;
  }
  for (int i = 0; i < 3; ++i) {  // edge x edge
    const int i1 = (i + 1) % 3, i2 = (i + 2) % 3;
    for (int j = 0; j < 3; ++j) {
      const int j1 = (j + 1) % 3, j2 = (j + 2) % 3;
      const double axis_length = std::sqrt(std::max(0.0, 1.0 - r[i][j] * r[i][j]));
      // Nearly parallel edges give a nearly zero axis on which rounding decides: skip it (skipping an
      // axis can only turn "separated" into "overlapping", the safe side); the face axes decide.
      if (axis_length < 1e-3) continue;
      const double ra = a.half[i1] * abs_r[i2][j] + a.half[i2] * abs_r[i1][j];
      const double rb = b.half[j1] * abs_r[i][j2] + b.half[j2] * abs_r[i][j1];
      const double dist = std::abs(t[i2] * r[i1][j] - t[i1] * r[i2][j]);
      if (separated(dist, ra, rb, axis_length)) return false;
    }
  }
  return true;
}

std::array<glm::dvec3, 8> obb_corners(const Obb& box) {
  std::array<glm::dvec3, 8> out;
  for (int k = 0; k < 8; ++k) {
    const glm::dvec3 s((k & 1) ? 1.0 : -1.0, (k & 2) ? 1.0 : -1.0, (k & 4) ? 1.0 : -1.0);
    out[static_cast<std::size_t>(k)] =
        box.centre + box.axes[0] * (s.x * box.half.x) + box.axes[1] * (s.y * box.half.y) + box.axes[2] * (s.z * box.half.z);
  }
  return out;
}

WorldBox instance_world_box(const Instance& inst, const Mesh& mesh) {
  WorldBox b{glm::dvec3(std::numeric_limits<double>::infinity()), glm::dvec3(-std::numeric_limits<double>::infinity())};
  for (const auto& c : obb_corners(instance_obb(inst, mesh))) {
    b.lo = glm::min(b.lo, c);
    b.hi = glm::max(b.hi, c);
  }
  return b;
}

double lowest_point(const Mesh& mesh, const glm::dquat& rotation, const glm::dvec3& scale) {
  double lowest = std::numeric_limits<double>::infinity();
  for (const auto& v : mesh.vertices) lowest = std::min(lowest, (rotation * (glm::dvec3(v.position) * scale)).y);
  return std::isfinite(lowest) ? lowest : 0.0;
}

}  // namespace synthlabel
