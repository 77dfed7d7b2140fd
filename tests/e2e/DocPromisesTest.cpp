// Promises the README and docs/ make, run as a new user would (issue 15): any frame range reproduces
// the same frames (also with a sweep), failures with 2, 3 or 5 leave nothing behind (also with
// --devices), a dataset's identity is its content (not the paths it was reached through), and a
// changed input is named with both hashes.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

namespace fs = std::filesystem;
const fs::path k_src = SYNTHLABEL_SOURCE_DIR;
const std::string k_bin = test::shell_quote(SYNTHLABEL_BINARY);


TEST(DocPromises, ASweepSpansTheConfigsFramesWhateverTheRange) {
  // configs/ablation_camera_distance.yaml: distance {sweep: [3, 11]} over its 9 frames.
  test::TempDir dir;
  const std::string gen = k_bin + " generate " + test::shell_quote(k_src / "configs/ablation_camera_distance.yaml") + " --resolution 64x48 --quiet";
  ASSERT_EQ(test::run(gen + " --out " + test::shell_quote(dir.path() / "all")).exit_code, 0);
  const auto part = test::run(gen + " --out " + test::shell_quote(dir.path() / "part") + " --start 4 --frames 2");
  ASSERT_EQ(part.exit_code, 0) << part.err;
  for (const char* f : {"rgb/000004.png", "rgb/000005.png", "instance/000005.png", "depth/000004.exr"}) {
    EXPECT_TRUE(test::read_file(dir.path() / "all" / f) == test::read_file(dir.path() / "part" / f)) << f;
  }
  EXPECT_NE(test::read_file(dir.path() / "part/records/000004.json").find("\"distance\":7.0"), std::string::npos);
  EXPECT_NE(test::read_file(dir.path() / "part/records/000005.json").find("\"distance\":8.0"), std::string::npos);
  // Past the config's frames the sweep has no value: refused, not clamped to its end.
  const auto past = test::run(gen + " --out " + test::shell_quote(dir.path() / "past") + " --start 8 --frames 2");
  EXPECT_EQ(past.exit_code, 2) << past.err;
  EXPECT_NE(past.err.find("camera.distance is a sweep over the config's 9 frames (0..8)"), std::string::npos) << past.err;
  EXPECT_EQ(test::line_count(past.err), 1);
  EXPECT_FALSE(fs::exists(dir.path() / "past"));
}

TEST(DocPromises, DevicesRefusesAnUnknownDeviceOrAShardBeforeAnythingStarts) {
  test::TempDir dir;
  const std::string gen = k_bin + " generate " + test::shell_quote(k_src / "tests/data/floating.yaml") + " --quiet --frames 2 --out " + test::shell_quote(dir.path() / "o");
  const auto unknown = test::run(gen + " --devices 0,5");
  EXPECT_EQ(unknown.exit_code, 5) << unknown.err;
  EXPECT_NE(unknown.err.find("--devices: '5' matches no device"), std::string::npos) << unknown.err;
  const auto shard = test::run(gen + " --devices 0 --shard 0/2");
  EXPECT_EQ(shard.exit_code, 2) << shard.err;
  EXPECT_NE(shard.err.find("--devices and --shard cannot be combined"), std::string::npos) << shard.err;
  EXPECT_TRUE(fs::is_empty(dir.path())) << "nothing left behind";
}

TEST(DocPromises, ShardsReachedThroughDifferentPathsMerge) {
  // A cluster's tasks do not share a working directory: one shard names the config by a relative
  // path, the other by an absolute one; both are the same dataset, and the merge equals one run.
  test::TempDir dir;
  const std::string opts = " --frames 4 --resolution 64x48 --quiet";
  const auto a = test::run("cd " + test::shell_quote(k_src) + " && " + k_bin + " generate configs/quickstart.yaml --out " + test::shell_quote(dir.path() / "s0") +
                           " --shard 0/2" + opts);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto b = test::run("cd " + test::shell_quote(dir.path()) + " && " + k_bin + " generate " + test::shell_quote(k_src / "configs/quickstart.yaml") +
                           " --out s1 --shard 1/2" + opts);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const auto m = test::run(k_bin + " merge " + test::shell_quote(dir.path() / "s0") + " " + test::shell_quote(dir.path() / "s1") + " --out " + test::shell_quote(dir.path() / "m"));
  ASSERT_EQ(m.exit_code, 0) << m.err;
  ASSERT_EQ(test::run("cd " + test::shell_quote(k_src) + " && " + k_bin + " generate configs/quickstart.yaml --out " + test::shell_quote(dir.path() / "one") + opts)
                .exit_code,
            0);
  const auto one = test::read_tree(dir.path() / "one"), merged = test::read_tree(dir.path() / "m");
  ASSERT_EQ(one.size(), merged.size());
  for (const auto& [name, bytes] : one) EXPECT_TRUE(merged.at(name) == bytes) << name;  // manifest too: shard 0's paths
}

