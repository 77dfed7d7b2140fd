#include "scenes/CameraModel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <glm/geometric.hpp>
#include <glm/gtc/constants.hpp>
#include <glm/trigonometric.hpp>

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

namespace synthlabel {
namespace {

constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();

// Brown-Conrady (OpenCV's cv::projectPoints, calib3d/src/calibration.cpp): the normalized point
// (x, y) = (X/Z, Y/Z) distorted.
glm::dvec2 brown_conrady(const std::array<double, 12>& k, double x, double y) {
  const double r2 = x * x + y * y, r4 = r2 * r2, r6 = r4 * r2;
  const double radial = (1.0 + k[0] * r2 + k[1] * r4 + k[4] * r6) / (1.0 + k[5] * r2 + k[6] * r4 + k[7] * r6);
  return {x * radial + 2.0 * k[2] * x * y + k[3] * (r2 + 2.0 * x * x) + k[8] * r2 + k[9] * r4,
          y * radial + k[2] * (r2 + 2.0 * y * y) + 2.0 * k[3] * x * y + k[10] * r2 + k[11] * r4};
}

// The radial part alone, as a function of the undistorted radius r: r * radial(r^2).
double brown_conrady_radius(const std::array<double, 12>& k, double r) {
  const double r2 = r * r, r4 = r2 * r2, r6 = r4 * r2;
  const double den = 1.0 + k[5] * r2 + k[6] * r4 + k[7] * r6;
  return den > 0.0 ? r * (1.0 + k[0] * r2 + k[1] * r4 + k[4] * r6) / den : k_nan;
}

// Kannala-Brandt (cv::fisheye): theta_d = theta (1 + k1 theta^2 + k2 theta^4 + k3 theta^6 + k4 theta^8).
double fisheye_radius(const std::array<double, 12>& k, double theta) {
  const double t2 = theta * theta;
  return theta * (1.0 + t2 * (k[0] + t2 * (k[1] + t2 * (k[2] + t2 * k[3]))));
}

// The table's distorted radius at field angle theta (linear between entries); NaN beyond the last.
double table_radius(const std::vector<std::pair<double, double>>& table, double theta) {
  for (std::size_t i = 1; i < table.size(); ++i) {
    if (theta <= table[i].first) {
      const auto& [t0, r0] = table[i - 1];
      const auto& [t1, r1] = table[i];
      return r0 + (r1 - r0) * (theta - t0) / (t1 - t0);
    }
  }
  return theta == 0.0 ? 0.0 : k_nan;
}

// The field angle whose distorted radius is rho, for a radial model increasing on [0, max_theta]:
// Newton safeguarded by bisection. False when rho lies beyond the model's radius at max_theta.
template <class Radius>
bool invert_radius(const Radius& radius, double rho, double max_theta, double& theta) {
  if (rho <= 0.0) {
    theta = 0.0;
    return true;
  }
  double lo = 0.0, hi = max_theta;
  if (!(radius(hi) >= rho)) return false;
  double t = std::min(rho, hi);
  for (int i = 0; i < 100; ++i) {
    const double f = radius(t) - rho;
    if (std::abs(f) < 1e-15) break;
    if (f > 0) hi = t;
    else lo = t;
    const double h = 1e-7 * std::max(1.0, t);
    const double slope = (radius(t + h) - radius(t - h)) / (2.0 * h);
    double next = slope > 0 ? t - f / slope : 0.5 * (lo + hi);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::abs(next - t) < 1e-16) break;
    t = next;
  }
  theta = t;
  return true;
}

glm::dvec3 ray_at(double theta, double x, double y) {
  const double rho = std::hypot(x, y);
  if (rho == 0.0) return {0.0, 0.0, 1.0};
  return {std::sin(theta) * x / rho, std::sin(theta) * y / rho, std::cos(theta)};
}

// The undistorted extent of `camera`'s image in the source pinhole's normalized coordinates (X/Z,
// Y/Z): every output pixel's ray, rays beyond the field clamped to its edge along their azimuth.
struct Extent {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};
Extent undistorted_extent(const Camera& camera) {
  Extent e;
  auto add = [&](double u, double v) {
    glm::dvec3 ray;
    if (!pixel_ray(camera, u, v, ray)) {
      const double xd = (u - camera.cx) / camera.fx, yd = (v - camera.cy) / camera.fy;
      ray = ray_at(camera.lens.max_theta, xd, yd);
    }
    const double x = ray.x / ray.z, y = ray.y / ray.z;
    e.x0 = std::min(e.x0, x), e.x1 = std::max(e.x1, x), e.y0 = std::min(e.y0, y), e.y1 = std::max(e.y1, y);
  };
  const double w = camera.width, h = camera.height;
  for (double u = 0; u <= w; u += 0.5) add(u, 0.0), add(u, h);
  for (double v = 0; v <= h; v += 0.5) add(0.0, v), add(w, v);
  return e;
}

}  // namespace

