// Render tests on lavapipe (or a GPU), always with the Khronos validation layer on: any validation
// message fails the render call, and so the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>

#include <glm/ext/matrix_transform.hpp>
#include <glm/ext/scalar_constants.hpp>
#include <glm/trigonometric.hpp>

#include "renderer/vulkan/Bootstrap.h"
#include "renderer/vulkan/VulkanRenderer.h"
#include "scenes/AssetLoader.h"
#include "scenes/MeshClosure.h"
#include "scenes/Primitives.h"
#include "scenes/Texture.h"
#include "tests/support/PbrAsset.h"
#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

// A renderer with `o` and the validation layer on, `meshes` uploaded; a failure is reported (nullptr
// when the renderer cannot be made).
std::unique_ptr<vk::VulkanRenderer> make_validated_renderer(RendererOptions o, const std::vector<Mesh>& meshes) {
  o.validate = true;
  auto r = vk::VulkanRenderer::create(o);
  if (!r.ok()) {
    ADD_FAILURE() << r.error().message;
    return nullptr;
  }
  auto s = (*r)->upload_meshes(meshes);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return std::move(r).value();
}

// Meshes: 0 the unit cube, 1 the unit plane (y = 0, x and z in [-0.5, 0.5]).
std::unique_ptr<vk::VulkanRenderer> make_renderer(std::uint32_t w, std::uint32_t h, std::uint32_t supersampling = 1,
                                                   std::uint32_t shadow_map_size = 1024, bool front_to_back = true) {
  RendererOptions o;
  o.width = w;
  o.height = h;
  o.supersampling = supersampling;
  o.shadow_map_size = shadow_map_size;
  o.front_to_back = front_to_back;
  return make_validated_renderer(o, {make_primitive(PrimitiveKind::cube), make_primitive(PrimitiveKind::plane)});
}

// Camera on +Z at `distance`, looking at the origin, vertical FOV 50 degrees.
Scene axis_scene(std::uint32_t w, std::uint32_t h, float distance) {
  Scene s;
  s.camera.width = w;
  s.camera.height = h;
  s.camera.fov_y_rad = glm::radians(50.0f);
  s.camera.fy = 0.5 * h / std::tan(glm::radians(25.0));
  s.camera.fx = s.camera.fy;
  s.camera.cx = 0.5 * w;
  s.camera.cy = 0.5 * h;
  s.camera.near_m = 0.1f;
  s.camera.far_m = 100.0f;
  s.camera.position = {0.0f, 0.0f, distance};
  s.camera.view = glm::lookAtRH(s.camera.position, glm::vec3(0.0f), glm::vec3(0, 1, 0));
  s.background = {0.5f, 0.5f, 0.5f};
  Light light;
  light.to_light = {0.0f, 0.0f, 1.0f};
  s.lights.push_back(light);
  return s;
}

Instance cube_at(glm::vec3 pos, std::uint32_t id, std::uint32_t category) {
  Instance i;
  i.mesh_index = 0;
  i.model = glm::translate(glm::mat4(1.0f), pos);
  i.color = {0.8f, 0.2f, 0.2f};
  i.instance_id = id;
  i.category_id = category;
  return i;
}

// The unit cube's front face (z = +0.5) seen from the axis projects to a square of half-size
// s = fy * 0.5 / (distance - 0.5) pixels about the image centre; pixel (x, y) is covered exactly when
// its centre (x + 0.5, y + 0.5) lies inside.
// With full intrinsics the square is centred on (cx, cy) with half-sizes fx * 0.5 / (distance - 0.5)
// and fy * 0.5 / (distance - 0.5).
void check_cube_on_axis(std::uint32_t w, std::uint32_t h, double fx = 0, double fy = 0, double cx = -1, double cy = -1) {
  SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
  auto r = make_renderer(w, h);
  ASSERT_TRUE(r);
  const float distance = 5.0f;
  Scene s = axis_scene(w, h, distance);
  if (fx > 0) {
    s.camera.fx = fx;
    s.camera.fy = fy;
    s.camera.cx = cx;
    s.camera.cy = cy;
  }
  s.instances.push_back(cube_at({0, 0, 0}, 1, 1));
  FrameBuffers fb;
  auto st = r->render(s, fb);
  ASSERT_TRUE(st.ok()) << st.error().message;
  ASSERT_EQ(fb.width, w);
  ASSERT_EQ(fb.instance_id.size(), std::size_t{w} * h);
  const double half_x = s.camera.fx * 0.5 / (static_cast<double>(distance) - 0.5);
  const double half_y = s.camera.fy * 0.5 / (static_cast<double>(distance) - 0.5);
  std::size_t covered = 0;
  for (std::uint32_t y = 0; y < h; ++y) {
    for (std::uint32_t x = 0; x < w; ++x) {
      const double dx = std::abs(x + 0.5 - s.camera.cx), dy = std::abs(y + 0.5 - s.camera.cy);
      ASSERT_GT(std::min(std::abs(dx - half_x), std::abs(dy - half_y)), 0.05) << "test geometry puts a centre on an edge";
      const bool inside = dx < half_x && dy < half_y;
      const std::size_t i = std::size_t{y} * w + x;
      ASSERT_EQ(fb.instance_id[i], inside ? 1u : 0u) << "pixel " << x << "," << y;
      if (inside) {
        ++covered;
        EXPECT_NEAR(fb.depth[i], distance - 0.5f, 1e-4f) << "pixel " << x << "," << y;
      } else {
        EXPECT_EQ(fb.depth[i], std::numeric_limits<float>::infinity()) << "pixel " << x << "," << y;
        // Background colour 0.5 linear is 188 in sRGB.
        EXPECT_NEAR(fb.rgba[4 * i], 188, 1);
      }
    }
  }
  EXPECT_GT(covered, 0u);
}

TEST(Render, CubeLabelsExactlyThePixelCentresItCovers) { check_cube_on_axis(64, 64); }

TEST(Render, OddResolutionsReadBackCorrectly) { check_cube_on_axis(35, 18); }

// fx != fy and an off-centre principal point: the labels land where K says.
TEST(Render, FullIntrinsicsPlaceLabelsWhereKSays) { check_cube_on_axis(64, 48, 80.0, 61.0, 27.3, 21.8); }

// The shading model (mesh.frag, docs/conventions.md), written again here in double precision from its
// definition: Cook-Torrance GGX with height-correlated Smith visibility and Schlick Fresnel, Lambert
// diffuse weighted by (1 - F), scaled so that a white Lambertian surface facing a light of intensity 1
// is 1; one colour channel.
double ggx_channel(const glm::dvec3& n, const glm::dvec3& l, const glm::dvec3& v, double diffuse, double f0, double roughness) {
  const double alpha = roughness * roughness, a2 = alpha * alpha;
  const double nl = glm::dot(n, l), nv = glm::dot(n, v);
  const glm::dvec3 h = glm::normalize(l + v);
  const double nh = glm::dot(n, h), vh = glm::dot(v, h);
  const double dd = nh * nh * (a2 - 1.0) + 1.0;
  const double d = a2 / (glm::pi<double>() * dd * dd);
  const double vis = 0.5 / (nl * std::sqrt(nv * nv * (1.0 - a2) + a2) + nv * std::sqrt(nl * nl * (1.0 - a2) + a2));
  const double f = f0 + (1.0 - f0) * std::pow(1.0 - vh, 5.0);
  return ((1.0 - f) * diffuse + glm::pi<double>() * f * d * vis) * nl;
}

// Karis' analytic split-sum environment BRDF: f0 * A + B.
double env_brdf(double f0, double roughness, double nv) {
  const double c0[4] = {-1.0, -0.0275, -0.572, 0.022}, c1[4] = {1.0, 0.0425, 1.04, -0.04};
  double r[4];
  for (int i = 0; i < 4; ++i) r[i] = roughness * c0[i] + c1[i];
  const double a004 = std::min(r[0] * r[0], std::exp2(-9.28 * nv)) * r[0] + r[1];
  return f0 * (-1.04 * a004 + r[2]) + (1.04 * a004 + r[3]);
}

double srgb_from_linear(double c) { return c <= 0.0031308 ? 12.92 * c : 1.055 * std::pow(c, 1.0 / 2.4) - 0.055; }

