// The randomizer library: the separating-axis test against an independent point-sampling check,
// collision-free resting placement over many frames, each plugin's effect, stream independence, and
// the parameter errors (file:line:col with a suggestion).
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include <glm/gtc/quaternion.hpp>

#include "randomizers/FrameSampler.h"
#include "randomizers/Geometry.h"
#include "randomizers/Registry.h"
#include "scenes/ConfigLoader.h"

namespace synthlabel {
namespace {

struct Built {
  SceneSpec spec;
  MeshLibrary meshes;
  std::shared_ptr<const RandomizerPipeline> pipeline;
};

Built build(const std::string& yaml) {
  Built b;
  auto spec = parse_config(yaml, "test.yaml", ".");
  EXPECT_TRUE(spec.ok()) << spec.error().message;
  if (!spec.ok()) return b;
  b.spec = std::move(spec).value();
  auto pipeline = build_randomizers(b.spec);
  EXPECT_TRUE(pipeline.ok()) << pipeline.error().message;
  if (pipeline.ok()) b.pipeline = *pipeline;
  auto meshes = load_meshes(b.spec);
  EXPECT_TRUE(meshes.ok());
  if (meshes.ok()) b.meshes = std::move(meshes).value();
  return b;
}

constexpr const char* k_head_for_textures =
    "categories: [a]\nobjects:\n  - {name: box, primitive: cube, category: a}\nrandomizers:\n";

std::string error_of(const std::string& yaml) {
  auto spec = parse_config(yaml, "test.yaml", ".");
  if (!spec.ok()) return spec.error().message;
  auto pipeline = build_randomizers(*spec);
  if (pipeline.ok()) return "(accepted)";
  const bool missing_file = pipeline.error().message.find("not found") != std::string::npos;
  EXPECT_EQ(pipeline.error().code, missing_file ? ExitCode::asset : ExitCode::usage);
  return pipeline.error().message;
}

// Independent of the separating-axis test: is `p` strictly inside `box` (by more than `inset`)?
bool inside(const Obb& box, const glm::dvec3& p, double inset) {
  const glm::dvec3 d = p - box.centre;
  for (int i = 0; i < 3; ++i) {
    if (std::abs(glm::dot(d, box.axes[i])) >= box.half[i] - inset) return false;
  }
  return true;
}

// Points on a 9x9x9 grid through `box` (its surface included): if any lies strictly inside `other`,
// the two boxes certainly interpenetrate.
bool grid_hits(const Obb& box, const Obb& other, double inset) {
  for (int i = 0; i <= 8; ++i)
    for (int j = 0; j <= 8; ++j)
      for (int k = 0; k <= 8; ++k) {
        const glm::dvec3 s(i / 4.0 - 1.0, j / 4.0 - 1.0, k / 4.0 - 1.0);
        const glm::dvec3 p = box.centre + box.axes[0] * (s.x * box.half.x) + box.axes[1] * (s.y * box.half.y) +
                             box.axes[2] * (s.z * box.half.z);
        if (inside(other, p, inset)) return true;
      }
  return false;
}

Obb box(glm::dvec3 centre, glm::dvec3 half, glm::dquat q = glm::dquat(1, 0, 0, 0)) {
  return Obb{centre, glm::mat3_cast(q), half};
}

TEST(Geometry, SeparatingAxisKnownCases) {
  const glm::dvec3 h(0.5);
  EXPECT_TRUE(obbs_overlap(box({0, 0, 0}, h), box({0.99, 0, 0}, h)));
  EXPECT_FALSE(obbs_overlap(box({0, 0, 0}, h), box({1.0, 0, 0}, h), 1e-5));  // touching faces
  EXPECT_FALSE(obbs_overlap(box({0, 0, 0}, h), box({1.01, 0.3, -0.2}, h)));
  // A cube turned 45 degrees about Y reaches sqrt(0.5) = 0.7071 from its centre along X.
  const glm::dquat yaw45 = glm::angleAxis(glm::radians(45.0), glm::dvec3(0, 1, 0));
  EXPECT_TRUE(obbs_overlap(box({0, 0, 0}, h), box({1.2, 0, 0}, h, yaw45)));
  EXPECT_FALSE(obbs_overlap(box({0, 0, 0}, h), box({1.21, 0, 0}, h, yaw45)));
  // Two edges crossing: B turned 45 degrees about Z and X, diagonal offset; only an edge x edge axis
  // separates them at this distance (the face axes all overlap).
  const glm::dquat tilt = glm::angleAxis(glm::radians(45.0), glm::dvec3(0, 0, 1)) *
                          glm::angleAxis(glm::radians(45.0), glm::dvec3(1, 0, 0));
  EXPECT_FALSE(obbs_overlap(box({0, 0, 0}, h), box({1.05, 1.05, 0}, h, tilt)));
}

TEST(Geometry, SeparatingAxisAgreesWithPointSampling) {
  Rng rng(1, 0, "obb");
  int disjoint = 0, overlapping = 0;
  for (int n = 0; n < 3000; ++n) {
    auto random_box = [&] {
      const glm::dvec3 c(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1));
      const glm::dvec3 half(rng.uniform(0.05, 0.8), rng.uniform(0.05, 0.8), rng.uniform(0.05, 0.8));
      return box(c, half, sample_uniform_rotation(rng));
    };
    const Obb a = random_box(), b = random_box();
    const bool says = obbs_overlap(a, b, 1e-9);
    const bool sampled = grid_hits(a, b, 1e-9) || grid_hits(b, a, 1e-9);
    if (sampled) {
      EXPECT_TRUE(says) << "points of one box lie inside the other, yet the test says they are disjoint";
    }
    (says ? overlapping : disjoint) += 1;
  }
  EXPECT_GT(disjoint, 300);
  EXPECT_GT(overlapping, 300);
}

constexpr const char* k_bin = R"(
seed: 4
frames: 300
categories: [block, peg, ring]
camera: {target: [0, 0.5, 0], distance: 2, elevation_deg: 70}
objects:
  - {name: floor, primitive: cube, labeled: false, scale: [1.0, 0.1, 0.8], position: [0, 0.45, 0]}
  - {name: wall, primitive: cube, labeled: false, scale: [0.05, 0.3, 0.8], position: [0.2, 0.65, 0]}
  - {name: block, primitive: cube, category: block, count: {range: [2, 6]}, scale: {uniform: [0.08, 0.2]}}
  - {name: peg, primitive: cylinder, category: peg, count: {range: [1, 4]}, scale: [0.05, 0.2, 0.05]}
  - {name: ring, primitive: torus, category: ring, count: {range: [0, 3]}, scale: 0.15, rotation: uniform}
randomizers:
  - {type: place_on_surface, objects: [block, peg, ring], on: floor, margin: 0.05, resting: faces,
     min_distance: 0.12, avoid: [wall], max_attempts: 60}
)";

