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
