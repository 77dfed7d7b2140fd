#include "scenes/Environment.h"

#include <tinyexr.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <thread>

#include <glm/geometric.hpp>
#include <glm/trigonometric.hpp>

#include "core/FileIo.h"
#include "core/Text.h"

namespace synthlabel {
namespace {

constexpr double k_pi = 3.14159265358979323846;

// Bilinear resample of an equirectangular map (wrapping in u, clamping in v).
std::vector<float> resample(const std::vector<float>& src, std::uint32_t sw, std::uint32_t sh, std::uint32_t dw,
                            std::uint32_t dh) {
  if (sw == dw && sh == dh) return src;
  std::vector<float> out(std::size_t{dw} * dh * 4);
  for (std::uint32_t y = 0; y < dh; ++y) {
    const double fy = std::clamp((y + 0.5) * sh / dh - 0.5, 0.0, sh - 1.0);
    const auto y0 = static_cast<std::uint32_t>(fy);
    const std::uint32_t y1 = std::min(y0 + 1, sh - 1);
    const double ty = fy - y0;
    for (std::uint32_t x = 0; x < dw; ++x) {
      double fx = (x + 0.5) * sw / dw - 0.5;
      if (fx < 0) fx += sw;
      const auto x0 = static_cast<std::uint32_t>(fx) % sw;
      const std::uint32_t x1 = (x0 + 1) % sw;
      const double tx = fx - std::floor(fx);
      for (std::size_t c = 0; c < 4; ++c) {
        auto at = [&](std::uint32_t xx, std::uint32_t yy) { return double(src[(std::size_t{yy} * sw + xx) * 4 + c]); };
        const double v = (at(x0, y0) * (1 - tx) + at(x1, y0) * tx) * (1 - ty) + (at(x0, y1) * (1 - tx) + at(x1, y1) * tx) * ty;
        out[(std::size_t{y} * dw + x) * 4 + c] = static_cast<float>(v);
      }
    }
  }
  return out;
}

// Where direction d falls in an equirectangular map (convention above): the 2x2 texels bilinear
// filtering reads (columns x0 and x0 + 1, wrapping; rows y0 and y1) and their weights.
struct Bilinear {
  std::uint32_t x0, y0, y1;
  double tx, ty;
};

Bilinear bilinear_at(std::uint32_t w, std::uint32_t h, const glm::dvec3& d) {
  const double u = 0.5 + std::atan2(d.x, -d.z) / (2.0 * k_pi), v = std::acos(std::clamp(d.y, -1.0, 1.0)) / k_pi;
  double fx = u * w - 0.5;
  const double fy = std::clamp(v * h - 0.5, 0.0, h - 1.0);
  fx -= std::floor(fx / w) * w;
  const auto y0 = static_cast<std::uint32_t>(fy);
  return {static_cast<std::uint32_t>(fx) % w, y0, std::min(y0 + 1, h - 1), fx - std::floor(fx), fy - y0};
}

// The filtered value at `b`, its columns `shift` texels on.
glm::dvec3 fetch(const std::vector<float>& src, std::uint32_t w, const Bilinear& b, std::uint32_t shift = 0) {
  const std::uint32_t x0 = (b.x0 + shift) % w, x1 = (x0 + 1) % w;
  auto at = [&](std::uint32_t x, std::uint32_t y) {
    const float* p = &src[(std::size_t{y} * w + x) * 4];
    return glm::dvec3(p[0], p[1], p[2]);
  };
  return (at(x0, b.y0) * (1 - b.tx) + at(x1, b.y0) * b.tx) * (1 - b.ty) +
         (at(x0, b.y1) * (1 - b.tx) + at(x1, b.y1) * b.tx) * b.ty;
}

// Bilinear lookup of an equirectangular map in direction d.
glm::dvec3 lookup(const std::vector<float>& src, std::uint32_t w, std::uint32_t h, const glm::dvec3& d) {
  return fetch(src, w, bilinear_at(w, h, d));
}

// Box-filters a map to half its size (w and h even).
std::vector<float> halve(const std::vector<float>& src, std::uint32_t w, std::uint32_t h) {
  const std::uint32_t hw = w / 2, hh = h / 2;
  std::vector<float> out(std::size_t{hw} * hh * 4);
  for (std::uint32_t y = 0; y < hh; ++y) {
    for (std::uint32_t x = 0; x < hw; ++x) {
      for (std::size_t c = 0; c < 4; ++c) {
        auto at = [&](std::uint32_t xx, std::uint32_t yy) { return src[(std::size_t{yy} * w + xx) * 4 + c]; };
        out[(std::size_t{y} * hw + x) * 4 + c] =
            0.25f * (at(2 * x, 2 * y) + at(2 * x + 1, 2 * y) + at(2 * x, 2 * y + 1) + at(2 * x + 1, 2 * y + 1));
      }
    }
  }
  return out;
}

}  // namespace

std::vector<float> prefilter_specular(const std::vector<float>& src, std::uint32_t w, std::uint32_t h, std::uint32_t out_w,
                                      std::uint32_t out_h, double roughness) {
  // GGX importance samples about +Z (n = v = r), Hammersley points; each light direction is weighted by
  // n.l (Karis 2013). Fixed samples: the result is deterministic.
  constexpr std::uint32_t k_samples = 96;
  const double a = roughness * roughness;
  struct Sample {
    glm::dvec3 l;
    double weight;
  };
  std::vector<Sample> samples;
  double total = 0;
  for (std::uint32_t i = 0; i < k_samples; ++i) {
    std::uint32_t bits = i;  // radical inverse in base 2
    bits = (bits << 16u) | (bits >> 16u);
    bits = ((bits & 0x55555555u) << 1u) | ((bits & 0xAAAAAAAAu) >> 1u);
    bits = ((bits & 0x33333333u) << 2u) | ((bits & 0xCCCCCCCCu) >> 2u);
    bits = ((bits & 0x0F0F0F0Fu) << 4u) | ((bits & 0xF0F0F0F0u) >> 4u);
    bits = ((bits & 0x00FF00FFu) << 8u) | ((bits & 0xFF00FF00u) >> 8u);
    const double e1 = (i + 0.5) / k_samples, e2 = bits * 2.3283064365386963e-10;
    const double phi = 2.0 * k_pi * e1;
    const double cos_t = std::sqrt((1.0 - e2) / (1.0 + (a * a - 1.0) * e2));
    const double sin_t = std::sqrt(std::max(0.0, 1.0 - cos_t * cos_t));
    const glm::dvec3 hv(sin_t * std::cos(phi), sin_t * std::sin(phi), cos_t);
    const glm::dvec3 l = 2.0 * hv.z * hv - glm::dvec3(0, 0, 1);
    if (l.z > 0) {
      samples.push_back({l, l.z});
      total += l.z;
    }
  }
  std::vector<float> out(std::size_t{out_w} * out_h * 4);
  // Where a row's tangent frame turns with the direction about +Y (away from the poles), its texels'
  // sample directions are the first texel's turned about +Y by a texel per texel: the same elevation,
  // the azimuth one texel on. Such a row maps its samples once (atan2 and acos per sample, not per
  // sample and texel) and shifts them along the row; the same bilinear weights, to rounding.
  auto store = [&](std::uint32_t x, std::uint32_t y, glm::dvec3 sum) {
    sum /= total;
    float* p = &out[(std::size_t{y} * out_w + x) * 4];
    p[0] = static_cast<float>(sum.x);
    p[1] = static_cast<float>(sum.y);
    p[2] = static_cast<float>(sum.z);
    p[3] = 1.0f;
  };
  auto shifted_row = [&](std::uint32_t y, double theta) {
    const glm::dvec3 r(std::sin(theta) * std::sin(-k_pi + k_pi / out_w), std::cos(theta),
                       -std::sin(theta) * std::cos(-k_pi + k_pi / out_w));  // the row's first texel
    const glm::dvec3 tx = glm::normalize(glm::cross(glm::dvec3(0, 1, 0), r)), ty = glm::cross(r, tx);
    std::vector<Bilinear> taps;
    for (const Sample& s : samples) taps.push_back(bilinear_at(w, h, tx * s.l.x + ty * s.l.y + r * s.l.z));
    for (std::uint32_t x = 0; x < out_w; ++x) {
      glm::dvec3 sum(0.0);
      for (std::size_t i = 0; i < taps.size(); ++i) sum += fetch(src, w, taps[i], x) * samples[i].weight;
      store(x, y, sum);
    }
  };
  auto rows = [&](std::uint32_t y0, std::uint32_t y1) {
  for (std::uint32_t y = y0; y < y1; ++y) {
    const double theta = (y + 0.5) / out_h * k_pi;
    if (out_w == w && std::abs(std::cos(theta)) < 0.999) {
      shifted_row(y, theta);
      continue;
    }
    for (std::uint32_t x = 0; x < out_w; ++x) {
      const double phi = ((x + 0.5) / out_w - 0.5) * 2.0 * k_pi;
      const glm::dvec3 r(std::sin(theta) * std::sin(phi), std::cos(theta), -std::sin(theta) * std::cos(phi));
      const glm::dvec3 up = std::abs(r.y) < 0.999 ? glm::dvec3(0, 1, 0) : glm::dvec3(1, 0, 0);
      const glm::dvec3 tx = glm::normalize(glm::cross(up, r)), ty = glm::cross(r, tx);
      glm::dvec3 sum(0.0);
      for (const Sample& s : samples) sum += lookup(src, w, h, tx * s.l.x + ty * s.l.y + r * s.l.z) * s.weight;
      store(x, y, sum);
    }
  }
  };
  // Rows are independent: split them over the cores (each thread writes its own rows).
  const std::uint32_t threads = std::clamp<std::uint32_t>(std::thread::hardware_concurrency(), 1, 16);
  std::vector<std::jthread> pool;
  for (std::uint32_t t = 1; t < threads; ++t) pool.emplace_back(rows, out_h * t / threads, out_h * (t + 1) / threads);
  rows(0, out_h / threads);
  pool.clear();
  return out;
}

EnvironmentMap make_sky(const SkyParams& sky) {
  const double t = sky.turbidity;
  const double sun_el = glm::radians(sky.sun_elevation_deg), sun_az = glm::radians(sky.sun_azimuth_deg);
  const glm::dvec3 sun(std::cos(sun_el) * std::sin(sun_az), std::sin(sun_el), std::cos(sun_el) * std::cos(sun_az));
  const double theta_s = k_pi / 2 - sun_el;  // the sun's zenith angle
  // Perez et al. distribution coefficients (A..E) for Y, x, y as functions of turbidity (Preetham
  // et al. 1999, appendix A.2).
  const double cy[5] = {0.1787 * t - 1.4630, -0.3554 * t + 0.4275, -0.0227 * t + 5.3251, 0.1206 * t - 2.5771, -0.0670 * t + 0.3703};
  const double cx[5] = {-0.0193 * t - 0.2592, -0.0665 * t + 0.0008, -0.0004 * t + 0.2125, -0.0641 * t - 0.8989, -0.0033 * t + 0.0452};
  const double cyy[5] = {-0.0167 * t - 0.2608, -0.0950 * t + 0.0092, -0.0079 * t + 0.2102, -0.0441 * t - 1.6537, -0.0109 * t + 0.0529};
  auto perez = [](const double* c, double theta, double gamma) {
    return (1.0 + c[0] * std::exp(c[1] / std::max(std::cos(theta), 1e-3))) *
           (1.0 + c[2] * std::exp(c[3] * gamma) + c[4] * std::cos(gamma) * std::cos(gamma));
  };
  // Zenith luminance and chromaticity (appendix A.2).
  const double chi = (4.0 / 9.0 - t / 120.0) * (k_pi - 2.0 * theta_s);
  const double zY = (4.0453 * t - 4.9710) * std::tan(chi) - 0.2155 * t + 2.4192;
  const double s1 = theta_s, s2 = s1 * s1, s3 = s2 * s1;
  const double zx = t * t * (0.00166 * s3 - 0.00375 * s2 + 0.00209 * s1) +
                    t * (-0.02903 * s3 + 0.06377 * s2 - 0.03202 * s1 + 0.00394) +
                    (0.11693 * s3 - 0.21196 * s2 + 0.06052 * s1 + 0.25886);
  const double zy = t * t * (0.00275 * s3 - 0.00610 * s2 + 0.00317 * s1) +
                    t * (-0.04214 * s3 + 0.08970 * s2 - 0.04153 * s1 + 0.00516) +
                    (0.15346 * s3 - 0.26756 * s2 + 0.06670 * s1 + 0.26688);
  const std::uint32_t w = 512, h = 256;
  std::vector<float> rgba(std::size_t{w} * h * 4, 1.0f);
  double upper = 0, upper_weight = 0;
  glm::dvec3 irradiance_up(0.0);  // cosine-weighted, for the ground
  for (std::uint32_t y = 0; y < h; ++y) {
    const double theta = (y + 0.5) / h * k_pi;
    for (std::uint32_t x = 0; x < w; ++x) {
      const double phi = ((x + 0.5) / w - 0.5) * 2.0 * k_pi;
      const glm::dvec3 d(std::sin(theta) * std::sin(phi), std::cos(theta), -std::sin(theta) * std::cos(phi));
      float* p = &rgba[(std::size_t{y} * w + x) * 4];
      if (d.y <= 0) continue;  // ground, below
      const double gamma = std::acos(std::clamp(glm::dot(d, sun), -1.0, 1.0));
      const double big_y = zY * perez(cy, theta, gamma) / perez(cy, 0.0, theta_s);
      const double sx = zx * perez(cx, theta, gamma) / perez(cx, 0.0, theta_s);
      const double sy = zy * perez(cyy, theta, gamma) / perez(cyy, 0.0, theta_s);
      // xyY -> XYZ -> linear sRGB (D65).
      const double X = sx / sy * big_y, Z = (1.0 - sx - sy) / sy * big_y;
      const glm::dvec3 rgb(3.2406 * X - 1.5372 * big_y - 0.4986 * Z, -0.9689 * X + 1.8758 * big_y + 0.0415 * Z,
                           0.0557 * X - 0.2040 * big_y + 1.0570 * Z);
      p[0] = static_cast<float>(std::max(rgb.r, 0.0));
      p[1] = static_cast<float>(std::max(rgb.g, 0.0));
      p[2] = static_cast<float>(std::max(rgb.b, 0.0));
      const double solid = std::sin(theta);
      upper += big_y * solid;
      upper_weight += solid;
      irradiance_up += glm::dvec3(p[0], p[1], p[2]) * (d.y * solid);
    }
  }
  const double scale = 0.3 / std::max(upper / upper_weight, 1e-9);
  // The ground reflects the sky's irradiance (Lambertian): radiance = albedo x E / pi.
  double cos_weight = 0;
  for (std::uint32_t y = 0; y < h / 2; ++y) {
    const double theta = (y + 0.5) / h * k_pi;
    cos_weight += std::cos(theta) * std::sin(theta) * w;
  }
  const glm::dvec3 ground = sky.ground_albedo * irradiance_up / std::max(cos_weight, 1e-9) * scale;
  for (std::uint32_t y = 0; y < h; ++y) {
    for (std::uint32_t x = 0; x < w; ++x) {
      float* p = &rgba[(std::size_t{y} * w + x) * 4];
      const bool below = (y + 0.5) / h >= 0.5;
      for (int c = 0; c < 3; ++c) p[c] = below ? static_cast<float>(ground[c]) : static_cast<float>(double(p[c]) * scale);
    }
  }
  return make_environment("sky", w, h, std::move(rgba));
}

std::array<float, 9> sh_basis(const glm::vec3& n) {
  return {0.282095f,
          0.488603f * n.y,
          0.488603f * n.z,
          0.488603f * n.x,
          1.092548f * n.x * n.y,
          1.092548f * n.y * n.z,
          0.315392f * (3.0f * n.z * n.z - 1.0f),
          1.092548f * n.x * n.z,
          0.546274f * (n.x * n.x - n.y * n.y)};
}

EnvironmentMap make_environment(std::string name, std::uint32_t width, std::uint32_t height, std::vector<float> rgba) {
  EnvironmentMap env;
  env.name = std::move(name);
  env.rgba = resample(rgba, width, height, k_environment_width, k_environment_height);
  env.width = k_environment_width;
  env.height = k_environment_height;
  // Project radiance onto the SH basis: L_i = sum over texels of L * Y_i(d) * solid angle.
  std::array<glm::dvec3, 9> l{};
  const double dphi = 2.0 * k_pi / env.width, dtheta = k_pi / env.height;
  for (std::uint32_t y = 0; y < env.height; ++y) {
    const double theta = (y + 0.5) * dtheta;
    const double solid = std::sin(theta) * dtheta * dphi;
    for (std::uint32_t x = 0; x < env.width; ++x) {
      const double phi = ((x + 0.5) / env.width - 0.5) * 2.0 * k_pi;  // u = 0.5 + phi / 2pi
      const glm::vec3 d(static_cast<float>(std::sin(theta) * std::sin(phi)), static_cast<float>(std::cos(theta)),
                        static_cast<float>(-std::sin(theta) * std::cos(phi)));
      const float* p = &env.rgba[(std::size_t{y} * env.width + x) * 4];
      const glm::dvec3 radiance(std::max(p[0], 0.0f), std::max(p[1], 0.0f), std::max(p[2], 0.0f));
      const auto y_i = sh_basis(d);
      for (std::size_t i = 0; i < 9; ++i) l[i] += radiance * (double(y_i[i]) * solid);
    }
  }
  // Irradiance E = sum A_l L_lm Y_lm with A_0 = pi, A_1 = 2pi/3, A_2 = pi/4; stored over pi.
  const double band[9] = {1.0, 2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0, 0.25, 0.25, 0.25, 0.25, 0.25};
  for (std::size_t i = 0; i < 9; ++i) env.irradiance_sh[i] = glm::vec3(l[i] * band[i]);
  // Prefiltered specular levels, each sampled from the plain (box-filtered) pyramid level of its own
  // size, fine enough for its lobe: the lobe widens with roughness as the level's texels grow.
  std::vector<float> plain = env.rgba;
  std::uint32_t w = env.width, h = env.height;
  for (std::uint32_t k = 1; k <= k_environment_specular_levels; ++k) {
    plain = halve(plain, w, h);
    w /= 2;
    h /= 2;
    env.specular.push_back(prefilter_specular(plain, w, h, w, h, double(k) / k_environment_specular_levels));
  }
  return env;
}

Result<DecodedExr> decode_exr(std::span<const std::uint8_t> bytes, const std::string& what) {
  auto fail = [&](const std::string& why) { return make_error(ExitCode::asset, what + ": " + why); };
  // The header first: a file of a few bytes can claim a data window of billions of pixels, which the
  // decoder would allocate before finding the data missing (image_fuzzer found such inputs).
  {
    EXRVersion version;
    if (ParseEXRVersionFromMemory(&version, bytes.data(), bytes.size()) != TINYEXR_SUCCESS) {
      return fail("not a readable OpenEXR image (no OpenEXR signature)");
    }
    if (version.multipart || version.non_image) return fail("multi-part and deep OpenEXR images are not supported");
    EXRHeader header;
    InitEXRHeader(&header);
    const char* err = nullptr;
    if (ParseEXRHeaderFromMemory(&header, &version, bytes.data(), bytes.size(), &err) != TINYEXR_SUCCESS) {
      std::string why = err ? one_line(err) : "unreadable header";  // TinyEXR ends it with a newline
      if (err) FreeEXRErrorMessage(err);
      FreeEXRHeader(&header);
      return fail("not a readable OpenEXR image (" + why + ")");
    }
    const std::int64_t w = std::int64_t{header.data_window.max_x} - header.data_window.min_x + 1;
    const std::int64_t h = std::int64_t{header.data_window.max_y} - header.data_window.min_y + 1;
    const int channels = header.num_channels;
    FreeEXRHeader(&header);
    if (w <= 0 || h <= 0 || w > 16384 || h > 8192) {
      return fail("unexpected size " + std::to_string(w) + "x" + std::to_string(h) + " (at most 16384x8192)");
    }
    if (channels <= 0 || channels > 16) return fail(std::to_string(channels) + " channels (expected RGB or RGBA)");
  }
  float* rgba = nullptr;
  int w = 0, h = 0;
  const char* err = nullptr;
  const int rc = LoadEXRFromMemory(&rgba, &w, &h, bytes.data(), bytes.size(), &err);
  std::unique_ptr<float, decltype(&std::free)> owned(rgba, &std::free);
  if (rc != TINYEXR_SUCCESS) {
    std::string why = err ? one_line(err) : "unreadable";
    if (err) FreeEXRErrorMessage(err);
    return fail("not a readable OpenEXR image (" + why + ")");
  }
  if (w <= 0 || h <= 0 || w > 16384 || h > 8192 || rgba == nullptr) {
    return fail("unexpected size " + std::to_string(w) + "x" + std::to_string(h));
  }
  DecodedExr out;
  out.width = static_cast<std::uint32_t>(w);
  out.height = static_cast<std::uint32_t>(h);
  out.rgba.assign(rgba, rgba + std::size_t(w) * std::size_t(h) * 4);
  for (float& v : out.rgba) {
    if (!std::isfinite(v)) v = 0.0f;  // NaN/inf texels would poison filtering and the SH
  }
  return out;
}

Result<EnvironmentMap> load_environment(const std::filesystem::path& path) {
  auto bytes = read_bounded_file(path, k_max_environment_bytes, "environment map");
  if (!bytes) return make_error(ExitCode::asset, path.string() + ": " + bytes.error().message);
  auto exr = decode_exr({reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()}, path.string());
  if (!exr) return exr.error();
  return make_environment(path.filename().string(), exr->width, exr->height, std::move(exr->rgba));
}

}  // namespace synthlabel
