#include "lidar/LidarBeams.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <glm/trigonometric.hpp>

namespace synthlabel {

glm::dvec3 lidar_direction(double az_deg, double el_deg) {
  const double a = glm::radians(az_deg), e = glm::radians(el_deg);
  return {std::cos(e) * std::cos(a), std::cos(e) * std::sin(a), std::sin(e)};
}

std::vector<LidarBeam> lidar_beams(const LidarSpec& spec, double pattern_time_s, std::uint32_t& groups) {
  std::vector<LidarBeam> beams;
  beams.reserve(spec.rays_per_sweep());
  if (spec.spinning) {
    groups = spec.columns;
    const double step = 360.0 / spec.columns * (spec.clockwise ? -1.0 : 1.0);
    const double dt = 1.0 / (spec.columns * spec.rotation_hz);
    for (std::uint32_t j = 0; j < spec.columns; ++j) {
      const double az = spec.start_azimuth_deg + step * j;
      for (std::size_t r = 0; r < spec.elevations_deg.size(); ++r) {
        beams.push_back({lidar_direction(az, spec.elevations_deg[r]), dt * j, static_cast<std::uint16_t>(r), j, j});
      }
    }
    return beams;
  }
  const std::uint32_t n = static_cast<std::uint32_t>(spec.rays_per_sweep());
  groups = std::min(n, k_lidar_bursts);
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t g = static_cast<std::uint32_t>(std::uint64_t{i} * groups / n);
    const double t = spec.sweep_s * g / groups;
    std::array<double, 2> d = spec.rosette ? rosette_direction(spec.rosette_fov_deg, pattern_time_s + spec.sweep_s * i / n) : spec.directions_deg[i];
    beams.push_back({lidar_direction(d[0], d[1]), t, 0, i, g});
  }
  return beams;
}

}  // namespace synthlabel
