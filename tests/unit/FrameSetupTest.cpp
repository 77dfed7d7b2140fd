// FrameSetup without a device: what a Scene becomes before any Vulkan call (renderer/vulkan/FrameSetup.h).
#include "renderer/vulkan/FrameSetup.h"

#include <gtest/gtest.h>

#include <glm/ext/matrix_transform.hpp>

namespace synthlabel::vk {
namespace {

Camera test_camera() {
  Camera c;
  c.width = 64;
  c.height = 48;
  c.fx = 50.0;
  c.fy = 55.0;
  c.cx = 31.0;
  c.cy = 25.5;
  c.view = glm::lookAt(glm::vec3(0, 0, 5), glm::vec3(0), glm::vec3(0, 1, 0));
  return c;
}

struct Fixture {
  std::vector<MeshRange> meshes;
  FrameInputs inputs;
  Scene scene;
  Fixture() {
    MeshRange cube;
    cube.first_index = 6;
    cube.index_count = 36;
    cube.vertex_offset = 4;
    cube.lo = glm::vec3(-1);
    cube.hi = glm::vec3(1);
    meshes.push_back(cube);
    inputs = FrameInputs{.width = 64, .height = 48, .supersampling = 1, .shadow_map_size = 256, .meshes = meshes};
    scene.camera = test_camera();
    synthlabel::Instance inst;
    inst.instance_id = 7;
    scene.instances.push_back(inst);
  }
};

Light light(LightType type) {
  Light l;
  l.type = type;
  l.position = glm::vec3(0, 4, 0);
  return l;
}

TEST(FrameSetup, ProjectionPutsAPointWhereKSays) {
  const Camera c = test_camera();
  const glm::mat4 p = projection_from_intrinsics(c);
  const glm::vec4 camera_point(0.4f, -0.3f, -2.0f, 1.0f);  // OpenGL camera axes
  const glm::vec4 clip = p * camera_point;
  const double u = (double(clip.x / clip.w) + 1.0) * 0.5 * c.width, v = (double(clip.y / clip.w) + 1.0) * 0.5 * c.height;
  EXPECT_NEAR(u, c.cx + c.fx * 0.4 / 2.0, 1e-4);
  EXPECT_NEAR(v, c.cy - c.fy * -0.3 / 2.0, 1e-4);
  const double depth = double(clip.z / clip.w);
  EXPECT_GT(depth, 0.0);
  EXPECT_LT(depth, 1.0);
}

TEST(FrameSetup, DirectionalLightsComeFirstAndSetTheFeatures) {
  Fixture f;
  f.scene.lights = {light(LightType::point), light(LightType::directional), light(LightType::spot)};
  auto s = make_frame_setup(f.scene, f.inputs);
  ASSERT_TRUE(s) << s.error().message;
  const FrameUniforms& u = s->uniforms;
  EXPECT_EQ(u.light_to[0].w, 0.0f);  // directional
  EXPECT_EQ(u.light_to[1].w, 1.0f);  // point, in its given order
  EXPECT_EQ(u.light_to[2].w, 2.0f);  // spot
  EXPECT_EQ(u.params.y, 3.0f);
  EXPECT_EQ(u.params.w, 1.0f);  // one directional light
  EXPECT_EQ(u.light_position[1].w, -3.0f);  // a point light: a cone that takes in every direction
  // Shadows: the directional light and the spot (never the point light), each in the layer of its
  // index (mesh.frag reads light i's texels through view i).
  ASSERT_EQ(s->shadows.size(), 2u);
  EXPECT_EQ(s->shadows[0].layer, 0u);
  EXPECT_EQ(s->shadows[1].layer, 2u);
  EXPECT_EQ(u.light_shadow[0].x, 0.0f);
  EXPECT_EQ(u.light_shadow[1].x, -1.0f);
  EXPECT_EQ(u.light_shadow[2].x, 2.0f);
  EXPECT_EQ(s->features, feature_lights(1, 2) | k_feature_shadows);
  EXPECT_FALSE(s->background);
}

TEST(FrameSetup, ShadowMapHoldsEveryCaster) {
  Fixture f;
  f.scene.instances[0].model = glm::translate(glm::mat4(1.0f), glm::vec3(2, 0, 0));
  f.scene.lights = {light(LightType::directional)};
  auto s = make_frame_setup(f.scene, f.inputs);
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->shadows.size(), 1u);
  for (const glm::dvec3& c : {glm::dvec3(1, -1, -1), glm::dvec3(3, 1, 1), glm::dvec3(1, 1, 1), glm::dvec3(3, -1, -1)}) {
    const glm::vec4 clip = s->shadows[0].matrix * glm::vec4(glm::vec3(c), 1.0f);
    EXPECT_LE(std::abs(clip.x / clip.w), 1.0f);
    EXPECT_LE(std::abs(clip.y / clip.w), 1.0f);
    EXPECT_GE(clip.z / clip.w, 0.0f);
    EXPECT_LE(clip.z / clip.w, 1.0f);
  }
  f.inputs.shadow_map_size = 0;  // shadows off
  auto off = make_frame_setup(f.scene, f.inputs);
  ASSERT_TRUE(off);
  EXPECT_TRUE(off->shadows.empty());
  EXPECT_EQ(off->features & k_feature_shadows, 0u);
}

// A ground plane (a mesh with no thickness: box y 0..0) 20 m wide and a unit cube above it, under a
// sun straight overhead.
struct GroundFixture : Fixture {
  GroundFixture() {
    MeshRange plane;
    plane.lo = glm::vec3(-0.5f, 0.0f, -0.5f);
    plane.hi = glm::vec3(0.5f, 0.0f, 0.5f);
    meshes.push_back(plane);
    inputs.meshes = meshes;
    synthlabel::Instance ground;
    ground.mesh_index = 1;
    ground.model = glm::scale(glm::mat4(1.0f), glm::vec3(20.0f, 1.0f, 20.0f));
    scene.instances.insert(scene.instances.begin(), ground);
    scene.instances[1].model = glm::translate(glm::mat4(1.0f), glm::vec3(3, 1.5f, 0));  // y 0.5..2.5
    Light sun = light(LightType::directional);
    sun.to_light = glm::vec3(0, 1, 0);
    scene.lights = {sun};
  }
};

TEST(FrameSetup, AFlatInstanceCastsOnlyOntoWhatLiesBehindIt) {
  GroundFixture f;
  auto s = make_frame_setup(f.scene, f.inputs);
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->shadows.size(), 1u);
  const ShadowView& v = s->shadows[0];
  ASSERT_EQ(v.casters.size(), 1u) << "the ground has nothing behind it: it casts nothing";
  EXPECT_EQ(v.casters[0].instance, 1u);
  // Texels as large as over the whole scene's box (20 x 2.5 x 20 m); the square in use only as large
  // as the cube's 2 m footprint and two texels of margin each side.
  const float texel = glm::length(glm::vec3(20.0f, 2.5f, 20.0f)) / 256.0f;
  EXPECT_FLOAT_EQ(s->uniforms.light_shadow[0].z, texel);
  EXPECT_EQ(v.size, static_cast<std::uint32_t>(std::ceil(2.0f / texel) + 4.0f));
  EXPECT_FLOAT_EQ(s->uniforms.light_shadow[0].y, 1.0f / static_cast<float>(v.size));
  EXPECT_EQ(v.casters[0].x1, v.size);
  // Every corner of the cube inside the map; the ground's far corner (-10, 0, -10) outside it.
  for (int c = 0; c < 8; ++c) {
    const glm::vec3 p(c & 1 ? 4.0f : 2.0f, c & 2 ? 2.5f : 0.5f, c & 4 ? 1.0f : -1.0f);
    const glm::vec4 clip = v.matrix * glm::vec4(p, 1.0f);
    EXPECT_LE(std::abs(clip.x), 1.0f);
    EXPECT_LE(std::abs(clip.y), 1.0f);
    EXPECT_GE(clip.z, 0.0f);
    EXPECT_LE(clip.z, 1.0f);
  }
  const glm::vec4 far = v.matrix * glm::vec4(-10, 0, -10, 1);
  EXPECT_GT(std::max(std::abs(far.x), std::abs(far.y)), 1.0f);
  EXPECT_GE(far.z, 0.0f) << "every instance within the map's depth range";
  EXPECT_LE(far.z, 1.0f);

