// Bad input through the real executable: one clear line on stderr naming file, line and key; the
// documented exit code; and no dataset (not even an empty folder) left behind.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

namespace fs = std::filesystem;
const fs::path k_src = SYNTHLABEL_SOURCE_DIR;

struct Case {
  const char* name;
  const char* yaml;
  int exit_code;
  const char* message;  // expected stderr, after "synthlabel: error: <config path>"
};

void expect_rejected(const Case& c) {
  SCOPED_TRACE(c.name);
  test::TempDir dir;
  const fs::path cfg = dir.path() / "scene.yaml";
  std::ofstream(cfg) << c.yaml;
  {  // a 1 KiB "model" cut from a real GLB, for the corrupt-asset case
    const std::string glb = test::read_file(k_src / "assets/models/bottle.glb");
    std::ofstream(dir.path() / "broken.glb", std::ios::binary) << glb.substr(0, 1024);
  }
  const fs::path out = dir.path() / "out";
  const auto r = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " generate " + test::shell_quote(cfg.string()) +
                           " --out " + test::shell_quote(out.string()) + " --quiet");
  EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
  const std::string expected = "synthlabel: error: " + cfg.string() + c.message;
  EXPECT_EQ(r.err.rfind(expected, 0), 0u) << "got: " << r.err << "\nwant prefix: " << expected;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  EXPECT_FALSE(fs::exists(out)) << "output folder created for a bad config";
}

TEST(BadInput, EachGivesOneLineAnExitCodeAndNoOutput) {
  const Case cases[] = {
      {"syntax error", "seed: 1\ncategories: [box\nobjects: []\n", 2, ":3:8: YAML syntax error: end of sequence flow not found"},
      {"unknown key", "seed: 1\ncategories: [box]\ncamera: {fov: 40}\n", 2,
       ":3:10: camera.fov: unknown key (did you mean 'far'?)"},
      {"wrong type", "seed: lots\ncategories: [box]\n", 2, ":1:7: seed: expected a whole number"},
      {"missing asset", "categories: [box]\nobjects:\n  - {asset: gone.glb, category: box}\n", 3,
       ":3:13: objects[0].asset: "},
      {"corrupt asset", "categories: [box]\nobjects:\n  - {asset: broken.glb, category: box}\n", 3,
       ":3:13: objects[0].asset: "},
      {"unknown category", "categories: [box]\nobjects:\n  - {primitive: cube, category: boxes}\n", 2,
       ":3:33: objects[0].category: unknown category 'boxes' (did you mean 'box'?)"},
      {"unknown randomizer", "categories: [box]\nobjects: [{primitive: cube, category: box}]\nrandomizers: [{type: jiter}]\n",
       2, ":3:22: randomizers[0].type: unknown randomizer 'jiter'"},
      {"missing environment map", "categories: [box]\nobjects: [{primitive: cube, category: box}]\nenvironment: {maps: sky.exr}\n",
       3, ":3:21: environment.maps[0]: "},
      {"corrupt environment map",
       "categories: [box]\nobjects: [{primitive: cube, category: box}]\nenvironment: {maps: [broken.glb]}\n", 3,
       ":3:22: environment.maps[0]: "},
  };
  for (const Case& c : cases) expect_rejected(c);
}

TEST(BadInput, NonEmptyOutputIsRefusedAndUntouched) {
  test::TempDir dir;
  std::ofstream(dir.path() / "precious.txt") << "keep me";
  const auto r = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " generate " +
                           test::shell_quote((k_src / "tests/data/floating.yaml").string()) + " --out " +
                           test::shell_quote(dir.path().string()) + " --quiet --frames 1");
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("is not empty"), std::string::npos) << r.err;
  EXPECT_EQ(test::read_file(dir.path() / "precious.txt"), "keep me");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(BadInput, OverwriteReplacesAPreviousDataset) {
  test::TempDir dir;
  const std::string cmd = test::shell_quote(SYNTHLABEL_BINARY) + " generate " +
                          test::shell_quote((k_src / "tests/data/floating.yaml").string()) + " --out " +
                          test::shell_quote((dir.path() / "o").string()) + " --quiet";
  ASSERT_EQ(test::run(cmd + " --frames 2").exit_code, 0);
  EXPECT_EQ(test::run(cmd + " --frames 2").exit_code, 4);
  const auto r = test::run(cmd + " --overwrite --frames 1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir.path() / "o/rgb/000000.png"));
  EXPECT_FALSE(fs::exists(dir.path() / "o/rgb/000001.png")) << "stale frame from the replaced dataset";
}

TEST(BadInput, UsageErrorsExitTwo) {
  const std::string bin = test::shell_quote(SYNTHLABEL_BINARY);
  EXPECT_EQ(test::run(bin).exit_code, 2);
  EXPECT_EQ(test::run(bin + " generate").exit_code, 2);
  EXPECT_EQ(test::run(bin + " generate /nonexistent.yaml --out /tmp/x").exit_code, 2);
  EXPECT_EQ(test::run(bin + " generate " + test::shell_quote((k_src / "configs/quickstart.yaml").string()) +
                      " --out /tmp/x --bogus")
                .exit_code,
            2);
}

TEST(BadInput, UnknownDeviceExitsFiveWithoutOutput) {
  test::TempDir dir;
  const auto r = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " generate " +
                           test::shell_quote((k_src / "tests/data/floating.yaml").string()) + " --out " +
                           test::shell_quote((dir.path() / "o").string()) + " --device no-such-gpu --quiet");
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("--device 'no-such-gpu' matches no device"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "o"));
}

}  // namespace
}  // namespace synthlabel

