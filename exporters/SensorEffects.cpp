#include "exporters/SensorEffects.h"

#include "core/Srgb.h"
#include "exporters/NoiseStream.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include <glm/vec2.hpp>

namespace synthlabel {
namespace {

constexpr double k_pi = 3.14159265358979323846;

using Image = std::vector<std::array<double, 3>>;

// Integer offsets (the defocus disk): plain indexing, clamped at the border. Pixels whose taps all
// fall inside the image skip the clamping (the same sums, in the same order).
Image blur_integer(const Image& src, std::uint32_t w, std::uint32_t h, const std::vector<glm::ivec2>& taps) {
  Image out(src.size());
  const double weight = 1.0 / static_cast<double>(taps.size());
  const auto wi = static_cast<int>(w), hi = static_cast<int>(h);
  int reach = 0;
  std::vector<std::ptrdiff_t> offsets;
  for (const auto& d : taps) {
    reach = std::max({reach, std::abs(d.x), std::abs(d.y)});
    offsets.push_back(static_cast<std::ptrdiff_t>(d.y) * wi + d.x);
  }
  for (int y = 0; y < hi; ++y) {
    const bool rows_inside = y >= reach && y < hi - reach;
    for (int x = 0; x < wi; ++x) {
      std::array<double, 3> sum{};
      auto add = [&](std::size_t i) {
        for (std::size_t k = 0; k < 3; ++k) sum[k] += src[i][k];
      };
      const auto at = static_cast<std::ptrdiff_t>(y) * wi + x;
      if (rows_inside && x >= reach && x < wi - reach) {
        for (const std::ptrdiff_t o : offsets) add(static_cast<std::size_t>(at + o));
      } else {
        for (const auto& d : taps) {
          const int sx = std::clamp(x + d.x, 0, wi - 1), sy = std::clamp(y + d.y, 0, hi - 1);
          add(static_cast<std::size_t>(sy) * w + static_cast<std::size_t>(sx));
        }
      }
      for (std::size_t k = 0; k < 3; ++k) out[static_cast<std::size_t>(at)][k] = sum[k] * weight;
    }
  }
  return out;
}

Image blur(const Image& src, std::uint32_t w, std::uint32_t h, const std::vector<std::pair<glm::dvec2, double>>& taps) {
  Image out(src.size());
  auto at = [&](double x, double y) {  // bilinear, clamped at the border
    x = std::clamp(x, 0.0, w - 1.0);
    y = std::clamp(y, 0.0, h - 1.0);
    const auto x0 = static_cast<std::uint32_t>(x), y0 = static_cast<std::uint32_t>(y);
    const std::uint32_t x1 = std::min(x0 + 1, w - 1), y1 = std::min(y0 + 1, h - 1);
    const double tx = x - x0, ty = y - y0;
    std::array<double, 3> c{};
    for (std::size_t k = 0; k < 3; ++k) {
      c[k] = (src[std::size_t{y0} * w + x0][k] * (1 - tx) + src[std::size_t{y0} * w + x1][k] * tx) * (1 - ty) +
             (src[std::size_t{y1} * w + x0][k] * (1 - tx) + src[std::size_t{y1} * w + x1][k] * tx) * ty;
    }
    return c;
  };
  for (std::uint32_t y = 0; y < h; ++y) {
    for (std::uint32_t x = 0; x < w; ++x) {
      std::array<double, 3> sum{};
      for (const auto& [d, weight] : taps) {
        const auto c = at(x + d.x, y + d.y);
        for (std::size_t k = 0; k < 3; ++k) sum[k] += c[k] * weight;
      }
      for (std::size_t k = 0; k < 3; ++k) out[std::size_t{y} * w + x][k] = sum[k];
    }
  }
  return out;
}

// The JPEG standard's (Annex K) luminance and chrominance quantization tables.
constexpr int k_luma[64] = {16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
                            14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
                            18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
                            49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
constexpr int k_chroma[64] = {17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99,
                              99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
                              99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99};

// One plane through 8x8 DCT, quantization with `table`, and back (edges replicated into partial blocks).
void dct_round_trip(std::vector<double>& plane, std::uint32_t w, std::uint32_t h, const std::array<double, 64>& table) {
  static const auto basis = [] {
    std::array<double, 64> c{};
    for (int u = 0; u < 8; ++u) {
      for (int x = 0; x < 8; ++x) {
        c[static_cast<std::size_t>(u * 8 + x)] = (u == 0 ? std::sqrt(0.125) : 0.5) * std::cos((2 * x + 1) * u * k_pi / 16);
      }
    }
    return c;
  }();
  for (std::uint32_t by = 0; by < h; by += 8) {
    for (std::uint32_t bx = 0; bx < w; bx += 8) {
      double block[64], tmp[64], coef[64];
      for (std::uint32_t y = 0; y < 8; ++y) {
        for (std::uint32_t x = 0; x < 8; ++x) {
          const std::uint32_t sx = std::min(bx + x, w - 1), sy = std::min(by + y, h - 1);
          block[y * 8 + x] = plane[std::size_t{sy} * w + sx] - 128.0;
        }
      }
      for (int v = 0; v < 8; ++v)  // rows: tmp = block * C^T
        for (int u = 0; u < 8; ++u) {
          double s = 0;
          for (int x = 0; x < 8; ++x) s += block[v * 8 + x] * basis[static_cast<std::size_t>(u * 8 + x)];
          tmp[v * 8 + u] = s;
        }
      for (int v = 0; v < 8; ++v)  // columns: coef = C * tmp, quantized
        for (int u = 0; u < 8; ++u) {
          double s = 0;
          for (int y = 0; y < 8; ++y) s += tmp[y * 8 + u] * basis[static_cast<std::size_t>(v * 8 + y)];
          const double q = table[static_cast<std::size_t>(v * 8 + u)];
          coef[v * 8 + u] = std::round(s / q) * q;
        }
      for (int y = 0; y < 8; ++y)  // inverse
        for (int u = 0; u < 8; ++u) {
          double s = 0;
          for (int v = 0; v < 8; ++v) s += coef[v * 8 + u] * basis[static_cast<std::size_t>(v * 8 + y)];
          tmp[y * 8 + u] = s;
        }
      for (std::uint32_t y = 0; y < 8 && by + y < h; ++y)
        for (std::uint32_t x = 0; x < 8 && bx + x < w; ++x) {
          double s = 0;
          for (std::uint32_t u = 0; u < 8; ++u) s += tmp[y * 8 + u] * basis[u * 8 + x];
          plane[std::size_t{by + y} * w + bx + x] = s + 128.0;
        }
    }
  }
}

std::array<double, 64> scaled(const int* base, int quality) {
  quality = std::clamp(quality, 1, 100);
  const int scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;  // the IJG convention
  std::array<double, 64> t{};
  for (std::size_t i = 0; i < 64; ++i) t[i] = std::clamp((base[i] * scale + 50) / 100, 1, 255);
  return t;
}

}  // namespace

void jpeg_round_trip(std::uint32_t w, std::uint32_t h, std::span<std::uint8_t> rgba, int quality) {
  const std::size_t n = std::size_t{w} * h;
  std::vector<double> y(n), cb, cr;
  const std::uint32_t cw = (w + 1) / 2, ch = (h + 1) / 2;
  cb.assign(std::size_t{cw} * ch, 0.0);
  cr.assign(std::size_t{cw} * ch, 0.0);
  std::vector<double> count(std::size_t{cw} * ch, 0.0);
  for (std::uint32_t py = 0; py < h; ++py) {
    for (std::uint32_t px = 0; px < w; ++px) {
      const std::uint8_t* p = &rgba[(std::size_t{py} * w + px) * 4];
      const double r = p[0], g = p[1], b = p[2];  // JFIF full-range YCbCr
      y[std::size_t{py} * w + px] = 0.299 * r + 0.587 * g + 0.114 * b;
      const std::size_t c = std::size_t{py / 2} * cw + px / 2;  // 4:2:0, averaged
      cb[c] += 128.0 - 0.168736 * r - 0.331264 * g + 0.5 * b;
      cr[c] += 128.0 + 0.5 * r - 0.418688 * g - 0.081312 * b;
      count[c] += 1.0;
    }
  }
  for (std::size_t i = 0; i < cb.size(); ++i) {
    cb[i] /= count[i];
    cr[i] /= count[i];
  }
  dct_round_trip(y, w, h, scaled(k_luma, quality));
  dct_round_trip(cb, cw, ch, scaled(k_chroma, quality));
  dct_round_trip(cr, cw, ch, scaled(k_chroma, quality));
  auto to8 = [](double v) { return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0l, 255l)); };
  for (std::uint32_t py = 0; py < h; ++py) {
    for (std::uint32_t px = 0; px < w; ++px) {
      const double yy = y[std::size_t{py} * w + px];
      const std::size_t c = std::size_t{py / 2} * cw + px / 2;
      const double b = cb[c] - 128.0, r = cr[c] - 128.0;
      std::uint8_t* p = &rgba[(std::size_t{py} * w + px) * 4];
      p[0] = to8(yy + 1.402 * r);
      p[1] = to8(yy - 0.344136 * b - 0.714136 * r);
      p[2] = to8(yy + 1.772 * b);
    }
  }
}

