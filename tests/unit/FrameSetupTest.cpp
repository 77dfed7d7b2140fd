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
  // Shadows: the directional light and the spot (never the point light), in layers 0 and 1.
  ASSERT_EQ(s->shadows.size(), 2u);
  EXPECT_EQ(s->shadows[0].layer, 0u);
  EXPECT_EQ(u.light_shadow[0].x, 0.0f);
  EXPECT_EQ(u.light_shadow[1].x, -1.0f);
  EXPECT_EQ(u.light_shadow[2].x, 1.0f);
  EXPECT_EQ(s->features, k_feature_positional_lights | k_feature_shadows);
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

}  // namespace
}  // namespace synthlabel::vk