namespace synthlabel {
namespace {

// Runs generate on `yaml` (written to a temp config) with `extra` options; checks exit code, that
// stderr is one line containing `needle`, and that no output folder appeared.
void expect_refused(const std::string& yaml, const std::string& extra, int code, const std::string& needle,
                    const std::string& env = "") {
  SCOPED_TRACE(needle);
  test::TempDir dir;
  const fs::path cfg = dir.path() / "scene.yaml";
  std::ofstream(cfg) << yaml;
  const fs::path out = dir.path() / "out";
  const auto r = test::run(env + test::shell_quote(SYNTHLABEL_BINARY) + " generate " +
                           test::shell_quote(cfg.string()) + " --out " + test::shell_quote(out.string()) +
                           " --quiet " + extra);
  EXPECT_EQ(r.exit_code, code) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

const std::string k_ok = "categories: [box]\nobjects: [{primitive: cube, category: box}]\n";

TEST(HostileInput, DeepNesting) {
  expect_refused("seed: " + std::string(100000, '[') + std::string(100000, ']') + "\n" + k_ok, "", 2,
                 "YAML nested more than");
}

TEST(HostileInput, AliasBombInsideAValue) {
  // 10^9 leaves if expanded: the loader counts values with aliases expanded and stops at its limit.
  std::string yaml = "categories: [box]\nobjects: [{primitive: cube, category: box, count: {choice: &a0 [1,1,1,1,1,1,1,1,1,1]}}]\n";
  yaml += "lights:\n";
  for (int i = 1; i < 10; ++i) {
    yaml += "  - {intensity: {choice: &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) yaml += (k ? ",*a" : "*a") + std::to_string(i - 1);
    yaml += "]}}\n";
  }
  expect_refused(yaml, "", 2, "scene.yaml: the config expands to more than 250000 values");
  expect_refused("categories: [box]\nobjects: [{primitive: cube, category: box, count: {choice: &a [1,1]}},"
                 " {primitive: cube, category: box, count: {choice: [*a, *a]}}]\n",
                 "", 2, "objects[1].count.choice[0]: expected an integer");
}

TEST(HostileInput, HugeConfig) {
  expect_refused(k_ok + "# " + std::string(5u << 20, 'x') + "\n", "", 2, "the limit is 4194304");
}

TEST(HostileInput, AbsurdSizes) {
  expect_refused("resolution: [16384, 16384]\n" + k_ok, "", 2, "more than the limit of 67108864 pixels per frame");
  expect_refused(k_ok, "--resolution 16000x9000", 2, "at most 67108864 pixels");
  expect_refused("frames: 1000000000000\n" + k_ok, "", 2, "frames: expected a whole number from 1 to 100000000");
  expect_refused("categories: [box]\nobjects: [{primitive: cube, category: box, count: 99999999}]\n", "", 2,
                 "expected a count from 0 to 10000");
  expect_refused("categories: [box]\nobjects: [{primitive: cube, category: box, count: 10000},"
                 " {primitive: cube, category: box, count: 10000}, {primitive: cube, category: box, count: 10000},"
                 " {primitive: cube, category: box, count: 10000}, {primitive: cube, category: box, count: 10000},"
                 " {primitive: cube, category: box, count: 10000}, {primitive: cube, category: box, count: 10000}]\n",
                 "", 2, "70000 labeled instances per frame; the limit is 65535");
}

TEST(HostileInput, AssetOutsideAssetRoot) {
  const std::string yaml = "categories: [box]\nobjects: [{asset: ../../../../../../etc/passwd, category: box}]\n";
  expect_refused(yaml, "--asset-root " + test::shell_quote((k_src / "assets").string()), 3, "is outside --asset-root");
  // Without a root the path is allowed, and the file is no mesh.
  expect_refused(yaml, "", 3, "objects[0].asset: /etc/passwd: cannot load");
  // Texture folders of randomizers are confined too.
  const std::string textures = "categories: [box]\nobjects: [{name: b, primitive: cube, category: box}]\n"
                               "randomizers: [{type: material, objects: [b], texture_folder: " +
                               (k_src / "assets/textures").string() + "}]\n";
  expect_refused(textures, "--asset-root " + test::shell_quote((k_src / "assets/models").string()), 3,
                 "randomizers[0].texture_folder: " + (k_src / "assets/textures").string());
}

TEST(HostileInput, ModelThatExhaustsMemory) {
#if defined(__SANITIZE_ADDRESS__)
  // Under AddressSanitizer the sandbox cannot limit address space: the child is then stopped by the
  // CPU limit (or, with an allocation cap, aborted by ASan). Either way an asset error naming the file.
  const char* const expected = "OutOfMemory.off: the importer ";
#else
  const char* const expected = "the importer ran out of memory (limit 8 GiB)";
#endif
  expect_refused("categories: [box]\nobjects: [{asset: " SYNTHLABEL_ASSIMP_MODELS "/invalid/OutOfMemory.off, category: box}]\n",
                 "", 3, expected);
}

TEST(HostileInput, NoVulkanDriver) {
  expect_refused(k_ok, "", 5, "synthlabel: error: ", "VK_ICD_FILENAMES=/nonexistent.json VK_DRIVER_FILES=/nonexistent.json ");
}

TEST(HostileInput, UnwritableOutput) {
  const auto r = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " generate " +
                           test::shell_quote((k_src / "tests/data/floating.yaml").string()) +
                           " --out /proc/synthlabel-cannot-write-here --quiet --frames 1");
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("cannot create output folder '/proc/synthlabel-cannot-write-here'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace synthlabel