void apply_sensor_effects(const SensorState& s, std::uint32_t w, std::uint32_t h, std::span<std::uint8_t> rgba) {
  if (!s.enabled || w == 0 || h == 0) return;
  const std::size_t n = std::size_t{w} * h;
  static const auto lut = [] {
    std::array<double, 256> t{};
    for (std::size_t i = 0; i < 256; ++i) t[i] = srgb_to_linear(static_cast<double>(i) / 255.0);
    return t;
  }();
  Image img(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < 3; ++k) img[i][k] = lut[rgba[i * 4 + k]];
  }
  const double half_diag = 0.5 * std::hypot(static_cast<double>(w), static_cast<double>(h));
  for (std::uint32_t py = 0; py < h; ++py) {
    for (std::uint32_t px = 0; px < w; ++px) {
      auto& c = img[std::size_t{py} * w + px];
      double v[3];
      for (std::size_t k = 0; k < 3; ++k) v[k] = c[k] * s.white_balance[static_cast<glm::length_t>(k)];
      for (double& x : v) x = 0.18 + (x + s.brightness - 0.18) * s.contrast;
      const double luma = 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
      for (double& x : v) x = luma + (x - luma) * s.saturation;
      if (s.vignetting > 0) {
        // The field angle's tangent grows to 1 at the corners; cos^4 falloff, blended by `vignetting`.
        const double r = std::hypot(px + 0.5 - 0.5 * w, py + 0.5 - 0.5 * h) / half_diag;
        const double cos2 = 1.0 / (1.0 + r * r);
        const double f = 1.0 - s.vignetting * (1.0 - cos2 * cos2);
        for (double& x : v) x *= f;
      }
      for (std::size_t k = 0; k < 3; ++k) c[k] = v[k];
    }
  }
  if (s.defocus_px >= 0.5) {
    std::vector<glm::ivec2> taps;
    const int r = static_cast<int>(std::ceil(s.defocus_px));
    for (int dy = -r; dy <= r; ++dy)
      for (int dx = -r; dx <= r; ++dx)
        if (dx * dx + dy * dy <= s.defocus_px * s.defocus_px) taps.push_back({dx, dy});
    img = blur_integer(img, w, h, taps);
  }
  if (s.motion_px >= 0.5) {
    std::vector<std::pair<glm::dvec2, double>> taps;
    const int steps = static_cast<int>(std::ceil(s.motion_px)) + 1;
    const double a = s.motion_angle_deg * k_pi / 180.0;
    const glm::dvec2 dir(std::cos(a), -std::sin(a));  // v grows downwards
    for (int i = 0; i < steps; ++i) {
      const double t = (static_cast<double>(i) / (steps - 1) - 0.5) * s.motion_px;
      taps.push_back({dir * t, 1.0 / steps});
    }
    img = blur(img, w, h, taps);
  }
  // thresholds[k]: the linear value whose sRGB encoding is exactly k + 0.5 (of 255); first[b]: how
  // many of them lie at or below b / k_buckets, where the count for x in bucket b starts (a step or
  // two from the answer instead of a binary search's eight unpredictable branches).
  constexpr std::size_t k_buckets = 4096;
  static const auto thresholds = [] {
    std::array<double, 256> t{};
    for (std::size_t k = 0; k < 255; ++k) t[k] = srgb_to_linear((static_cast<double>(k) + 0.5) / 255.0);
    t[255] = std::numeric_limits<double>::infinity();  // a sentinel: the count stops at 255
    return t;
  }();
  static const auto first = [] {
    std::array<std::uint8_t, k_buckets> f{};
    for (std::size_t b = 0; b < k_buckets; ++b) {
      const double x = static_cast<double>(b) / k_buckets;
      f[b] = static_cast<std::uint8_t>(std::upper_bound(thresholds.begin(), thresholds.begin() + 255, x) - thresholds.begin());
    }
    return f;
  }();
  auto encode = [](double x) {  // round(255 * srgb(x)): the count of the 255 rounding thresholds at or below x
    if (x <= 0.0) return std::uint8_t{0};      // every threshold is above 0
    if (!(x < 1.0)) return std::uint8_t{255};  // and below 1 (NaN: as a binary search would count it)
    std::size_t k = first[static_cast<std::size_t>(x * k_buckets)];
    while (thresholds[k] <= x) ++k;
    return static_cast<std::uint8_t>(k);
  };
  Noise noise{s.noise_key};
  const bool shot = s.shot_photons > 0, read = s.read_noise > 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < 3; ++k) {
      double x = std::clamp(img[i][k], 0.0, 1.0);
      if (shot) x = noise.poisson(x * s.shot_photons) / s.shot_photons;
      if (read) x += s.read_noise * noise.normal();
      if (s.gamma != 1.0) {
        const double e = std::pow(linear_to_srgb(x), 1.0 / s.gamma);
        rgba[i * 4 + k] = static_cast<std::uint8_t>(std::clamp(std::lround(e * 255.0), 0l, 255l));
      } else {
        rgba[i * 4 + k] = encode(x);  // without a pow
      }
    }
  }
  if (s.jpeg_quality >= 1) jpeg_round_trip(w, h, rgba, static_cast<int>(std::lround(s.jpeg_quality)));
}

}  // namespace synthlabel
