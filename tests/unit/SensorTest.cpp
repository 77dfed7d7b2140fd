// Sensor effects on synthetic images: each effect against its definition; neutral values change
// nothing; the noise is deterministic per key.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "exporters/SensorEffects.h"

namespace synthlabel {
namespace {

double to_linear(std::uint8_t v) {
  const double c = v / 255.0;
  return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

std::vector<std::uint8_t> flat(std::uint32_t w, std::uint32_t h, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  std::vector<std::uint8_t> px;
  for (std::size_t i = 0; i < std::size_t{w} * h; ++i) px.insert(px.end(), {r, g, b, 255});
  return px;
}

SensorState neutral() {
  SensorState s;
  s.enabled = true;
  return s;
}

TEST(Sensor, NeutralValuesChangeNothing) {
  std::vector<std::uint8_t> px;
  for (int i = 0; i < 256; ++i) px.insert(px.end(), {std::uint8_t(i), std::uint8_t(255 - i), std::uint8_t(i / 2), 255});
  const auto before = px;
  apply_sensor_effects(neutral(), 16, 16, px);
  EXPECT_EQ(px, before);
  SensorState off;  // not enabled
  off.read_noise = 0.5;
  apply_sensor_effects(off, 16, 16, px);
  EXPECT_EQ(px, before);
}

TEST(Sensor, WhiteBalanceScalesLinearChannels) {
  auto px = flat(4, 4, 100, 100, 100);
  SensorState s = neutral();
  s.white_balance = {2.0, 1.0, 0.5};
  apply_sensor_effects(s, 4, 4, px);
  EXPECT_NEAR(to_linear(px[0]), 2.0 * to_linear(100), 0.004);
  EXPECT_EQ(px[1], 100);
  EXPECT_NEAR(to_linear(px[2]), 0.5 * to_linear(100), 0.002);
}

TEST(Sensor, ReadNoiseHasItsStandardDeviationAndIsDeterministic) {
  const std::uint32_t w = 200, h = 200;
  auto px = flat(w, h, 128, 128, 128);
  SensorState s = neutral();
  s.read_noise = 0.02;
  s.noise_key = 42;
  auto a = px, b = px, c = px;
  apply_sensor_effects(s, w, h, a);
  apply_sensor_effects(s, w, h, b);
  s.noise_key = 43;
  apply_sensor_effects(s, w, h, c);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  double sum = 0, sum2 = 0;
  const double base = to_linear(128);
  for (std::size_t i = 0; i < a.size(); i += 4) {
    const double d = to_linear(a[i]) - base;
    sum += d;
    sum2 += d * d;
  }
  const double n = w * h, mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
  // 40,000 samples: the sample sd is within 2% of 0.02 (8-bit rounding adds about 0.0015 in quadrature).
  EXPECT_NEAR(sd, 0.02, 0.0015);
  EXPECT_NEAR(mean, 0.0, 0.0005);
}

TEST(Sensor, ShotNoiseIsPoissonInPhotonCounts) {
  const std::uint32_t w = 200, h = 200;
  auto px = flat(w, h, 188, 188, 188);  // linear 0.5
  SensorState s = neutral();
  s.shot_photons = 400;  // 200 photons at this level: sd sqrt(200)/400 = 0.0354
  s.noise_key = 7;
  apply_sensor_effects(s, w, h, px);
  double sum = 0, sum2 = 0;
  for (std::size_t i = 0; i < px.size(); i += 4) {
    const double v = to_linear(px[i]);
    sum += v;
    sum2 += v * v;
  }
  const double n = w * h, mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
  EXPECT_NEAR(mean, to_linear(188), 0.002);
  EXPECT_NEAR(sd, std::sqrt(to_linear(188) * 400) / 400, 0.002);
}

TEST(Sensor, VignettingDarkensCornersNotTheCentre) {
  auto px = flat(101, 101, 200, 200, 200);
  SensorState s = neutral();
  s.vignetting = 1.0;
  apply_sensor_effects(s, 101, 101, px);
  EXPECT_EQ(px[4 * (50 * 101 + 50)], 200);
  // At the corner pixel's centre r is just under 1: cos^4 of the field angle is about 1/4.
  EXPECT_NEAR(to_linear(px[0]), 0.25 * to_linear(200), 0.01);
}

TEST(Sensor, DefocusSpreadsAPointOverItsDisk) {
  auto px = flat(21, 21, 0, 0, 0);
  px[4 * (10 * 21 + 10)] = 255;
  SensorState s = neutral();
  s.defocus_px = 2.0;
  apply_sensor_effects(s, 21, 21, px);
  int lit = 0;
  for (int y = 0; y < 21; ++y) {
    for (int x = 0; x < 21; ++x) {
      const bool inside = (x - 10) * (x - 10) + (y - 10) * (y - 10) <= 4;
      if (px[4 * (std::size_t(y) * 21 + std::size_t(x))] > 0) ++lit;
      EXPECT_EQ(px[4 * (std::size_t(y) * 21 + std::size_t(x))] > 0, inside) << x << "," << y;
    }
  }
  EXPECT_EQ(lit, 13);  // the pixels within radius 2
}

TEST(Sensor, JpegRoundTripKeepsFlatImagesAtHighQualityAndDegradesWithQuality) {
  auto flat_px = flat(24, 16, 90, 140, 200);
  const auto flat_before = flat_px;
  jpeg_round_trip(24, 16, flat_px, 90);  // (at low quality even the DC step shifts flat areas, as in JPEG)
  for (std::size_t i = 0; i < flat_px.size(); ++i) EXPECT_NEAR(flat_px[i], flat_before[i], 2) << i;
  std::vector<std::uint8_t> busy;
  for (int y = 0; y < 32; ++y) {
    for (int x = 0; x < 32; ++x) busy.insert(busy.end(), {std::uint8_t((x * 37 + y * 11) % 256), std::uint8_t(x * 8), std::uint8_t(y * 8), 255});
  }
  auto error = [&](int q) {
    auto p = busy;
    jpeg_round_trip(32, 32, p, q);
    double e = 0;
    for (std::size_t i = 0; i < p.size(); ++i) e += std::abs(int(p[i]) - int(busy[i]));
    return e / static_cast<double>(p.size());
  };
  EXPECT_LT(error(95), error(50));
  EXPECT_LT(error(50), error(5));
  EXPECT_GT(error(5), 2.0);
}

}  // namespace
}  // namespace synthlabel
