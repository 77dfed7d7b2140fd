// Golden-image tests: small frames rendered on lavapipe (validation layer on) compared with reference
// PNGs in tests/golden/ within an explicit tolerance. They guard the look of the renderer (materials,
// image-based light, shadows, anti-aliasing) and of each sensor effect against unintended change;
// the exact-value render tests (RenderTest.cpp) guard correctness.
//
// Tolerance, per image: every channel of every pixel within k_max_diff of the golden, and the mean
// absolute difference at most k_mean_diff (8-bit sRGB units). Rasterizers differ in the last bit of
// interpolation and texture filtering; a real change (a light, a map, an effect gone) moves far more.
//
// On a mismatch the test writes NAME.actual.png and NAME.diff.png (|difference| x 8) to
// $SYNTHLABEL_GOLDEN_OUT (default: golden-out/ in the working directory). To accept a change,
// scripts/update_goldens.sh reruns these tests with SYNTHLABEL_UPDATE_GOLDENS=1, which rewrites the
// goldens and prints how far each moved.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <glm/ext/matrix_transform.hpp>
#include <glm/trigonometric.hpp>

#include "exporters/Png.h"
#include "exporters/SensorEffects.h"
#include "renderer/vulkan/VulkanRenderer.h"
#include "scenes/AssetLoader.h"
#include "scenes/Environment.h"
#include "scenes/Primitives.h"
#include "scenes/Texture.h"
#include "tests/support/PbrAsset.h"
#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

constexpr std::uint32_t k_w = 96, k_h = 72;
constexpr int k_max_diff = 10;
constexpr double k_mean_diff = 0.75;
const std::filesystem::path k_golden_dir = std::filesystem::path(SYNTHLABEL_SOURCE_DIR) / "tests/golden";
const std::filesystem::path k_assimp = "/usr/share/assimp/models";

enum MeshId : std::uint32_t { k_cube, k_sphere, k_box_textured, k_pbr };

// One renderer for all goldens (supersampled 3x3), with the meshes, textures and two HDR maps.
struct World {
  std::unique_ptr<vk::VulkanRenderer> renderer;
  bool ok = false;
};

World& world() {
  static World w = [] {
    World out;
    test::TempDir dir;
    std::vector<Mesh> meshes{make_primitive(PrimitiveKind::cube), make_primitive(PrimitiveKind::sphere)};
    auto box = load_mesh_asset(k_assimp / "glTF2/BoxTextured-glTF-Binary/BoxTextured.glb", {.normalize = true});
    test::PbrAssetOptions o;
    o.emissive = {0.6f, 0.3f, 0.1f};
    o.metallic = 0.0f;
    auto pbr = load_mesh_asset(test::write_pbr_gltf(dir.path(), o), {});
    if (!box.ok() || !pbr.ok()) {
      ADD_FAILURE() << "cannot load the golden scenes' assets (scripts/setup.sh --tests installs assimp-testmodels)";
      return out;
    }
    meshes.push_back(std::move(box).value());
    meshes.push_back(std::move(pbr).value());
    std::vector<Texture> textures;
    std::vector<EnvironmentMap> maps;
    for (const char* name : {"courtyard.exr", "studio.exr"}) {
      auto env = load_environment(std::filesystem::path(SYNTHLABEL_SOURCE_DIR) / "assets/hdri" / name);
      if (!env.ok()) {
        ADD_FAILURE() << env.error().message;
        return out;
      }
      maps.push_back(std::move(env).value());
    }
    RendererOptions ro;
    ro.width = k_w;
    ro.height = k_h;
    ro.validate = true;
    ro.supersampling = 3;
    ro.shadow_map_size = 1024;
    auto r = vk::VulkanRenderer::create(ro);
    if (!r.ok() || !adopt_mesh_textures(meshes, textures).ok()) {
      ADD_FAILURE() << (r.ok() ? "textures" : r.error().message);
      return out;
    }
    out.renderer = std::move(r).value();
    out.ok = out.renderer->upload_meshes(meshes).ok() && out.renderer->upload_textures(textures).ok() &&
             out.renderer->upload_environments(maps).ok();
    return out;
  }();
  return w;
}

Scene camera_scene(glm::vec3 eye, glm::vec3 target) {
  Scene s;
  s.camera.width = k_w;
  s.camera.height = k_h;
  s.camera.fy = 0.5 * k_h / std::tan(glm::radians(22.5));
  s.camera.fx = s.camera.fy;
  s.camera.cx = 0.5 * k_w;
  s.camera.cy = 0.5 * k_h;
  s.camera.near_m = 0.05f;
  s.camera.far_m = 100.0f;
  s.camera.position = eye;
  s.camera.target = target;
  s.camera.view = glm::lookAtRH(eye, target, glm::vec3(0, 1, 0));
  s.lights.clear();
  s.ambient = 0.0f;
  s.background = {0.3f, 0.35f, 0.4f};
  return s;
}