TEST(Randomizers, PlacementIsCollisionFreeAndRestingOverManyFrames) {
  const Built b = build(k_bin);
  ASSERT_TRUE(b.pipeline);
  std::size_t placed_total = 0, dropped_total = 0;
  for (std::uint64_t f = 0; f < b.spec.frames; ++f) {
    SCOPED_TRACE("frame " + std::to_string(f));
    const Scene s = sample_frame(b.spec, b.meshes, *b.pipeline, f);
    const auto& record = s.randomizer_records.at(0);
    dropped_total += record.at("dropped").size();
    std::vector<Obb> boxes, walls;
    std::vector<glm::dvec2> centres;
    std::uint32_t next_id = 1;
    for (const auto& inst : s.instances) {
      const Mesh& mesh = b.meshes[inst.mesh_index];
      if (inst.category_id != 0) {
        EXPECT_EQ(inst.instance_id, next_id++);
      }
      if (inst.object_index == 1) walls.push_back(instance_obb(inst, mesh));
      if (inst.object_index < 2) continue;
      ++placed_total;
      // Resting: the lowest vertex of the posed mesh touches the floor's top (y = 0.5) exactly.
      double lowest = 1e9;
      for (const auto& v : mesh.vertices) lowest = std::min(lowest, double((inst.model * glm::vec4(v.position, 1.0f)).y));
      EXPECT_NEAR(lowest, 0.5, 1e-5);
      // Centres inside the floor's top less the margin.
      EXPECT_GE(inst.position.x, -0.45f - 1e-6f);
      EXPECT_LE(inst.position.x, 0.45f + 1e-6f);
      EXPECT_GE(inst.position.z, -0.35f - 1e-6f);
      EXPECT_LE(inst.position.z, 0.35f + 1e-6f);
      const glm::dvec2 c(inst.position.x, inst.position.z);
      for (const auto& o : centres) EXPECT_GE(glm::length(c - o), 0.12 - 1e-6) << "Poisson-disk spacing";
      centres.push_back(c);
      boxes.push_back(instance_obb(inst, mesh));
    }
    for (std::size_t i = 0; i < boxes.size(); ++i) {
      for (const auto& w : walls) {
        EXPECT_FALSE(grid_hits(boxes[i], w, 1e-4) || grid_hits(w, boxes[i], 1e-4)) << "part " << i << " in the wall";
      }
      for (std::size_t j = i + 1; j < boxes.size(); ++j) {
        EXPECT_FALSE(obbs_overlap(boxes[i], boxes[j], 1e-5)) << i << " and " << j;
        EXPECT_FALSE(grid_hits(boxes[i], boxes[j], 1e-4) || grid_hits(boxes[j], boxes[i], 1e-4)) << i << " and " << j;
      }
    }
  }
  EXPECT_GT(placed_total, 1000u);
  EXPECT_LT(dropped_total, placed_total / 10) << "most parts fit";
}

