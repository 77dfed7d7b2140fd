// Scale-out: the quickstart as one process and as shards (through the job engines' environment
// variables) joined by `merge` give the same bytes; merge refuses shards that do not make one dataset.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

namespace fs = std::filesystem;
const fs::path k_src = SYNTHLABEL_SOURCE_DIR;
const std::string k_bin = test::shell_quote(SYNTHLABEL_BINARY);
const std::string k_args = " --frames 11 --resolution 320x240 --quiet";

std::string quickstart(const std::string& out, const std::string& extra = "") {
  return k_bin + " generate " + test::shell_quote((k_src / "configs/quickstart.yaml").string()) + " --out " +
         test::shell_quote(out) + k_args + " " + extra;
}

// d/NAME<k> ("name" + std::to_string(k) trips GCC 12's false -Wrestrict, bug 105329).
std::string numbered(const fs::path& d, const char* name, int k) {
  std::string s = (d / name).string();
  s += std::to_string(k);
  return s;
}

TEST(Shards, SlurmArrayOfFourPlusMergeEqualsOneProcess) {
  test::TempDir dir;
  const fs::path d = dir.path();
  ASSERT_EQ(test::run(quickstart((d / "single").string())).exit_code, 0);
  for (int k = 0; k < 4; ++k) {
    // As in an sbatch --array=1-4 job: task ids from 1, so SLURM_ARRAY_TASK_MIN=1.
    const std::string env = "SLURM_ARRAY_TASK_ID=" + std::to_string(k + 1) +
                            " SLURM_ARRAY_TASK_COUNT=4 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=4 ";
    const auto r = test::run(env + quickstart((d / "shard-{shard}").string(), "--shard auto"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(fs::exists(fs::path(numbered(d, "shard-", k)) / "manifest.json"));
  }
  const auto m = test::run(k_bin + " merge " + (d / "shard-0").string() + " " + (d / "shard-2").string() + " " +
                           (d / "shard-1").string() + " " + (d / "shard-3").string() + " --out " + (d / "merged").string());
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_NE(m.out.find("merged 4 shards, 11 frames"), std::string::npos) << m.out;
  const auto single = test::read_tree(d / "single"), merged = test::read_tree(d / "merged");
  EXPECT_EQ(single.size(), 2u + 11u * 5u);
  ASSERT_EQ(single.size(), merged.size());
  for (const auto& [name, bytes] : single) EXPECT_TRUE(merged.at(name) == bytes) << name;
}

TEST(Shards, KubernetesIndexedJobPlusMergeEqualsOneProcess) {
  test::TempDir dir;
  const fs::path d = dir.path();
  ASSERT_EQ(test::run(quickstart((d / "single").string())).exit_code, 0);
  std::string list;
  for (int k = 0; k < 3; ++k) {
    std::string env = "JOB_COMPLETION_INDEX=";
    env += std::to_string(k);
    env += " SYNTHLABEL_SHARD_COUNT=3 ";
    ASSERT_EQ(test::run(env + quickstart((d / "part{shard}").string(), "--shard auto")).exit_code, 0);
    list += ' ';
    list += numbered(d, "part", k);
  }
  ASSERT_EQ(test::run(k_bin + " merge" + list + " --out " + (d / "merged").string()).exit_code, 0);
  EXPECT_TRUE(test::read_tree(d / "single") == test::read_tree(d / "merged"));
}

TEST(Shards, MergeRefusesWhatIsNotOneDataset) {
  test::TempDir dir;
  const fs::path d = dir.path();
  for (int k = 0; k < 3; ++k) {
    std::string shard = "--shard ";
    shard += std::to_string(k);
    shard += "/3";
    ASSERT_EQ(test::run(quickstart(numbered(d, "s", k), shard)).exit_code, 0);
  }
  ASSERT_EQ(test::run(quickstart((d / "seed9").string(), "--shard 1/3 --seed 9")).exit_code, 0);
  ASSERT_EQ(test::run(quickstart((d / "other-cfg").string(), "--shard 1/3 --compression none")).exit_code, 0);
  const std::string s0 = (d / "s0").string(), s1 = (d / "s1").string(), s2 = (d / "s2").string();
  struct Case {
    std::string shards, message;
  };
  const Case cases[] = {
      {s0 + " " + s2, "frames 3..6 are missing: no shard given holds them"},
      {s0 + " " + s1, "frames 7..10 are missing"},
      {s0 + " " + s1 + " " + s1 + " " + s2, "overlaps another: frame 3 is held twice"},
      {s0 + " " + (d / "seed9").string() + " " + s2, "come from different runs: seed (42 vs 9)"},
      {s0 + " " + (d / "other-cfg").string() + " " + s2, "come from different runs: compression (\"fast\" vs \"none\")"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    const auto r = test::run(k_bin + " merge " + c.shards + " --out " + (d / "never").string());
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(d / "never"));
  }
  // An interrupted shard is refused until it is resumed.
  std::string manifest = test::read_file(d / "s2/manifest.json");
  manifest.replace(manifest.find("\"status\": \"complete\""), 20, "\"status\": \"incomplete\"");
  std::ofstream(d / "s2/manifest.json") << manifest;
  const auto r = test::run(k_bin + " merge " + s0 + " " + s1 + " " + s2 + " --out " + (d / "never").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is incomplete; finish it with generate --resume first"), std::string::npos) << r.err;
}

TEST(Shards, SeveralDevicesInOneMachineEqualOneDevice) {
  // --devices runs one process per device (here lavapipe twice, by index and by name) and merges.
  test::TempDir dir;
  const fs::path d = dir.path();
  ASSERT_EQ(test::run(quickstart((d / "single").string())).exit_code, 0);
  const auto r = test::run(quickstart((d / "multi").string(), "--devices 0,llvmpipe"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("to " + (d / "multi").string()), std::string::npos) << r.out;
  EXPECT_TRUE(test::read_tree(d / "single") == test::read_tree(d / "multi"));
  EXPECT_FALSE(fs::exists(d / "multi.parts")) << "parts are removed after the merge";
  const auto bad = test::run(quickstart((d / "never").string(), "--devices 0,no-such-gpu"));
  EXPECT_EQ(bad.exit_code, 5) << bad.err;
  EXPECT_NE(bad.err.find("--devices: 'no-such-gpu' matches no device"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(d / "never.parts")) << "an unknown device is refused before anything starts";
  EXPECT_FALSE(fs::exists(d / "never"));
}

TEST(Shards, BadShardSpecsAreUsageErrors) {
  test::TempDir dir;
  for (const char* bad : {"4/4", "1/0", "x/2", "auto"}) {
    const auto r = test::run("env -u SLURM_ARRAY_TASK_ID -u JOB_COMPLETION_INDEX " +
                             quickstart((dir.path() / "o").string(), std::string("--shard ") + bad));
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("--shard"), std::string::npos) << r.err;
  }
}

TEST(Shards, MergeCarriesKeypointsPolygonsAndNormals) {
  // The keypoints example with every label kind that has dataset-level state: two shards merged
  // equal one process, coco_keypoints.json and the normals included.
  test::TempDir dir;
  const fs::path d = dir.path();
  auto run = [&](const std::string& out, const std::string& extra) {
    return test::run(k_bin + " generate " + test::shell_quote((k_src / "configs/keypoints.yaml").string()) + " --out " +
                     test::shell_quote(out) + " --frames 4 --resolution 160x120 --quiet 'outputs=[normals, polygons, yolo_seg]' " + extra);
  };
  ASSERT_EQ(run((d / "one").string(), "").exit_code, 0);
  ASSERT_EQ(run(numbered(d, "s", 0), "--shard 0/2").exit_code, 0);
  ASSERT_EQ(run(numbered(d, "s", 1), "--shard 1/2").exit_code, 0);
  const auto m = test::run(k_bin + " merge " + numbered(d, "s", 0) + " " + numbered(d, "s", 1) + " --out " + (d / "m").string());
  ASSERT_EQ(m.exit_code, 0) << m.err;
  for (const char* f : {"coco.json", "coco_keypoints.json", "yolo_seg/data.yaml", "yolo_seg/labels/000003.txt", "normals/000002.exr"}) {
    EXPECT_TRUE(test::read_file(d / "one" / f) == test::read_file(d / "m" / f)) << f;
  }
  EXPECT_NE(test::read_file(d / "m/coco_keypoints.json").find("\"num_keypoints\""), std::string::npos);
}

}  // namespace
}  // namespace synthlabel
