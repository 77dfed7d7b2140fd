// Camera files a config may name (docs/camera.md): an OpenCV calibration (cv::FileStorage YAML or
// JSON, or a ROS camera_info YAML) for camera.lens.calibration, and a list of poses for camera.poses.
// Pure parsers of the files' text; the config reader reads the files (with --asset-root confinement).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <glm/mat4x4.hpp>

#include "core/Error.h"
#include "scenes/Scene.h"

namespace synthlabel {

struct CalibrationFile {
  // K in synthlabel's pixel coordinates (OpenCV's cx, cy plus 0.5: docs/conventions.md).
  double fx = 0, fy = 0, cx = 0, cy = 0;
  std::vector<double> distortion;  // as in the file (OpenCV order)
  std::optional<LensModel> model;  // from a ROS distortion_model, when the file says
  std::uint32_t width = 0, height = 0;  // image_width / image_height, 0 when absent
};

// `camera_matrix` (3x3) and `distortion_coefficients` (any shape) as cv::FileStorage writes them
// (YAML with its "%YAML:1.0" line and !!opencv-matrix tags, or JSON with "type_id": "opencv-matrix"),
// or ROS's {rows, cols, data}; optional image_width, image_height, distortion_model. `name` is for
// messages.
Result<CalibrationFile> parse_calibration(const std::string& text, const std::string& name);

// A row-major 4x4 as a rigid transform: the last row [0, 0, 0, 1], the rotation part orthonormal with
// determinant 1 (no scale; 1e-4). The error says what is wrong, for the caller to place.
Result<glm::dmat4> rigid_transform(const std::array<double, 16>& row_major);

// World -> camera (OpenCV camera axes) per entry. Formats:
// - JSON: a list whose entries are a 4x4 matrix (row-major, world -> camera), or an object with
//   "world_to_camera" or "camera_to_world" (4x4 row-major) — synthlabel's own records'
//   images[].camera.world_to_camera are such entries.
// - Text (TUM RGB-D trajectory): "timestamp tx ty tz qx qy qz qw" per line, the camera's position and
//   orientation in the world (camera -> world), '#' comments.
Result<std::vector<glm::dmat4>> parse_poses(const std::string& text, const std::string& name);

}  // namespace synthlabel