  // The cube sunk half into the ground: the ground now shadows the cube's lower half, and is drawn
  // only over the cube's footprint (and the filter's margin).
  f.scene.instances[1].model = glm::translate(glm::mat4(1.0f), glm::vec3(3, 0, 0));
  auto sunk = make_frame_setup(f.scene, f.inputs);
  ASSERT_TRUE(sunk);
  const ShadowView& w = sunk->shadows.at(0);
  ASSERT_EQ(w.casters.size(), 2u);
  EXPECT_EQ(w.casters[0].instance, 0u);
  EXPECT_EQ(w.casters[0].x0, 0u);
  EXPECT_EQ(w.casters[0].x1, w.size) << "the cube's footprint is the whole square in use";

  // Only the ground: no map at all, and frames draw without the shadow lookups.
  f.scene.instances.resize(1);
  auto alone = make_frame_setup(f.scene, f.inputs);
  ASSERT_TRUE(alone);
  EXPECT_TRUE(alone->shadows.empty());
  EXPECT_EQ(alone->uniforms.light_shadow[0].x, -1.0f);
  EXPECT_EQ(alone->features & k_feature_shadows, 0u);
}

// A flat caster's rectangle: a wall (plane x = 0, 10 m square) with a small cube behind it (x < 0)
// under a light from +x: the wall is drawn only over the cube, far inside the map.
TEST(FrameSetup, AFlatCasterIsDrawnOnlyOverWhatLiesBehindIt) {
  GroundFixture f;
  f.scene.instances[0].model = glm::rotate(glm::mat4(1.0f), glm::radians(90.0f), glm::vec3(0, 0, 1)) *
                               glm::scale(glm::mat4(1.0f), glm::vec3(10.0f, 1.0f, 10.0f));  // plane x = 0
  f.scene.instances[1].model = glm::translate(glm::mat4(1.0f), glm::vec3(-3, 0, 0)) * glm::scale(glm::mat4(1.0f), glm::vec3(0.2f));
  synthlabel::Instance other;  // two more cubes in front of the wall, either side: they set the map's extent
  other.model = glm::translate(glm::mat4(1.0f), glm::vec3(2, 4, 4));
  f.scene.instances.push_back(other);
  other.model = glm::translate(glm::mat4(1.0f), glm::vec3(2, -4, -4));
  f.scene.instances.push_back(other);
  f.scene.lights[0].to_light = glm::vec3(1, 0, 0);
  auto s = make_frame_setup(f.scene, f.inputs);
  ASSERT_TRUE(s) << s.error().message;
  const ShadowView& v = s->shadows.at(0);
  ASSERT_EQ(v.casters.size(), 4u);
  const ShadowCaster& wall = v.casters[0];
  EXPECT_EQ(wall.instance, 0u);
  EXPECT_GT(wall.x0, 0u);
  EXPECT_LT(wall.x1, v.size);
  EXPECT_LT(wall.x1 - wall.x0, v.size / 4) << "the 0.4 m cube, not the 10 m wall";
  EXPECT_LT(wall.y1 - wall.y0, v.size / 4);
  // The small cube's projection lies inside the wall's rectangle.
  for (int c = 0; c < 8; ++c) {
    const glm::vec3 p(c & 1 ? -2.8f : -3.2f, c & 2 ? 0.2f : -0.2f, c & 4 ? 0.2f : -0.2f);
    const glm::vec4 clip = v.matrix * glm::vec4(p, 1.0f);
    const float tx = (clip.x * 0.5f + 0.5f) * float(v.size), ty = (clip.y * 0.5f + 0.5f) * float(v.size);
    EXPECT_GE(tx, float(wall.x0));
    EXPECT_LE(tx, float(wall.x1));
    EXPECT_GE(ty, float(wall.y0));
    EXPECT_LE(ty, float(wall.y1));
  }
}

