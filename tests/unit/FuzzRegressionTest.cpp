// Inputs the fuzzers once found (tests/data/fuzz/, see scripts/fuzz.sh), replayed on every run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "randomizers/FrameSampler.h"
#include "scenes/AssetLoader.h"
#include "scenes/ConfigLoader.h"
#include "scenes/SpecJson.h"
#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

namespace fs = std::filesystem;
const fs::path k_dir = fs::path(SYNTHLABEL_SOURCE_DIR) / "tests/data/fuzz";

TEST(FuzzRegressions, ConfigInputs) {
  // What config_fuzzer does with each input: parse, serialize, sample. Must not throw or crash.
  int n = 0;
  for (const auto& e : fs::directory_iterator(k_dir / "config")) {
    SCOPED_TRACE(e.path().string());
    ++n;
    auto spec = parse_config(test::read_file(e.path()), "fuzz.yaml", "/nonexistent");
    if (!spec) {
      EXPECT_EQ(spec.error().code, ExitCode::usage);
      continue;
    }
    EXPECT_NO_THROW((void)to_json(*spec).dump());
  }
  EXPECT_GT(n, 0);
}

TEST(FuzzRegressions, InvalidUtf8IsAConfigError) {
  auto spec = parse_config(test::read_file(k_dir / "config/invalid-utf8-category.yaml"), "fuzz.yaml", "/nonexistent");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.error().message.find("categories[5]: text is not valid UTF-8"), std::string::npos)
      << spec.error().message;
}

TEST(FuzzRegressions, AssetInputsGiveAnErrorNotACrashOrHang) {
  // Replayed through the sandboxed loader synthlabel uses: the PLY input sends Assimp into an endless
  // loop, which the CPU limit (10 s for a small file) ends.
  test::TempDir dir;
  static const char* const k_ext[] = {".obj", ".ply", ".off", ".stl", ".gltf", ".glb", ".fbx", ".3ds", ".dae", ".x"};
  int n = 0;
  for (const auto& e : fs::directory_iterator(k_dir / "asset")) {
    SCOPED_TRACE(e.path().string());
    ++n;
    const std::string bytes = test::read_file(e.path());
    ASSERT_FALSE(bytes.empty());
    const fs::path file = dir.path() / ("input" + std::string(k_ext[static_cast<unsigned char>(bytes[0]) % 10]));
    std::ofstream(file, std::ios::binary) << bytes.substr(1);
    auto mesh = load_mesh_asset(file, {});
    if (!mesh) {
      EXPECT_EQ(mesh.error().code, ExitCode::asset);
      EXPECT_EQ(mesh.error().message.rfind(file.string() + ": ", 0), 0u) << mesh.error().message;
    }
  }
  EXPECT_GT(n, 0);
}

}  // namespace
}  // namespace synthlabel

namespace synthlabel {
namespace {

TEST(FuzzRegressions, ImporterCrashIsContained) {
  // A 40 KB PLY on which Assimp 5.2.5 dies of SIGBUS (found by asset_fuzzer): the sandboxed loader
  // reports it as an asset error and this process lives on.
  test::TempDir dir;
  const std::string bytes = test::read_file(k_dir / "asset/assimp-bus-error.bin");
  const fs::path file = dir.path() / "crash.ply";
  std::ofstream(file, std::ios::binary) << bytes.substr(1);
  auto mesh = load_mesh_asset(file, {});
  ASSERT_FALSE(mesh.ok());
  EXPECT_NE(mesh.error().message.find("the importer crashed on this file (signal"), std::string::npos)
      << mesh.error().message;
}

}  // namespace
}  // namespace synthlabel