// Brightness of pixel (x, y) of the cube's front face under `light` (red channel, sRGB).
int face_red(const Light& light, std::uint32_t x, std::uint32_t y, float roughness = 1.0f) {
  auto r = make_renderer(64, 64);
  if (!r) return -1;
  Scene s = axis_scene(64, 64, 2.0f);
  s.lights = {light};
  s.ambient = 0.1f;
  Instance big = cube_at({0, 0, 0}, 1, 1);
  big.model = glm::scale(glm::mat4(1.0f), glm::vec3(2.0f, 2.0f, 1.0f));  // front face at z = 0.5, 2 m wide
  big.roughness = roughness;
  s.instances.push_back(big);
  FrameBuffers fb;
  auto st = r->render(s, fb);
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  EXPECT_EQ(fb.instance_id[std::size_t{y} * 64 + x], 1u) << "pixel on the face";
  return fb.rgba[4 * (std::size_t{y} * 64 + x)];
}

TEST(Render, PointAndSpotLightsFallOffAndStopAtTheCone) {
  Light point;
  point.type = LightType::point;
  point.position = {0.0f, 0.0f, 1.0f};  // 0.5 m in front of the face centre
  point.color = glm::vec3(0.15f);
  const int centre = face_red(point, 32, 32), edge = face_red(point, 2, 32);
  EXPECT_GT(centre, edge + 40) << "inverse-square falloff and the cosine law darken the edge";
  {
    // The exact value at the edge pixel, from the shading model: ambient 0.1 x (albedo + environment
    // BRDF) plus the GGX term x intensity / d^2 (roughness 1), at the point where the ray through the
    // pixel centre meets the face (z = 0.5).
    const double fy = 32.0 / std::tan(glm::radians(25.0));
    const glm::dvec3 eye(0, 0, 2), ray((2.5 - 32.0) / fy, -(32.5 - 32.0) / fy, -1.0);
    const glm::dvec3 p = eye + ray * ((eye.z - 0.5) / 1.0);
    const glm::dvec3 d = glm::dvec3(0, 0, 1) - p, l = glm::normalize(d), v = glm::normalize(eye - p), n(0, 0, 1);
    const double red = 0.1 * (0.8 + env_brdf(0.04, 1.0, v.z)) + ggx_channel(n, l, v, 0.8, 0.04, 1.0) * 0.15 / glm::dot(d, d);
    EXPECT_NEAR(edge, 255.0 * srgb_from_linear(red), 1.5) << "a point light lights every direction (no cone)";
  }
  // A glossy surface (roughness 0.3): the GGX lobe, at the highlight and off it.
  for (std::uint32_t x : {31u, 24u, 12u}) {
    const double fy = 32.0 / std::tan(glm::radians(25.0));
    const glm::dvec3 eye(0, 0, 2), ray((x + 0.5 - 32.0) / fy, -(32.5 - 32.0) / fy, -1.0);
    const glm::dvec3 p = eye + ray * ((eye.z - 0.5) / 1.0);
    const glm::dvec3 d = glm::dvec3(0, 0, 1) - p, l = glm::normalize(d), v = glm::normalize(eye - p), n(0, 0, 1);
    const double red = 0.1 * (0.8 + env_brdf(0.04, 0.3, v.z)) + ggx_channel(n, l, v, 0.8, 0.04, 0.3) * 0.15 / glm::dot(d, d);
    EXPECT_NEAR(face_red(point, x, 32, 0.3f), 255.0 * srgb_from_linear(std::min(red, 1.0)), 1.5) << "pixel " << x;
  }

  Light off = point;
  off.color = glm::vec3(0.0f);
  const int ambient_only = face_red(off, 2, 32);

  Light spot = point;
  spot.type = LightType::spot;
  spot.direction = {0.0f, 0.0f, -1.0f};
  spot.cos_outer = std::cos(glm::radians(10.0f));
  spot.cos_inner = std::cos(glm::radians(8.0f));
  EXPECT_EQ(face_red(spot, 32, 32), centre) << "inside the inner cone a spot is a point light";
  EXPECT_EQ(face_red(spot, 2, 32), ambient_only) << "outside the cone: ambient only";
  EXPECT_GT(edge, ambient_only + 10) << "the point light does reach the edge";
}

// A 2x1 environment: directions with x < 0 see red, x > 0 blue (radiance 1); the second layer is a
// uniform grey sky of radiance 0.5.
std::vector<EnvironmentMap> test_environments() {
  const std::uint32_t w = 64, h = 32;
  std::vector<float> halves, grey;
  for (std::uint32_t y = 0; y < h; ++y) {
    for (std::uint32_t x = 0; x < w; ++x) {
      const bool left = x < w / 2;  // u < 0.5
      halves.insert(halves.end(), {left ? 1.0f : 0.0f, 0.0f, left ? 0.0f : 1.0f, 1.0f});
      grey.insert(grey.end(), {0.5f, 0.5f, 0.5f, 1.0f});
    }
  }
  return {make_environment("halves", w, h, halves), make_environment("grey", w, h, grey)};
}

TEST(Render, EnvironmentIsTheBackgroundAndNeverALabel) {
  auto r = make_renderer(64, 48);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->upload_environments(test_environments()).ok());
  Scene s = axis_scene(64, 48, 5.0f);  // looking down -Z: the left of the image looks towards -X
  s.instances.push_back(cube_at({0, 0, 0}, 1, 1));
  FrameBuffers plain, with_env;
  ASSERT_TRUE(r->render(s, plain).ok());
  s.environment.map = 0;
  s.environment.background = true;
  s.environment.lighting = false;
  ASSERT_TRUE(r->render(s, with_env).ok());
  auto rgb = [](const FrameBuffers& fb, std::uint32_t x, std::uint32_t y) {
    const std::size_t i = 4 * (std::size_t{y} * fb.width + x);
    return std::array<int, 3>{fb.rgba[i], fb.rgba[i + 1], fb.rgba[i + 2]};
  };
  EXPECT_EQ(rgb(with_env, 2, 24), (std::array<int, 3>{255, 0, 0}));
  EXPECT_EQ(rgb(with_env, 61, 24), (std::array<int, 3>{0, 0, 255}));
  EXPECT_EQ(rgb(with_env, 32, 24), rgb(plain, 32, 24)) << "the cube's pixels are shaded as before";
  // Labels and depth are exactly those of the render without an environment.
  EXPECT_EQ(with_env.instance_id, plain.instance_id);
  EXPECT_EQ(std::memcmp(with_env.depth.data(), plain.depth.data(), plain.depth.size() * 4), 0);
  s.environment.rotation_deg = 180.0;  // turned half a circle about +Y: left and right swap
  ASSERT_TRUE(r->render(s, with_env).ok());
  EXPECT_EQ(rgb(with_env, 2, 24), (std::array<int, 3>{0, 0, 255}));
  EXPECT_EQ(rgb(with_env, 61, 24), (std::array<int, 3>{255, 0, 0}));
}

TEST(Render, EnvironmentLightsDiffuseSurfaces) {
  auto r = make_renderer(64, 48);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->upload_environments(test_environments()).ok());
  Scene s = axis_scene(64, 48, 5.0f);
  s.lights.clear();
  s.ambient = 0.0f;
  Instance cube = cube_at({0, 0, 0}, 1, 1);
  cube.roughness = 1.0f;
  s.instances.push_back(cube);
  s.environment.map = 1;  // uniform radiance 0.5
  s.environment.lighting = true;
  FrameBuffers fb;
  ASSERT_TRUE(r->render(s, fb).ok());
  // Diffuse: albedo x 0.5; plus the (uniform) environment's 0.5 x the environment BRDF of a dielectric
  // (f0 = 0.04, roughness 1, seen head-on): the prefiltered levels of a uniform map are uniform too.
  const std::size_t i = 4 * (std::size_t{24} * 64 + 32);
  const double spec = 0.5 * env_brdf(0.04, 1.0, 1.0);
  EXPECT_NEAR(fb.rgba[i], 255.0 * srgb_from_linear(0.8 * 0.5 + spec), 1.5);
  EXPECT_NEAR(fb.rgba[i + 1], 255.0 * srgb_from_linear(0.2 * 0.5 + spec), 1.5);
}

