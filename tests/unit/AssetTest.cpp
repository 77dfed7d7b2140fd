// Asset loading through Assimp: the formats the foundation promises, and broken files that must give
// an error naming the file, never a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "scenes/AssetLoader.h"
#include "scenes/Texture.h"
#include "tests/support/PbrAsset.h"
#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

namespace fs = std::filesystem;
const fs::path k_repo_models = fs::path(SYNTHLABEL_SOURCE_DIR) / "assets/models";
const fs::path k_assimp = SYNTHLABEL_ASSIMP_MODELS;  // Debian package assimp-testmodels

void expect_loads(const fs::path& p) {
  ASSERT_TRUE(fs::exists(p)) << p << " missing (install assimp-testmodels: the README's set-up command does)";
  auto m = load_mesh_asset(p, {});
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_GT(m->indices.size(), 0u);
  EXPECT_EQ(m->indices.size() % 3, 0u);
  for (auto i : m->indices) ASSERT_LT(i, m->vertices.size());
}

TEST(Assets, RepoModelsLoad) {
  expect_loads(k_repo_models / "bottle.glb");
  expect_loads(k_repo_models / "bottle.obj");
  expect_loads(k_repo_models / "pawn.ply");
}

TEST(Assets, FormatsFromAssimpTestModels) {
  expect_loads(k_assimp / "glTF2/BoxTextured-glTF/BoxTextured.gltf");
  expect_loads(k_assimp / "glTF2/BoxTextured-glTF-Binary/BoxTextured.glb");
  expect_loads(k_assimp / "OBJ/box.obj");
  expect_loads(k_assimp / "PLY/cube.ply");
  expect_loads(k_assimp / "FBX/box.fbx");
}

TEST(Assets, BaseColourTexturesComeWithTheMesh) {
  // BoxTextured: a glTF whose material's baseColorTexture is CesiumLogoFlat.png, embedded in the GLB
  // and a file beside the .gltf. Both come back decoded (through the importer's sandbox), the same.
  auto embedded = load_mesh_asset(k_assimp / "glTF2/BoxTextured-glTF-Binary/BoxTextured.glb", {});
  auto external = load_mesh_asset(k_assimp / "glTF2/BoxTextured-glTF/BoxTextured.gltf", {});
  ASSERT_TRUE(embedded.ok()) << embedded.error().message;
  ASSERT_TRUE(external.ok()) << external.error().message;
  ASSERT_EQ(embedded->images.size(), 1u);
  const MeshImage& image = embedded->images[0];
  EXPECT_GT(image.width, 0u);
  EXPECT_EQ(image.rgba.size(), std::size_t{image.width} * image.height * 4);
  ASSERT_EQ(external->images.size(), 1u);
  EXPECT_EQ(image.rgba, external->images[0].rgba);
  ASSERT_EQ(embedded->parts.size(), 1u);
  EXPECT_EQ(embedded->materials.at(embedded->parts[0].material).base_color_map, 0);
  float spread = 0.0f;  // the model's UVs (which repeat the logo) reach us
  for (const auto& v : embedded->vertices) spread = std::max(spread, std::abs(v.uv.x) + std::abs(v.uv.y));
  EXPECT_GT(spread, 1.0f);
  // A model without textures carries none.
  auto plain = load_mesh_asset(k_repo_models / "pawn.ply", {});
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->images.empty());
}