TEST(Randomizers, StableRestingPoseLiesOnTheBroadestFace) {
  const Built b = build(R"(
categories: [ring]
objects:
  - {name: base, primitive: cube, labeled: false, scale: [4, 0.1, 4]}
  - {name: ring, primitive: torus, category: ring, count: 5, scale: 0.3, rotation: uniform}
randomizers: [{type: place_on_surface, objects: ring, on: base}]
)");
  ASSERT_TRUE(b.pipeline);
  for (std::uint64_t f = 0; f < 20; ++f) {
    for (const auto& inst : sample_frame(b.spec, b.meshes, *b.pipeline, f).instances) {
      if (inst.object_index != 1) continue;
      // The torus's flat side is its local XZ plane: its local Y axis must end up vertical.
      const glm::vec3 up = inst.rotation * glm::vec3(0, 1, 0);
      EXPECT_NEAR(std::abs(up.y), 1.0f, 1e-5f);
    }
  }
}

TEST(Randomizers, RotateTurnsAboutTheAxisAndRecordsTheAngle) {
  const Built b = build(R"(
categories: [a]
objects: [{name: thing, primitive: cube, category: a, rotation: [30, 0, 0]}]
randomizers: [{type: rotate, axis: [0, 1, 0], angle_deg: {choice: [90]}}]
)");
  ASSERT_TRUE(b.pipeline);
  const Scene s = sample_frame(b.spec, b.meshes, *b.pipeline, 0);
  const glm::dquat want = glm::angleAxis(glm::radians(90.0), glm::dvec3(0, 1, 0)) *
                          glm::angleAxis(glm::radians(30.0), glm::dvec3(1, 0, 0));
  const glm::dquat got(s.instances.at(0).rotation);
  EXPECT_NEAR(std::abs(glm::dot(got, want)), 1.0, 1e-6);
  EXPECT_EQ(s.randomizer_records.at(0).at("instances").at(0).at("angle_deg"), 90.0);
}