TEST(Render, TexturesColourSurfacesAndNeverTheLabels) {
  auto r = make_renderer(64, 64);
  ASSERT_TRUE(r);
  // Left half of the texture red, right half blue (sRGB 255).
  std::vector<std::uint8_t> px;
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 16; ++x) px.insert(px.end(), {std::uint8_t(x < 8 ? 255 : 0), 0, std::uint8_t(x < 8 ? 0 : 255), 255});
  }
  ASSERT_TRUE(r->upload_textures(std::vector<Texture>{make_texture("halves", 16, 16, px)}).ok());
  Scene s = axis_scene(64, 64, 3.0f);
  Instance cube = cube_at({0, 0, 0}, 1, 1);
  cube.color = glm::vec3(1.0f);
  s.instances.push_back(cube);
  FrameBuffers plain, textured;
  ASSERT_TRUE(r->render(s, plain).ok());
  s.instances[0].texture = 0;
  ASSERT_TRUE(r->render(s, textured).ok());
  // The front face (+Z) spans u = 0..1 from left to right: its left side red, its right side blue.
  const std::size_t left = 4 * (std::size_t{32} * 64 + 24), right = 4 * (std::size_t{32} * 64 + 40);
  // (The dielectric's white specular adds the same to every channel.)
  EXPECT_GT(int(textured.rgba[left]) - int(textured.rgba[left + 2]), 100);
  EXPECT_GT(int(textured.rgba[right + 2]) - int(textured.rgba[right]), 100);
  EXPECT_EQ(textured.rgba[left + 1], textured.rgba[left + 2]);
  EXPECT_EQ(textured.instance_id, plain.instance_id);
  EXPECT_EQ(std::memcmp(textured.depth.data(), plain.depth.data(), plain.depth.size() * 4), 0);
  // The same image as the background: stretched over the frame, behind the cube, never a label.
  s.background_image = 0;
  FrameBuffers backdrop;
  ASSERT_TRUE(r->render(s, backdrop).ok());
  EXPECT_EQ(backdrop.rgba[4 * (std::size_t{2} * 64 + 2)], 255);        // top left: red
  EXPECT_EQ(backdrop.rgba[4 * (std::size_t{2} * 64 + 2) + 2], 0);
  EXPECT_EQ(backdrop.rgba[4 * (std::size_t{60} * 64 + 61) + 2], 255);  // bottom right: blue
  EXPECT_EQ(backdrop.instance_id, plain.instance_id);
  EXPECT_EQ(std::memcmp(backdrop.depth.data(), plain.depth.data(), plain.depth.size() * 4), 0);
  EXPECT_EQ(std::memcmp(backdrop.rgba.data() + 4 * (32 * 64 + 32), textured.rgba.data() + 4 * (32 * 64 + 32), 4), 0);
  s.instances[0].texture = 1;  // not uploaded
  EXPECT_FALSE(r->render(s, textured).ok());
}

TEST(Render, ExposureScalesRadianceAndFilmicKeepsHighlights) {
  auto r = make_renderer(64, 64);
  ASSERT_TRUE(r);
  Scene s = axis_scene(64, 64, 5.0f);
  s.lights.clear();
  s.ambient = 0.2f;  // the face's colour: 0.2 x (0.8, 0.2, 0.2) + a little specular ambient
  s.instances.push_back(cube_at({0, 0, 0}, 1, 1));
  auto linear = [](std::uint8_t v) {
    const double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
  };
  const std::size_t i = 4 * (std::size_t{32} * 64 + 32);
  FrameBuffers base, brighter, filmic;
  ASSERT_TRUE(r->render(s, base).ok());
  s.camera.exposure_ev = 1.0;
  ASSERT_TRUE(r->render(s, brighter).ok());
  EXPECT_NEAR(linear(brighter.rgba[i]), 2.0 * linear(base.rgba[i]), 0.01);
  EXPECT_EQ(brighter.instance_id, base.instance_id);
  s.camera.exposure_ev = 4.0;  // 16x: red would clip without a tone map
  s.camera.filmic = true;
  ASSERT_TRUE(r->render(s, filmic).ok());
  EXPECT_LT(filmic.rgba[i], 255);
  EXPECT_GT(filmic.rgba[i], filmic.rgba[i + 1]);
  EXPECT_EQ(filmic.instance_id, base.instance_id);
}

TEST(Render, NearerSurfaceOwnsThePixel) {
  auto r = make_renderer(64, 64);
  ASSERT_TRUE(r);
  Scene s = axis_scene(64, 64, 5.0f);
  s.instances.push_back(cube_at({0.0f, 0.0f, 0.0f}, 1, 1));    // behind, drawn first
  s.instances.push_back(cube_at({0.3f, 0.0f, 2.0f}, 2, 1));    // in front, partly covering it
  Instance ground = cube_at({0.0f, -2.0f, 0.0f}, 0, 0);         // unlabeled: id 0 but has depth
  s.instances.push_back(ground);
  FrameBuffers fb;
  auto st = r->render(s, fb);
  ASSERT_TRUE(st.ok()) << st.error().message;
  std::size_t ones = 0, twos = 0, unlabeled_surface = 0;
  for (std::size_t i = 0; i < fb.instance_id.size(); ++i) {
    const std::uint32_t id = fb.instance_id[i];
    if (id == 1) {
      ++ones;
      EXPECT_NEAR(fb.depth[i], 4.5f, 1e-4f);
    } else if (id == 2) {
      ++twos;
      EXPECT_NEAR(fb.depth[i], 2.5f, 1e-4f);
    } else if (std::isfinite(fb.depth[i])) {
      ++unlabeled_surface;
    }
    if (id != 0) {
      EXPECT_TRUE(std::isfinite(fb.depth[i]));
    }
  }
  EXPECT_GT(ones, 0u);
  EXPECT_GT(twos, 0u);
  EXPECT_GT(unlabeled_surface, 0u);
  // The centre pixel is covered by the nearer cube.
  EXPECT_EQ(fb.instance_id[32 * 64 + 32], 2u);
}

// The main pass draws front to back (FrameSetup.h's order_front_to_back); against config order it may
// change only exact depth ties, the pixels where two surfaces' depths are equal in the depth buffer.
// Cubes sunk into a ground plane and into each other, seen obliquely, each in its own colour channel
// (red, green; the ground blue), lit by ambient light only (the specular part is grey): in both orders
// every surface pixel's strongest channel is its id's surface's, so label and colour come from the
// same fragment; ids differ only where the two orders' depths agree to the depth buffer's resolution;
// and of two coincident cubes (equal in every depth, and in draw order), the one listed first keeps
// every pixel.
TEST(Render, FrontToBackChangesOnlyExactDepthTies) {
  constexpr std::uint32_t w = 160, h = 120;
  auto front = make_renderer(w, h, 1, 1024, true);
  auto config = make_renderer(w, h, 1, 1024, false);
  ASSERT_TRUE(front && config);
  Scene s = axis_scene(w, h, 5.0f);
  s.camera.position = {3.0f, 2.5f, 4.0f};
  s.camera.view = glm::lookAtRH(s.camera.position, glm::vec3(0.0f), glm::vec3(0, 1, 0));
  s.lights.clear();
  s.ambient = 0.8f;
  const glm::vec3 red(0.9f, 0.0f, 0.0f), green(0.0f, 0.9f, 0.0f), blue(0.0f, 0.0f, 0.9f);
  Instance ground = cube_at({0.0f, 0.0f, 0.0f}, 0, 0);  // listed first: drawn last front to back
  ground.mesh_index = 1;
  ground.model = glm::scale(glm::mat4(1.0f), glm::vec3(10.0f));
  ground.color = blue;
  s.instances.push_back(ground);
  Instance a = cube_at({0.0f, 0.2f, 0.0f}, 1, 1);  // sunk 0.3 into the ground
  a.color = red;
  Instance b = cube_at({0.5f, 0.3f, 0.4f}, 2, 1);  // into the ground and into a
  b.model = glm::rotate(b.model, 0.6f, glm::vec3(0, 1, 0));
  b.color = green;
  Instance c1 = cube_at({-1.2f, 0.1f, -0.6f}, 3, 1), c2 = c1;  // coincident
  c1.color = red;
  c2.instance_id = 4;
  c2.color = green;
  Instance lid = cube_at({0.0f, 0.7f, 0.0f}, 5, 1);  // a plane on a's top face, after it in config order
  lid.mesh_index = 1;
  lid.color = green;
  for (const Instance& i : {a, b, c1, c2, lid}) s.instances.push_back(i);
  FrameBuffers f, k;
  ASSERT_TRUE(front->render(s, f).ok());
  ASSERT_TRUE(config->render(s, k).ok());
  auto channel_of = [&](std::uint32_t id) { return id == 0 ? 2 : id == 2 || id == 4 || id == 5 ? 1 : 0; };
  std::size_t ties = 0, threes = 0;
  for (std::size_t i = 0; i < std::size_t{w} * h; ++i) {
    for (const FrameBuffers* fb : {&f, &k}) {
      if (!std::isfinite(fb->depth[i])) continue;
      const std::uint8_t* px = &fb->rgba[4 * i];
      const int strongest = static_cast<int>(std::max_element(px, px + 3) - px);
      EXPECT_EQ(strongest, channel_of(fb->instance_id[i])) << "pixel " << i;
    }
    EXPECT_NE(f.instance_id[i], 4u);
    EXPECT_NE(k.instance_id[i], 4u);
    threes += f.instance_id[i] == 3;
    if (f.instance_id[i] == k.instance_id[i]) {
      EXPECT_EQ(f.depth[i], k.depth[i]) << "pixel " << i;
    } else {
      ++ties;
      EXPECT_NEAR(f.depth[i], k.depth[i], 1e-5f * k.depth[i]) << "pixel " << i;
    }
  }
  EXPECT_GT(threes, 100u);
  // The plane on a's top face (drawn before a front to back, after it in config order) ties with it
  // at some pixels (26 on lavapipe): there the order decides, and nowhere else.
  EXPECT_GT(ties, 0u);
  EXPECT_LT(ties, std::size_t{w} * h / 50);
}