TEST(Assets, MaterialsPartsAndEveryMapComeWithTheMesh) {
  // The tests' own glTF (tests/support/PbrAsset.h): two parts with different materials; the first has
  // base-colour, metallic-roughness, normal, occlusion (PNG) and emissive (JPEG) maps.
  test::TempDir dir;
  test::PbrAssetOptions o;
  o.emissive = {1.0f, 0.5f, 0.25f};
  o.metallic = 0.75f;
  o.roughness = 0.5f;
  auto mesh = load_mesh_asset(test::write_pbr_gltf(dir.path(), o), {});
  ASSERT_TRUE(mesh.ok()) << mesh.error().message;
  ASSERT_EQ(mesh->parts.size(), 2u);
  ASSERT_EQ(mesh->materials.size(), 2u);
  EXPECT_EQ(mesh->parts[0].index_count + mesh->parts[1].index_count, mesh->indices.size());
  const Material* mapped = nullptr;
  const Material* plain = nullptr;
  for (const MeshPart& p : mesh->parts) {
    const Material& m = mesh->materials[p.material];
    (m.base_color_map >= 0 ? mapped : plain) = &m;
  }
  ASSERT_TRUE(mapped && plain);
  EXPECT_NEAR(mapped->metallic, 0.75f, 1e-6f);
  EXPECT_NEAR(mapped->roughness, 0.5f, 1e-6f);
  EXPECT_NEAR(mapped->emissive.y, 0.5f, 1e-6f);
  ASSERT_EQ(mesh->images.size(), 5u) << "each map decoded once";
  auto texel = [&](std::int32_t map) {
    EXPECT_GE(map, 0);
    const MeshImage& img = mesh->images.at(static_cast<std::size_t>(map));
    return std::array<int, 3>{img.rgba[0], img.rgba[1], img.rgba[2]};
  };
  EXPECT_EQ(texel(mapped->base_color_map), (std::array<int, 3>{255, 0, 0}));
  EXPECT_EQ(texel(mapped->metallic_roughness_map), (std::array<int, 3>{0, 128, 255}));
  EXPECT_EQ(texel(mapped->normal_map), (std::array<int, 3>{204, 128, 230}));
  EXPECT_EQ(texel(mapped->occlusion_map), (std::array<int, 3>{128, 128, 128}));
  const auto e = texel(mapped->emissive_map);  // the JPEG, decoded by libjpeg-turbo
  for (int c : e) EXPECT_NEAR(c, 128, 2);
  EXPECT_EQ(plain->base_color_map, -1);
  EXPECT_NEAR(plain->base_color.g, 0.6f, 1e-6f);
  EXPECT_NEAR(plain->roughness, 0.8f, 1e-6f);
  // adopt_mesh_textures moves the images into the texture list and points the maps at them.
  std::vector<Mesh> meshes{std::move(mesh).value()};
  std::vector<Texture> textures(2);  // two already there
  ASSERT_TRUE(adopt_mesh_textures(meshes, textures).ok());
  EXPECT_EQ(textures.size(), 7u);
  EXPECT_TRUE(meshes[0].images.empty());
  for (const Material& m : meshes[0].materials) {
    if (m.base_color_map < 0) continue;
    for (std::int32_t map : {m.base_color_map, m.metallic_roughness_map, m.normal_map, m.occlusion_map, m.emissive_map}) {
      EXPECT_GE(map, 2);
      EXPECT_LT(map, 7);
    }
  }
}

TEST(Assets, MultiMaterialModelsFromAssimpTestModels) {
  // CesiumMilkTruck (glTF 1.0): a textured body and untextured parts; 2CylinderEngine: 34 materials.
  auto truck = load_mesh_asset(k_assimp / "glTF/CesiumMilkTruck/CesiumMilkTruck.gltf", {});
  ASSERT_TRUE(truck.ok()) << truck.error().message;
  EXPECT_GE(truck->parts.size(), 2u);
  bool textured = false, untextured = false;
  for (const MeshPart& p : truck->parts) (truck->materials[p.material].base_color_map >= 0 ? textured : untextured) = true;
  EXPECT_TRUE(textured && untextured);
  auto engine = load_mesh_asset(k_assimp / "glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb", {});
  ASSERT_TRUE(engine.ok()) << engine.error().message;
  EXPECT_GT(engine->materials.size(), 10u);
}

TEST(Assets, VertexColoursComeWithTheMesh) {
  // float-color.ply: one triangle whose vertices are blue (0, 0, 1); models without colours get white.
  auto ply = load_mesh_asset(k_assimp / "PLY/float-color.ply", {});
  ASSERT_TRUE(ply.ok()) << ply.error().message;
  ASSERT_FALSE(ply->vertices.empty());
  for (const Vertex& v : ply->vertices) EXPECT_EQ(v.color, glm::vec3(0, 0, 1));
  auto plain = load_mesh_asset(k_assimp / "PLY/cube.ply", {});
  ASSERT_TRUE(plain.ok());
  for (const Vertex& v : plain->vertices) EXPECT_EQ(v.color, glm::vec3(1.0f));
}

TEST(Assets, CorruptImagesLeaveTheMapOutNotTheModel) {
  // A map that does not decode (here: the JPEG truncated) is dropped; the mesh still loads.
  test::TempDir dir;
  const auto path = test::write_pbr_gltf(dir.path());
  std::filesystem::resize_file(dir.path() / "emissive.jpg", 40);
  std::filesystem::resize_file(dir.path() / "normal.png", 30);
  auto mesh = load_mesh_asset(path, {});
  ASSERT_TRUE(mesh.ok()) << mesh.error().message;
  EXPECT_EQ(mesh->images.size(), 3u);
  for (const Material& m : mesh->materials) {
    EXPECT_EQ(m.normal_map, -1);
    EXPECT_EQ(m.emissive_map, -1);
  }
}

TEST(Assets, NormalizeFitsTheUnitCube) {
  auto m = load_mesh_asset(k_repo_models / "pawn.ply", AssetOptions{true});
  ASSERT_TRUE(m.ok());
  const glm::vec3 ext = m->bounds_max - m->bounds_min;
  EXPECT_NEAR(std::max({ext.x, ext.y, ext.z}), 1.0f, 1e-5f);
  EXPECT_NEAR(m->bounds_max.y + m->bounds_min.y, 0.0f, 1e-5f);
}