glm::dvec2 distort(const Lens& lens, const glm::dvec3& p) {
  switch (lens.model) {
    case LensModel::pinhole:
      return {p.x / p.z, p.y / p.z};
    case LensModel::brown_conrady: {
      if (!(p.z > 0.0)) return {k_nan, k_nan};
      const double x = p.x / p.z, y = p.y / p.z;
      if (std::atan(std::hypot(x, y)) > lens.max_theta) return {k_nan, k_nan};
      return brown_conrady(lens.k, x, y);
    }
    case LensModel::fisheye:
    case LensModel::radial_table: {
      const double rxy = std::hypot(p.x, p.y), theta = std::atan2(rxy, p.z);
      if (!(theta <= lens.max_theta)) return {k_nan, k_nan};
      if (rxy == 0.0) return {0.0, 0.0};
      const double rd = lens.model == LensModel::fisheye ? fisheye_radius(lens.k, theta) : table_radius(lens.table, theta);
      return {rd * p.x / rxy, rd * p.y / rxy};
    }
  }
  return {k_nan, k_nan};
}

bool pixel_ray(const Camera& camera, double u, double v, glm::dvec3& ray) {
  const double xd = (u - camera.cx) / camera.fx, yd = (v - camera.cy) / camera.fy;
  const Lens& lens = camera.lens;
  switch (lens.model) {
    case LensModel::pinhole:
      ray = glm::normalize(glm::dvec3(xd, yd, 1.0));
      return true;
    case LensModel::brown_conrady: {
      // Newton on distort(x, y) = (xd, yd) from (xd, yd), the Jacobian by central differences, steps
      // halved while they do not reduce the residual.
      double x = xd, y = yd;
      auto residual = [&](double a, double b) { return brown_conrady(lens.k, a, b) - glm::dvec2(xd, yd); };
      glm::dvec2 f = residual(x, y);
      for (int i = 0; i < 60 && glm::length(f) > 1e-14; ++i) {
        const double h = 1e-7 * std::max(1.0, std::hypot(x, y));
        const glm::dvec2 fx = (residual(x + h, y) - residual(x - h, y)) / (2.0 * h);
        const glm::dvec2 fy = (residual(x, y + h) - residual(x, y - h)) / (2.0 * h);
        const double det = fx.x * fy.y - fy.x * fx.y;
        if (!(std::abs(det) > 1e-300)) return false;
        double dx = -(fy.y * f.x - fy.x * f.y) / det, dy = -(-fx.y * f.x + fx.x * f.y) / det;
        for (int halve = 0; halve < 30; ++halve) {
          const glm::dvec2 g = residual(x + dx, y + dy);
          if (glm::length(g) < glm::length(f)) {
            x += dx, y += dy, f = g;
            break;
          }
          dx *= 0.5, dy *= 0.5;
        }
      }
      if (!(glm::length(f) < 1e-12) || std::atan(std::hypot(x, y)) > lens.max_theta) return false;
      ray = glm::normalize(glm::dvec3(x, y, 1.0));
      return true;
    }
    case LensModel::fisheye:
    case LensModel::radial_table: {
      double theta = 0;
      const double rho = std::hypot(xd, yd);
      const bool found = lens.model == LensModel::fisheye
                             ? invert_radius([&](double t) { return fisheye_radius(lens.k, t); }, rho, lens.max_theta, theta)
                             : invert_radius([&](double t) { return table_radius(lens.table, t); }, rho, lens.max_theta, theta);
      if (!found) return false;
      ray = ray_at(theta, xd, yd);
      return true;
    }
  }
  return false;
}