// The main pass skips the faces of closed meshes turned away from the camera (Draw::facing). Against
// drawing every face: closed meshes of both windings (the cube's outward, the sphere's, torus's
// and cylinder's inward, a cube turned inside out), a mirrored cube (negative determinant) and an open
// ground plane, lit by a sun with shadows, from an oblique camera. Every id is the same; depth and
// colour are the same but at a few outline pixels, where a face turned away had tied with (or, by the
// rasterizer's snapping of vertices, come out a hair nearer than) the facing one of the same instance.
TEST(Render, CullingHiddenFacesOfClosedMeshesKeepsEveryLabel) {
  constexpr std::uint32_t w = 200, h = 150;
  Mesh inside_out = make_primitive(PrimitiveKind::cube);
  for (std::size_t t = 0; t < inside_out.indices.size(); t += 3) std::swap(inside_out.indices[t + 1], inside_out.indices[t + 2]);
  const std::vector<Mesh> meshes = {make_primitive(PrimitiveKind::cube), make_primitive(PrimitiveKind::plane),
                                    make_primitive(PrimitiveKind::sphere), make_primitive(PrimitiveKind::torus),
                                    inside_out, make_primitive(PrimitiveKind::cylinder)};
  ASSERT_EQ(mesh_closure(meshes[4]), Closure::inward);
  auto make = [&](bool cull, bool dynamic_cull = true) {
    RendererOptions o;
    o.width = w;
    o.height = h;
    o.cull_hidden_faces = cull;
    o.dynamic_cull = dynamic_cull;
    return make_validated_renderer(o, meshes);
  };
  auto culled = make(true), all = make(false);
  ASSERT_TRUE(culled && all);
  // The culling set per draw (one pipeline for every facing) against a pipeline per facing: the same
  // planes, byte for byte. lavapipe has VK_EXT_extended_dynamic_state, so the first is what runs.
  auto per_pipeline = make(true, false);
  ASSERT_TRUE(per_pipeline);
  EXPECT_TRUE(culled->culls_per_draw());
  EXPECT_FALSE(per_pipeline->culls_per_draw());
  Scene s = axis_scene(w, h, 5.0f);
  s.camera.position = {2.5f, 3.0f, 4.0f};
  s.camera.view = glm::lookAtRH(s.camera.position, glm::vec3(0.0f), glm::vec3(0, 1, 0));
  s.lights[0].to_light = glm::normalize(glm::vec3(-0.4f, 1.0f, 0.3f));
  s.ambient = 0.2f;
  Instance ground = cube_at({0.0f, -0.5f, 0.0f}, 0, 0);
  ground.mesh_index = 1;
  ground.model = glm::scale(ground.model, glm::vec3(8.0f));
  s.instances.push_back(ground);
  const std::array<glm::vec3, 5> at{{{-1.2f, 0.0f, 0.0f}, {0.0f, 0.0f, 0.3f}, {1.2f, 0.0f, -0.2f}, {0.0f, 0.1f, -1.3f}, {-0.2f, 0.0f, 1.4f}}};
  for (std::uint32_t k = 0; k < at.size(); ++k) {
    Instance i = cube_at(at[k], k + 1, 1);
    i.mesh_index = k == 0 ? 0 : k + 1;  // cube, sphere, torus, inside-out cube, cylinder
    i.model = glm::rotate(i.model, 0.4f * static_cast<float>(k + 1), glm::vec3(0.3f, 1.0f, 0.2f));
    s.instances.push_back(i);
  }
  Instance mirrored = cube_at({1.3f, 0.2f, 1.2f}, 6, 1);
  mirrored.model = glm::scale(glm::rotate(mirrored.model, 0.7f, glm::vec3(0, 1, 0)), glm::vec3(-0.8f, 0.8f, 0.8f));
  s.instances.push_back(mirrored);
  FrameBuffers c, a, p;
  ASSERT_TRUE(culled->render(s, c).ok());
  ASSERT_TRUE(all->render(s, a).ok());
  ASSERT_TRUE(per_pipeline->render(s, p).ok());
  EXPECT_EQ(c.rgba, p.rgba);
  EXPECT_EQ(c.instance_id, p.instance_id);
  EXPECT_EQ(std::memcmp(c.depth.data(), p.depth.data(), c.depth.size() * sizeof(float)), 0);
  std::size_t moved = 0;
  std::set<std::uint32_t> seen;
  for (std::size_t i = 0; i < std::size_t{w} * h; ++i) {
    ASSERT_EQ(c.instance_id[i], a.instance_id[i]) << "pixel " << i;
    seen.insert(c.instance_id[i]);
    if (c.depth[i] == a.depth[i]) {
      EXPECT_EQ(std::memcmp(&c.rgba[4 * i], &a.rgba[4 * i], 4), 0) << "pixel " << i;
    } else {
      ++moved;
      EXPECT_NEAR(c.depth[i], a.depth[i], 1e-3f * a.depth[i]) << "pixel " << i;
    }
  }
  EXPECT_EQ(seen.size(), 7u);  // the ground's 0 and all six instances
  EXPECT_LT(moved, std::size_t{w} * h / 500);

  // The camera inside a closed mesh, and a closed mesh through the near plane: their insides are seen,
  // so all their faces are drawn (the whole box must lie beyond the near plane to cull).
  Scene inside = axis_scene(w, h, 5.0f);
  Instance room = cube_at({0.0f, 0.0f, 5.0f}, 1, 1);  // around the camera
  room.model = glm::scale(room.model, glm::vec3(3.0f));
  Instance cut = cube_at({0.3f, 0.0f, 4.9f}, 2, 1);  // through the near plane (0.1 m in front of the camera)
  cut.model = glm::scale(cut.model, glm::vec3(0.5f));
  inside.instances = {room, cut};
  ASSERT_TRUE(culled->render(inside, c).ok());
  ASSERT_TRUE(all->render(inside, a).ok());
  std::size_t ones = 0, twos = 0;
  for (std::size_t i = 0; i < std::size_t{w} * h; ++i) {
    ASSERT_EQ(c.instance_id[i], a.instance_id[i]) << "pixel " << i;
    ASSERT_EQ(c.depth[i], a.depth[i]) << "pixel " << i;
    ones += c.instance_id[i] == 1;
    twos += c.instance_id[i] == 2;
  }
  EXPECT_GT(ones, 0u);
  EXPECT_GT(twos, 0u);
}

TEST(Render, EmptySceneIsAllBackground) {
  auto r = make_renderer(16, 8);
  ASSERT_TRUE(r);
  FrameBuffers fb;
  auto st = r->render(axis_scene(16, 8, 5.0f), fb);
  ASSERT_TRUE(st.ok()) << st.error().message;
  for (std::size_t i = 0; i < fb.instance_id.size(); ++i) {
    EXPECT_EQ(fb.instance_id[i], 0u);
    EXPECT_EQ(fb.depth[i], std::numeric_limits<float>::infinity());
  }
}

TEST(Render, ValidationMessagesBecomeErrors) {
  // Proves the plumbing the other tests rely on: a message reaching the debug messenger turns the
  // next render into a device error quoting it.
  auto r = make_renderer(8, 8);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->instance().validation_enabled());
  FrameBuffers fb;
  ASSERT_TRUE(r->render(axis_scene(8, 8, 5.0f), fb).ok());
  r->instance().inject_test_message("synthetic validation message");
  auto st = r->render(axis_scene(8, 8, 5.0f), fb);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ExitCode::device);
  EXPECT_NE(st.error().message.find("synthetic validation message"), std::string::npos) << st.error().message;
}