TEST(FrameSetup, SupersamplingScalesTheIntrinsicsNotTheProjection) {
  Fixture f;
  f.inputs.supersampling = 3;
  auto s = make_frame_setup(f.scene, f.inputs);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->uniforms.frame_size.x, 192.0f);
  EXPECT_EQ(s->uniforms.intrinsics.x, 150.0f);
  EXPECT_EQ(s->uniforms.proj, projection_from_intrinsics(f.scene.camera));
}

TEST(FrameSetup, ReferencesToWhatWasNotUploadedAreErrors) {
  Fixture f;
  f.scene.instances[0].mesh_index = 1;
  EXPECT_FALSE(make_frame_setup(f.scene, f.inputs));
  EXPECT_FALSE(make_draws(f.scene.instances, f.inputs));
  Fixture g;
  g.scene.environment.map = 0;  // no environment map uploaded
  EXPECT_FALSE(make_frame_setup(g.scene, g.inputs));
  Fixture h;
  h.scene.instances[0].texture = 0;  // no texture uploaded
  EXPECT_FALSE(make_draws(h.scene.instances, h.inputs));
  h.inputs.texture_layers = 1;
  EXPECT_TRUE(make_draws(h.scene.instances, h.inputs));
  Fixture w;
  w.scene.camera.width = 65;
  EXPECT_FALSE(make_frame_setup(w.scene, w.inputs));
}