std::string finish_lens(Lens& lens, double max_field_deg) {
  if (lens.model == LensModel::pinhole) return {};
  const double pi = glm::pi<double>();
  double limit = 0;
  if (lens.model == LensModel::brown_conrady) {
    // Rays in front of the camera, up to where the radial distortion stops growing with the radius
    // (beyond, the image folds back: OpenCV's model has no inverse there). Scanned up to 89.9 degrees.
    const double r_max = std::tan(glm::radians(89.9)), step = 1e-3;
    double r = 0, prev = 0;
    for (;;) {
      const double next = std::min(r_max, r + step * std::max(1.0, r));
      const double g = brown_conrady_radius(lens.k, next);
      if (!(g > prev)) break;
      prev = g, r = next;
      if (r >= r_max) break;
    }
    limit = std::atan(r);
  } else if (lens.model == LensModel::fisheye) {
    const double step = 1e-4;
    double t = 0, prev = 0;
    while (t + step < pi) {
      const double g = fisheye_radius(lens.k, t + step);
      if (!(g > prev)) break;
      prev = g, t += step;
    }
    limit = t;
  } else {
    limit = lens.table.empty() ? 0.0 : lens.table.back().first;
  }
  // One undistorted pinhole view covers the field: rays up to k_max_source_field_deg / 2 from the axis.
  limit = std::min(limit, glm::radians(0.5 * k_max_source_field_deg));
  lens.max_theta = max_field_deg > 0 ? std::min(limit, glm::radians(0.5 * max_field_deg)) : limit;
  if (!(lens.max_theta > glm::radians(1.0))) {
    return "the lens images no field: its distortion stops growing with the field angle before 1 degree (check the signs of the coefficients)";
  }
  return {};
}

std::string make_lens(const LensSpec& spec, const std::array<double, 12>& k, Lens& lens) {
  lens = Lens{};
  lens.model = spec.model;
  lens.k = k;
  lens.table = spec.table;
  return finish_lens(lens, spec.max_field_deg);
}

std::pair<std::uint32_t, std::uint32_t> source_size(const Camera& camera, double oversample) {
  if (camera.lens.model == LensModel::pinhole) return {0, 0};
  const Extent e = undistorted_extent(camera);
  const auto side = [](double n) { return n < 1e9 ? static_cast<std::uint32_t>(std::ceil(n)) + 4u : 1000000000u; };
  return {side(oversample * camera.fx * (e.x1 - e.x0)), side(oversample * camera.fy * (e.y1 - e.y0))};
}

void fit_source(Camera& camera, double oversample, std::uint32_t w, std::uint32_t h) {
  Lens& lens = camera.lens;
  if (lens.model == LensModel::pinhole) return;
  // The fit depends only on the lens, K, the sizes and `oversample`: the last one's result is kept per
  // thread (a fixed lens is fitted once).
  struct Fit {
    Camera inputs;
    double oversample = 0;
    std::uint32_t w = 0, h = 0;
    Lens lens;
  };
  thread_local std::optional<Fit> last;
  if (last && last->oversample == oversample && last->w == w && last->h == h && same_lens_model(last->inputs, camera)) {
    lens = last->lens;
    return;
  }
  const Camera inputs = camera;
  const Extent e = undistorted_extent(camera);
  lens.source_width = w;
  lens.source_height = h;
  lens.source_fx = std::min(oversample * camera.fx, (w - 4.0) / std::max(1e-300, e.x1 - e.x0));
  lens.source_fy = std::min(oversample * camera.fy, (h - 4.0) / std::max(1e-300, e.y1 - e.y0));
  lens.source_cx = 0.5 * w - lens.source_fx * 0.5 * (e.x0 + e.x1);
  lens.source_cy = 0.5 * h - lens.source_fy * 0.5 * (e.y0 + e.y1);
  // The bound: a label is read from the source sample nearest the exact ray, at most half a source
  // pixel away on each axis; that offset carried back through the lens, worst case over a grid of
  // output pixels (33 x 33, the image's edges included).
  double worst = 0;
  for (int j = 0; j <= 32; ++j) {
    for (int i = 0; i <= 32; ++i) {
      const double u = 0.5 + (camera.width - 1.0) * i / 32.0, v = 0.5 + (camera.height - 1.0) * j / 32.0;
      glm::dvec3 ray;
      if (!pixel_ray(camera, u, v, ray)) continue;
      const double qx = lens.source_fx * ray.x / ray.z + lens.source_cx, qy = lens.source_fy * ray.y / ray.z + lens.source_cy;
      for (const double dx : {-0.5, 0.5}) {
        for (const double dy : {-0.5, 0.5}) {
          const glm::dvec3 moved((qx + dx - lens.source_cx) / lens.source_fx, (qy + dy - lens.source_cy) / lens.source_fy, 1.0);
          const glm::dvec2 back = project(camera, moved);
          if (std::isfinite(back.x) && std::isfinite(back.y)) worst = std::max(worst, std::hypot(back.x - u, back.y - v));
        }
      }
    }
  }
  lens.ray_error_px = worst;
  last = Fit{inputs, oversample, w, h, lens};
}