// A wall (front face z = -1.5, 8 m wide) behind the unit cube, seen from +Z; the light comes from the
// right (+X) and front: the cube's shadow falls on the wall left of it, at x in [-2.5, -0.5].
Scene shadow_scene() {
  Scene s = axis_scene(64, 64, 5.0f);
  s.ambient = 0.1f;
  s.instances.push_back(cube_at({0, 0, 0}, 1, 1));
  Instance wall = cube_at({0, 0, -2}, 0, 0);
  wall.model = glm::scale(glm::translate(glm::mat4(1.0f), glm::vec3(0, 0, -2)), glm::vec3(8, 8, 1));
  s.instances.push_back(wall);
  return s;
}

// Expected red of the wall at pixel (x, 32) (sRGB 0..255): ambient, plus the light's GGX term unless
// `shadowed`.
double wall_red(std::uint32_t x, const Light& light, bool shadowed) {
  const double fy = 32.0 / std::tan(glm::radians(25.0));
  const glm::dvec3 eye(0, 0, 5), ray((x + 0.5 - 32.0) / fy, -(32.5 - 32.0) / fy, -1.0);
  const glm::dvec3 p = eye + ray * (eye.z + 1.5);
  const glm::dvec3 n(0, 0, 1), v = glm::normalize(eye - p);
  double red = 0.1 * (0.8 + env_brdf(0.04, 0.5, v.z));
  if (!shadowed) {
    if (light.type == LightType::directional) {
      red += ggx_channel(n, glm::dvec3(light.to_light), v, 0.8, 0.04, 0.5) * double(light.color.r);
    } else {
      const glm::dvec3 d = glm::dvec3(light.position) - p;
      red += ggx_channel(n, glm::normalize(d), v, 0.8, 0.04, 0.5) * double(light.color.r) / glm::dot(d, d);
    }
  }
  return 255.0 * srgb_from_linear(red);
}

TEST(Render, ShadowMapsDarkenWhatTheLightCannotSee) {
  Light sun;
  sun.to_light = glm::normalize(glm::vec3(1, 0, 1));
  Light spot;
  spot.type = LightType::spot;
  spot.position = {3, 0, 3};
  spot.direction = glm::normalize(glm::vec3(-1, 0, -1));
  spot.cos_outer = std::cos(glm::radians(40.0f));
  spot.cos_inner = std::cos(glm::radians(35.0f));
  spot.color = glm::vec3(20.0f);
  // The third case replaces the cube by a unit plane facing +Z: a flat caster, which the map draws
  // only over what lies behind it from the light. Its shadow falls on the wall at x in [-2, -1].
  struct Case {
    const char* what;
    Light light;
    bool flat;
  };
  for (const Case& c : {Case{"directional", sun, false}, Case{"spot", spot, false}, Case{"directional, a flat caster", sun, true}}) {
    SCOPED_TRACE(c.what);
    const Light& light = c.light;
    Scene s = shadow_scene();
    if (c.flat) {
      s.instances[0].mesh_index = 1;
      s.instances[0].model = glm::rotate(glm::mat4(1.0f), glm::radians(90.0f), glm::vec3(1, 0, 0));
    }
    s.lights = {light};
    auto with = make_renderer(64, 64, 1, 1024), without = make_renderer(64, 64, 1, 0);
    ASSERT_TRUE(with && without);
    FrameBuffers shadowed, plain;
    ASSERT_TRUE(with->render(s, shadowed).ok());
    ASSERT_TRUE(without->render(s, plain).ok());
    auto red = [](const FrameBuffers& fb, std::uint32_t x) { return double(fb.rgba[4 * (std::size_t{32} * 64 + x)]); };
    // x = 16 sees the wall at x = -1.47 m, inside the shadow; x = 47 the lit wall at x = +1.4 m.
    ASSERT_EQ(shadowed.instance_id[32 * 64 + 16], 0u);
    ASSERT_TRUE(std::isfinite(shadowed.depth[32 * 64 + 16])) << "the wall";
    ASSERT_EQ(shadowed.instance_id[32 * 64 + 32], 1u) << "the caster";
    EXPECT_NEAR(red(shadowed, 16), wall_red(16, light, true), 1.5) << "in the shadow: ambient only";
    EXPECT_NEAR(red(plain, 16), wall_red(16, light, false), 1.5) << "without shadow maps: lit";
    EXPECT_NEAR(red(shadowed, 47), wall_red(47, light, false), 1.5) << "outside the shadow: lit, no acne";
    EXPECT_EQ(red(shadowed, 47), red(plain, 47));
    EXPECT_EQ(red(shadowed, 32), red(plain, 32)) << "the caster's own lit face has no acne either";
    // Shadows change the RGB only.
    EXPECT_EQ(shadowed.instance_id, plain.instance_id);
    EXPECT_EQ(std::memcmp(shadowed.depth.data(), plain.depth.data(), plain.depth.size() * 4), 0);
  }
  // A light with shadows off casts none.
  Scene s = shadow_scene();
  s.lights = {sun};
  s.lights[0].shadows = false;
  auto r = make_renderer(64, 64);
  ASSERT_TRUE(r);
  FrameBuffers fb;
  ASSERT_TRUE(r->render(s, fb).ok());
  EXPECT_NEAR(double(fb.rgba[4 * (std::size_t{32} * 64 + 16)]), wall_red(16, sun, false), 1.5);
}

// A device that cannot pass the mesh shaders' flat inputs, or is too small for the frame, is refused
// by name before anything is drawn; lavapipe's own limits pass.
TEST(Render, DeviceLimitsAreCheckedByName) {
  VkPhysicalDeviceLimits limits{};
  limits.maxFramebufferWidth = limits.maxFramebufferHeight = 16384;
  limits.maxVertexOutputComponents = limits.maxFragmentInputComponents = 128;
  EXPECT_TRUE(vk::check_device_limits(limits, 1920, 1080, 2048).ok());
  limits.maxFragmentInputComponents = 64;  // Vulkan's minimum
  Status s = vk::check_device_limits(limits, 1920, 1080, 2048);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ExitCode::device);
  EXPECT_NE(s.error().message.find("maxFragmentInputComponents 64"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("needs 116"), std::string::npos) << s.error().message;
  limits.maxFragmentInputComponents = 128;
  s = vk::check_device_limits(limits, 20000, 1080, 2048);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("exceeds the device limit 16384x16384"), std::string::npos) << s.error().message;
  auto r = make_renderer(8, 8);
  ASSERT_TRUE(r) << "lavapipe's limits pass";
}

