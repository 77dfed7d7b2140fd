// Environment maps: the irradiance SH against closed forms, the repo's HDR maps, and bad files.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "scenes/ConfigLoader.h"
#include "scenes/SceneAssets.h"
#include "scenes/Environment.h"
#include "scenes/Texture.h"
#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

glm::vec3 irradiance_over_pi(const EnvironmentMap& env, glm::vec3 n) {
  const auto y = sh_basis(glm::normalize(n));
  glm::vec3 e(0.0f);
  for (std::size_t i = 0; i < 9; ++i) e += env.irradiance_sh[i] * y[i];
  return e;
}

// A map whose texel (x, y) holds f(direction through its centre).
template <class F>
EnvironmentMap map_of(F f) {
  const std::uint32_t w = 256, h = 128;
  std::vector<float> px(std::size_t{w} * h * 4);
  for (std::uint32_t y = 0; y < h; ++y) {
    for (std::uint32_t x = 0; x < w; ++x) {
      const double theta = (y + 0.5) / h * M_PI, phi = ((x + 0.5) / w - 0.5) * 2 * M_PI;
      const glm::vec3 d(static_cast<float>(std::sin(theta) * std::sin(phi)), static_cast<float>(std::cos(theta)),
                        static_cast<float>(-std::sin(theta) * std::cos(phi)));
      const glm::vec3 c = f(d);
      float* p = &px[(std::size_t{y} * w + x) * 4];
      p[0] = c.r, p[1] = c.g, p[2] = c.b, p[3] = 1.0f;
    }
  }
  return make_environment("synthetic", w, h, std::move(px));
}

TEST(Environment, ConstantRadianceGivesThatDiffuseRadianceEverywhere) {
  // Irradiance from a uniform sky of radiance L is pi L, so a white diffuse surface reflects L.
  const EnvironmentMap env = map_of([](glm::vec3) { return glm::vec3(0.5f, 1.0f, 2.0f); });
  for (const glm::vec3 n : {glm::vec3(0, 1, 0), glm::vec3(0, -1, 0), glm::vec3(1, 0, 0), glm::vec3(0.3f, -0.2f, 0.9f)}) {
    const glm::vec3 e = irradiance_over_pi(env, n);
    EXPECT_NEAR(e.r, 0.5f, 2e-3f);
    EXPECT_NEAR(e.g, 1.0f, 4e-3f);
    EXPECT_NEAR(e.b, 2.0f, 8e-3f);
  }
}

// The texel of specular level k that holds direction d, and the direction through its centre.
struct LevelTexel {
  glm::vec3 value, centre;
};
LevelTexel level_at(const EnvironmentMap& env, std::uint32_t k, glm::vec3 d) {
  const std::uint32_t w = env.width >> k, h = env.height >> k;
  const double u = 0.5 + double(std::atan2(d.x, -d.z)) / (2 * M_PI), v = double(std::acos(d.y)) / M_PI;
  const auto x = std::min<std::uint32_t>(static_cast<std::uint32_t>(u * w), w - 1);
  const auto y = std::min<std::uint32_t>(static_cast<std::uint32_t>(v * h), h - 1);
  const float* p = &env.specular[k - 1][(std::size_t{y} * w + x) * 4];
  const double theta = (y + 0.5) / h * M_PI, phi = ((x + 0.5) / w - 0.5) * 2 * M_PI;
  const glm::vec3 c(static_cast<float>(std::sin(theta) * std::sin(phi)), static_cast<float>(std::cos(theta)),
                    static_cast<float>(-std::sin(theta) * std::cos(phi)));
  return {{p[0], p[1], p[2]}, c};
}