TEST(Randomizers, JitterStaysWithinItsAngle) {
  const Built b = build(R"(
categories: [a]
objects: [{name: thing, primitive: cube, category: a, count: 20}]
randomizers: [{type: rotate, jitter_deg: {uniform: [0, 5]}}]
)");
  ASSERT_TRUE(b.pipeline);
  for (const auto& inst : sample_frame(b.spec, b.meshes, *b.pipeline, 3).instances) {
    const double angle = glm::degrees(2.0 * std::acos(std::min(1.0, std::abs(double(inst.rotation.w)))));
    EXPECT_LE(angle, 5.0 + 1e-4);
  }
}

TEST(Randomizers, MaterialDrawsInItsRanges) {
  const Built b = build(R"(
categories: [a]
objects: [{name: thing, primitive: cube, category: a, count: 30}]
randomizers: [{type: material, saturation: 0, value: {uniform: [0.2, 0.9]}, roughness: {uniform: [0.2, 0.4]},
               metallic: {choice: [0, 1]}}]
)");
  ASSERT_TRUE(b.pipeline);
  int metals = 0;
  for (const auto& inst : sample_frame(b.spec, b.meshes, *b.pipeline, 0).instances) {
    EXPECT_EQ(inst.color.r, inst.color.g);  // saturation 0: grey
    EXPECT_EQ(inst.color.g, inst.color.b);
    // value 0.2..0.9 on sRGB-encoded values is 0.0331..0.7874 linear.
    EXPECT_GE(inst.color.r, 0.0331f);
    EXPECT_LE(inst.color.r, 0.7875f);
    EXPECT_GE(inst.roughness, 0.2f);
    EXPECT_LT(inst.roughness, 0.4f);
    EXPECT_TRUE(inst.metallic == 0.0f || inst.metallic == 1.0f);
    metals += inst.metallic == 1.0f;
  }
  EXPECT_GT(metals, 3);
  EXPECT_LT(metals, 27);
}

TEST(Randomizers, KeepInViewLeavesEveryCornerInTheImage) {
  const Built b = build(R"(
frames: 40
resolution: [200, 150]
categories: [a]
camera: {distance: {uniform: [1.5, 6]}, azimuth_deg: {uniform: [0, 360]}, target: {uniform: [[-1, 0, -1], [1, 0, 1]]}}
objects: [{name: thing, primitive: cube, category: a, count: 3, position: {uniform: [[-1, 0, -1], [1, 0.5, 1]]}}]
randomizers: [{type: keep_in_view, margin_px: 2, max_attempts: 200}]
)");
  ASSERT_TRUE(b.pipeline);
  int redrawn = 0;
  for (std::uint64_t f = 0; f < b.spec.frames; ++f) {
    const Scene s = sample_frame(b.spec, b.meshes, *b.pipeline, f);
    const auto& rec = s.randomizer_records.at(0);
    ASSERT_TRUE(rec.at("in_view").get<bool>()) << "frame " << f;
    redrawn += rec.at("attempt").get<int>() > 0;
    const Camera& c = s.camera;
    for (const auto& inst : s.instances) {
      for (const auto& p : obb_corners(instance_obb(inst, b.meshes[inst.mesh_index]))) {
        const glm::dvec4 v = glm::dmat4(c.view) * glm::dvec4(p, 1.0);
        const double u = c.cx + c.fx * v.x / -v.z, w = c.cy - c.fy * v.y / -v.z;
        EXPECT_GE(u, 2.0);
        EXPECT_LE(u, 198.0);
        EXPECT_GE(w, 2.0);
        EXPECT_LE(w, 148.0);
      }
    }
  }
  EXPECT_GT(redrawn, 0) << "the config should need redraws sometimes";
}

TEST(Randomizers, OccludersStandOnTheLineOfSight) {
  const Built b = build(R"(
categories: [a]
camera: {distance: 4, azimuth_deg: {uniform: [0, 360]}}
objects:
  - {name: thing, primitive: cube, category: a}
  - {name: slab, primitive: cube, labeled: false, count: 2}
randomizers: [{type: occluders, objects: slab, between: 0.5, offset: 0}]
)");
  ASSERT_TRUE(b.pipeline);
  const Scene s = sample_frame(b.spec, b.meshes, *b.pipeline, 2);
  const glm::vec3 mid = 0.5f * (s.camera.position + s.camera.target);
  for (const auto& inst : s.instances) {
    if (inst.object_index == 1) {
      EXPECT_LT(glm::length(inst.position - mid), 1e-5f);
    }
  }
}

