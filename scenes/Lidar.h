// LiDAR: the `lidar:` config section (LidarSpec), a frame's sensor pose (LidarState, drawn by the
// sampler) and a sweep's points (LidarSweep, cast by lidar/LidarTracer.h). docs/lidar.md.
//
// Conventions (docs/lidar.md, docs/conventions.md):
// - The LiDAR frame is KITTI's Velodyne frame: +X forward, +Y left, +Z up, metres.
// - A beam of elevation e (degrees above the XY plane) at azimuth a (degrees from +X towards +Y,
//   counter-clockwise seen from above) points along (cos e cos a, cos e sin a, sin e).
// - A spinning sensor's column j fires at time j / (columns * rotation_hz) after the sweep starts, at
//   azimuth start_azimuth - j * 360 / columns (clockwise, seen from above; Velodyne's sense) or + for
//   counter_clockwise. Rings are numbered from the highest beam (ring 0) down: the range image's rows.
// - The sweep starts at the frame's time and each beam is cast at its own firing time, so moving
//   objects show the rolling distortion a real sweep has. Points are given in the sensor frame at the
//   sweep's start (ego-motion compensated, as nuScenes and Waymo deliver them: the sensor's own motion
//   during the sweep is taken out, a static surface is where it is), or with `ego_motion: raw` in the
//   sensor frame at their own firing time (what the sensor reports before compensation).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <glm/mat4x4.hpp>
#include <glm/vec3.hpp>

#include "scenes/Distribution.h"

namespace synthlabel {

enum class LidarMount : std::uint8_t { camera = 0, world = 1 };

// Rays a sweep at most (channels x columns, directions, rosette points): about 100 bytes each while a
// frame is in flight, so a sweep stays under 200 MB however the config asks.
inline constexpr std::size_t k_max_lidar_rays = 2'000'000;

struct LidarSpec {
  std::string preset;  // the preset's name, "" for a user table
  bool spinning = true;
  // Spinning: each channel's elevation in degrees, sorted from the highest down (ring order).
  std::vector<double> elevations_deg;
  std::uint32_t columns = 2048;  // firings per revolution
  double rotation_hz = 10.0;
  bool clockwise = true;
  double start_azimuth_deg = 180.0;  // column 0's azimuth
  // Solid state: the directions (azimuth, elevation degrees) in firing order, one sweep; or the
  // rosette (two counter-rotating prisms) generated per frame.
  std::vector<std::array<double, 2>> directions_deg;
  bool rosette = false;
  double rosette_fov_deg = 38.4;
  std::uint32_t rosette_points = 10000;
  double sweep_s = 0.1;  // solid state: the time the directions take
  double min_range_m = 0.5, max_range_m = 120.0;
  double range_noise_m = 0.0;  // Gaussian stddev added along the beam
  double dropout = 0.0;        // chance a return is lost
  double intensity_reference_m = 10.0;
  bool ego_compensated = true;  // ego_motion: compensated (default) or raw
  LidarMount mount = LidarMount::camera;
  // camera: position in the camera frame (OpenCV axes, metres) and XYZ Euler degrees in the LiDAR's
  // default frame (x = camera forward, y = camera left, z = camera up). world: position (drawn per
  // frame or clip), heading about world +Y (0: +X forward), velocity (with a sequence, per clip).
  Vec3Dist position = constant_vec3(0, 0, 0);
  glm::dvec3 rotation_deg{0.0};
  ScalarDist yaw_deg = 0.0;
  Vec3Dist velocity = constant_vec3(0, 0, 0);
  std::string where;  // "FILE:LINE:COL" of the section