TEST(Environment, PrefilteredSpecularAtRoughnessOneIsTheCosineWeightedMean) {
  // With n = v = r and roughness 1 (alpha = 1) GGX importance sampling draws light directions
  // uniformly over the hemisphere, so the n.l-weighted estimate is the cosine-weighted mean radiance:
  // for L(d) = a + b.d that is a + 2/3 b.r, in closed form.
  const glm::vec3 b(0.3f, 0.5f, -0.2f);
  const EnvironmentMap env = map_of([&](glm::vec3 d) { return glm::vec3(1.0f + glm::dot(b, d)); });
  ASSERT_EQ(env.specular.size(), k_environment_specular_levels);
  for (const glm::vec3 r : {glm::vec3(0, 1, 0), glm::vec3(1, 0, 0), glm::normalize(glm::vec3(-0.4f, -0.5f, 0.7f))}) {
    SCOPED_TRACE(r.x);
    const LevelTexel t = level_at(env, k_environment_specular_levels, r);
    EXPECT_NEAR(t.value.r, 1.0f + 2.0f / 3.0f * glm::dot(b, t.centre), 0.02f);
  }
  // Each level is a weighted mean: a uniform map stays exactly uniform, at every roughness.
  const EnvironmentMap flat = map_of([](glm::vec3) { return glm::vec3(0.25f); });
  for (std::uint32_t k = 1; k <= k_environment_specular_levels; ++k) {
    for (std::size_t i = 0; i < flat.specular[k - 1].size(); i += 4) ASSERT_NEAR(flat.specular[k - 1][i], 0.25f, 1e-5f);
  }
}

TEST(Environment, PrefilteredSpecularBlursMoreWithRoughness) {
  // The upper hemisphere bright, the lower dark: looking just above the horizon, the smoother level
  // sees more of the bright half; looking well below it, less of it, than the rougher one.
  const EnvironmentMap env = map_of([](glm::vec3 d) { return glm::vec3(d.y > 0.0f ? 1.0f : 0.0f); });
  const glm::vec3 on = glm::normalize(glm::vec3(1, 0.2f, 0)), off = glm::normalize(glm::vec3(1, -0.4f, 0));
  float last_on = 1e9f, last_off = -1.0f;
  for (std::uint32_t k = 1; k <= k_environment_specular_levels; ++k) {
    const float a = level_at(env, k, on).value.r, b = level_at(env, k, off).value.r;
    EXPECT_LT(a, last_on) << "level " << k;
    EXPECT_GT(b, last_off) << "level " << k;
    last_on = a;
    last_off = b;
  }
}

TEST(Environment, AnalyticSkyIsBlueBrightestTowardsTheSunAndLightsTheGround) {
  SkyParams p;
  p.sun_elevation_deg = 20.0;
  p.sun_azimuth_deg = 90.0;  // the sun towards +X
  const EnvironmentMap sky = make_sky(p);
  auto at = [&](glm::vec3 d) {  // level 1 texel (512 x 256, the generated resolution)
    return level_at(sky, 1, glm::normalize(d)).value;
  };
  auto luminance = [](glm::vec3 c) { return 0.2126f * c.r + 0.7152f * c.g + 0.0722f * c.b; };
  const glm::vec3 zenith = at({0.01f, 1, 0});
  EXPECT_GT(zenith.b, zenith.r) << "a clear sky is blue overhead";
  // At the same elevation, towards the sun is brighter than away from it (Perez's circumsolar term).
  EXPECT_GT(luminance(at({1, 0.5f, 0})), 1.5f * luminance(at({-1, 0.5f, 0})));
  // The ground: uniform, albedo x the sky's irradiance / pi, which the SH of the map reproduces.
  const glm::vec3 g1 = at({1, -0.5f, 0.3f}), g2 = at({-0.2f, -1, -0.5f});
  EXPECT_NEAR(g1.g, g2.g, 1e-3f);
  EXPECT_GT(g1.g, 0.0f);
  EXPECT_NEAR(g1.g, 0.3f * irradiance_over_pi(sky, {0, 1, 0}).g, 0.1f * g1.g);
  // Normalized: the upper hemisphere's mean luminance (solid-angle weighted) is 0.3.
  double sum = 0, weight = 0;
  for (std::uint32_t y = 0; y < sky.height / 2; ++y) {
    const double s = std::sin((y + 0.5) / sky.height * M_PI);
    for (std::uint32_t x = 0; x < sky.width; ++x) {
      const float* c = &sky.rgba[(std::size_t{y} * sky.width + x) * 4];
      sum += s * (0.2126 * double(c[0]) + 0.7152 * double(c[1]) + 0.0722 * double(c[2]));
      weight += s;
    }
  }
  EXPECT_NEAR(sum / weight, 0.3, 0.02);
}