TEST(Randomizers, LightCountKeepsASubset) {
  const Built b = build(R"(
categories: [a]
lights: [{azimuth_deg: 0}, {azimuth_deg: 90}, {azimuth_deg: 180}]
objects: [{primitive: cube, category: a}]
randomizers: [{type: light_count, count: {range: [1, 2]}}]
)");
  ASSERT_TRUE(b.pipeline);
  for (std::uint64_t f = 0; f < 30; ++f) {
    const Scene s = sample_frame(b.spec, b.meshes, *b.pipeline, f);
    EXPECT_GE(s.lights.size(), 1u);
    EXPECT_LE(s.lights.size(), 2u);
    EXPECT_EQ(s.randomizer_records.at(0).at("on").size(), s.lights.size());
  }
}

TEST(Randomizers, AddingARandomizerOfAnotherTypeLeavesOtherDrawsUnchanged) {
  const std::string base = std::string(k_bin);
  const Built a = build(base);
  const Built b = build(base + "  - {type: material, roughness: {uniform: [0, 1]}}\n");
  ASSERT_TRUE(a.pipeline && b.pipeline);
  for (std::uint64_t f : {0u, 7u, 123u}) {
    const Scene sa = sample_frame(a.spec, a.meshes, *a.pipeline, f), sb = sample_frame(b.spec, b.meshes, *b.pipeline, f);
    ASSERT_EQ(sa.instances.size(), sb.instances.size());
    for (std::size_t i = 0; i < sa.instances.size(); ++i) EXPECT_EQ(sa.instances[i].model, sb.instances[i].model);
    EXPECT_EQ(sa.camera.view, sb.camera.view);
  }
  // And a frame drawn alone equals the same frame drawn after others.
  const Scene alone = sample_frame(a.spec, a.meshes, *a.pipeline, 9);
  for (std::uint64_t f = 0; f < 9; ++f) (void)sample_frame(a.spec, a.meshes, *a.pipeline, f);
  const Scene again = sample_frame(a.spec, a.meshes, *a.pipeline, 9);
  ASSERT_EQ(alone.instances.size(), again.instances.size());
  for (std::size_t i = 0; i < alone.instances.size(); ++i) EXPECT_EQ(alone.instances[i].model, again.instances[i].model);
  EXPECT_EQ(alone.randomizer_records, again.randomizer_records);
}

TEST(Randomizers, AssetPoolsFollowTheirCategoryAndEntryWeights) {
  const Built b = build(R"(
frames: 200
categories: [a, b]
objects:
  - name: parts
    count: 20
    pool:
      - {primitive: cube, category: a}
      - {primitive: sphere, category: a, weight: 3}
      - {primitive: cylinder, category: b}
    category_weights: {a: 1, b: 1}
)");
  ASSERT_TRUE(b.pipeline);
  ASSERT_EQ(b.spec.objects.at(0).pool.size(), 3u);
  // P(cube) = 1/2 * 1/4, P(sphere) = 1/2 * 3/4, P(cylinder) = 1/2.
  const double p[3] = {0.125, 0.375, 0.5};
  double n[3] = {0, 0, 0};
  double total = 0;
  for (std::uint64_t f = 0; f < b.spec.frames; ++f) {
    for (const auto& inst : sample_frame(b.spec, b.meshes, *b.pipeline, f).instances) {
      ASSERT_GE(inst.pool_entry, 0);
      const auto& entry = b.spec.objects[0].pool[static_cast<std::size_t>(inst.pool_entry)];
      EXPECT_EQ(inst.mesh_index, b.meshes.shape(0, static_cast<std::size_t>(inst.pool_entry)).mesh);
      EXPECT_EQ(inst.category_id, entry.category_id);
      n[inst.pool_entry] += 1;
      total += 1;
    }
  }
  // Pearson's chi-square, 2 degrees of freedom: P(X > 18.42) = 1e-4, the false-alarm rate.
  double chi2 = 0;
  for (int i = 0; i < 3; ++i) chi2 += (n[i] - total * p[i]) * (n[i] - total * p[i]) / (total * p[i]);
  EXPECT_LT(chi2, 18.42) << n[0] << " " << n[1] << " " << n[2];
}

