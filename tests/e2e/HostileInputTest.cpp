// Hostile input through the real executable (issue 14): synthlabel deletes only what it can prove it
// wrote, never an input of the same command, holds a lock on the folder it writes, reads nothing
// outside --asset-root, never hangs and never crashes. The data-destruction cases compare every byte
// that was there before with what is there after.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
const fs::path k_src = SYNTHLABEL_SOURCE_DIR;
const std::string k_bin = test::shell_quote(SYNTHLABEL_BINARY);
const std::string k_floating = test::shell_quote((k_src / "tests/data/floating.yaml").string());

std::string q(const fs::path& p) { return test::shell_quote(p.string()); }

std::string generate(const fs::path& out, const std::string& extra = "", int frames = 2) {
  return k_bin + " generate " + k_floating + " --out " + q(out) + " --quiet --frames " + std::to_string(frames) + " " + extra;
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

// ---- Data destroyed ----------------------------------------------------------------------------

TEST(Hostile, OverwriteKeepsAnotherToolsDataset) {
  test::TempDir dir;
  const fs::path out = dir.path() / "theirs";
  write(out / "manifest.json", R"({"tool": "blenderproc", "frames": 2})");
  write(out / "rgb/000000.png", "their image");
  write(out / "depth/000000.exr", "their depth");
  write(out / "coco.json", "{\"images\": []}");
  const auto before = test::read_tree(out);
  const auto r = test::run(generate(out, "--overwrite"));
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("is not a synthlabel manifest"), std::string::npos) << r.err;
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_EQ(test::read_tree(out), before);
}

TEST(Hostile, OverwriteKeepsFilesNoManifestAccountsFor) {
  test::TempDir dir;
  const fs::path out = dir.path() / "o";
  ASSERT_EQ(test::run(generate(out)).exit_code, 0);
  write(out / "notes.txt", "mine");
  write(out / "rgb/holiday.png", "mine too");
  write(out / "rgb/000007.png", "a frame number outside the dataset's range");
  const auto r = test::run(generate(out, "--overwrite", 1));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::read_file(out / "notes.txt"), "mine");
  EXPECT_EQ(test::read_file(out / "rgb/holiday.png"), "mine too");
  EXPECT_EQ(test::read_file(out / "rgb/000007.png"), "a frame number outside the dataset's range");
  EXPECT_FALSE(fs::exists(out / "rgb/000001.png")) << "the previous dataset's frame 1 was not removed";
}

TEST(Hostile, DevicesKeepsAPreExistingPartsFolder) {
  test::TempDir dir;
  const fs::path out = dir.path() / "o";
  write(dir.path() / "o.parts/results.csv", "a user's file");
  write(dir.path() / "o.parts/shard-0/notes.txt", "another");
  const auto before = test::read_tree(dir.path());
  const auto r = test::run(generate(out, "--devices 0,0"));
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("which synthlabel did not write there"), std::string::npos) << r.err;
  EXPECT_EQ(test::read_tree(dir.path()), before);
}

TEST(Hostile, DevicesReportsAnErrorOnce) {
  test::TempDir dir;
  write(dir.path() / "bad.yaml", "seed: 1\ncategories: [box]\nobjects: [{primitive: cube, category: box, cont: 2}]\n");
  write(dir.path() / "gone.yaml", "seed: 1\ncategories: [box]\nobjects: [{asset: gone.glb, category: box}]\n");
  const struct {
    const char* config;
    int exit_code;
    const char* message;
  } cases[] = {{"bad.yaml", 2, "objects[0].cont: unknown key"}, {"gone.yaml", 3, "gone.glb: asset file not found"}};
  for (const auto& c : cases) {
    const auto r = test::run(k_bin + " generate " + q(dir.path() / c.config) + " --out " + q(dir.path() / "o") +
                             " --quiet --devices 0,0,0");
    EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
    EXPECT_EQ(lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir.path() / "o")) << c.config;
  }
}

TEST(Hostile, BenchKeepsAFolderItDidNotMake) {
  test::TempDir dir;
  // exec keeps the shell's pid: the folder an older bench would have taken for its own.
  const auto r = test::run("TMPDIR=" + q(dir.path()) + " sh -c 'mkdir \"$TMPDIR/synthlabel-bench-$$\" && echo keep > " +
                           "\"$TMPDIR/synthlabel-bench-$$/precious.txt\" && exec " + k_bin + " bench " + k_floating +
                           " --frames 2 --resolution 64x48'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  int kept = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(test::read_file(e.path() / "precious.txt"), "keep\n") << e.path();
    ++kept;
  }
  EXPECT_EQ(kept, 1) << "bench left its own temporary folder behind";
}

