// Inputs the fuzzers once found (tests/data/fuzz/, see scripts/fuzz.sh), replayed on every run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fuzz/FuzzInput.h"
#include "randomizers/FrameSampler.h"
#include "scenes/AssetLoader.h"
#include "scenes/ConfigLoader.h"
#include "scenes/Environment.h"
#include "scenes/Texture.h"
#include "scenes/SpecJson.h"
#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

namespace fs = std::filesystem;
const fs::path k_dir = fs::path(SYNTHLABEL_SOURCE_DIR) / "tests/data/fuzz";

TEST(FuzzRegressions, ConfigInputs) {
  // What config_fuzzer does with each input (findings, and the multi-file seeds with includes and
  // overrides): split into files, load confined to their folder, serialize. Must not throw or crash.
  int n = 0;
  for (const fs::path& folder : {k_dir / "config", fs::path(SYNTHLABEL_SOURCE_DIR) / "fuzz/seeds/config"}) {
    for (const auto& e : fs::directory_iterator(folder)) {
      SCOPED_TRACE(e.path().string());
      ++n;
      test::TempDir dir;
      const auto input = fuzz::split_fuzz_input(test::read_file(e.path()), fuzz::k_config_names);
      auto spec = load_config(fuzz::write_fuzz_files(dir.path(), input), input.overrides, dir.path());
      if (!spec) {
        EXPECT_EQ(spec.error().code, ExitCode::usage) << spec.error().message;
        continue;
      }
      EXPECT_NO_THROW((void)to_json(*spec).dump());
    }
  }
  EXPECT_GT(n, 3);
}

TEST(FuzzRegressions, RandomizerEntryThatIsNotUtf8IsAConfigError) {
  // Found by config_fuzzer: a randomizer parameter with a byte that is not UTF-8 passed the loader
  // (the randomizer's factory checks its parameters later) and made the recorded config unwritable.
  auto spec = parse_config(test::read_file(k_dir / "config/randomizer-entry-not-utf8.yaml"), "fuzz.yaml", "/nonexistent");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.error().message.find("randomizers[0].x_range[0]: text is not valid UTF-8"), std::string::npos)
      << spec.error().message;
}

TEST(FuzzRegressions, MultiFileInputsSplitAsDocumented) {
  const auto input = fuzz::split_fuzz_input("a: 1\n#@@\nb: 2\n#@@\n=\nseed=3\n\ncamera.fov_deg=40\n#@@\nc: 3", fuzz::k_config_names);
  ASSERT_EQ(input.files.size(), 3u);
  EXPECT_EQ(input.files[0], std::make_pair(std::string("main.yaml"), std::string("a: 1")));
  EXPECT_EQ(input.files[1], std::make_pair(std::string("f1.yaml"), std::string("b: 2")));
  EXPECT_EQ(input.files[2], std::make_pair(std::string("f2.yaml"), std::string("c: 3")));
  EXPECT_EQ(input.overrides, (std::vector<std::string>{"seed=3", "camera.fov_deg=40"}));
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
  // Multi-file inputs (a model and what it refers to) as asset_fuzzer splits them, confined to their folder.
  int n = 0;
  for (const auto& e : fs::directory_iterator(k_dir / "asset")) {
    SCOPED_TRACE(e.path().string());
    ++n;
    test::TempDir dir;
    const std::string bytes = test::read_file(e.path());
    ASSERT_FALSE(bytes.empty());
    const auto input = fuzz::split_asset_input(bytes);
    const fs::path file = fuzz::write_fuzz_files(dir.path(), input);
    AssetOptions options;
    options.root = fs::canonical(dir.path());
    auto mesh = load_mesh_asset(file, options);
    if (!mesh) {
      EXPECT_EQ(mesh.error().code, ExitCode::asset);
      EXPECT_EQ(mesh.error().message.rfind(file.string() + ": ", 0), 0u) << mesh.error().message;
    }
  }
  EXPECT_GT(n, 0);
}

TEST(FuzzRegressions, AssetSeedsLoadConfined) {
  // The multi-file seeds load, their references resolved inside their own folder.
  for (const char* seed : {"gltf-with-buffer.bin", "obj-with-mtl-and-texture.bin"}) {
    SCOPED_TRACE(seed);
    test::TempDir dir;
    const std::string bytes = test::read_file(fs::path(SYNTHLABEL_SOURCE_DIR) / "fuzz/seeds/asset" / seed);
    const auto input = fuzz::split_asset_input(bytes);
    AssetOptions options;
    options.root = fs::canonical(dir.path());
    auto mesh = load_mesh_asset(fuzz::write_fuzz_files(dir.path(), input), options);
    ASSERT_TRUE(mesh.ok()) << mesh.error().message;
    EXPECT_EQ(mesh->indices.size(), 3u);
  }
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

std::vector<std::uint8_t> bytes_of_file(const fs::path& p) {
  const std::string s = test::read_file(p);
  return {s.begin(), s.end()};
}

TEST(FuzzRegressions, ImageInputs) {
  // What image_fuzzer does: the seeds decode (their EXRs are what synthlabel itself writes), and any
  // finding kept in tests/data/fuzz/image/ gives an asset error, never a crash.
  const fs::path seeds = fs::path(SYNTHLABEL_SOURCE_DIR) / "fuzz/seeds/image";
  auto normals = decode_exr(bytes_of_file(seeds / "normals_32x24.exr"), "seed");
  ASSERT_TRUE(normals.ok()) << normals.error().message;
  EXPECT_EQ(normals->width, 32u);
  EXPECT_EQ(normals->rgba.size(), std::size_t{32} * 24 * 4);
  auto garbage = decode_exr(std::vector<std::uint8_t>(100, 0x76), "garbage.exr");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, ExitCode::asset);
  EXPECT_EQ(garbage.error().message.rfind("garbage.exr: not a readable OpenEXR image", 0), 0u) << garbage.error().message;
  std::error_code ec;
  if (!fs::is_directory(k_dir / "image", ec)) return;
  for (const auto& e : fs::directory_iterator(k_dir / "image")) {
    SCOPED_TRACE(e.path().string());
    const auto bytes = bytes_of_file(e.path());
    if (bytes.empty()) continue;
    const std::span<const std::uint8_t> rest(bytes.data() + 1, bytes.size() - 1);
    if (bytes[0] % 2 == 0) {
      auto r = decode_image(rest, "finding");
      if (!r) {
        EXPECT_EQ(r.error().code, ExitCode::asset);
      }
    } else {
      auto r = decode_exr(rest, "finding");
      if (!r) {
        EXPECT_EQ(r.error().code, ExitCode::asset);
      }
      // A few bytes claiming a data window of billions of pixels: refused from the header, before the
      // decoder allocates for it (it took 4 GB and 12 s under ASan before).
      if (e.path().filename().string().rfind("exr-claims-huge-data-window", 0) == 0) {
        ASSERT_FALSE(r.ok());
        EXPECT_NE(r.error().message.find("(at most 16384x8192)"), std::string::npos) << r.error().message;
      }
    }
  }
}

}  // namespace
}  // namespace synthlabel