TEST(Assets, UnitsAndUpAxis) {
  auto plain = load_mesh_asset(k_repo_models / "pawn.ply", {});
  AssetOptions o;
  o.unit_scale = 0.5;
  o.z_up = true;  // as if the file were Z-up: its +Z becomes our +Y, its +Y our -Z
  auto turned = load_mesh_asset(k_repo_models / "pawn.ply", o);
  ASSERT_TRUE(plain.ok() && turned.ok());
  EXPECT_NEAR(turned->bounds_max.y, 0.5f * plain->bounds_max.z, 1e-6f);
  EXPECT_NEAR(turned->bounds_min.z, -0.5f * plain->bounds_max.y, 1e-6f);
  EXPECT_NEAR(turned->bounds_max.x, 0.5f * plain->bounds_max.x, 1e-6f);
  // Normals turn with the positions and stay unit length.
  EXPECT_NEAR(turned->vertices[0].normal.y, plain->vertices[0].normal.z, 1e-6f);
  EXPECT_NEAR(turned->vertices[0].normal.z, -plain->vertices[0].normal.y, 1e-6f);
}

TEST(Assets, MissingFileIsAnAssetError) {
  auto m = load_mesh_asset("/nonexistent/model.glb", {});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ExitCode::asset);
  EXPECT_EQ(m.error().message, "/nonexistent/model.glb: asset file not found");
}

TEST(Assets, TruncatedAndGarbageFilesAreErrors) {
  test::TempDir dir;
  const std::string glb = test::read_file(k_repo_models / "bottle.glb");
  {
    std::ofstream(dir.path() / "truncated.glb", std::ios::binary) << glb.substr(0, glb.size() / 3);
    std::ofstream(dir.path() / "garbage.obj") << "v 1 2\nf 1 2 9999999\nthis is not obj\n";
    std::ofstream(dir.path() / "empty.ply");
  }
  for (const char* name : {"truncated.glb", "garbage.obj", "empty.ply"}) {
    auto m = load_mesh_asset(dir.path() / name, {});
    ASSERT_FALSE(m.ok()) << name << " loaded";
    EXPECT_EQ(m.error().code, ExitCode::asset);
    EXPECT_EQ(m.error().message.rfind((dir.path() / name).string() + ": ", 0), 0u) << m.error().message;
  }
}

TEST(Assets, BrokenTestModelsNeverCrash) {
  // Every file in assimp-testmodels' invalid/ folder and the broken glTF2 cases: an error naming the
  // file, or (where Assimp recovers) a valid mesh. Reaching the end of the loop is the crash check.
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(k_assimp / "invalid")) {
    if (e.path().extension() != ".txt") files.push_back(e.path());
  }
  files.push_back(k_assimp / "glTF2/IndexOutOfRange/IndexOutOfRange.gltf");
  files.push_back(k_assimp / "glTF2/IndexOutOfRange/AllIndicesOutOfRange.gltf");
  files.push_back(k_assimp / "glTF2/MissingBin/BoxTextured.gltf");
  ASSERT_GT(files.size(), 10u);
  int errors = 0;
  for (const auto& f : files) {
    auto m = load_mesh_asset(f, {});
    if (!m.ok()) {
      ++errors;
      EXPECT_EQ(m.error().code, ExitCode::asset);
      EXPECT_EQ(m.error().message.rfind(f.string() + ": ", 0), 0u) << m.error().message;
    } else {
      for (auto i : m->indices) ASSERT_LT(i, m->vertices.size()) << f;
    }
  }
  EXPECT_GE(errors, 12) << "the empty and malformed files must be rejected";
}

TEST(Assets, FromFileMapsTheFilesCoordinatesLikeTheVertices) {
  // A box from (10, 20, 30) to (12, 24, 36) in file units; every import option on. Keypoints use
  // from_file: it must send each corner where the loader put that vertex.
  test::TempDir tmp;
  {
    std::ofstream obj(tmp.path() / "box.obj");
    for (int k = 0; k < 8; ++k) obj << "v " << ((k & 1) ? 12 : 10) << ' ' << ((k & 2) ? 24 : 20) << ' ' << ((k & 4) ? 36 : 30) << '\n';
    obj << "f 1 2 4 3\nf 5 7 8 6\nf 1 5 6 2\nf 3 4 8 7\nf 1 3 7 5\nf 2 6 8 4\n";
  }
  for (const AssetOptions& options : {AssetOptions{}, AssetOptions{true, 0.5, true}, AssetOptions{false, 0.01, true}, AssetOptions{true, 1.0, false}}) {
    auto m = load_mesh_asset(tmp.path() / "box.obj", options);
    ASSERT_TRUE(m.ok()) << m.error().message;
    for (int k = 0; k < 8; ++k) {
      const glm::dvec3 file((k & 1) ? 12 : 10, (k & 2) ? 24 : 20, (k & 4) ? 36 : 30);
      const glm::dvec3 placed(m->from_file * glm::dvec4(file, 1.0));
      double best = 1e9;
      for (const Vertex& v : m->vertices) best = std::min(best, glm::length(glm::dvec3(v.position) - placed));
      EXPECT_LT(best, 1e-5) << "corner " << k << " normalize " << options.normalize << " z_up " << options.z_up;
    }
  }
}

}  // namespace
}  // namespace synthlabel