// mesh.frag reads lights 0 and 1 from flat inputs mesh.vert copies from the frame's uniforms, lights 2
// and 3 from the uniforms themselves, and under an environment light only light 0 flat (the
// environment's values take light 1's slots; flat_data.glsl). The same lights listed in another order
// go through the other path: the image must be the same up to the order of the sums (one level),
// labels exactly; and each light must show (the comparison would be empty otherwise).
TEST(Render, EveryLightSlotShadesAlike) {
  auto directional = [](glm::vec3 to, glm::vec3 color) {
    Light l;
    l.to_light = glm::normalize(to);
    l.color = color;
    return l;
  };
  auto positional = [](LightType type, glm::vec3 position, glm::vec3 color) {
    Light l;
    l.type = type;
    l.position = position;
    l.direction = glm::normalize(-position);
    l.cos_outer = std::cos(glm::radians(30.0f));
    l.cos_inner = std::cos(glm::radians(24.0f));
    l.color = color;
    return l;
  };
  const Light d1 = directional({1, 0.5f, 1}, {0.5f, 0.3f, 0.2f}), d2 = directional({-1, 0.3f, 1}, {0.2f, 0.45f, 0.3f}),
              d3 = directional({0.2f, -0.8f, 1}, {0.25f, 0.2f, 0.5f});
  const Light spot = positional(LightType::spot, {1.5f, 1.0f, 3.0f}, glm::vec3(9.0f, 7.0f, 5.0f)),
              point = positional(LightType::point, {-1.2f, 0.8f, 2.0f}, glm::vec3(2.0f, 3.0f, 4.0f));
  auto r = make_renderer(64, 64);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->upload_environments(test_environments()).ok());
  bool environment = false;
  auto render = [&](const std::vector<Light>& lights) {
    Scene s = shadow_scene();
    s.lights = lights;
    if (environment) {
      s.environment.map = 0;  // red towards -X, blue towards +X
      s.environment.lighting = true;
      s.environment.intensity = 0.5;
    }
    FrameBuffers fb;
    const Status st = r->render(s, fb);
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
    return fb;
  };
  auto max_difference = [](const FrameBuffers& a, const FrameBuffers& b) {
    int m = 0;
    for (std::size_t i = 0; i < a.rgba.size(); ++i) m = std::max(m, std::abs(int(a.rgba[i]) - int(b.rgba[i])));
    return m;
  };
  struct Case {
    const char* what;
    std::vector<Light> lights, reordered;
    bool environment = false;
  };
  // Directional lights come first in the frame, then point and spot lights (FrameSetup.cpp).
  for (const Case& c : {Case{"three suns and a spot", {d1, d2, d3, spot}, {d3, d1, d2, spot}},
                        Case{"a sun, a point and a spot", {d1, point, spot}, {d1, spot, point}},
                        Case{"two suns and a spot under an environment", {d1, d2, spot}, {d2, d1, spot}, true}}) {
    SCOPED_TRACE(c.what);
    environment = c.environment;
    const FrameBuffers a = render(c.lights), b = render(c.reordered);
    ASSERT_FALSE(a.rgba.empty());
    EXPECT_LE(max_difference(a, b), 1) << "the same lights in other slots";
    EXPECT_EQ(a.instance_id, b.instance_id);
    EXPECT_EQ(std::memcmp(a.depth.data(), b.depth.data(), a.depth.size() * 4), 0);
    for (std::size_t i = 0; i < c.lights.size(); ++i) {
      std::vector<Light> fewer = c.lights;
      fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(i));
      EXPECT_GT(max_difference(a, render(fewer)), 20) << "light " << i << " shows";
    }
  }
}

TEST(Render, SupersamplingSmoothsEdgesAndKeepsTheLabels) {
  // s x s samples per pixel: the labels and depth are byte-identical to a render without (the middle
  // sample's centre is the pixel centre); colours inside a surface agree; across the cube's edges
  // they are a mix of the cube's and the background's.
  for (std::uint32_t ss : {3u, 5u}) {
    SCOPED_TRACE(ss);
    auto one = make_renderer(64, 48), many = make_renderer(64, 48, ss);
    ASSERT_TRUE(one && many);
    Scene s = axis_scene(64, 48, 4.0f);
    Instance cube = cube_at({0, 0, 0}, 1, 1);
    cube.model = glm::rotate(glm::mat4(1.0f), glm::radians(30.0f), glm::vec3(0, 0, 1));  // slanted edges
    s.instances.push_back(cube);
    FrameBuffers a, b;
    ASSERT_TRUE(one->render(s, a).ok());
    ASSERT_TRUE(many->render(s, b).ok());
    ASSERT_EQ(b.width, 64u);
    ASSERT_EQ(b.height, 48u);
    EXPECT_EQ(a.instance_id, b.instance_id);
    EXPECT_EQ(std::memcmp(a.depth.data(), b.depth.data(), a.depth.size() * 4), 0);
    std::size_t mixed = 0;
    for (int y = 1; y + 1 < 48; ++y) {
      for (int x = 1; x + 1 < 64; ++x) {
        auto at = [](int xx, int yy) { return static_cast<std::size_t>(yy * 64 + xx); };
        const std::size_t i = at(x, y);
        bool edge = false;  // a neighbour has another label
        for (int dy = -1; dy <= 1; ++dy) {
          for (int dx = -1; dx <= 1; ++dx) edge |= a.instance_id[at(x + dx, y + dy)] != a.instance_id[i];
        }
        const int ra = a.rgba[4 * i], rb = b.rgba[4 * i];
        if (!edge) {
          EXPECT_NEAR(rb, ra, 2) << x << "," << y;
        } else if (std::abs(rb - ra) > 8) {
          ++mixed;
          // A background pixel's colour lies between the background's and the cube face's.
          const int bg = 188, face = a.rgba[4 * at(32, 24)];
          EXPECT_TRUE(a.instance_id[i] == 1 || (rb > std::min(face, bg) - 3 && rb < std::max(face, bg) + 3))
              << x << "," << y << ": " << rb;
        }
      }
    }
    EXPECT_GT(mixed, 20u) << "edge pixels mix both surfaces";
  }
  RendererOptions o;
  o.width = o.height = 8;
  o.supersampling = 2;
  auto even = vk::VulkanRenderer::create(o);
  ASSERT_FALSE(even.ok());
  EXPECT_EQ(even.error().code, ExitCode::usage) << "even factors have no sample at the centre";
}

// The tests' glTF (tests/support/PbrAsset.h) loaded, its images uploaded, seen head-on from z = 3.
struct PbrFixture {
  std::unique_ptr<vk::VulkanRenderer> renderer;
  Scene scene;
};
PbrFixture pbr_fixture(const test::PbrAssetOptions& o) {
  PbrFixture f;
  test::TempDir dir;
  auto mesh = load_mesh_asset(test::write_pbr_gltf(dir.path(), o), {});
  EXPECT_TRUE(mesh.ok()) << (mesh.ok() ? "" : mesh.error().message);
  if (!mesh.ok()) return f;
  std::vector<Mesh> meshes{std::move(mesh).value()};
  std::vector<Texture> textures;
  EXPECT_TRUE(adopt_mesh_textures(meshes, textures).ok());
  f.renderer = make_renderer(64, 64);
  if (!f.renderer) return f;
  EXPECT_TRUE(f.renderer->upload_meshes(meshes).ok());
  EXPECT_TRUE(f.renderer->upload_textures(textures).ok());
  f.scene = axis_scene(64, 64, 3.0f);
  f.scene.lights.clear();
  f.scene.ambient = 0.0f;
  Instance inst = cube_at({0, -0.5f, 0}, 1, 1);
  inst.asset_materials = true;
  f.scene.instances.push_back(inst);
  return f;
}

// Linear colour of pixel (x, 32).
glm::dvec3 linear_at(const FrameBuffers& fb, std::uint32_t x) {
  auto lin = [](std::uint8_t v) {
    const double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
  };
  const std::size_t i = 4 * (std::size_t{32} * fb.width + x);
  return {lin(fb.rgba[i]), lin(fb.rgba[i + 1]), lin(fb.rgba[i + 2])};
}

// n.v at pixel (x, 32) of the quads (z = 0) from the camera at z = 3.
double n_dot_v_at(std::uint32_t x) {
  const double fy = 32.0 / std::tan(glm::radians(25.0));
  const glm::dvec3 p((x + 0.5 - 32.0) / fy * 3.0, -(32.5 - 32.0) / fy * 3.0, 0.0);
  return glm::normalize(glm::dvec3(0, 0, 3) - p).z;
}

TEST(Render, AssetMaterialsDrawEveryPartWithItsOwnMaps) {
  // Ambient light 0.5 only, flat normals: pixel 14 sees the mapped part's red texel (base 1, 0, 0;
  // metallic 1 x map 1; roughness 1 x map 128/255; occlusion 128/255), pixel 26 its blue texel, pixel
  // 45 the plain part (0, 0.6, 0; roughness 0.8; dielectric). Values from the shading model.
  test::PbrAssetOptions o;
  o.tilted_normals = false;
  PbrFixture f = pbr_fixture(o);
  ASSERT_TRUE(f.renderer);
  f.scene.ambient = 0.5f;
  FrameBuffers fb;
  ASSERT_TRUE(f.renderer->render(f.scene, fb).ok());
  const double map = 128.0 / 255.0;
  const glm::dvec3 red = linear_at(fb, 14), blue = linear_at(fb, 26), plain = linear_at(fb, 45);
  EXPECT_NEAR(red.r, 0.5 * map * env_brdf(1.0, map, n_dot_v_at(14)), 0.006) << "metal: specular in its base colour";
  EXPECT_NEAR(red.g, 0.5 * map * env_brdf(0.0, map, n_dot_v_at(14)), 0.004);
  EXPECT_NEAR(blue.b, 0.5 * map * env_brdf(1.0, map, n_dot_v_at(26)), 0.006);
  EXPECT_NEAR(plain.g, 0.5 * (0.6 + env_brdf(0.04, 0.8, n_dot_v_at(45))), 0.006);
  EXPECT_NEAR(plain.r, 0.5 * env_brdf(0.04, 0.8, n_dot_v_at(45)), 0.004);
  // Labels: the whole asset is one instance, whatever its parts; identical without its materials.
  EXPECT_EQ(fb.instance_id[32 * 64 + 14], 1u);
  EXPECT_EQ(fb.instance_id[32 * 64 + 45], 1u);
  FrameBuffers single;
  f.scene.instances[0].asset_materials = false;
  ASSERT_TRUE(f.renderer->render(f.scene, single).ok());
  EXPECT_EQ(single.instance_id, fb.instance_id);
  EXPECT_EQ(std::memcmp(single.depth.data(), fb.depth.data(), fb.depth.size() * 4), 0);
  EXPECT_NE(single.rgba, fb.rgba);
}