TEST(DocPromises, AChangedInputIsNamedWithBothHashes) {
  test::TempDir dir;
  fs::create_directories(dir.path() / "models");
  fs::copy_file(k_src / "assets/models/pawn.ply", dir.path() / "models/pawn.ply");
  std::ofstream(dir.path() / "scene.yaml") << "seed: 1\nresolution: [64, 48]\ncategories: [pawn]\n"
                                              "objects: [{asset: models/pawn.ply, category: pawn, normalize: true}]\n";
  const std::string gen = k_bin + " generate " + test::shell_quote(dir.path() / "scene.yaml") + " --out " + test::shell_quote(dir.path() / "o") + " --quiet --frames 2";
  ASSERT_EQ(test::run(gen).exit_code, 0);
  std::ofstream(dir.path() / "models/pawn.ply", std::ios::app) << "comment changed\n";
  const auto r = test::run(gen + " --resume");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("differ in inputs.pawn.ply (xxh3) (\""), std::string::npos) << r.err;
  EXPECT_EQ(test::line_count(r.err), 1) << r.err;
  EXPECT_EQ(r.err.find("..."), std::string::npos) << "nothing cut off: " << r.err;
}

TEST(DocPromises, RenderingOnTheCpuInAGpuContainerIsSaidLoudly) {
  // NVIDIA_VISIBLE_DEVICES set (a GPU pod) but only lavapipe visible: the Vulkan driver was not mounted.
  test::TempDir dir;
  const auto r = test::run("NVIDIA_VISIBLE_DEVICES=all " + k_bin + " generate " + test::shell_quote(k_src / "tests/data/floating.yaml") +
                           " --frames 1 --quiet --out " + test::shell_quote(dir.path() / "o"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("synthlabel: warning: rendering on the CPU (llvmpipe"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("NVIDIA_DRIVER_CAPABILITIES to include graphics"), std::string::npos) << r.err;
  const auto quiet = test::run(k_bin + " generate " + test::shell_quote(k_src / "tests/data/floating.yaml") + " --frames 1 --quiet --out " +
                               test::shell_quote(dir.path() / "p"));
  EXPECT_EQ(quiet.err, "") << "no warning outside a GPU container";
}

TEST(DocPromises, IncludesNestEightDeepAsDocumented) {
  // docs/config.md: "Includes may nest 8 deep". scene.yaml includes i1.yaml, which includes i2.yaml, ...
  for (const int depth : {8, 9}) {
    SCOPED_TRACE(depth);
    test::TempDir dir;
    std::ofstream(dir.path() / "scene.yaml") << "include: i1.yaml\ncategories: [box]\nobjects: [{primitive: cube, category: box}]\n";
    for (int i = 1; i <= depth; ++i) {
      std::string name = "i";  // (appended: GCC 12 warns falsely on "i" + std::to_string(i))
      name += std::to_string(i);
      name += ".yaml";
      std::ofstream f(dir.path() / name);
      if (i < depth) f << "include: i" << i + 1 << ".yaml\n";
      f << "seed: " << i << "\n";
    }
    const auto r = test::run(k_bin + " validate " + test::shell_quote(dir.path() / "scene.yaml"));
    if (depth == 8) {
      EXPECT_EQ(r.exit_code, 0) << r.err;
    } else {
      EXPECT_EQ(r.exit_code, 2) << r.err;
      EXPECT_NE(r.err.find("includes nested more than 8 deep"), std::string::npos) << r.err;
    }
  }
}

TEST(DocPromises, ValidateShowsNoAssetColourForAPrimitive) {
  const auto r = test::run(k_bin + " validate " + test::shell_quote(k_src / "tests/data/floating.yaml"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("\"color\": \"asset\""), std::string::npos) << "a primitive has no asset colour";
}

TEST(DocPromises, AnAssetGlobOrFolderIsAPoolOfItsFiles) {
  test::TempDir dir;
  fs::create_directories(dir.path() / "models");
  fs::copy_file(k_src / "assets/models/pawn.ply", dir.path() / "models/a.ply");
  fs::copy_file(k_src / "assets/models/bottle.glb", dir.path() / "models/b.glb");
  std::ofstream(dir.path() / "models/notes.txt") << "not a mesh";
  const std::string head = "seed: 1\nframes: 6\nresolution: [64, 48]\ncategories: [thing]\nobjects: [{category: thing, normalize: true, count: 3, asset: ";
  std::ofstream(dir.path() / "glob.yaml") << head << "\"models/*.[gp]l[by]\"}]\n";
  std::ofstream(dir.path() / "folder.yaml") << head << "models}]\n";
  std::ofstream(dir.path() / "pool.yaml") << "seed: 1\nframes: 6\nresolution: [64, 48]\ncategories: [thing]\nobjects: [{count: 3, "
                                          << "pool: [{asset: models/a.ply, category: thing, normalize: true}, "
                                          << "{asset: models/b.glb, category: thing, normalize: true}]}]\n";
  for (const char* c : {"glob", "folder", "pool"}) {
    const auto r = test::run(k_bin + " generate " + test::shell_quote(dir.path() / (std::string(c) + ".yaml")) + " --quiet --out " + test::shell_quote(dir.path() / c));
    ASSERT_EQ(r.exit_code, 0) << c << ": " << r.err;
  }
  // The same as the pool written out by hand, file for file: both meshes drawn, equally likely.
  EXPECT_TRUE(test::read_file(dir.path() / "glob/coco.json") == test::read_file(dir.path() / "pool/coco.json"));
  EXPECT_TRUE(test::read_file(dir.path() / "folder/coco.json") == test::read_file(dir.path() / "pool/coco.json"));
  const std::string manifest = test::read_file(dir.path() / "glob/manifest.json");
  EXPECT_NE(manifest.find("models/a.ply"), std::string::npos);
  EXPECT_NE(manifest.find("models/b.glb"), std::string::npos);
  EXPECT_EQ(manifest.find("notes.txt"), std::string::npos);
  EXPECT_EQ(test::run(k_bin + " check " + test::shell_quote(dir.path() / "glob")).exit_code, 0);
  std::ofstream(dir.path() / "none.yaml") << head << "\"models/*.fbx\"}]\n";
  const auto none = test::run(k_bin + " generate " + test::shell_quote(dir.path() / "none.yaml") + " --quiet --out " + test::shell_quote(dir.path() / "none"));
  EXPECT_EQ(none.exit_code, 2) << none.err;
  EXPECT_NE(none.err.find("objects[0].asset: 'models/*.fbx' matches no mesh file"), std::string::npos) << none.err;
}

TEST(DocPromises, SplitsAreWrittenWithTheDatasetAndDependOnTheFrameAlone) {
  using json = nlohmann::json;
  test::TempDir dir;
  std::string yaml = test::read_file(k_src / "tests/data/floating.yaml");
  yaml.replace(yaml.find("../../assets/models/bottle.glb"), 30, (k_src / "assets/models/bottle.glb").string());
  std::ofstream(dir.path() / "s.yaml") << yaml << "splits: {train: 0.7, val: 0.2, test: 0.1}\n";
  const std::string gen = k_bin + " generate " + test::shell_quote(dir.path() / "s.yaml") + " --frames 20 --quiet --out ";
  ASSERT_EQ(test::run(gen + test::shell_quote(dir.path() / "all")).exit_code, 0);
  // The COCO files keep the first pass's annotations for the second while they are small; with no
  // room for them (a test hook) the records are read again: the same bytes.
  ASSERT_EQ(test::run("SYNTHLABEL_TEST_COCO_KEEP_BYTES=0 " + gen + test::shell_quote(dir.path() / "reread")).exit_code, 0);
  for (const char* f : {"coco.json", "coco_train.json", "coco_val.json", "coco_test.json"}) {
    EXPECT_EQ(test::read_file(dir.path() / "all" / f), test::read_file(dir.path() / "reread" / f)) << f;
  }
  const json coco = json::parse(test::read_file(dir.path() / "all/coco.json"));
  std::set<std::int64_t> seen;
  std::size_t annotations = 0;
  for (const char* split : {"train", "val", "test"}) {
    SCOPED_TRACE(split);
    const json part = json::parse(test::read_file(dir.path() / "all" / ("coco_" + std::string(split) + ".json")));
    EXPECT_FALSE(part["images"].empty());
    std::set<std::int64_t> ids;
    for (const json& im : part["images"]) {
      EXPECT_EQ(im["split"], split);
      EXPECT_TRUE(seen.insert(im["id"].get<std::int64_t>()).second) << "an image in two splits";
      ids.insert(im["id"].get<std::int64_t>());
    }
    // Its annotations are coco.json's annotations of its images, in order (ids renumbered from 1).
    std::vector<json> expected;
    for (json a : coco["annotations"]) {
      if (!ids.count(a["image_id"].get<std::int64_t>())) continue;
      a.erase("id");
      expected.push_back(a);
    }
    ASSERT_EQ(part["annotations"].size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      json a = part["annotations"][i];
      EXPECT_EQ(a["id"], i + 1);
      a.erase("id");
      EXPECT_EQ(a, expected[i]);
    }
    annotations += expected.size();
  }
  EXPECT_EQ(seen.size(), coco["images"].size()) << "every image in one split";
  EXPECT_EQ(annotations, coco["annotations"].size());
  EXPECT_EQ(test::run(k_bin + " check " + test::shell_quote(dir.path() / "all")).exit_code, 0);
  // A range, and shards merged, give each frame the same split: the same files.
  ASSERT_EQ(test::run(gen + test::shell_quote(dir.path() / "s0") + " --shard 0/2").exit_code, 0);
  ASSERT_EQ(test::run(gen + test::shell_quote(dir.path() / "s1") + " --shard 1/2").exit_code, 0);
  const auto m = test::run(k_bin + " merge " + test::shell_quote(dir.path() / "s0") + " " + test::shell_quote(dir.path() / "s1") + " --out " + test::shell_quote(dir.path() / "m"));
  ASSERT_EQ(m.exit_code, 0) << m.err;
  for (const char* f : {"coco.json", "coco_train.json", "coco_val.json", "coco_test.json"}) {
    EXPECT_TRUE(test::read_file(dir.path() / "all" / f) == test::read_file(dir.path() / "m" / f)) << f;
  }
}

TEST(DocPromises, PreviewDrawsTheFrameGenerateWouldWrite) {
  test::TempDir dir;
  const std::string cfg = test::shell_quote(k_src / "tests/data/floating.yaml");
  const auto r = test::run("TMPDIR=" + test::shell_quote(dir.path()) + " " + k_bin + " preview " + cfg + " --frame 3 --out " + test::shell_quote(dir.path() / "p.png"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("synthlabel: frame 3 ("), std::string::npos) << r.out;
  ASSERT_EQ(test::run(k_bin + " generate " + cfg + " --start 3 --frames 1 --quiet --out " + test::shell_quote(dir.path() / "d")).exit_code, 0);
  const test::Image preview = test::read_png(dir.path() / "p.png");
  const test::Image rgb = test::read_png(dir.path() / "d/rgb/000003.png");
  const test::Image inst = test::read_png(dir.path() / "d/instance/000003.png");
  ASSERT_EQ(preview.width, rgb.width);
  ASSERT_EQ(preview.height, rgb.height);
  // Unlabeled pixels away from every box outline are the frame's own RGB; labeled ones are tinted.
  std::size_t same = 0, tinted = 0, background = 0, labeled = 0;
  for (std::size_t i = 0; i < std::size_t{rgb.width} * rgb.height; ++i) {
    const bool equal = preview.pixels[3 * i] == rgb.pixels[3 * i] && preview.pixels[3 * i + 1] == rgb.pixels[3 * i + 1] &&
                       preview.pixels[3 * i + 2] == rgb.pixels[3 * i + 2];
    if (inst.pixels[i] == 0) {
      ++background;
      same += equal;
    } else {
      ++labeled;
      tinted += !equal;
    }
  }
  EXPECT_GT(same, background * 95 / 100) << "outlines cross the background, nothing else";
  EXPECT_GT(tinted, labeled * 90 / 100);
  std::size_t left = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) left += e.path().filename().string().rfind("synthlabel-preview-", 0) == 0;
  EXPECT_EQ(left, 0u) << "the temporary dataset is removed";
  // An existing file is refused, byte for byte kept.
  const std::string before = test::read_file(dir.path() / "p.png");
  const auto again = test::run(k_bin + " preview " + cfg + " --out " + test::shell_quote(dir.path() / "p.png"));
  EXPECT_EQ(again.exit_code, 4) << again.err;
  EXPECT_EQ(test::read_file(dir.path() / "p.png"), before);
}

}  // namespace
}  // namespace synthlabel
