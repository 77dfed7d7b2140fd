// Physics (docs/physics.md): collision shapes and mass properties against closed forms, the Bullet
// world's determinism, and the physics examples' rest poses audited WITHOUT Bullet: the meshes as
// posed, point-sampled against each other (physics/RestAudit.h) for interpenetration and support.
// Bad physics input: errors and the non-manifold fallback.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "physics/CollisionShapes.h"
#include "physics/RestAudit.h"
#include "physics/World.h"
#include "randomizers/FrameSampler.h"
#include "randomizers/Registry.h"
#include "scenes/ConfigLoader.h"
#include "scenes/Primitives.h"
#include "scenes/SceneAssets.h"

namespace synthlabel {
namespace {

namespace fs = std::filesystem;
const fs::path k_src = SYNTHLABEL_SOURCE_DIR;

TEST(Physics, MassPropertiesOfTheCubeAndTheSphereMatchClosedForms) {
  const CollisionRecipe cube = make_recipe(make_primitive(PrimitiveKind::cube));
  ASSERT_TRUE(cube.closed());
  const MassProperties m = mass_properties(cube.surface.points, cube.surface.triangles, glm::dvec3(2.0, 1.0, 0.5));
  EXPECT_NEAR(m.volume, 1.0, 1e-12);
  EXPECT_NEAR(glm::length(m.centre), 0.0, 1e-12);
  // A box of sides a, b, c: I_xx = (b^2 + c^2) / 12 per unit mass.
  EXPECT_NEAR(m.inertia[0][0], (1.0 + 0.25) / 12.0, 1e-12);
  EXPECT_NEAR(m.inertia[1][1], (4.0 + 0.25) / 12.0, 1e-12);
  EXPECT_NEAR(m.inertia[2][2], (4.0 + 1.0) / 12.0, 1e-12);
  EXPECT_NEAR(m.inertia[0][1], 0.0, 1e-12);
  const CollisionRecipe sphere = make_recipe(make_primitive(PrimitiveKind::sphere));
  ASSERT_TRUE(sphere.closed()) << sphere.surface.boundary_edges << " open, " << sphere.surface.nonmanifold_edges << " non-manifold";
  const double v = 4.0 / 3.0 * M_PI * 0.125;
  EXPECT_NEAR(sphere.mesh_volume, v, 0.01 * v);  // faceted: within 1%
  EXPECT_EQ(sphere.kind, ShapeKind::sphere);
  const CollisionRecipe cone = make_recipe(make_primitive(PrimitiveKind::cone));
  ASSERT_TRUE(cone.closed());
  // A cone's centroid is a quarter of its height above the base (base at y = -0.5).
  EXPECT_NEAR(mass_properties(cone.surface.points, cone.surface.triangles, glm::dvec3(1.0)).centre.y, -0.25, 0.005);
}

TEST(Physics, ShapesPerMeshKind) {
  EXPECT_EQ(make_recipe(make_primitive(PrimitiveKind::cube)).kind, ShapeKind::box);
  EXPECT_EQ(make_recipe(make_primitive(PrimitiveKind::sphere)).kind, ShapeKind::sphere);
  EXPECT_EQ(make_recipe(make_primitive(PrimitiveKind::cylinder)).kind, ShapeKind::convex_hull);  // see make_recipe
  EXPECT_EQ(make_recipe(make_primitive(PrimitiveKind::cone)).kind, ShapeKind::convex_hull);
  const CollisionRecipe plane = make_recipe(make_primitive(PrimitiveKind::plane));
  EXPECT_FALSE(plane.has_volume());
  // The torus is concave and closed: HACD parts whose hulls together hold it without much excess.
  const CollisionRecipe torus = make_recipe(make_primitive(PrimitiveKind::torus));
  ASSERT_EQ(torus.kind, ShapeKind::convex_decomposition) << torus.note;
  EXPECT_GE(torus.pieces.size(), 4u);
  // No part reaches far into the hole (radius 0.2 about the centre; none within 0.1): a washer can still be threaded on a
  // peg; every vertex of the torus lies in some part (the parts cover it).
  auto inside = [](const ConvexPiece& piece, const glm::dvec3& p, double tol) {
    for (const auto& t : piece.triangles) {
      const glm::dvec3 a = piece.points[t[0]], b = piece.points[t[1]], c = piece.points[t[2]];
      if (glm::dot(glm::normalize(glm::cross(b - a, c - a)), p - a) > tol) return false;
    }
    return true;
  };
  for (int k = 0; k < 36; ++k) {
    for (const double r : {0.0, 0.05, 0.1}) {
      const glm::dvec3 p(r * std::cos(k * M_PI / 18), 0.0, r * std::sin(k * M_PI / 18));
      for (const auto& piece : torus.pieces) EXPECT_FALSE(inside(piece, p, 0.0)) << "a part covers (" << p.x << ", 0, " << p.z << ")";
    }
  }
  for (const auto& v : torus.surface.points) {
    EXPECT_TRUE(std::any_of(torus.pieces.begin(), torus.pieces.end(), [&](const ConvexPiece& piece) { return inside(piece, v, 1e-5); }));
  }
  std::printf("torus: %zu hulls, %.1f ms\n", torus.pieces.size(), torus.build_ms);
  // A convex mesh that is not a primitive: its hull.
  Mesh box = make_primitive(PrimitiveKind::cube);
  box.name = "box.obj";
  EXPECT_EQ(make_recipe(box).kind, ShapeKind::convex_hull);
}

TEST(Physics, AConcaveMeshThatIsNotClosedFallsBackToItsHullAndSaysSo) {
  // The torus with its first triangles removed: open, concave.
  Mesh m = make_primitive(PrimitiveKind::torus);
  m.name = "broken_torus.obj";
  m.indices.erase(m.indices.begin(), m.indices.begin() + 30);
  const CollisionRecipe r = make_recipe(m);
  EXPECT_EQ(r.kind, ShapeKind::convex_hull);
  EXPECT_NE(r.note.find("not a closed manifold mesh"), std::string::npos) << r.note;
  EXPECT_NE(r.note.find("convex hull"), std::string::npos);
}

std::vector<BodyState> drop_run() {
  static const CollisionRecipe cube = make_recipe(make_primitive(PrimitiveKind::cube));
  static const CollisionRecipe torus = make_recipe(make_primitive(PrimitiveKind::torus));
  PhysicsWorld w({});
  BodyDesc ground{&cube, glm::dvec3(4, 0.1, 4), glm::dvec3(0, -0.05, 0)};
  ground.type = BodyType::fixed;
  w.add(ground);
  for (int i = 0; i < 6; ++i) {
    BodyDesc b{i % 2 ? &cube : &torus, glm::dvec3(0.1), glm::dvec3(0.01 * i, 0.1 + 0.12 * i, 0.0)};
    b.rotation = glm::angleAxis(0.3 * i, glm::normalize(glm::dvec3(1, 2, 3)));
    w.add(b);
  }
  for (int s = 0; s < 600; ++s) w.step();
  std::vector<BodyState> out;
  for (std::size_t h = 1; h <= 6; ++h) out.push_back(w.state(h));
  return out;
}

TEST(Physics, TheWorldIsDeterministic) {
  const auto a = drop_run(), b = drop_run();
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(std::memcmp(&a[i].position, &b[i].position, sizeof a[i].position), 0) << i;
    EXPECT_EQ(std::memcmp(&a[i].rotation, &b[i].rotation, sizeof a[i].rotation), 0) << i;
  }
  // And they came to rest on the ground, not in it: the lowest sits at y >= -2 mm.
  for (const auto& s : a) EXPECT_GT(s.position.y, 0.0);
}

struct Loaded {
  SceneSpec spec;
  MeshLibrary meshes;
  std::shared_ptr<const RandomizerPipeline> pipeline;
};

Loaded load(const fs::path& config, const std::vector<std::string>& overrides = {}) {
  Loaded l;
  auto spec = load_config(config, overrides);
  EXPECT_TRUE(spec.ok()) << spec.error().message;
  l.spec = std::move(spec).value();
  auto pipeline = build_randomizers(l.spec);
  EXPECT_TRUE(pipeline.ok()) << pipeline.error().message;
  l.pipeline = *pipeline;
  auto meshes = load_meshes(l.spec);
  EXPECT_TRUE(meshes.ok()) << meshes.error().message;
  l.meshes = std::move(meshes).value();
  auto notes = l.pipeline->prepare(l.meshes);
  EXPECT_TRUE(notes.ok());
  return l;
}

struct Tally {
  std::size_t frames = 0, bodies = 0, drops = 0, retries = 0, unsettled_frames = 0, unsupported = 0;
  double worst_penetration = 0, worst_gap = 0, worst_speed = 0, worst_turn = 0;
  double sample_s = 0, audit_s = 0;  // seconds sampling the frames (the simulation) and auditing them
};

// The physics randomizer is the first: its record holds placed, dropped, retries, speeds.
void audit_frames(const Loaded& l, std::uint64_t first, std::uint64_t count, Tally& t) {
  for (std::uint64_t f = first; f < first + count; ++f) {
    const auto t0 = std::chrono::steady_clock::now();
    const Scene scene = sample_frame(l.spec, l.meshes, *l.pipeline, f);
    t.sample_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto& rec = scene.randomizer_records.at(0);
    ASSERT_EQ(rec["type"], "physics_drop");
    t.frames++;
    t.bodies += rec["placed"].size();
    t.drops += rec["dropped"].size();
    t.retries += rec["retries"].get<std::size_t>();
    if (!rec["settled"].get<bool>()) t.unsettled_frames++;
    t.worst_speed = std::max(t.worst_speed, rec["max_speed"].get<double>());
    t.worst_turn = std::max(t.worst_turn, rec["max_angular_speed_deg"].get<double>());
    std::vector<PosedMesh> posed;
    std::vector<bool> dynamic(scene.instances.size(), false);
    for (const auto& p : rec["placed"]) (void)p;
    for (std::size_t k = 0; k < scene.instances.size(); ++k) {
      const Instance& inst = scene.instances[k];
      const bool dropped_object = l.spec.objects[inst.object_index].labeled;  // the examples drop every labeled object
      posed.push_back({&l.meshes[inst.mesh_index], glm::dmat4(inst.model), dropped_object, static_cast<std::uint32_t>(k)});
    }
    const auto t1 = std::chrono::steady_clock::now();
    const RestAudit a = audit_rest(posed, 400, 0.002);
    t.audit_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    EXPECT_LE(a.worst_penetration_m, 0.002) << "frame " << f << ": instance " << a.worst_a << " (" << l.meshes[scene.instances[a.worst_a].mesh_index].name
                                            << ") inside " << a.worst_b << " (" << l.meshes[scene.instances[a.worst_b].mesh_index].name << ")";
    EXPECT_TRUE(a.unsupported.empty()) << "frame " << f << ": " << a.unsupported.size() << " unsupported, worst gap "
                                       << a.worst_support_gap_m << ", first " << (a.unsupported.empty() ? std::string() : l.meshes[scene.instances[a.unsupported[0]].mesh_index].name);
    t.unsupported += a.unsupported.size();
    t.worst_penetration = std::max(t.worst_penetration, a.worst_penetration_m);
    t.worst_gap = std::max(t.worst_gap, a.worst_support_gap_m);
  }
}

void print(const char* name, const Tally& t) {
  std::printf("%s: %zu frames, %zu bodies at rest, %zu dropped, %zu placement retries, %zu frames not settled in time;\n"
              "  worst penetration %.3f mm, worst support gap %.3f mm (%zu unsupported), worst final speed %.4f m/s, %.2f deg/s\n",
              name, t.frames, t.bodies, t.drops, t.retries, t.unsettled_frames, 1e3 * t.worst_penetration, 1e3 * t.worst_gap,
              t.unsupported, t.worst_speed, t.worst_turn);
  std::printf("  %.3f s per frame sampled (the settling), %.3f s per frame audited\n", t.sample_s / double(t.frames), t.audit_s / double(t.frames));
}

std::uint64_t frames_from_env(std::uint64_t fallback) {
  const char* e = std::getenv("SYNTHLABEL_PHYSICS_FRAMES");
  return e ? std::strtoull(e, nullptr, 10) : fallback;
}

TEST(Physics, TheBinPileRestsWithoutPenetrationAndEveryPartIsSupported) {
  const Loaded l = load(k_src / "configs/bin_pile_physics.yaml");
  Tally t;
  audit_frames(l, 0, frames_from_env(20), t);  // 300 for the figures in docs/physics.md
  print("bin_pile_physics", t);
  EXPECT_LT(t.drops, t.frames * 5);  // most of the 30 parts stay in the frame (drops: docs/physics.md)
  EXPECT_LE(t.worst_speed, 0.005);
}

TEST(Physics, TheTabletopClutterRestsWithoutPenetrationAndEveryObjectIsSupported) {
  const Loaded l = load(k_src / "configs/tabletop_physics.yaml");
  Tally t;
  audit_frames(l, 0, frames_from_env(20), t);
  print("tabletop_physics", t);
}

TEST(Physics, PerObjectMaterialsAreDrawnFromTheirOwnDistributions) {
  const Loaded l = load(k_src / "configs/tabletop_physics.yaml");
  std::size_t balls = 0, boxes = 0;
  for (std::uint64_t f = 0; f < 3; ++f) {
    const Scene s = sample_frame(l.spec, l.meshes, *l.pipeline, f);
    const auto& rec = s.randomizer_records.at(0);
    for (const auto& p : rec["placed"]) {
      const double mass = p["mass"].get<double>(), restitution = p["restitution"].get<double>();
      if (mass == 0.03) {
        EXPECT_EQ(restitution, 0.2);
        ++balls;
      } else if (mass > 0.4) {  // only the boxes' {uniform: [0.3, 0.8]} reaches past the default's 0.4
        EXPECT_LE(mass, 0.8);
        EXPECT_EQ(restitution, 0.0);
        ++boxes;
      }
    }
  }
  EXPECT_GT(balls, 0u);
  EXPECT_GT(boxes, 0u);
}

TEST(Physics, AFrameAloneEqualsTheSameFrameOfAWholeRun) {
  const Loaded whole = load(k_src / "configs/bin_pile_physics.yaml");
  std::vector<Scene> run;
  for (std::uint64_t f = 0; f < 3; ++f) run.push_back(sample_frame(whole.spec, whole.meshes, *whole.pipeline, f));
  const Loaded alone = load(k_src / "configs/bin_pile_physics.yaml");
  const Scene s = sample_frame(alone.spec, alone.meshes, *alone.pipeline, 2);
  ASSERT_EQ(s.instances.size(), run[2].instances.size());
  for (std::size_t k = 0; k < s.instances.size(); ++k) {
    EXPECT_EQ(std::memcmp(&s.instances[k].model, &run[2].instances[k].model, sizeof(glm::mat4)), 0) << k;
  }
  EXPECT_EQ(s.randomizer_records.dump(), run[2].randomizer_records.dump());
}

TEST(Physics, BadPhysicsInputGetsAClearError) {
  const std::string head =
      "categories: [a]\nobjects:\n  - {name: ground, primitive: plane, scale: 4, labeled: false}\n  - {name: part, primitive: cube, category: a, scale: 0.1}\n"
      "randomizers:\n  - type: physics_drop\n    x_range: [-0.5, 0.5]\n    z_range: [-0.5, 0.5]\n";
  auto error_of = [](const std::string& yaml) -> std::string {
    auto spec = parse_config(yaml, "test.yaml", ".");
    if (!spec.ok()) return spec.error().message;
    auto pipeline = build_randomizers(*spec);
    if (!pipeline.ok()) return pipeline.error().message;
    auto meshes = load_meshes(*spec);
    if (!meshes.ok()) return meshes.error().message;
    auto notes = (*pipeline)->prepare(*meshes);
    return notes.ok() ? "(accepted)" : notes.error().message;
  };
  EXPECT_EQ(error_of(head), "(accepted)");
  const std::string negative = error_of(head + "    mass: {uniform: [-1, 2]}\n");
  EXPECT_NE(negative.find("test.yaml:"), std::string::npos) << negative;
  EXPECT_NE(negative.find("mass"), std::string::npos) << negative;
  const std::string flat = error_of(head + "    objects: [ground, part]\n");
  EXPECT_NE(flat.find("no volume"), std::string::npos) << flat;
  EXPECT_NE(flat.find("ground"), std::string::npos) << flat;
  const std::string motion = error_of(head + "    motion: physics\n");
  EXPECT_NE(motion.find("needs a sequence"), std::string::npos) << motion;
  const std::string unknown = error_of(head + "    per_object: {part: {mas: 1}}\n");
  EXPECT_NE(unknown.find("per_object.part.mas"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("did you mean 'mass'"), std::string::npos) << unknown;
  const std::string nobody = error_of(head + "    per_object: {peg: {mass: 1}}\n");
  EXPECT_NE(nobody.find("no object is named 'peg'"), std::string::npos) << nobody;
  const std::string heavy = error_of(head + "    per_object: {part: {mass: -2}}\n");
  EXPECT_NE(heavy.find("per_object.part.mass"), std::string::npos) << heavy;
  const std::string region = error_of(
      "categories: [a]\nobjects:\n  - {name: part, primitive: cube, category: a}\nrandomizers:\n  - type: physics_drop\n    x_range: [0, 1]\n");
  EXPECT_NE(region.find("z_range"), std::string::npos) << region;
}

}  // namespace
}  // namespace synthlabel