TEST(Render, EmissiveAndNormalMaps) {
  {
    // No light at all: what shows is the emission, factor x the JPEG's grey (sRGB 128).
    test::PbrAssetOptions o;
    o.emissive = {1.0f, 0.5f, 0.25f};
    PbrFixture f = pbr_fixture(o);
    ASSERT_TRUE(f.renderer);
    FrameBuffers fb;
    ASSERT_TRUE(f.renderer->render(f.scene, fb).ok());
    const double grey = std::pow((128.0 / 255.0 + 0.055) / 1.055, 2.4);
    const glm::dvec3 c = linear_at(fb, 14);
    EXPECT_NEAR(c.r, grey, 0.01);
    EXPECT_NEAR(c.g, 0.5 * grey, 0.006);
    EXPECT_NEAR(c.b, 0.25 * grey, 0.004);
    EXPECT_LT(linear_at(fb, 45).g, 1e-3) << "the plain part emits nothing";
  }
  // The normal map leans towards +u (+X here): lit from the right (+X) it is brighter than flat,
  // lit from the left darker.
  for (float side : {1.0f, -1.0f}) {
    SCOPED_TRACE(side);
    double brightness[2] = {0, 0};
    for (int tilted = 0; tilted < 2; ++tilted) {
      test::PbrAssetOptions o;
      o.tilted_normals = tilted == 1;
      o.metallic = 0.0f;
      PbrFixture f = pbr_fixture(o);
      ASSERT_TRUE(f.renderer);
      Light l;
      l.to_light = glm::normalize(glm::vec3(side, 0.0f, 1.0f));
      f.scene.lights = {l};
      FrameBuffers fb;
      ASSERT_TRUE(f.renderer->render(f.scene, fb).ok());
      brightness[tilted] = linear_at(fb, 14).r;
    }
    if (side > 0) EXPECT_GT(brightness[1], brightness[0] * 1.2);
    else EXPECT_LT(brightness[1], brightness[0] * 0.5);
  }
}

TEST(Render, VertexColoursMultiplyTheBaseColour) {
  RendererOptions o;
  o.width = o.height = 32;
  o.validate = true;
  auto r = vk::VulkanRenderer::create(o);
  ASSERT_TRUE(r.ok());
  Mesh green = make_primitive(PrimitiveKind::cube);
  for (Vertex& v : green.vertices) v.color = {0.0f, 1.0f, 0.0f};
  ASSERT_TRUE((*r)->upload_meshes(std::vector<Mesh>{make_primitive(PrimitiveKind::cube), green}).ok());
  Scene s = axis_scene(32, 32, 4.0f);
  Instance cube = cube_at({0, 0, 0}, 1, 1);
  cube.color = glm::vec3(0.8f);
  s.instances.push_back(cube);
  FrameBuffers white, coloured;
  ASSERT_TRUE((*r)->render(s, white).ok());
  s.instances[0].mesh_index = 1;
  ASSERT_TRUE((*r)->render(s, coloured).ok());
  const std::size_t i = 4 * (std::size_t{16} * 32 + 16);
  EXPECT_EQ(coloured.rgba[i + 1], white.rgba[i + 1]) << "green: 1 x 0.8 as before";
  EXPECT_LT(coloured.rgba[i], white.rgba[i] / 2) << "red: only the dielectric's specular is left";
  EXPECT_EQ(coloured.instance_id, white.instance_id);
}

