// LiDAR (docs/lidar.md): presets and beam geometry, and sweeps cast by the Embree tracer against
// scenes whose answer is known in closed form: a flat ground seen from a sensor 1.73 m up (every
// ground point at z = -1.73, range = 1.73 / sin(-elevation)), a box's face at a known distance, and a
// box driving at the sensor during the sweep (each point on the face where the box is at that
// point's own time: x = x0 - v t, the rolling distortion of a real sweep).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include <glm/gtc/matrix_transform.hpp>

#include "lidar/LidarBeams.h"
#include "lidar/LidarTracer.h"
#include "randomizers/LidarPose.h"
#include "scenes/Primitives.h"

namespace synthlabel {
namespace {

const LidarPreset& preset(std::string_view name) {
  for (const LidarPreset& p : k_lidar_presets) {
    if (p.name == name) return p;
  }
  throw std::runtime_error("no preset");
}

TEST(Lidar, PresetsListTheirChannelsFromTheTopDown) {
  const auto hdl64 = lidar_preset_elevations(preset("hdl64"));
  ASSERT_EQ(hdl64.size(), 64u);
  EXPECT_DOUBLE_EQ(hdl64.front(), 2.0);
  EXPECT_NEAR(hdl64[31], 2.0 - 31.0 / 3.0, 1e-12);
  EXPECT_NEAR(hdl64.back(), -24.33, 1e-12);
  for (std::size_t i = 1; i < hdl64.size(); ++i) EXPECT_LT(hdl64[i], hdl64[i - 1]);
  const auto vlp16 = lidar_preset_elevations(preset("vlp16"));
  ASSERT_EQ(vlp16.size(), 16u);
  for (std::size_t i = 0; i < 16; ++i) EXPECT_NEAR(vlp16[i], 15.0 - 2.0 * double(i), 1e-12);
}

TEST(Lidar, SpinningBeamsTurnClockwiseFromBehindOneColumnAtATime) {
  LidarSpec s;
  s.elevations_deg = {10.0, 0.0, -10.0};
  s.columns = 8;
  s.rotation_hz = 10;
  std::uint32_t groups = 0;
  const auto beams = lidar_beams(s, 0.0, groups);
  ASSERT_EQ(beams.size(), 24u);
  EXPECT_EQ(groups, 8u);
  // Column 0 faces behind (-X); clockwise seen from above, column 2 (90 degrees on) faces left (+Y).
  EXPECT_NEAR(beams[1].direction.x, -1.0, 1e-12);
  EXPECT_NEAR(beams[2 * 3 + 1].direction.y, 1.0, 1e-12);
  EXPECT_NEAR(beams[4 * 3 + 1].direction.x, 1.0, 1e-12);
  EXPECT_NEAR(beams[4 * 3 + 1].time, 4.0 / 80.0, 1e-15);
  EXPECT_EQ(beams[4 * 3 + 2].ring, 2);
  EXPECT_NEAR(beams[4 * 3].direction.z, std::sin(glm::radians(10.0)), 1e-12);
}

// A scene: ground plane (stuff, category 2) and a 2 m cube (instance 1, category 1) at `cube_x`.
Scene street(double cube_x, const LidarSpec& spec) {
  Scene scene;
  Instance ground;
  ground.mesh_index = 0;
  ground.scale = glm::vec3(400.0f);
  ground.model = glm::scale(glm::mat4(1.0f), ground.scale);
  ground.stuff = true;
  ground.category_id = 2;
  ground.instance_id = 2;
  scene.instances.push_back(ground);
  Instance cube;
  cube.mesh_index = 1;
  cube.position = glm::vec3(float(cube_x), 1.0f, 0.0f);
  cube.scale = glm::vec3(2.0f);
  cube.model = glm::scale(glm::translate(glm::mat4(1.0f), cube.position), cube.scale);
  cube.instance_id = 1;
  cube.category_id = 1;
  scene.instances.push_back(cube);
  scene.lidar.present = true;
  scene.lidar.mount = LidarMount::world;
  scene.lidar.start_position = glm::dvec3(0.0, 1.73, 0.0);
  scene.lidar.lidar_to_world = lidar_to_world_at(scene.lidar, scene.camera, 0.0);
  scene.lidar.ego_compensated = spec.ego_compensated;
  return scene;
}

std::vector<Mesh> meshes() { return {make_primitive(PrimitiveKind::plane), make_primitive(PrimitiveKind::cube)}; }

TEST(Lidar, GroundAndBoxPointsAreWhereGeometrySaysTheyAre) {
  LidarSpec spec;
  spec.elevations_deg = lidar_preset_elevations(preset("vlp16"));
  spec.columns = 1800;
  spec.max_range_m = 100;
  spec.min_range_m = 0.5;
  const auto ms = meshes();
  auto tracer = LidarTracer::create(spec, ms);
  ASSERT_TRUE(tracer) << tracer.error().message;
  const Scene scene = street(10.0, spec);
  auto sweep = (*tracer)->sweep(scene);
  ASSERT_TRUE(sweep) << sweep.error().message;
  std::size_t ground = 0, face = 0;
  for (const LidarPoint& p : sweep->points) {
    const double e = spec.elevations_deg[p.ring];
    if (p.surface == 0) {
      ++ground;
      EXPECT_EQ(p.instance, 0u);  // stuff: no instance
      EXPECT_EQ(p.semantic, 2u);
      EXPECT_LT(e, 0.0);
      EXPECT_NEAR(p.z, -1.73, 2e-5);
      EXPECT_NEAR(p.range, 1.73 / std::sin(glm::radians(-e)), 1e-4 * double(p.range));
    } else {
      EXPECT_EQ(p.instance, 1u);
      EXPECT_EQ(p.semantic, 1u);
      if (std::abs(p.y) < 0.9f && p.z > -1.7f && p.z < 0.2f) {  // the face towards the sensor
        ++face;
        EXPECT_NEAR(p.x, 9.0, 2e-5);
      }
    }
    EXPECT_GE(p.range, 0.5f);
  }
  EXPECT_GT(ground, 10000u);
  EXPECT_GT(face, 50u);
  EXPECT_EQ(sweep->rays, 16u * 1800u);
  EXPECT_EQ(sweep->points.size() + sweep->misses + sweep->out_of_range + sweep->dropped, sweep->rays);
}

TEST(Lidar, ABoxDrivingAtTheSensorIsHitWhereItIsAtEachBeamsTime) {
  LidarSpec spec;
  spec.elevations_deg = lidar_preset_elevations(preset("vlp16"));
  spec.columns = 1800;
  spec.rotation_hz = 2;  // a slow sweep: 0.5 s, the box moves 10 m
  Scene scene = street(30.0, spec);
  scene.instances[1].velocity = glm::dvec3(-20.0, 0.0, 0.0);
  scene.clip = ClipTime{0, 0, 0.0};
  scene.clip_start = std::make_shared<const Scene>(scene);
  const auto ms = meshes();
  auto tracer = LidarTracer::create(spec, ms);
  ASSERT_TRUE(tracer);
  auto sweep = (*tracer)->sweep(scene);
  ASSERT_TRUE(sweep);
  std::size_t face = 0;
  for (const LidarPoint& p : sweep->points) {
    if (p.surface != 1 || std::abs(p.y) > 0.5f || p.z < -1.5f || p.z > 0.0f) continue;
    ++face;
    // Its front face at x = 29 - 20 t when the beam fires (the column facing +X fires at 0.25 s).
    EXPECT_NEAR(p.x, 29.0 - 20.0 * double(p.time), 1e-4) << p.time;
  }
  EXPECT_GT(face, 20u);
}

}  // namespace
}  // namespace synthlabel