TEST(Environment, SkyAboveLightsUpFacingSurfacesOnly) {
  // Radiance 1 above the horizon, 0 below: irradiance / pi is exactly 1 facing up, 0 facing down and
  // 1/2 facing sideways; nine SH coefficients reproduce that to a few percent (Ramamoorthi &
  // Hanrahan 2001 bound the error of the 9-term irradiance by 3% on average).
  const EnvironmentMap env = map_of([](glm::vec3 d) { return glm::vec3(d.y > 0 ? 1.0f : 0.0f); });
  EXPECT_NEAR(irradiance_over_pi(env, {0, 1, 0}).r, 1.0f, 0.06f);
  EXPECT_NEAR(irradiance_over_pi(env, {0, -1, 0}).r, 0.0f, 0.06f);
  EXPECT_NEAR(irradiance_over_pi(env, {1, 0, 0}).r, 0.5f, 0.02f);
}

TEST(Environment, RepoMapsLoad) {
  for (const char* name : {"studio.exr", "courtyard.exr", "sunset.exr"}) {
    SCOPED_TRACE(name);
    auto env = load_environment(std::filesystem::path(SYNTHLABEL_SOURCE_DIR) / "assets/hdri" / name);
    ASSERT_TRUE(env.ok()) << env.error().message;
    EXPECT_EQ(env->width, k_environment_width);
    EXPECT_EQ(env->height, k_environment_height);
    const glm::vec3 up = irradiance_over_pi(*env, {0, 1, 0});
    EXPECT_GT(up.r + up.g + up.b, 0.0f);
    EXPECT_TRUE(std::isfinite(up.r));
  }
}

TEST(Environment, BadFilesAreAssetErrorsNamingTheFile) {
  test::TempDir dir;
  const auto bad = dir.path() / "bad.exr";
  std::ofstream(bad) << "not an exr";
  auto r = load_environment(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ExitCode::asset);
  EXPECT_EQ(r.error().message.rfind(bad.string() + ": not a readable OpenEXR image", 0), 0u) << r.error().message;
  auto missing = load_environment(dir.path() / "none.exr");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("none.exr: environment map not found"), std::string::npos);
}

TEST(Environment, ConfigFormsAndErrors) {
  auto ok = parse_config("categories: [a]\nobjects: [{primitive: cube, category: a}]\n"
                         "environment: {maps: [x.exr, y.exr], weights: [1, 3], rotation_deg: {uniform: [0, 360]}}\n",
                         "test.yaml", "/cfg");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  ASSERT_TRUE(ok->environment);
  EXPECT_EQ(ok->environment->maps.at(1), std::filesystem::path("/cfg/y.exr"));
  EXPECT_EQ(ok->environment->weights.size(), 2u);
  auto err = [](const std::string& env) {
    auto r = parse_config("categories: [a]\nobjects: [{primitive: cube, category: a}]\nenvironment: " + env + "\n",
                          "test.yaml", ".");
    return r.ok() ? std::string("(accepted)") : r.error().message;
  };
  EXPECT_EQ(err("{rotation_deg: 3}"), "(accepted)") << "without maps: the built-in sky";
  EXPECT_EQ(err("{maps: a.exr, sky: {turbidity: 3}}"), "test.yaml:3:33: environment.sky: give either maps or sky, not both");
  EXPECT_EQ(err("{sky: {turbidity: 20}}"), "test.yaml:3:32: environment.sky.turbidity: expected a number from 1.7 to 10, got 20");
  EXPECT_EQ(err("{sky: {sun_elevation: 20}}"),
            "test.yaml:3:21: environment.sky.sun_elevation: unknown key (did you mean 'sun_elevation_deg'?)");
  auto sky = parse_config("categories: [a]\nobjects: [{primitive: cube, category: a}]\n"
                          "environment: {sky: {sun_elevation_deg: 20, turbidity: 4}}\n", "test.yaml", ".");
  ASSERT_TRUE(sky.ok()) << sky.error().message;
  ASSERT_TRUE(sky->environment && sky->environment->sky);
  EXPECT_EQ(sky->environment->sky->sun_elevation_deg, 20.0);
  EXPECT_TRUE(sky->environment->maps.empty());
  auto maps = load_environments(*sky);
  ASSERT_TRUE(maps.ok());
  EXPECT_EQ(maps->size(), 1u);
  EXPECT_EQ(err("{maps: [a.exr], weights: [1, 2]}"), "test.yaml:3:39: environment.weights: expected a list of 1 number");
  EXPECT_EQ(err("{maps: a.exr, intensty: 2}"), "test.yaml:3:28: environment.intensty: unknown key (did you mean 'intensity'?)");
}