TEST(Render, UnknownDeviceIsADeviceError) {
  RendererOptions o;
  o.width = o.height = 8;
  o.device = "no-such-gpu-anywhere";
  auto r = vk::VulkanRenderer::create(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ExitCode::device);
  EXPECT_NE(r.error().message.find("matches no device (available: "), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace synthlabel

namespace synthlabel {
namespace {

TEST(Render, ADeviceOpenedAheadServesTheFirstMatchingRendererOnly) {
  // open_device_async's device (generate opens it while the config and assets load) goes to the first
  // renderer asking for the same device and validation, which renders what a renderer opening its
  // own device renders; a second renderer, or one asking for another device, opens its own.
  const auto opening = open_device_async("", true, true);
  EXPECT_FALSE(opening->take("no-such-gpu-anywhere", true, true).has_value());  // not the one opened
  EXPECT_FALSE(opening->take("", false, true).has_value());                   // without validation
  RendererOptions o;
  o.width = 48;
  o.height = 32;
  o.opening = opening;
  auto ahead = make_validated_renderer(o, {make_primitive(PrimitiveKind::cube), make_primitive(PrimitiveKind::plane)});
  ASSERT_TRUE(ahead);
  EXPECT_FALSE(opening->take("", true, true).has_value());  // taken by `ahead`
  auto own = make_validated_renderer(o, {make_primitive(PrimitiveKind::cube), make_primitive(PrimitiveKind::plane)});
  ASSERT_TRUE(own);
  EXPECT_NE(&ahead->instance(), &own->instance());
  EXPECT_NE(ahead->instance().get(), own->instance().get());
  Scene s = axis_scene(48, 32, 4.0f);
  s.instances.push_back(cube_at({0.2f, 0.0f, 0.0f}, 1, 1));
  FrameBuffers a, b;
  ASSERT_TRUE(ahead->render(s, a).ok());
  ASSERT_TRUE(own->render(s, b).ok());
  EXPECT_EQ(a.instance_id, b.instance_id);
  EXPECT_EQ(a.rgba, b.rgba);
  EXPECT_EQ(std::memcmp(a.depth.data(), b.depth.data(), a.depth.size() * 4), 0);
  EXPECT_NE(std::count(a.instance_id.begin(), a.instance_id.end(), 1u), 0);
  // An opening whose device does not exist: the error reaches the renderer that takes it.
  RendererOptions bad = o;
  bad.device = "no-such-gpu-anywhere";
  bad.validate = false;
  bad.opening = open_device_async(bad.device, false, true);
  auto r = vk::VulkanRenderer::create(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ExitCode::device);
  EXPECT_NE(r.error().message.find("matches no device (available: "), std::string::npos) << r.error().message;
  EXPECT_FALSE(bad.opening->take(bad.device, false, true).has_value());
}

TEST(Render, OnlyLavapipeLoadsWhereNoGpuCanRender) {
  // Another device asked for, or the loader's driver variables set by the user: the environment is
  // left alone. Otherwise, where it limits the loader to lavapipe (no GPU device node here), the
  // automatic choice still opens a device, lavapipe's.
  const char* before = std::getenv("VK_LOADER_DRIVERS_SELECT");
  const std::string saved = before ? before : "";
  EXPECT_FALSE(vk::load_only_lavapipe_without_gpu("some-gpu"));
  EXPECT_EQ(std::getenv("VK_LOADER_DRIVERS_SELECT") != nullptr, before != nullptr);
  if (before == nullptr) {
    ASSERT_EQ(::setenv("VK_LOADER_DRIVERS_SELECT", "*", 1), 0);
    EXPECT_FALSE(vk::load_only_lavapipe_without_gpu(""));
    EXPECT_STREQ(std::getenv("VK_LOADER_DRIVERS_SELECT"), "*");
    ASSERT_EQ(::unsetenv("VK_LOADER_DRIVERS_SELECT"), 0);
  }
  if (vk::load_only_lavapipe_without_gpu("")) {
    EXPECT_STREQ(std::getenv("VK_LOADER_DRIVERS_SELECT"), "*lvp_icd*");
    auto opened = vk::open_device("", true, true);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(opened->physical.info.type, "cpu");
    EXPECT_NE(opened->physical.info.name.find("llvmpipe"), std::string::npos) << opened->physical.info.name;
  }
  if (before != nullptr) {
    ::setenv("VK_LOADER_DRIVERS_SELECT", saved.c_str(), 1);
  } else {
    ::unsetenv("VK_LOADER_DRIVERS_SELECT");
  }
}

TEST(Render, FramesInFlightMatchOneAtATime) {
  // Three frames queued at once, collected afterwards, equal the same frames rendered one by one.
  auto r = make_renderer(48, 32);
  ASSERT_TRUE(r);
  ASSERT_GE(r->slots(), 3u);
  std::vector<Scene> scenes;
  for (int i = 0; i < 3; ++i) {
    Scene s = axis_scene(48, 32, 4.0f + static_cast<float>(i));
    s.instances.push_back(cube_at({0.4f * static_cast<float>(i) - 0.4f, 0.0f, 0.0f}, 1, 1));
    scenes.push_back(s);
  }
  std::vector<FrameBuffers> single(3), queued(3);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(r->render(scenes[static_cast<std::size_t>(i)], single[static_cast<std::size_t>(i)]).ok());
  for (std::uint32_t i = 0; i < 3; ++i) ASSERT_TRUE(r->submit(i, scenes[i]).ok());
  for (std::uint32_t i = 0; i < 3; ++i) ASSERT_TRUE(r->collect(i, queued[i]).ok());
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(single[i].instance_id, queued[i].instance_id) << i;
    EXPECT_EQ(single[i].rgba, queued[i].rgba) << i;
    EXPECT_EQ(std::memcmp(single[i].depth.data(), queued[i].depth.data(), single[i].depth.size() * 4), 0) << i;
  }
  EXPECT_NE(single[0].instance_id, single[2].instance_id);
  // Misuse is an error, not a hang.
  FrameBuffers fb;
  EXPECT_FALSE(r->collect(1, fb).ok());
  ASSERT_TRUE(r->submit(1, scenes[0]).ok());
  EXPECT_FALSE(r->submit(1, scenes[0]).ok());
  ASSERT_TRUE(r->collect(1, fb).ok());
}

TEST(Render, NormalsAreTheSurfacesInTheOpenCvCameraFrame) {
  // A cube turned 30 degrees about +Y, seen from +Z: its +Z face (world normal (sin 30, 0, cos 30))
  // and its -X face ((-cos 30, 0, sin 30)) face the camera. In the OpenCV camera frame (camera on +Z
  // looking at -Z: x stays, y and z flip) they are (0.5, 0, -0.866) and (-0.866, 0, -0.5). Half
  // floats on the device: 1e-3. Background: (0, 0, 0). With 3x3 supersampling, the middle sample's.
  for (std::uint32_t ss : {1u, 3u}) {
    SCOPED_TRACE("supersampling " + std::to_string(ss));
    RendererOptions o;
    o.width = 64;
    o.height = 48;
    o.validate = true;
    o.supersampling = ss;
    o.normals = true;
    auto r = vk::VulkanRenderer::create(o);
    ASSERT_TRUE(r.ok()) << r.error().message;
    const std::vector<Mesh> meshes = {make_primitive(PrimitiveKind::cube)};
    ASSERT_TRUE((*r)->upload_meshes(meshes).ok());
    Scene s = axis_scene(64, 48, 4.0f);
    Instance cube = cube_at({0, 0, 0}, 1, 1);
    cube.model = glm::rotate(glm::mat4(1.0f), glm::radians(30.0f), glm::vec3(0, 1, 0));
    s.instances.push_back(cube);
    FrameBuffers fb;
    auto st = (*r)->render(s, fb);
    ASSERT_TRUE(st.ok()) << st.error().message;
    ASSERT_EQ(fb.normals.size(), std::size_t{64} * 48 * 3);
    const glm::dvec3 front(0.5, 0.0, -std::sqrt(0.75)), side(-std::sqrt(0.75), 0.0, -0.5);
    std::size_t on_front = 0, on_side = 0;
    for (std::size_t p = 0; p < std::size_t{64} * 48; ++p) {
      const glm::dvec3 n(fb.normals[3 * p], fb.normals[3 * p + 1], fb.normals[3 * p + 2]);
      if (fb.instance_id[p] == 0) {
        ASSERT_EQ(n, glm::dvec3(0.0)) << "pixel " << p;
        continue;
      }
      const bool is_front = glm::length(n - front) < 1e-3, is_side = glm::length(n - side) < 1e-3;
      ASSERT_TRUE(is_front || is_side) << "pixel " << p << ": " << n.x << " " << n.y << " " << n.z;
      // Which face: the shared edge (local x = -0.5, z = 0.5; world x = -0.183, z = 0.683) projects
      // to a vertical line; pixel centres right of it see the front face.
      const double edge_u = s.camera.cx + s.camera.fx * (-0.5 * std::sqrt(0.75) + 0.25) / (4.0 - (0.25 + 0.5 * std::sqrt(0.75)));
      const double u = double(p % 64) + 0.5;
      if (std::abs(u - edge_u) > 0.05) {
        ASSERT_EQ(is_front, u > edge_u) << "pixel " << p;
      }
      on_front += is_front;
      on_side += is_side;
    }
    EXPECT_GT(on_front, 100u);
    EXPECT_GT(on_side, 30u);
  }
  // Without the option nothing is read back.
  auto plain = make_renderer(32, 24);
  ASSERT_TRUE(plain);
  Scene s = axis_scene(32, 24, 4.0f);
  s.instances.push_back(cube_at({0, 0, 0}, 1, 1));
  FrameBuffers fb;
  ASSERT_TRUE(plain->render(s, fb).ok());
  EXPECT_TRUE(fb.normals.empty());
}

TEST(Render, RenderAloneEqualsAFullRenderOfTheInstanceByItself) {
  // render_alone draws, clears and reads back each instance's box only: within it the ids must be
  // exactly those of a whole-frame render of a scene holding that instance alone, and outside it
  // that render must have no pixel of the instance. Cubes inside, partly off-screen, off-screen, and
  // one reaching behind the near plane (whole-frame fallback); 1 and 3x3 supersampling.
  for (std::uint32_t ss : {1u, 3u}) {
    SCOPED_TRACE("supersampling " + std::to_string(ss));
    auto r = make_renderer(64, 48, ss);
    ASSERT_TRUE(r);
    Scene s = axis_scene(64, 48, 5.0f);
    s.instances.push_back(cube_at({0.2f, 0.1f, 0.0f}, 1, 1));
    s.instances.push_back(cube_at({2.4f, -0.3f, 0.5f}, 2, 1));   // partly beyond the right edge
    s.instances.push_back(cube_at({30.0f, 0.0f, 0.0f}, 3, 1));   // off-screen
    s.instances.push_back(cube_at({-0.5f, 0.0f, 4.6f}, 4, 1));   // reaches behind the near plane
    s.instances.back().model = glm::scale(s.instances.back().model, glm::vec3(1.0f, 1.0f, 2.0f));
    s.instances.push_back(cube_at({-0.8f, -0.6f, 1.0f}, 5, 1));
    const std::vector<std::size_t> all = {0, 1, 2, 3, 4};
    std::vector<std::uint32_t> planes;
    std::vector<PixelBox> boxes;
    ASSERT_TRUE(r->render_alone(s, all, planes, boxes).ok());
    ASSERT_EQ(boxes.size(), all.size());
    EXPECT_EQ(boxes[2].w * boxes[2].h, 0u) << "off-screen: empty box";
    EXPECT_EQ(boxes[3].w, 64u) << "near plane: the whole frame";
    EXPECT_LT(boxes[0].w, 40u) << "a box, not the frame";
    for (std::size_t j = 0; j < all.size(); ++j) {
      Scene one = s;
      one.instances = {s.instances[j]};
      FrameBuffers fb;
      ASSERT_TRUE(r->render(one, fb).ok());
      std::size_t pixels = 0;
      for (std::uint32_t y = 0; y < 48; ++y) {
        for (std::uint32_t x = 0; x < 64; ++x) {
          const std::size_t p = std::size_t{y} * 64 + x;
          const bool in_box = x >= boxes[j].x && x < boxes[j].x + boxes[j].w && y >= boxes[j].y && y < boxes[j].y + boxes[j].h;
          pixels += fb.instance_id[p] != 0;
          if (in_box) {
            ASSERT_EQ(planes[j * 64 * 48 + p], fb.instance_id[p]) << "instance " << j << " pixel " << x << "," << y;
          } else {
            ASSERT_EQ(fb.instance_id[p], 0u) << "instance " << j << " outside its box at " << x << "," << y;
          }
        }
      }
      if (j != 2) {
        EXPECT_GT(pixels, 0u) << "instance " << j;
      }
    }
  }
}

}  // namespace
}  // namespace synthlabel
