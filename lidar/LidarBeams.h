// A sweep's beams (docs/lidar.md): each one's firing time, direction in the LiDAR frame, ring and
// column, from the `lidar:` spec alone (the rosette also from the frame's place in its pattern).
#pragma once

#include <cstdint>
#include <vector>

#include <glm/vec3.hpp>

#include "scenes/Lidar.h"

namespace synthlabel {

struct LidarBeam {
  glm::dvec3 direction{1.0, 0.0, 0.0};  // unit, LiDAR frame
  double time = 0;                       // seconds after the sweep's start
  std::uint16_t ring = 0;
  std::uint32_t column = 0;
  std::uint32_t group = 0;  // beams of one group fire at one instant (a column; a solid-state burst)
};

// Solid-state sweeps fire in this many bursts (or one per point when fewer): a burst's points share
// its time, so a moving scene is posed once per burst.
inline constexpr std::uint32_t k_lidar_bursts = 200;

// The sweep's beams in firing order (group by group), and the number of groups.
std::vector<LidarBeam> lidar_beams(const LidarSpec& spec, double pattern_time_s, std::uint32_t& groups);

// The unit direction of azimuth `az` and elevation `el` (degrees) in the LiDAR frame.
glm::dvec3 lidar_direction(double az_deg, double el_deg);

}  // namespace synthlabel