TEST(Randomizers, AssetUnitAndAxisOptionsAreValidated) {
  EXPECT_EQ(error_of("categories: [a]\nobjects: [{primitive: cube, category: a, units: 0.01}]\n"),
            "test.yaml:2:49: objects[0].units: only applies to assets");
  EXPECT_EQ(error_of("categories: [a]\nobjects: [{asset: x.glb, category: a, up: x}]\n"),
            "test.yaml:2:43: objects[0].up: expected y or z, got 'x' (did you mean 'y'?)");
  auto ok = parse_config("categories: [a]\nobjects: [{asset: x.glb, category: a, units: 0.01, up: z}]\n", "t.yaml", ".");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->objects[0].shape.unit_scale, 0.01);
  EXPECT_TRUE(ok->objects[0].shape.z_up);
}

TEST(Randomizers, PoolErrorsAreNamed) {
  const std::string head = "categories: [a, b]\nobjects:\n  - name: p\n";
  EXPECT_EQ(error_of(head + "    pool: [{primitive: cube, category: c}]\n"),
            "test.yaml:4:40: objects[0].pool[0].category: unknown category 'c' (did you mean 'a'?)");
  EXPECT_EQ(error_of(head + "    primitive: cube\n    pool: [{primitive: cube, category: a}]\n"),
            "test.yaml:4:16: objects[0].primitive: an object with a pool takes its shapes and categories from the pool "
            "entries");
  EXPECT_EQ(error_of(head + "    pool: [{primitive: cube, category: a}]\n    category_weights: {b: 1}\n"),
            "test.yaml:5:24: objects[0].category_weights: no pool entry has category 'b'");
  EXPECT_EQ(error_of(head + "    pool: [{primitive: cube, category: a, weight: 0}]\n"),
            "test.yaml:4:51: objects[0].pool[0].weight: must be > 0");
  EXPECT_EQ(error_of(head + "    pool: [{primitiv: cube, category: a}]\n"),
            "test.yaml:4:13: objects[0].pool[0].primitiv: unknown key (did you mean 'primitive'?)");
}

TEST(Randomizers, IntrinsicsAndPositionalLightsAreDrawnAndRecorded) {
  const Built b = build(R"(
resolution: [320, 240]
categories: [a]
camera: {intrinsics: {fx: {uniform: [300, 310]}, fy: 290, cx: {uniform: [150, 170]}, cy: 118.5}}
lights:
  - {type: point, target: [0, 1, 0], distance: 2, elevation_deg: 90, intensity: 3}
  - {type: spot, distance: {uniform: [3, 4]}, cone_deg: 20, softness: 0.5, azimuth_deg: 90, elevation_deg: 0}
objects: [{primitive: cube, category: a}]
)");
  ASSERT_TRUE(b.pipeline);
  const Scene s = sample_frame(b.spec, b.meshes, *b.pipeline, 1);
  EXPECT_GE(s.camera.fx, 300.0);
  EXPECT_LT(s.camera.fx, 310.0);
  EXPECT_EQ(s.camera.fy, 290.0);
  EXPECT_GE(s.camera.cx, 150.0);
  EXPECT_EQ(s.camera.cy, 118.5);
  EXPECT_NEAR(s.camera.fov_y_deg, 2.0 * glm::degrees(std::atan(120.0 / 290.0)), 1e-9);
  ASSERT_EQ(s.lights.size(), 2u);
  EXPECT_EQ(s.lights[0].type, LightType::point);
  EXPECT_NEAR(glm::length(s.lights[0].position - glm::vec3(0, 3, 0)), 0.0f, 1e-5f);
  EXPECT_EQ(s.lights[1].type, LightType::spot);
  EXPECT_NEAR(s.lights[1].position.y, 0.0f, 1e-5f);  // elevation 0, azimuth 90: on +X
  EXPECT_GE(s.lights[1].position.x, 3.0f);
  EXPECT_NEAR(s.lights[1].direction.x, -1.0f, 1e-5f);  // aimed back at the target (origin)
  EXPECT_NEAR(s.lights[1].cos_outer, std::cos(glm::radians(20.0f)), 1e-6f);
  EXPECT_NEAR(s.lights[1].cos_inner, std::cos(glm::radians(10.0f)), 1e-6f);
}