bool label_ray(const Camera& camera, std::uint32_t x, std::uint32_t y, glm::dvec3& ray) {
  if (camera.lens.model == LensModel::pinhole) {
    ray = glm::dvec3((x + 0.5 - camera.cx) / camera.fx, (y + 0.5 - camera.cy) / camera.fy, 1.0);
    return true;
  }
  glm::dvec3 r;
  if (!pixel_ray(camera, x + 0.5, y + 0.5, r) || !(r.z > 0.0)) return false;
  const Lens& l = camera.lens;
  const double qx = l.source_fx * r.x / r.z + l.source_cx, qy = l.source_fy * r.y / r.z + l.source_cy;
  if (!(qx >= 0.0 && qx < l.source_width && qy >= 0.0 && qy < l.source_height)) return false;
  ray = glm::dvec3((std::floor(qx) + 0.5 - l.source_cx) / l.source_fx, (std::floor(qy) + 0.5 - l.source_cy) / l.source_fy, 1.0);
  return true;
}

const std::vector<glm::dvec3>& label_rays(const Camera& camera) {
  thread_local std::optional<Camera> rays_of;
  thread_local std::vector<glm::dvec3> rays;
  if (!rays_of || !same_lens_model(*rays_of, camera)) {
    rays.assign(std::size_t{camera.width} * camera.height, glm::dvec3(0.0));
    for (std::uint32_t y = 0; y < camera.height; ++y) {
      for (std::uint32_t x = 0; x < camera.width; ++x) {
        glm::dvec3 r;
        if (label_ray(camera, x, y, r)) rays[std::size_t{y} * camera.width + x] = r;
      }
    }
    rays_of = camera;
  }
  return rays;
}

std::vector<float> undistortion_map(const Camera& camera) {
  const std::size_t n = std::size_t{camera.width} * camera.height;
  std::vector<float> map(3 * n);
  for (std::uint32_t v = 0; v < camera.height; ++v) {
    for (std::uint32_t u = 0; u < camera.width; ++u) {
      // OpenCV's pixel (u, v) is synthlabel's point (u + 0.5, v + 0.5); its ray through K alone.
      const glm::dvec3 ray((u + 0.5 - camera.cx) / camera.fx, (v + 0.5 - camera.cy) / camera.fy, 1.0);
      const glm::dvec2 d = project(camera, ray);
      float* m = &map[3 * (std::size_t{v} * camera.width + u)];
      const bool ok = std::isfinite(d.x) && std::isfinite(d.y);
      m[0] = ok ? static_cast<float>(d.x - 0.5) : std::numeric_limits<float>::quiet_NaN();
      m[1] = ok ? static_cast<float>(d.y - 0.5) : std::numeric_limits<float>::quiet_NaN();
      m[2] = ok ? 1.0f : 0.0f;
    }
  }
  return map;
}

bool same_lens_model(const Camera& a, const Camera& b) {
  const Lens &p = a.lens, &q = b.lens;
  return a.width == b.width && a.height == b.height && a.fx == b.fx && a.fy == b.fy && a.cx == b.cx && a.cy == b.cy && p.model == q.model &&
         p.k == q.k && p.table == q.table && p.max_theta == q.max_theta && p.source_width == q.source_width &&
         p.source_height == q.source_height && p.source_fx == q.source_fx && p.source_fy == q.source_fy && p.source_cx == q.source_cx &&
         p.source_cy == q.source_cy;
}

Camera source_camera(const Camera& camera) {
  Camera s = camera;
  s.width = camera.lens.source_width;
  s.height = camera.lens.source_height;
  s.fx = camera.lens.source_fx;
  s.fy = camera.lens.source_fy;
  s.cx = camera.lens.source_cx;
  s.cy = camera.lens.source_cy;
  s.lens = Lens{};
  return s;
}

}  // namespace synthlabel