  std::size_t rays_per_sweep() const {
    if (!spinning) return rosette ? rosette_points : directions_deg.size();
    return elevations_deg.size() * columns;
  }
  double sweep_seconds() const { return spinning ? 1.0 / rotation_hz : sweep_s; }
};

// A preset: name, channels' elevations (generated), columns, rotation rate, range.
struct LidarPreset {
  std::string_view name, summary;
  std::uint32_t channels;
  double top_deg, bottom_deg;  // uniform spacing from top to bottom (hdl64 is built apart)
  std::uint32_t columns;
  double max_range_m;
};
inline constexpr LidarPreset k_lidar_presets[] = {
    {"vlp16", "Velodyne VLP-16: 16 beams +15..-15 degrees every 2, 1800 columns (0.2 degrees), 100 m", 16, 15.0, -15.0, 1800, 100.0},
    {"hdl32", "Velodyne HDL-32E: 32 beams +10.67..-30.67 degrees every 1.33, 2048 columns, 100 m", 32, 10.67, -30.67, 2048, 100.0},
    {"hdl64", "Velodyne HDL-64E (KITTI): 64 beams, +2..-8.33 every 1/3 and -8.83..-24.33 every 1/2 degree, 2048 columns, 120 m", 64, 2.0,
     -24.33, 2048, 120.0},
    {"os1_128", "Ouster OS1-128: 128 beams +22.5..-22.5 degrees, 2048 columns, 120 m", 128, 22.5, -22.5, 2048, 120.0},
    {"rosette", "solid state, Livox Mid-40-like: a non-repetitive rosette over a 38.4 degree circle, 10000 points in 0.1 s, 90 m", 0, 0, 0, 0, 90.0},
};
// The elevations of preset `p` (spinning), highest first.
std::vector<double> lidar_preset_elevations(const LidarPreset& p);

// The rosette's k-th direction (azimuth, elevation degrees) at pattern time `t` seconds: two prisms
// turning at 91 Hz and -91 * golden ratio Hz, each deflecting by a quarter of the field (docs/lidar.md).
std::array<double, 2> rosette_direction(double fov_deg, double t);

// A frame's sensor: where it is at the sweep's start and how it moves through the sweep.
struct LidarState {
  bool present = false;
  glm::dmat4 lidar_to_world{1.0};  // at the sweep's start (the frame's time)
  glm::dmat4 lidar_to_camera{1.0};  // mount camera: LiDAR -> camera (OpenCV axes), fixed
  LidarMount mount = LidarMount::camera;
  glm::dvec3 start_position{0.0};   // mount world: the drawn position (the clip's t = 0)
  glm::dvec3 velocity{0.0};         // mount world, with a sequence: metres per second
  double yaw_deg = 0;               // mount world: the drawn heading (for the record)
  bool ego_compensated = true;      // LidarSpec::ego_compensated
  double pattern_time_s = 0;        // rosette: where in the pattern the sweep starts
  std::uint64_t noise_key = 0;      // dropouts and range noise, keyed per frame
};

// One return.
struct LidarPoint {
  float x = 0, y = 0, z = 0;  // sensor frame at the sweep's start (raw: at the firing time), metres, noise included
  float intensity = 0;        // 0..1 in steps of 1/255 (docs/lidar.md)
  float range = 0;            // metres, noise included
  float noise = 0;            // the range noise added (metres): the exact hit is range - noise along the beam
  float time = 0;             // seconds after the sweep's start
  std::uint16_t ring = 0;     // spinning: channel from the top; solid state 0
  std::uint32_t column = 0;   // spinning: azimuth index (firing order); solid state: the direction's index
  std::uint32_t instance = 0;  // instance id (things; 0 unlabeled and stuff)
  std::uint32_t semantic = 0;  // category id (things and stuff; 0 unlabeled)
  std::uint32_t surface = 0;   // index into the frame's instances (params.instances) of the surface hit
};

struct LidarSweep {
  std::vector<LidarPoint> points;  // firing order (column, then ring)
  std::uint32_t rings = 0, columns = 0;  // spinning: the range image's size; solid state 1 x directions
  // Per beam in firing order (spinning: column * rings + ring): 1 a point, 0 nothing within the
  // maximum range, -1 its return dropped, -2 a surface nearer than the minimum range.
  std::vector<std::int8_t> status;
  std::uint64_t rays = 0, misses = 0, out_of_range = 0, dropped = 0;
  double trace_seconds = 0;  // thread time casting the rays
};

// The LiDAR default frame relative to the OpenCV camera: x = camera +Z, y = camera -X, z = camera -Y.
glm::dmat3 lidar_axes_in_camera();

}  // namespace synthlabel
