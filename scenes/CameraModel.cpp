#include "scenes/CameraModel.h"

#include <algorithm>
#include <cmath>

namespace synthlabel {

glm::dmat4 world_to_opencv(const Camera& camera) {
  glm::dmat4 m(camera.view);
  for (int c = 0; c < 4; ++c) m[c][1] = -m[c][1], m[c][2] = -m[c][2];  // OpenGL camera -> OpenCV camera
  return m;
}

glm::dvec3 to_opencv(const Camera& camera, const glm::dvec3& world) {
  const glm::dvec4 c = glm::dmat4(camera.view) * glm::dvec4(world, 1.0);
  return glm::dvec3(c.x, -c.y, -c.z);
}

std::array<glm::dvec3, 8> box_corners(const glm::dvec3& lo, const glm::dvec3& hi) {
  std::array<glm::dvec3, 8> corners;
  for (int k = 0; k < 8; ++k) {
    corners[static_cast<std::size_t>(k)] =
        glm::dvec3((k & 1) ? hi.x : lo.x, (k & 2) ? hi.y : lo.y, (k & 4) ? hi.z : lo.z);
  }
  return corners;
}

PixelBox pixel_box(const Camera& camera, const glm::mat4& model, const glm::vec3& lo, const glm::vec3& hi) {
  const PixelBox frame{0, 0, camera.width, camera.height};
  const glm::dmat4 to_camera = glm::dmat4(camera.view) * glm::dmat4(model);
  double u0 = 1e300, v0 = 1e300, u1 = -1e300, v1 = -1e300;
  for (const glm::dvec3& corner : box_corners(glm::dvec3(lo), glm::dvec3(hi))) {
    const glm::dvec4 c = to_camera * glm::dvec4(corner, 1.0);  // OpenGL axes
    const glm::dvec3 p(c.x, -c.y, -c.z);
    if (p.z < double(camera.near_m)) return frame;  // clipped by the near plane: no simple bound
    const glm::dvec2 uv = project(camera, p);
    u0 = std::min(u0, uv.x), v0 = std::min(v0, uv.y), u1 = std::max(u1, uv.x), v1 = std::max(v1, uv.y);
  }
  // A covered pixel's centre lies inside the projected box: pixels floor(u0) - 1 .. ceil(u1), with a
  // pixel to spare for the device's float arithmetic.
  const double w = camera.width, h = camera.height;
  const double x0 = std::clamp(std::floor(u0) - 1.0, 0.0, w), x1 = std::clamp(std::ceil(u1) + 1.0, 0.0, w);
  const double y0 = std::clamp(std::floor(v0) - 1.0, 0.0, h), y1 = std::clamp(std::ceil(v1) + 1.0, 0.0, h);
  if (!(x1 > x0 && y1 > y0)) return PixelBox{};
  return PixelBox{static_cast<std::uint32_t>(x0), static_cast<std::uint32_t>(y0), static_cast<std::uint32_t>(x1 - x0),
                  static_cast<std::uint32_t>(y1 - y0)};
}

}  // namespace synthlabel