Instance instance(std::uint32_t mesh, glm::mat4 model, std::uint32_t id, glm::vec3 color = glm::vec3(0.7f)) {
  Instance i;
  i.mesh_index = mesh;
  i.model = model;
  i.color = color;
  i.instance_id = id;
  i.category_id = id ? 1 : 0;
  return i;
}

FrameBuffers render(const Scene& s) {
  FrameBuffers fb;
  World& w = world();
  if (!w.ok) {
    ADD_FAILURE() << "no renderer";
    return fb;
  }
  auto st = w.renderer->render(s, fb);
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  return fb;
}

// A ground slab, a red cube and a grey sphere under a low sun and a spot lamp: shadows of both.
Scene shadowed_scene() {
  Scene s = camera_scene({2.2f, 2.0f, 3.2f}, {0.0f, 0.3f, 0.0f});
  s.ambient = 0.12f;
  Light sun;
  sun.to_light = glm::normalize(glm::vec3(-0.6f, 0.8f, 0.3f));
  sun.color = glm::vec3(0.9f, 0.85f, 0.8f);
  Light spot;
  spot.type = LightType::spot;
  spot.position = {1.5f, 2.5f, -0.5f};
  spot.direction = glm::normalize(glm::vec3(0.0f, 0.0f, 0.3f) - spot.position);
  spot.cos_outer = std::cos(glm::radians(35.0f));
  spot.cos_inner = std::cos(glm::radians(28.0f));
  spot.color = glm::vec3(3.0f, 2.6f, 2.0f);
  s.lights = {sun, spot};
  s.instances.push_back(instance(k_cube, glm::scale(glm::translate(glm::mat4(1.0f), {0, -0.05f, 0}), {6, 0.1f, 6}), 0,
                                 {0.5f, 0.5f, 0.45f}));
  s.instances.push_back(instance(k_cube, glm::rotate(glm::translate(glm::mat4(1.0f), {-0.4f, 0.35f, 0.2f}), 0.5f, {0, 1, 0}) *
                                             glm::scale(glm::mat4(1.0f), glm::vec3(0.7f)),
                                 1, {0.8f, 0.15f, 0.1f}));
  Instance ball = instance(k_sphere, glm::scale(glm::translate(glm::mat4(1.0f), {0.6f, 0.3f, 0.5f}), glm::vec3(0.6f)), 2);
  ball.roughness = 0.25f;
  s.instances.push_back(ball);
  return s;
}

void write_png(const std::filesystem::path& path, const std::vector<std::uint8_t>& rgba, std::uint32_t w, std::uint32_t h) {
  auto png = encode_png_rgb_from_rgba(rgba, w, h, PngOptions{9, true});
  ASSERT_TRUE(png.ok());
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(png->data()), static_cast<std::streamsize>(png->size()));
}

// Compares `rgba` with tests/golden/NAME.png, or rewrites the golden in update mode.
void check_golden(const std::string& name, const std::vector<std::uint8_t>& rgba) {
  ASSERT_EQ(rgba.size(), std::size_t{k_w} * k_h * 4);
  const auto golden = k_golden_dir / (name + ".png");
  const char* update = std::getenv("SYNTHLABEL_UPDATE_GOLDENS");
  const bool exists = std::filesystem::exists(golden);
  int max_diff = 0;
  double mean_diff = 0.0;
  std::vector<std::uint8_t> diff(rgba.size(), 255);
  if (exists) {
    const test::Image g = test::read_png(golden);
    ASSERT_EQ(g.width, k_w);
    ASSERT_EQ(g.height, k_h);
    ASSERT_EQ(g.channels, 3u);
    for (std::size_t p = 0; p < std::size_t{k_w} * k_h; ++p) {
      for (std::size_t c = 0; c < 3; ++c) {
        const int d = std::abs(int(rgba[4 * p + c]) - int(g.pixels[3 * p + c]));
        max_diff = std::max(max_diff, d);
        mean_diff += d;
        diff[4 * p + c] = static_cast<std::uint8_t>(std::min(255, 8 * d));
      }
    }
    mean_diff /= double(k_w) * k_h * 3;
  }
  const char* out_env = std::getenv("SYNTHLABEL_GOLDEN_OUT");
  const std::filesystem::path out = out_env ? out_env : "golden-out";
  if (update != nullptr && std::string(update) == "1") {
    if (exists && max_diff > 0) {  // what changed, for review: the old golden, and the difference
      std::filesystem::create_directories(out);
      std::filesystem::copy_file(golden, out / (name + ".old.png"), std::filesystem::copy_options::overwrite_existing);
      write_png(out / (name + ".diff.png"), diff, k_w, k_h);
    }
    write_png(golden, rgba, k_w, k_h);
    std::printf("golden %-28s %s (max diff %d, mean %.3f)\n", name.c_str(), exists ? "rewritten" : "created", max_diff,
                mean_diff);
    return;
  }
  ASSERT_TRUE(exists) << golden << " is missing: run scripts/update_goldens.sh";
  if (max_diff > k_max_diff || mean_diff > k_mean_diff) {
    write_png(out / (name + ".actual.png"), rgba, k_w, k_h);
    write_png(out / (name + ".diff.png"), diff, k_w, k_h);
    ADD_FAILURE() << name << ": max channel difference " << max_diff << " (limit " << k_max_diff << "), mean "
                  << mean_diff << " (limit " << k_mean_diff << "); wrote " << (out / (name + ".actual.png")) << " and "
                  << (out / (name + ".diff.png"));
  }
}

