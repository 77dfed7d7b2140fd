#include "scenes/Lidar.h"

#include <cmath>

namespace synthlabel {

std::vector<double> lidar_preset_elevations(const LidarPreset& p) {
  std::vector<double> e;
  if (p.name == "hdl64") {
    // Two blocks of 32 lasers (Velodyne's HDL-64E S2 manual): upper +2 .. -8.33 in 1/3 degree steps,
    // lower -8.83 .. -24.33 in 1/2 degree steps.
    for (int k = 0; k < 32; ++k) e.push_back(2.0 - k / 3.0);
    for (int k = 0; k < 32; ++k) e.push_back(-8.83 - k * 0.5);
    return e;
  }
  for (std::uint32_t k = 0; k < p.channels; ++k) {
    e.push_back(p.top_deg + (p.bottom_deg - p.top_deg) * k / (p.channels - 1));
  }
  return e;
}

std::array<double, 2> rosette_direction(double fov_deg, double t) {
  constexpr double k_two_pi = 6.283185307179586, k_f1 = 91.0, k_golden = 1.6180339887498949;
  const double a1 = k_two_pi * k_f1 * t, a2 = -k_two_pi * k_f1 * k_golden * t;
  const double r = fov_deg / 4.0;
  return {r * (std::cos(a1) + std::cos(a2)), r * (std::sin(a1) + std::sin(a2))};
}

glm::dmat3 lidar_axes_in_camera() {
  // Columns: the LiDAR's x, y, z in OpenCV camera axes.
  return glm::dmat3(glm::dvec3(0, 0, 1), glm::dvec3(-1, 0, 0), glm::dvec3(0, -1, 0));
}

}  // namespace synthlabel