TEST(Randomizers, CameraAndLightErrorsAreNamed) {
  const std::string tail = "categories: [a]\nobjects: [{primitive: cube, category: a}]\n";
  EXPECT_EQ(error_of("camera: {fov_deg: 40, intrinsics: {fx: 1, fy: 1, cx: 0, cy: 0}}\n" + tail),
            "test.yaml:1:35: camera.intrinsics: give either fov_deg or intrinsics, not both");
  EXPECT_EQ(error_of("camera: {intrinsics: {fx: 1, fy: 1, cx: 0}}\n" + tail),
            "test.yaml:1:22: camera.intrinsics.cy: missing: intrinsics need fx, fy, cx and cy (pixels)");
  EXPECT_EQ(error_of("lights: [{type: point, cone_deg: 10}]\n" + tail),
            "test.yaml:1:34: lights[0].cone_deg: only applies to spot lights");
  EXPECT_EQ(error_of("lights: [{type: spto}]\n" + tail),
            "test.yaml:1:17: lights[0].type: unknown light type 'spto' (did you mean 'spot'?)");
  EXPECT_EQ(error_of("lights: [{distance: 3}]\n" + tail),
            "test.yaml:1:21: lights[0].distance: only applies to point and spot lights");
}

TEST(Randomizers, TextureSwapDrawsFromTheFolder) {
  const std::string yaml = "frames: 20\ncategories: [a]\nobjects: [{name: box, primitive: cube, category: a, count: 10}]\n"
                           "randomizers: [{type: material, texture_folder: " SYNTHLABEL_SOURCE_DIR "/assets/textures, "
                           "texture_probability: 0.5}]\n";
  const Built b = build(yaml);
  ASSERT_TRUE(b.pipeline);
  ASSERT_EQ(b.pipeline->textures.size(), 4u);
  int textured = 0, total = 0;
  std::set<std::int32_t> used;
  for (std::uint64_t f = 0; f < b.spec.frames; ++f) {
    const Scene s = sample_frame(b.spec, b.meshes, *b.pipeline, f);
    for (const auto& inst : s.instances) {
      ++total;
      if (inst.texture < 0) continue;
      ++textured;
      used.insert(inst.texture);
      EXPECT_EQ(inst.color, glm::vec3(1.0f)) << "a texture without HSV keys shows as it is";
    }
  }
  EXPECT_EQ(used.size(), 4u);
  EXPECT_GT(textured, total / 4);  // half, loosely
  EXPECT_LT(textured, 3 * total / 4);
  const std::string missing = error_of(std::string(k_head_for_textures) + "  - {type: material, texture_folder: nowhere}\n");
  EXPECT_NE(missing.find("test.yaml:5:38: randomizers[0].texture_folder: nowhere: texture folder not found"),
            std::string::npos) << missing;
}

