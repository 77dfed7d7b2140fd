#include "exporters/DepthSensor.h"

#include <cmath>

#include "exporters/NoiseStream.h"
#include "scenes/CameraModel.h"

namespace synthlabel {

Result<std::vector<float>> measure_depth(const Scene& scene, const FrameBuffers& fb, const DepthSensorSpec& sensor) {
  const std::uint32_t w = fb.width, h = fb.height;
  const std::size_t n = std::size_t{w} * h;
  if (fb.depth.size() != n || fb.normals.size() != 3 * n) {
    return make_error(ExitCode::internal, "depth_sensor without the renderer's depth and normals");
  }
  const Camera& cam = scene.camera;
  const double cos_max = std::cos(sensor.max_incidence_deg * 3.14159265358979323846 / 180.0);
  const double fxb = cam.fx * sensor.baseline_m;
  Noise noise{scene.depth_sensor_key};
  std::vector<float> out(n, 0.0f);
  const auto at = [&](std::int64_t x, std::int64_t y) { return double(fb.depth[static_cast<std::size_t>(y) * w + static_cast<std::size_t>(x)]); };
  for (std::uint32_t y = 0; y < h; ++y) {
    for (std::uint32_t x = 0; x < w; ++x) {
      const std::size_t p = std::size_t{y} * w + x;
      const double z = fb.depth[p];
      // Draws for every pixel, in pixel order, whatever happens to it: each pixel's noise is its own.
      const double u_edge = noise.uniform(), g = noise.normal();
      if (!std::isfinite(z) || z < sensor.min_m || z > sensor.max_m) continue;
      glm::dvec3 ray((x + 0.5 - cam.cx) / cam.fx, (y + 0.5 - cam.cy) / cam.fy, 1.0);
      if (cam.lens.model != LensModel::pinhole && !pixel_ray(cam, x + 0.5, y + 0.5, ray)) continue;
      const glm::dvec3 normal(fb.normals[3 * p], fb.normals[3 * p + 1], fb.normals[3 * p + 2]);
      if (-glm::dot(normal, glm::normalize(ray)) < cos_max) continue;  // the normal faces the camera
      bool edge = false;
      for (const auto& [dx, dy] : {std::pair<int, int>{-1, 0}, {1, 0}, {0, -1}, {0, 1}}) {
        const std::int64_t nx = std::int64_t{x} + dx, ny = std::int64_t{y} + dy;
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        const double zn = at(nx, ny);
        if (!std::isfinite(zn) || std::abs(zn - z) > sensor.edge_jump_m) edge = true;
      }
      if (edge && u_edge < sensor.edge_dropout) continue;
      double m = z + (sensor.sigma_a + sensor.sigma_b * (z - sensor.sigma_c) * (z - sensor.sigma_c)) * g;
      if (sensor.subpixel > 0 && m > 0) {
        const double d = std::round(fxb / m * sensor.subpixel) / sensor.subpixel;
        m = d > 0 ? fxb / d : 0.0;
      }
      if (m > 0) out[p] = static_cast<float>(m);
    }
  }
  return out;
}

}  // namespace synthlabel