TEST(Hostile, MergeIntoItsOwnInputIsRefused) {
  test::TempDir dir;
  const fs::path a = dir.path() / "a", b = dir.path() / "b";
  ASSERT_EQ(test::run(generate(a, "--shard 0/2")).exit_code, 0);
  ASSERT_EQ(test::run(generate(b, "--shard 1/2")).exit_code, 0);
  const auto before = test::read_tree(dir.path());
  for (const fs::path& out : {a, a / "sub", dir.path()}) {
    const auto r = test::run(k_bin + " merge " + q(a) + " " + q(b) + " --out " + q(out) + " --overwrite");
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("is also an input of this command"), std::string::npos) << r.err;
  }
  EXPECT_EQ(test::read_tree(dir.path()), before);
}

TEST(Hostile, MergeOfADamagedShardLeavesNoOutput) {
  test::TempDir dir;
  const fs::path a = dir.path() / "a", b = dir.path() / "b";
  ASSERT_EQ(test::run(generate(a, "--shard 0/2")).exit_code, 0);
  ASSERT_EQ(test::run(generate(b, "--shard 1/2")).exit_code, 0);
  write(b / "rgb/000001.png", "damaged");
  const auto r = test::run(k_bin + " merge " + q(a) + " " + q(b) + " --out " + q(dir.path() / "m"));
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "m")) << "a refused merge left a partial folder";
}

TEST(Hostile, MergeAndResumeCheckTheManifestsRecordHashes) {
  test::TempDir dir;
  const fs::path a = dir.path() / "a", b = dir.path() / "b";
  ASSERT_EQ(test::run(generate(a, "--shard 0/2")).exit_code, 0);
  ASSERT_EQ(test::run(generate(b, "--shard 1/2")).exit_code, 0);
  // An edited record whose file hashes still match its files: only frame_record_hashes can tell.
  const fs::path rec = b / "records/000001.json";
  const std::string original = test::read_file(rec);
  json j = json::parse(original);
  j["image"]["file_name"] = "rgb/elsewhere.png";
  write(rec, j.dump());
  const auto m = test::run(k_bin + " merge " + q(a) + " " + q(b) + " --out " + q(dir.path() / "m"));
  EXPECT_EQ(m.exit_code, 4) << m.err;
  EXPECT_NE(m.err.find("frame_record_hashes"), std::string::npos) << m.err;
  EXPECT_FALSE(fs::exists(dir.path() / "m"));
  // --resume renders the edited frame again: the record comes back as generate wrote it.
  const auto r = test::run(generate(b, "--shard 1/2 --resume"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::read_file(rec), original);
}

TEST(Hostile, ASecondWriterOfOneFolderIsRefused) {
  test::TempDir dir;
  const fs::path out = dir.path() / "o";
  test::CommandResult first;
  std::thread t([&] { first = test::run(generate(out, "--threads 1", 40)); });
  // Wait for the first run to hold the folder (its manifest is written just after it takes the lock).
  for (int i = 0; i < 600 && !fs::exists(out / "manifest.json"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto second = test::run(generate(out, "--overwrite", 40));
  t.join();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(second.exit_code, 4) << second.err;
  EXPECT_NE(second.err.find("is being written by another synthlabel process"), std::string::npos) << second.err;
  const auto c = test::run(k_bin + " check " + q(out));
  EXPECT_EQ(c.exit_code, 0) << c.err;  // the first run's dataset, whole
}

TEST(Hostile, CheckReportNeverOverwritesADatasetFile) {
  test::TempDir dir;
  const fs::path out = dir.path() / "o";
  ASSERT_EQ(test::run(generate(out)).exit_code, 0);
  const auto before = test::read_tree(out);
  const auto r = test::run(k_bin + " check " + q(out) + " --report " + q(out / "coco.json"));
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("is not a synthlabel check report"), std::string::npos) << r.err;
  EXPECT_EQ(test::read_tree(out), before);
  // Its own report it replaces.
  EXPECT_EQ(test::run(k_bin + " check " + q(out) + " --report " + q(dir.path() / "r.html")).exit_code, 0);
  EXPECT_EQ(test::run(k_bin + " check " + q(out) + " --report " + q(dir.path() / "r.html")).exit_code, 0);
}

}  // namespace
}  // namespace synthlabel