TEST(Randomizers, BackgroundImagesComeFromTheFolder) {
  const std::string yaml = "frames: 200\ncategories: [a]\nobjects: [{primitive: cube, category: a}]\n"
                           "randomizers: [{type: background_image, folder: " SYNTHLABEL_SOURCE_DIR "/assets/textures, "
                           "probability: 0.25}]\n";
  const Built b = build(yaml);
  ASSERT_TRUE(b.pipeline);
  int with = 0;
  for (std::uint64_t f = 0; f < b.spec.frames; ++f) {
    const Scene s = sample_frame(b.spec, b.meshes, *b.pipeline, f);
    if (s.background_image < 0) {
      EXPECT_FALSE(s.randomizer_records.at(0).contains("image"));
      continue;
    }
    ++with;
    EXPECT_LT(s.background_image, 4);
    EXPECT_EQ(s.randomizer_records.at(0).at("image"),
              b.pipeline->textures.at(static_cast<std::size_t>(s.background_image)).filename().string());
  }
  // Binomial(200, 0.25): mean 50, sd 6.1; +-5 sd.
  EXPECT_GT(with, 19);
  EXPECT_LT(with, 81);
}

constexpr const char* k_head = "categories: [a]\nobjects:\n  - {name: box, primitive: cube, category: a}\nrandomizers:\n";

TEST(Randomizers, ParameterErrorsNamePositionAndSuggest) {
  EXPECT_EQ(error_of(std::string(k_head) + "  - type: place_on_surfce\n"),
            "test.yaml:5:11: randomizers[0].type: unknown randomizer 'place_on_surfce' (did you mean "
            "'place_on_surface'?) (known: background_image, keep_in_view, light_count, material, occluders, physics_drop, place_on_surface, rotate)");
  EXPECT_EQ(error_of(std::string(k_head) + "  - type: rotate\n    axis: [0, 1, 0]\n    angel_deg: 30\n"),
            "test.yaml:7:5: randomizers[0].angel_deg: unknown key for randomizer 'rotate' (did you mean 'angle_deg'?)");
  EXPECT_EQ(error_of(std::string(k_head) + "  - {type: material, roughness: {uniform: [0.9, 0.1]}}\n"),
            "test.yaml:5:43: randomizers[0].roughness.uniform: min 0.9 is greater than max 0.1");
  EXPECT_EQ(error_of(std::string(k_head) + "  - {type: material, metallic: {unifrom: [0, 1]}}\n"),
            "test.yaml:5:33: randomizers[0].metallic.unifrom: unknown key (did you mean 'uniform'?)");
  EXPECT_EQ(error_of(std::string(k_head) + "  - {type: light_count, count: -1}\n"),
            "test.yaml:5:32: randomizers[0].count: expected a count from 0 to 1, got -1");
  EXPECT_EQ(error_of(std::string(k_head) + "  - {type: place_on_surface, on: bx}\n"),
            "test.yaml:5:34: randomizers[0].on: no object is named 'bx'");
  EXPECT_EQ(error_of(std::string(k_head) + "  - {type: rotate, objects: [bxo], jitter_deg: 3}\n"),
            "test.yaml:5:29: randomizers[0].objects: no object is named 'bxo' (did you mean 'box'?)");
  EXPECT_EQ(error_of(std::string(k_head) + "  - {type: place_on_surface, height: 0, x_range: [1, -1], z_range: [0, 1]}\n"),
            "test.yaml:5:50: randomizers[0].x_range: min 1 is greater than max -1");
  EXPECT_EQ(error_of(std::string(k_head) + "  - {typ: rotate}\n"),
            "test.yaml:5:5: randomizers[0].type: missing: which randomizer, e.g. type: place_on_surface");
  EXPECT_EQ(error_of(std::string(k_head) + "  - {type: place_on_surface, resting: flat, height: 0, x_range: [0, 1], "
                                          "z_range: [0, 1]}\n"),
            "test.yaml:5:39: randomizers[0].resting: unknown value 'flat' (expected one of: stable, faces, upright, "
            "as_sampled)");
  EXPECT_EQ(error_of(std::string(k_head) + "  - {type: keep_in_view, require: centr}\n"),
            "test.yaml:5:35: randomizers[0].require: unknown value 'centr' (did you mean 'centre'?)");
}

}  // namespace
}  // namespace synthlabel