TEST(Golden, TexturedGltfUnderImageBasedLight) {
  // BoxTextured (its base-colour texture) and the tests' PBR quads (every map, emission) in the
  // courtyard map, which is also the background.
  Scene s = camera_scene({1.6f, 1.1f, 2.4f}, {0.0f, 0.0f, 0.0f});
  s.environment.map = 0;
  s.environment.background = true;
  s.environment.lighting = true;
  s.environment.rotation_deg = 40.0;
  s.environment.intensity = 0.8;
  s.camera.filmic = true;
  Instance box = instance(k_box_textured, glm::rotate(glm::translate(glm::mat4(1.0f), {-0.75f, 0.0f, -0.3f}), 0.6f, {0, 1, 0}), 1);
  box.asset_materials = true;
  s.instances.push_back(box);
  Instance quads = instance(k_pbr, glm::scale(glm::translate(glm::mat4(1.0f), {0.35f, -0.35f, 0.3f}), glm::vec3(0.6f)), 2);
  quads.asset_materials = true;
  s.instances.push_back(quads);
  check_golden("textured_gltf_ibl", render(s).rgba);
  s.environment.map = 1;  // the studio
  s.environment.rotation_deg = 200.0;
  check_golden("textured_gltf_ibl_studio", render(s).rgba);
}

TEST(Golden, ShadowedScene) { check_golden("shadowed_scene", render(shadowed_scene()).rgba); }

TEST(Golden, EachSensorEffect) {
  const FrameBuffers base = render(shadowed_scene());
  ASSERT_EQ(base.rgba.size(), std::size_t{k_w} * k_h * 4);
  struct Effect {
    const char* name;
    void (*set)(SensorState&);
  };
  const Effect effects[] = {
      {"sensor_white_balance", [](SensorState& s) { s.white_balance = {1.3, 1.0, 0.7}; }},
      {"sensor_colour_jitter", [](SensorState& s) { s.brightness = 0.03, s.contrast = 1.3, s.saturation = 1.6; }},
      {"sensor_vignetting", [](SensorState& s) { s.vignetting = 0.9; }},
      {"sensor_defocus_blur", [](SensorState& s) { s.defocus_px = 2.5; }},
      {"sensor_motion_blur", [](SensorState& s) { s.motion_px = 7.0, s.motion_angle_deg = 30.0; }},
      {"sensor_shot_noise", [](SensorState& s) { s.shot_photons = 150.0; }},
      {"sensor_read_noise", [](SensorState& s) { s.read_noise = 0.04; }},
      {"sensor_gamma", [](SensorState& s) { s.gamma = 1.8; }},
      {"sensor_jpeg", [](SensorState& s) { s.jpeg_quality = 15.0; }},
  };
  for (const Effect& e : effects) {
    SCOPED_TRACE(e.name);
    SensorState sensor;
    sensor.enabled = true;
    sensor.noise_key = 0x5eed;
    e.set(sensor);
    std::vector<std::uint8_t> rgba = base.rgba;
    apply_sensor_effects(sensor, k_w, k_h, rgba);
    EXPECT_NE(rgba, base.rgba) << "the effect changes the image";
    check_golden(e.name, rgba);
  }
}

}  // namespace
}  // namespace synthlabel