TEST(FrameSetup, AnAssetDrawsEachPartWithItsMaterial) {
  Fixture f;
  f.meshes[0].parts = {{0, 12, 1}, {12, 24, 0}};
  f.meshes[0].materials.resize(2);
  f.meshes[0].materials[1].roughness = 0.25f;
  f.meshes[0].materials[1].normal_map = 0;
  f.inputs.meshes = f.meshes;
  f.inputs.texture_layers = 1;
  f.scene.instances[0].asset_materials = true;
  auto draws = make_draws(f.scene.instances, f.inputs);
  ASSERT_TRUE(draws);
  ASSERT_EQ(draws->size(), 2u);
  EXPECT_EQ((*draws)[0].first_index, 6u);
  EXPECT_EQ((*draws)[0].index_count, 12u);
  EXPECT_EQ((*draws)[0].push.color.a, 0.25f);
  EXPECT_EQ((*draws)[0].push.maps.y, 0);
  EXPECT_EQ((*draws)[1].first_index, 18u);
  EXPECT_EQ((*draws)[1].vertex_offset, 4);
  EXPECT_EQ((*draws)[1].push.instance_id, 7u);
  auto s = make_frame_setup(f.scene, f.inputs);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->features & k_feature_textures, k_feature_textures);
}

TEST(FrameSetup, DrawsGoFrontToBackByTheFarEndOfEachBox) {
  Fixture f;
  f.meshes[0].parts = {{0, 12, 0}, {12, 24, 0}};  // two parts: they stay together, in order
  f.meshes[0].materials.resize(1);
  f.inputs.meshes = f.meshes;
  // The camera at z = 5 looks down -z. Instance 0: a ground 40 wide through the origin (far end 25
  // away); 1: a cube at z = 2 (far end 4), of two parts; 2: a cube at the origin (far end 6); 3: a
  // cube at z = 2 again (equal to 1: after it, in config order).
  f.scene.instances.resize(4, f.scene.instances[0]);
  f.scene.instances[0].model = glm::scale(glm::mat4(1.0f), glm::vec3(20.0f, 0.01f, 20.0f));
  f.scene.instances[1].model = glm::translate(glm::mat4(1.0f), glm::vec3(0, 0, 2));
  f.scene.instances[1].asset_materials = true;
  f.scene.instances[3].model = f.scene.instances[1].model;
  auto draws = make_draws(f.scene.instances, f.inputs);
  ASSERT_TRUE(draws);
  order_front_to_back(*draws, view_depths(f.scene.instances, f.meshes, f.scene.camera.view));
  std::vector<std::uint32_t> order, first;
  for (const Draw& d : *draws) order.push_back(d.instance), first.push_back(d.first_index);
  EXPECT_EQ(order, (std::vector<std::uint32_t>{1, 1, 3, 2, 0}));
  EXPECT_EQ(first[0], 6u);  // instance 1's parts in their order
  EXPECT_EQ(first[1], 18u);
}

TEST(FrameSetup, ClosedMeshesBeyondTheNearPlaneSkipTheirHiddenFaces) {
  EXPECT_EQ(facing_of(Closure::open, glm::mat4(1.0f)), Facing::both);
  EXPECT_EQ(facing_of(Closure::outward, glm::mat4(1.0f)), Facing::ccw_out);
  EXPECT_EQ(facing_of(Closure::inward, glm::mat4(1.0f)), Facing::cw_out);
  const glm::mat4 mirror = glm::scale(glm::mat4(1.0f), glm::vec3(-1.0f, 2.0f, 1.0f));
  EXPECT_EQ(facing_of(Closure::outward, mirror), Facing::cw_out);
  EXPECT_EQ(facing_of(Closure::inward, mirror), Facing::ccw_out);
  Fixture f;
  f.meshes[0].closure = Closure::outward;
  f.inputs.meshes = f.meshes;
  // The camera at z = 5 looks down -z; the cube spans 2 around its centre. 0: at the origin; 1: its
  // near face 0.05 m from the camera, inside the near plane of 0.1; 2: around the camera.
  f.scene.instances.resize(3, f.scene.instances[0]);
  f.scene.instances[1].model = glm::translate(glm::mat4(1.0f), glm::vec3(0, 0, 3.95f));
  f.scene.instances[2].model = glm::translate(glm::mat4(1.0f), glm::vec3(0, 0, 5));
  auto draws = make_draws(f.scene.instances, f.inputs);
  ASSERT_TRUE(draws);
  cull_hidden_faces(*draws, f.scene.instances, f.meshes, view_depths(f.scene.instances, f.meshes, f.scene.camera.view), 0.1f);
  EXPECT_EQ((*draws)[0].facing, Facing::ccw_out);
  EXPECT_EQ((*draws)[1].facing, Facing::both);
  EXPECT_EQ((*draws)[2].facing, Facing::both);
  f.meshes[0].closure = Closure::open;
  cull_hidden_faces(*draws, f.scene.instances, f.meshes, view_depths(f.scene.instances, f.meshes, f.scene.camera.view), 0.1f);
  EXPECT_EQ((*draws)[0].facing, Facing::both);
}

}  // namespace
}  // namespace synthlabel::vk
