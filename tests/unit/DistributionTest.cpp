// Each distribution's samples against its law. Kolmogorov-Smirnov (continuous) and chi-square
// (discrete) tests at significance 0.001: with a correct sampler and a random seed such a test fails
// 0.1% of the time (the documented false-alarm rate); the seeds here are fixed, so the outcome is
// repeatable. Each test also checks that a wrong law is rejected, so the test can fail.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>

#include "randomizers/Sample.h"
#include "scenes/ConfigLoader.h"

namespace synthlabel {
namespace {

constexpr std::size_t k_n = 20000;
const double k_ks_critical = 1.949 / std::sqrt(static_cast<double>(k_n));  // alpha = 0.001

std::vector<double> draws(const ScalarDist& d, std::uint64_t seed) {
  Rng rng(seed, 0, "test");
  std::vector<double> x(k_n);
  for (auto& v : x) v = sample(d, rng, FrameIndex{0, 1});
  return x;
}

double ks_statistic(std::vector<double> x, const std::function<double(double)>& cdf) {
  std::sort(x.begin(), x.end());
  double d = 0;
  const double n = static_cast<double>(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(x[i]);
    d = std::max({d, (static_cast<double>(i) + 1) / n - f, f - static_cast<double>(i) / n});
  }
  return d;
}

double normal_cdf(double x, double m, double s) { return 0.5 * std::erfc(-(x - m) / (s * std::numbers::sqrt2)); }

TEST(Distributions, UniformFollowsItsLaw) {
  const auto x = draws(Uniform{-2.0, 3.0}, 1);
  EXPECT_LT(ks_statistic(x, [](double v) { return std::clamp((v + 2.0) / 5.0, 0.0, 1.0); }), k_ks_critical);
  EXPECT_GT(ks_statistic(x, [](double v) { return std::clamp((v + 2.0) / 6.0, 0.0, 1.0); }), k_ks_critical);
}

TEST(Distributions, LogUniformFollowsItsLaw) {
  const auto x = draws(LogUniform{0.1, 100.0}, 2);
  auto cdf = [](double v) { return std::clamp(std::log(v / 0.1) / std::log(1000.0), 0.0, 1.0); };
  EXPECT_LT(ks_statistic(x, cdf), k_ks_critical);
  EXPECT_GT(ks_statistic(x, [](double v) { return std::clamp((v - 0.1) / 99.9, 0.0, 1.0); }), k_ks_critical);
}

TEST(Distributions, NormalFollowsItsLaw) {
  const auto x = draws(Normal{3.0, 2.0}, 3);
  EXPECT_LT(ks_statistic(x, [](double v) { return normal_cdf(v, 3.0, 2.0); }), k_ks_critical);
  EXPECT_GT(ks_statistic(x, [](double v) { return normal_cdf(v, 3.0, 2.2); }), k_ks_critical);
}

TEST(Distributions, TruncatedNormalFollowsItsLaw) {
  const TruncatedNormal t{1.0, 2.0, 0.0, 4.0};
  const auto x = draws(t, 4);
  const double lo = normal_cdf(0.0, 1.0, 2.0), hi = normal_cdf(4.0, 1.0, 2.0);
  for (double v : x) ASSERT_TRUE(v >= 0.0 && v <= 4.0);
  EXPECT_LT(ks_statistic(x, [&](double v) { return (normal_cdf(v, 1.0, 2.0) - lo) / (hi - lo); }), k_ks_critical);
  EXPECT_GT(ks_statistic(x, [](double v) { return std::clamp(v / 4.0, 0.0, 1.0); }), k_ks_critical);
}

double chi_square(const std::vector<std::size_t>& counts, const std::vector<double>& p) {
  double chi = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double e = p[i] * static_cast<double>(k_n);
    chi += (static_cast<double>(counts[i]) - e) * (static_cast<double>(counts[i]) - e) / e;
  }
  return chi;
}

TEST(Distributions, WeightedChoiceFollowsItsWeights) {
  const auto x = draws(Choice{{10.0, 20.0, 30.0}, {1.0, 2.0, 7.0}}, 5);
  std::vector<std::size_t> counts(3, 0);
  for (double v : x) ++counts[static_cast<std::size_t>(v / 10.0 - 1.0)];
  EXPECT_LT(chi_square(counts, {0.1, 0.2, 0.7}), 13.82);  // chi-square, 2 dof, alpha 0.001
  EXPECT_GT(chi_square(counts, {1.0 / 3, 1.0 / 3, 1.0 / 3}), 13.82);
}

TEST(Distributions, IntegerRangeAndWeightedCountsFollowTheirLaws) {
  Rng rng(6, 0, "test");
  std::vector<std::size_t> counts(6, 0), weighted(3, 0);
  for (std::size_t i = 0; i < k_n; ++i) {
    ++counts[static_cast<std::size_t>(sample(IntDist{IntRange{1, 6}}, rng, FrameIndex{}) - 1)];
    ++weighted[static_cast<std::size_t>(sample(IntDist{IntChoice{{0, 1, 2}, {0.0, 1.0, 3.0}}}, rng, FrameIndex{}))];
  }
  EXPECT_LT(chi_square(counts, std::vector<double>(6, 1.0 / 6)), 20.52);  // 5 dof, alpha 0.001
  EXPECT_EQ(weighted[0], 0u) << "weight 0 is never drawn";
  EXPECT_LT(chi_square({weighted[1], weighted[2]}, {0.25, 0.75}), 10.83);  // 1 dof
}

TEST(Distributions, SweepAndSequenceFollowTheFrame) {
  Rng rng(7, 0, "test");
  EXPECT_DOUBLE_EQ(sample(Sweep{10.0, 20.0}, rng, FrameIndex{0, 11}), 10.0);
  EXPECT_DOUBLE_EQ(sample(Sweep{10.0, 20.0}, rng, FrameIndex{5, 11}), 15.0);
  EXPECT_DOUBLE_EQ(sample(Sweep{10.0, 20.0}, rng, FrameIndex{10, 11}), 20.0);
  EXPECT_DOUBLE_EQ(sample(Sweep{20.0, 10.0}, rng, FrameIndex{1, 11}), 19.0);
  EXPECT_DOUBLE_EQ(sample(Sequence{{1.0, 2.0, 3.0}}, rng, FrameIndex{4, 100}), 2.0);
}

std::string error_of(const std::string& yaml) {
  auto r = parse_config("categories: [a]\nobjects: [{primitive: cube, category: a}]\n" + yaml, "t.yaml", ".");
  return r.ok() ? "(accepted)" : r.error().message;
}

TEST(Distributions, LoaderAcceptsTheFormsAndNamesBadOnes) {
  EXPECT_EQ(error_of("camera: {distance: {loguniform: [1, 10]}, fov_deg: {truncated_normal: [50, 5, 40, 60]}, "
                     "azimuth_deg: {sweep: [0, 360]}, elevation_deg: {sequence: [10, 20, 30]}}\n"
                     "ambient: {choice: [0.1, 0.3], weights: [3, 1]}\n"),
            "(accepted)");
  EXPECT_EQ(error_of("ambient: {loguniform: [0, 1]}\n"),
            "t.yaml:3:23: ambient.loguniform: a log-uniform range must be positive, got min 0");
  EXPECT_EQ(error_of("camera: {distance: {truncated_normal: [5, 1, 50, 60]}}\n"),
            "t.yaml:3:39: camera.distance.truncated_normal: the interval [50, 60] holds less than 0.1% of this "
            "normal; use uniform there");
  EXPECT_EQ(error_of("ambient: {choice: [0.1, 0.3, 0.5]}\n"), "(accepted)");  // weights are optional
  EXPECT_EQ(error_of("ambient: {choice: [0.1, 0.3], weights: [1]}\n"),
            "t.yaml:3:40: ambient.weights: expected a list of 2 numbers");
  EXPECT_EQ(error_of("ambient: {choice: [0.1, 0.3], weights: [-1, 2]}\n"),
            "t.yaml:3:40: ambient.weights: weights must be >= 0, got -1");
  EXPECT_EQ(error_of("ambient: {uniform: [0.1, 0.3], weights: [1, 2]}\n"),
            "t.yaml:3:10: ambient: expected a number or a distribution: {uniform: [lo, hi]}, {loguniform: [lo, hi]}, "
            "{normal: [mean, stddev]}, {truncated_normal: [mean, stddev, lo, hi]}, {choice: [a, b, ...], weights: "
            "[...]}, {sweep: [from, to]}, {sequence: [a, b, ...]}");
  EXPECT_EQ(error_of("ambient: {gaussian: [1, 2]}\n"), "t.yaml:3:11: ambient.gaussian: unknown key (expected one of: "
                                                       "uniform, loguniform, normal, truncated_normal, choice, sweep, sequence)");
}

}  // namespace
}  // namespace synthlabel
