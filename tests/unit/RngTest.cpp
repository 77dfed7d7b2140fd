// Determinism of the keyed random streams and of whole frames.
#include <gtest/gtest.h>

#include <cmath>

#include "randomizers/FrameSampler.h"
#include "randomizers/Rng.h"
#include "scenes/ConfigLoader.h"

namespace synthlabel {
namespace {

TEST(Rng, SameKeySameSequence) {
  Rng a(1, 2, "x"), b(1, 2, "x");
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next_u64(), b.next_u64());
}

TEST(Rng, DifferentSeedFrameOrNameDiffer) {
  const std::uint64_t base = Rng(1, 2, "x").next_u64();
  EXPECT_NE(base, Rng(2, 2, "x").next_u64());
  EXPECT_NE(base, Rng(1, 3, "x").next_u64());
  EXPECT_NE(base, Rng(1, 2, "y").next_u64());
  EXPECT_NE(Rng(1, 2, "x").fork("a").next_u64(), Rng(1, 2, "x").fork("b").next_u64());
}

TEST(Rng, UniformAndIntegerStayInRange) {
  Rng r(5, 0, "range");
  for (int i = 0; i < 10000; ++i) {
    const double u = r.uniform(-2.0, 3.0);
    EXPECT_GE(u, -2.0);
    EXPECT_LT(u, 3.0);
    const auto k = r.integer(-3, 4);
    EXPECT_GE(k, -3);
    EXPECT_LE(k, 4);
  }
}

TEST(Rng, UniformMeanIsCloseToHalf) {
  // 100k draws: the standard error of the mean is 0.0009; 5 sigma bound.
  Rng r(9, 0, "mean");
  double sum = 0;
  for (int i = 0; i < 100000; ++i) sum += r.uniform01();
  EXPECT_NEAR(sum / 100000, 0.5, 0.0046);
}

SceneSpec spec_from(const char* yaml) {
  auto spec = parse_config(yaml, "test.yaml", ".");
  EXPECT_TRUE(spec.ok()) << spec.error().message;
  return spec.ok() ? std::move(spec).value() : SceneSpec{};
}

constexpr const char* k_config = R"(
seed: 3
categories: [a, b]
camera: {distance: {uniform: [3, 6]}, azimuth_deg: {uniform: [0, 360]}}
objects:
  - {primitive: cube, category: a, count: {range: [0, 4]}, position: {uniform: [[-1, 0, -1], [1, 1, 1]]}, rotation: uniform}
  - {primitive: sphere, category: b, count: 2, position: {uniform: [[-1, 0, -1], [1, 1, 1]]}}
)";

const RandomizerPipeline k_no_randomizers;

TEST(FrameSampler, FrameDependsOnlyOnSeedAndIndex) {
  SceneSpec spec = spec_from(k_config);
  auto meshes = load_meshes(spec);
  ASSERT_TRUE(meshes.ok());
  // Frame 7 sampled after other frames or alone is identical.
  for (int i = 0; i < 7; ++i) (void)sample_frame(spec, *meshes, k_no_randomizers, static_cast<std::uint64_t>(i));
  const Scene a = sample_frame(spec, *meshes, k_no_randomizers, 7);
  const Scene b = sample_frame(spec, *meshes, k_no_randomizers, 7);
  ASSERT_EQ(a.instances.size(), b.instances.size());
  for (std::size_t i = 0; i < a.instances.size(); ++i) {
    EXPECT_EQ(a.instances[i].model, b.instances[i].model);
    EXPECT_EQ(a.instances[i].instance_id, b.instances[i].instance_id);
  }
  EXPECT_EQ(a.camera.view, b.camera.view);
  const Scene c = sample_frame(spec, *meshes, k_no_randomizers, 8);
  EXPECT_NE(a.camera.view, c.camera.view);
}

TEST(FrameSampler, ChangingOneFactorLeavesOthersUnchanged) {
  SceneSpec spec = spec_from(k_config);
  auto meshes = load_meshes(spec);
  ASSERT_TRUE(meshes.ok());
  const Scene before = sample_frame(spec, *meshes, k_no_randomizers, 4);
  spec.camera.distance_m = 10.0;  // vary the camera only
  const Scene after = sample_frame(spec, *meshes, k_no_randomizers, 4);
  ASSERT_EQ(before.instances.size(), after.instances.size());
  for (std::size_t i = 0; i < before.instances.size(); ++i) EXPECT_EQ(before.instances[i].model, after.instances[i].model);
  EXPECT_NE(before.camera.view, after.camera.view);
}

TEST(FrameSampler, LabeledInstancesAreNumberedFromOne) {
  SceneSpec spec = spec_from(k_config);
  auto meshes = load_meshes(spec);
  ASSERT_TRUE(meshes.ok());
  for (std::uint64_t f = 0; f < 20; ++f) {
    const Scene s = sample_frame(spec, *meshes, k_no_randomizers, f);
    for (std::size_t i = 0; i < s.instances.size(); ++i) EXPECT_EQ(s.instances[i].instance_id, i + 1);
  }
}

TEST(FrameSampler, RollTurnsTheImageCounterClockwise) {
  SceneSpec spec = spec_from("categories: [a]\ncamera: {distance: 5, elevation_deg: 0, azimuth_deg: 0, roll_deg: 90}\n"
                             "objects: [{primitive: cube, category: a}]\n");
  auto meshes = load_meshes(spec);
  ASSERT_TRUE(meshes.ok());
  const Scene s = sample_frame(spec, *meshes, k_no_randomizers, 0);
  EXPECT_DOUBLE_EQ(s.camera.roll_deg, 90.0);
  // Without roll a point at world +X is on the right (camera +x); rolled by +90 degrees it is up (+y).
  const glm::vec4 p = s.camera.view * glm::vec4(1.0f, 0.0f, 0.0f, 1.0f);
  EXPECT_NEAR(p.x, 0.0f, 1e-5f);
  EXPECT_NEAR(p.y, 1.0f, 1e-5f);
  EXPECT_NEAR(p.z, -5.0f, 1e-5f);  // depth is unchanged by roll
}

TEST(FrameSampler, ColourTemperatureTintsTheLight) {
  const glm::dvec3 warm = kelvin_to_linear_rgb(2000), day = kelvin_to_linear_rgb(6600), cold = kelvin_to_linear_rgb(15000);
  EXPECT_DOUBLE_EQ(warm.r, 1.0);
  EXPECT_LT(warm.b, 0.1);   // candle-like: almost no blue
  EXPECT_GT(day.g, 0.95);   // about white
  EXPECT_GT(day.b, 0.9);
  EXPECT_DOUBLE_EQ(cold.b, 1.0);
  EXPECT_LT(cold.r, 0.7);   // bluish
  SceneSpec spec = spec_from("categories: [a]\nlights: [{temperature_k: 2000, intensity: 2}]\n"
                             "objects: [{primitive: cube, category: a}]\n");
  auto meshes = load_meshes(spec);
  ASSERT_TRUE(meshes.ok());
  const Scene s = sample_frame(spec, *meshes, k_no_randomizers, 0);
  EXPECT_DOUBLE_EQ(s.lights[0].temperature_k, 2000.0);
  EXPECT_NEAR(s.lights[0].color.r, 2.0f, 1e-5f);
  EXPECT_NEAR(s.lights[0].color.b, static_cast<float>(2.0 * warm.b), 1e-5f);
}

}  // namespace
}  // namespace synthlabel