TEST(Texture, PngLoadsResampledAndFoldersListSorted) {
  test::TempDir dir;
  const auto folder = std::filesystem::path(SYNTHLABEL_SOURCE_DIR) / "assets/textures";
  auto files = list_textures(folder);
  ASSERT_TRUE(files.ok()) << files.error().message;
  ASSERT_EQ(files->size(), 4u);
  EXPECT_EQ(files->front().filename(), "checker.png");  // sorted by name
  auto t = load_texture(files->front());
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->width, k_texture_side);
  // checker.png: 32-texel squares of (230, 225, 210) and (40, 45, 60) in a 256 image, so 64 texels at 512.
  EXPECT_EQ(t->rgba[0], 230);
  EXPECT_EQ(t->rgba[4 * 70], 40);
  EXPECT_EQ(t->rgba[3], 255);
  // A 2x2 image grows to 512 by nearest texel.
  const std::uint8_t px[16] = {255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 9, 9, 9, 255};
  const Texture small = make_texture("small", 2, 2, px);
  EXPECT_EQ(small.rgba[0], 255);
  EXPECT_EQ(small.rgba[4 * 511 + 1], 255);                      // top right: green
  EXPECT_EQ(small.rgba[4 * (511 * 512) + 2], 255);              // bottom left: blue
  EXPECT_EQ(small.rgba[4 * (511 * 512 + 511)], 9);              // bottom right
}

TEST(Texture, BadFilesAndFoldersAreAssetErrors) {
  test::TempDir dir;
  std::ofstream(dir.path() / "bad.png") << "not a png";
  auto t = load_texture(dir.path() / "bad.png");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ExitCode::asset);
  EXPECT_NE(t.error().message.find("bad.png: not a readable PNG image"), std::string::npos) << t.error().message;
  std::filesystem::create_directory(dir.path() / "empty");
  auto none = list_textures(dir.path() / "empty");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("no .png files"), std::string::npos);
  auto missing = list_textures(dir.path() / "missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ExitCode::asset);
}

TEST(Texture, MipLevelsAverageColourInLinearLightAndDataAsStored) {
  // A 1-texel black/white checker: every level-1 texel averages two blacks and two whites. Colour:
  // half the light, sRGB-encoded (188); data (a normal or roughness map): the stored mean (128).
  // Alpha is averaged as stored either way. Level sizes 256^2 .. 1^2 follow one another.
  Texture t;
  t.width = t.height = k_texture_side;
  t.rgba.resize(std::size_t{k_texture_side} * k_texture_side * 4);
  for (std::uint32_t y = 0; y < k_texture_side; ++y) {
    for (std::uint32_t x = 0; x < k_texture_side; ++x) {
      const std::uint8_t v = (x + y) % 2 ? 255 : 0;
      std::uint8_t* p = &t.rgba[(std::size_t{y} * k_texture_side + x) * 4];
      p[0] = p[1] = p[2] = p[3] = v;
    }
  }
  std::size_t expected_size = 0;
  for (std::uint32_t s = k_texture_side / 2; s >= 1; s /= 2) expected_size += std::size_t{s} * s * 4;
  const auto colour = texture_mip_levels(t);
  ASSERT_EQ(colour.size(), expected_size);
  EXPECT_EQ(colour[0], 188);  // sRGB of linear 0.5
  EXPECT_EQ(colour[3], 128);  // alpha as stored
  EXPECT_EQ(colour[colour.size() - 4], 188) << "the 1x1 level";
  t.data = true;
  const auto data = texture_mip_levels(t);
  EXPECT_EQ(data[0], 128);
  EXPECT_EQ(data[data.size() - 4], 128);
  // A uniform texture stays uniform at every level.
  std::fill(t.rgba.begin(), t.rgba.end(), std::uint8_t{77});
  t.data = false;
  for (std::uint8_t v : texture_mip_levels(t)) ASSERT_EQ(v, 77);
}

}  // namespace
}  // namespace synthlabel
