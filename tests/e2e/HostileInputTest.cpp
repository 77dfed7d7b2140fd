// Hostile input through the real executable (issue 14): synthlabel deletes only what it can prove it
// wrote, never an input of the same command, holds a lock on the folder it writes, reads nothing
// outside --asset-root, never hangs and never crashes. The data-destruction cases compare every byte
// that was there before with what is there after.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
const fs::path k_src = SYNTHLABEL_SOURCE_DIR;
const std::string k_bin = test::shell_quote(SYNTHLABEL_BINARY);
const std::string k_floating = test::shell_quote((k_src / "tests/data/floating.yaml").string());


std::string generate(const fs::path& out, const std::string& extra = "", int frames = 2) {
  return k_bin + " generate " + k_floating + " --out " + test::shell_quote(out) + " --quiet --frames " + std::to_string(frames) + " " + extra;
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}


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
  EXPECT_EQ(test::line_count(r.err), 1) << r.err;
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
    const auto r = test::run(k_bin + " generate " + test::shell_quote(dir.path() / c.config) + " --out " + test::shell_quote(dir.path() / "o") +
                             " --quiet --devices 0,0,0");
    EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
    EXPECT_EQ(test::line_count(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir.path() / "o")) << c.config;
  }
}

TEST(Hostile, BenchKeepsAFolderItDidNotMake) {
  test::TempDir dir;
  // exec keeps the shell's pid: the folder an older bench would have taken for its own.
  const auto r = test::run("TMPDIR=" + test::shell_quote(dir.path()) + " sh -c 'mkdir \"$TMPDIR/synthlabel-bench-$$\" && echo keep > " +
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
    const auto r = test::run(k_bin + " merge " + test::shell_quote(a) + " " + test::shell_quote(b) + " --out " + test::shell_quote(out) + " --overwrite");
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
  const auto r = test::run(k_bin + " merge " + test::shell_quote(a) + " " + test::shell_quote(b) + " --out " + test::shell_quote(dir.path() / "m"));
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_EQ(test::line_count(r.err), 1) << r.err;
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
  const auto m = test::run(k_bin + " merge " + test::shell_quote(a) + " " + test::shell_quote(b) + " --out " + test::shell_quote(dir.path() / "m"));
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
  // 200 frames: the first run must still hold the folder when the second has started (a loaded CI
  // machine could finish 40 before the second run reached the lock; seen flaky under ctest -j2).
  test::CommandResult first;
  std::thread t([&] { first = test::run(generate(out, "--threads 1", 200)); });
  // Wait for the first run to hold the folder (its manifest is written just after it takes the lock).
  for (int i = 0; i < 600 && !fs::exists(out / "manifest.json"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto second = test::run(generate(out, "--overwrite", 40));
  t.join();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(second.exit_code, 4) << second.err;
  EXPECT_NE(second.err.find("is being written by another synthlabel process"), std::string::npos) << second.err;
  const auto c = test::run(k_bin + " check " + test::shell_quote(out));
  EXPECT_EQ(c.exit_code, 0) << c.err;  // the first run's dataset, whole
}

TEST(Hostile, CheckReportNeverOverwritesADatasetFile) {
  test::TempDir dir;
  const fs::path out = dir.path() / "o";
  ASSERT_EQ(test::run(generate(out)).exit_code, 0);
  const auto before = test::read_tree(out);
  const auto r = test::run(k_bin + " check " + test::shell_quote(out) + " --report " + test::shell_quote(out / "coco.json"));
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("is not a synthlabel check report"), std::string::npos) << r.err;
  EXPECT_EQ(test::read_tree(out), before);
  // Its own report it replaces.
  EXPECT_EQ(test::run(k_bin + " check " + test::shell_quote(out) + " --report " + test::shell_quote(dir.path() / "r.html")).exit_code, 0);
  EXPECT_EQ(test::run(k_bin + " check " + test::shell_quote(out) + " --report " + test::shell_quote(dir.path() / "r.html")).exit_code, 0);
}

// ---- Read outside --asset-root -----------------------------------------------------------------

// A one-triangle glTF whose buffer is `uri`, and that buffer's 36 bytes.
std::string gltf_with_buffer(const std::string& uri) {
  return R"({"asset": {"version": "2.0"}, "scenes": [{"nodes": [0]}], "nodes": [{"mesh": 0}],
    "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}]}],
    "buffers": [{"uri": ")" + uri + R"(", "byteLength": 36}],
    "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": 36}],
    "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3", "max": [1, 1, 0], "min": [0, 0, 0]}]})";
}
std::string triangle_bytes() {
  const float v[9] = {0, 0, 0, 1, 0, 0, 0, 1, 0};
  return std::string(reinterpret_cast<const char*>(v), sizeof v);
}
std::string obj_with_mtllib(const std::string& mtllib) {
  return "mtllib " + mtllib + "\nv 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 0 1\nusemtl red\nf 1/1 2/2 3/3\n";
}
std::string config_for(const std::string& asset) {
  return "seed: 1\nresolution: [64, 48]\ncategories: [thing]\nobjects: [{asset: " + asset + ", category: thing, normalize: true}]\n";
}

struct Run {
  test::CommandResult r;
  fs::path out;
};
// generate on root/scene.yaml (whose text is `yaml`) with --asset-root root.
Run generate_in(const fs::path& root, const std::string& yaml, bool confined = true) {
  write(root / "scene.yaml", yaml);
  const fs::path out = root.parent_path() / "out";
  auto r = test::run(k_bin + " generate " + test::shell_quote(root / "scene.yaml") + " --out " + test::shell_quote(out) + " --quiet --frames 1" +
                     (confined ? " --asset-root " + test::shell_quote(root) : ""));
  return {r, out};
}

TEST(Hostile, ModelReferencesOutsideTheRootAreNeverOpened) {
  test::TempDir dir;
  const fs::path root = dir.path() / "root";
  write(dir.path() / "outside.bin", triangle_bytes());
  write(dir.path() / "evil.mtl", "newmtl red\nKd 1 0 0\n");
  write(dir.path() / "outside.png", test::read_file(k_src / "assets/textures/checker.png"));
  write(root / "rel.gltf", gltf_with_buffer("../outside.bin"));
  write(root / "abs.obj", obj_with_mtllib("abs.mtl"));  // an absolute texture path
  write(root / "abs.mtl", "newmtl red\nKd 1 0 0\nmap_Kd " + (dir.path() / "outside.png").string() + "\n");
  write(root / "mtl.obj", obj_with_mtllib("../evil.mtl"));
  write(root / "tex.obj", obj_with_mtllib("tex.mtl"));
  write(root / "tex.mtl", "newmtl red\nKd 1 0 0\nmap_Kd ../outside.png\n");
  write(root / "inside.gltf", gltf_with_buffer("inside.bin"));
  write(root / "inside.bin", triangle_bytes());
  for (const char* model : {"rel.gltf", "abs.obj", "mtl.obj", "tex.obj"}) {
    SCOPED_TRACE(model);
    const auto run = generate_in(root, config_for(model));
    EXPECT_EQ(run.r.exit_code, 3) << run.r.err;
    EXPECT_NE(run.r.err.find("outside --asset-root"), std::string::npos) << run.r.err;
    EXPECT_EQ(test::line_count(run.r.err), 1) << run.r.err;
    EXPECT_FALSE(fs::exists(run.out));
    // Without --asset-root the same model loads: the root is what confines.
    const auto free = generate_in(root, config_for(model), false);
    EXPECT_EQ(free.r.exit_code, 0) << free.r.err;
    fs::remove_all(free.out);
  }
  const auto ok = generate_in(root, config_for("inside.gltf"));
  EXPECT_EQ(ok.r.exit_code, 0) << ok.r.err;
}

TEST(Hostile, IncludesOutsideTheRootAreNeverOpened) {
  test::TempDir dir;
  const fs::path root = dir.path() / "root";
  write(dir.path() / "secret.yaml", "password_of_the_day: 1\n");
  write(root / "common/cats.yaml", "categories: [box]\n");
  const std::string objects = "objects: [{primitive: cube, category: box}]\n";
  for (const std::string& include : std::vector<std::string>{"../secret.yaml", (dir.path() / "secret.yaml").string(), "/proc/self/status"}) {
    SCOPED_TRACE(include);
    const auto run = generate_in(root, "include: " + include + "\ncategories: [box]\n" + objects);
    EXPECT_EQ(run.r.exit_code, 2) << run.r.err;
    EXPECT_NE(run.r.err.find("outside --asset-root"), std::string::npos) << run.r.err;
    EXPECT_EQ(run.r.err.find("password_of_the_day"), std::string::npos) << run.r.err;
    EXPECT_EQ(run.r.err.find("Name"), std::string::npos) << run.r.err;
    EXPECT_EQ(test::line_count(run.r.err), 1) << run.r.err;
  }
  const auto ok = generate_in(root, "include: common/cats.yaml\n" + objects);
  EXPECT_EQ(ok.r.exit_code, 0) << ok.r.err;
}

// ---- Hangs and crashes -------------------------------------------------------------------------

TEST(Hostile, AFifoAModelRefersToIsRefusedNotWaitedOn) {
  test::TempDir dir;
  const fs::path root = dir.path() / "root";
  fs::create_directories(root);
  ASSERT_EQ(::mkfifo((root / "fifo.bin").c_str(), 0600), 0);
  ASSERT_EQ(::mkfifo((root / "fifo.mtl").c_str(), 0600), 0);
  write(root / "buffer.gltf", gltf_with_buffer("fifo.bin"));
  write(root / "mtl.obj", obj_with_mtllib("fifo.mtl"));
  for (const char* model : {"buffer.gltf", "mtl.obj"}) {
    for (bool confined : {true, false}) {
      SCOPED_TRACE(model);
      const auto run = generate_in(root, config_for(model), confined);
      EXPECT_EQ(run.r.exit_code, 3) << run.r.err;
      EXPECT_NE(run.r.err.find("which is not a regular file"), std::string::npos) << run.r.err;
      EXPECT_EQ(test::line_count(run.r.err), 1) << run.r.err;
    }
  }
}

// A config whose one model sends Assimp's PLY reader into an endless loop (a fuzzer finding).
fs::path looping_model_config(const fs::path& dir) {
  const std::string bytes = test::read_file(k_src / "tests/data/fuzz/asset/ply-importer-endless-loop.bin");
  write(dir / "loop.ply", bytes.substr(1));
  write(dir / "scene.yaml", "categories: [t]\nobjects: [{asset: loop.ply, category: t}]\n");
  return dir / "scene.yaml";
}

TEST(Hostile, AnImporterThatStopsUsingCpuIsStoppedByTheWallClock) {
  // The importer child is frozen (SIGSTOP) mid-import: it uses no CPU, so only a wall-clock limit
  // (3 x its 10 s CPU limit, then the parent's own deadline) can end the wait.
  test::TempDir dir;
  const fs::path cfg = looping_model_config(dir.path());
  const auto r = test::run("{ " + k_bin + " validate " + test::shell_quote(cfg) + " & pid=$!; sleep 1; pkill -STOP -P $pid; wait $pid; }");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("(wall clock) on this file and was stopped"), std::string::npos) << r.err;
  EXPECT_EQ(test::line_count(r.err), 1) << r.err;
}

TEST(Hostile, TheImporterDiesWithSynthlabel) {
  test::TempDir dir;
  const fs::path cfg = looping_model_config(dir.path());
  // kill -9 synthlabel while its importer loops: the importer must not live on.
  // (Dead means gone or a zombie: in a container the reaper of orphans may be slow or absent.)
  const auto r = test::run("{ " + k_bin + " validate " + test::shell_quote(cfg) + " & pid=$!; sleep 1; child=$(pgrep -P $pid); " +
                           "[ -n \"$child\" ] || exit 10; kill -9 $pid; sleep 0.5; " +
                           "if grep -qs '^State:.*[RSD]' /proc/$child/status; then kill -9 $child; exit 11; fi; exit 0; }");
  EXPECT_EQ(r.exit_code, 0) << "10: no importer child seen, 11: the importer outlived synthlabel\n" << r.err;
}

TEST(Hostile, IncludeFanOutIsBoundedInDocuments) {
  test::TempDir dir;
  // f0 includes f1 ten times, f1 includes f2 ten times, ...: 10^5 reads if nothing counted them.
  const char* names[] = {"f0.yaml", "f1.yaml", "f2.yaml", "f3.yaml", "f4.yaml", "f5.yaml"};
  for (int i = 0; i < 6; ++i) {
    std::string text = i < 5 ? "include: [" : "seed: 1\n";
    for (int k = 0; k < 10 && i < 5; ++k) {
      if (k) text += ", ";
      text += names[i + 1];
    }
    if (i < 5) text += "]\n";
    write(dir.path() / names[i], text);
  }
  write(dir.path() / "scene.yaml", "include: f0.yaml\ncategories: [box]\nobjects: [{primitive: cube, category: box}]\n");
  const auto r = test::run(k_bin + " generate " + test::shell_quote(dir.path() / "scene.yaml") + " --out " + test::shell_quote(dir.path() / "o") + " --quiet");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("f4.yaml:1:47: include: more than 64 files included in all"), std::string::npos) << r.err;
  EXPECT_EQ(test::line_count(r.err), 1) << r.err;
}

// Nine anchors, each a list of ten aliases of the one before: 10^9 values once expanded.
std::string alias_bomb(const std::string& indent) {
  std::string y = indent + "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n";
  for (int i = 1; i < 10; ++i) {
    y += indent + "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) y += std::string(k ? ", " : "") + "*a" + std::to_string(i - 1);
    y += "]\n";
  }
  return y;
}

TEST(Hostile, AliasBombsInIncludesAndOverridesEndQuickly) {
  test::TempDir dir;
  write(dir.path() / "bomb.yaml", "camera:\n  extra:\n" + alias_bomb("    "));
  write(dir.path() / "scene.yaml", "include: bomb.yaml\ncategories: [box]\nobjects: [{primitive: cube, category: box, cont: 1}]\n");
  const auto r = test::run(k_bin + " generate " + test::shell_quote(dir.path() / "scene.yaml") + " --out " + test::shell_quote(dir.path() / "o") + " --quiet");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("bomb.yaml: the config expands to more than 250000 values"), std::string::npos) << r.err;
  std::string flow = "{";
  flow += "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]";
  for (int i = 1; i < 10; ++i) {
    flow += ", a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) flow += std::string(k ? ", " : "") + "*a" + std::to_string(i - 1);
    flow += "]";
  }
  flow += "}";
  write(dir.path() / "plain.yaml", "categories: [box]\nobjects: [{primitive: cube, category: box, cont: 1}]\n");
  const auto o = test::run(k_bin + " generate " + test::shell_quote(dir.path() / "plain.yaml") + " " + test::shell_quote("camera.extra=" + flow) +
                           " --out " + test::shell_quote(dir.path() / "o") + " --quiet");
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("override 'camera.extra="), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("the config expands to more than 250000 values"), std::string::npos) << o.err;
  EXPECT_EQ(test::line_count(o.err), 1) << o.err;
}

TEST(Hostile, CheckSurvivesAbsurdIdsAndRunLengths) {
  test::TempDir dir;
  const fs::path out = dir.path() / "o";
  ASSERT_EQ(test::run(generate(out, "", 1)).exit_code, 0);
  const std::string original = test::read_file(out / "coco.json");
  const auto check_with = [&](const std::string& text, const std::string& needle) {
    SCOPED_TRACE(needle);
    write(out / "coco.json", text);
    const auto r = test::run(k_bin + " check " + test::shell_quote(out));
    EXPECT_EQ(r.exit_code, 6) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  };
  for (const char* not_coco : {"[]", "5", "null"}) check_with(not_coco, "coco.json: not a COCO file");
  json coco = json::parse(original);
  coco["categories"][0]["id"] = 1000000000000000LL;
  check_with(coco.dump(), "category id 1000000000000000 is above");
  coco = json::parse(original);
  ASSERT_FALSE(coco["annotations"].empty());
  const std::int64_t w = coco["images"][0]["width"], h = coco["images"][0]["height"];
  // Two counts near 2^63 wrap around to exactly the image's size when summed in 64 bits.
  coco["annotations"][0]["segmentation"]["counts"] = {INT64_MAX, INT64_MAX, w * h + 2};
  check_with(coco.dump(), "RLE covers");
}

// ---- Accepted, silently wrong ------------------------------------------------------------------

// generate on `yaml` with `extra`: refused with `code`, one line holding `needle`, and no output.
void expect_refused(const std::string& yaml, const std::string& extra, int code, const std::string& needle) {
  SCOPED_TRACE(needle);
  test::TempDir dir;
  write(dir.path() / "scene.yaml", yaml);
  write(dir.path() / "other.yaml", "seed: 7\n");
  const auto r = test::run("cd " + test::shell_quote(dir.path()) + " && " + k_bin + " generate scene.yaml --out out --quiet " + extra);
  EXPECT_EQ(r.exit_code, code) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  EXPECT_EQ(test::line_count(r.err), 1) << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "out"));
}

const std::string k_cube = "seed: 1\nresolution: [64, 48]\ncategories: [box]\nobjects: [{primitive: cube, category: box}]\n";

TEST(Hostile, CommandLineNumbersAreTakenExactlyOrRefused) {
  expect_refused(k_cube, "--start 18446744073709551615", 2, "--start: expected a whole number from 0 to 1000000000000000");
  for (const char* seed : {"-1", "18446744073709551616", "1e23", "0x10"}) {
    expect_refused(k_cube, std::string("--seed ") + seed, 2, "--seed: expected a whole number from 0 to 18446744073709551615");
  }
  expect_refused(k_cube, "--shard 5/18446744073709551615", 2, "shards is more than the limit of 100000000");
  expect_refused(k_cube, "--shard 18446744073709551616/3", 2, "expected K/N");
  expect_refused(k_cube, "--threads 300", 2, "--threads: expected a whole number from 0 to 256");
  expect_refused(k_cube, "--frames 100000001", 2, "--frames: expected a whole number from 1 to 100000000");
}

TEST(Hostile, DrawsThatWouldNotBeFiniteAreRefused) {
  const std::string head = "seed: 1\nresolution: [64, 48]\ncategories: [box]\n";
  expect_refused(head + "objects: [{primitive: cube, category: box, position: {uniform: [[-1e308, 0, 0], [1e308, 0, 0]]}}]\n", "",
                 2, "objects[0].position.uniform[0][0]: expected a number from -1000000000 to 1000000000, got -1e+308");
  expect_refused(head + "objects: [{primitive: cube, category: box, position: [1e300, 0, 0]}]\n", "", 2,
                 "objects[0].position[0]: expected a number from -1000000000 to 1000000000, got 1e+300");
  expect_refused(head + "camera: {near: 1e-9}\nobjects: [{primitive: cube, category: box}]\n", "", 2,
                 "camera.near: expected a number from 0.000001 to 1000000, got 1e-09");
  expect_refused(head + "camera: {far: 1e300}\nobjects: [{primitive: cube, category: box}]\n", "", 2, "camera.far: expected a number");
  expect_refused(head + "camera: {far: 1e10}\nobjects: [{primitive: cube, category: box}]\n", "", 2,
                 "camera.far: expected a number from 0.000001 to 1000000000, got 10000000000");
}

TEST(Hostile, NamesAreOneLine) {
  expect_refused("categories: [\"box\\nCar 0 0 0\"]\nobjects: [{primitive: cube, category: \"box\\nCar 0 0 0\"}]\n", "", 2,
                 "categories[0]: text holds a control character");
  expect_refused("categories: [\"a\\tb\"]\nobjects: [{primitive: cube, category: \"a\\tb\"}]\n", "", 2,
                 "categories[0]: text holds a control character");
}

TEST(Hostile, AnIncludeOverrideIsRefusedNotIgnored) {
  expect_refused(k_cube, "include=other.yaml", 2, "override 'include=other.yaml': include cannot be set from the command line");
  expect_refused(k_cube, "'include=[other.yaml]'", 2, "include cannot be set from the command line");
}

TEST(Hostile, TooManyThreadsForTheAddressSpaceIsAnError) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reserves terabytes of address space: no ulimit -v under it";
#endif
  // About 0.85 GB of address space is taken before the encoders start; 256 stacks of 8 MiB need 2 GiB
  // more. Under 3,000,000 KB the margin was thin enough that a loaded machine once started them all
  // (glibc reserves a thread's malloc arena when it first allocates, so the total depends on timing):
  // under 2,000,000 KB no timing fits them.
  test::TempDir dir;
  const auto r = test::run("ulimit -v 2000000 && " + generate(dir.path() / "o", "--threads 256"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--threads 256: cannot start all encoder threads"), std::string::npos) << r.err;
  EXPECT_EQ(test::line_count(r.err), 1) << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "o")) << "refused before any frame: nothing left behind";
}

// ---- Messages: one line, with the config position, never two identical snippets --------------------

TEST(Hostile, EveryErrorIsOneLine) {
  std::string nul = "seed: 1\ncategories: [box]\n";
  nul += '\0';
  nul += "objects: [{primitive: cube, category: box}]\n";
  expect_refused(nul, "", 2, "scene.yaml:");
  test::TempDir dir;
  // An EXR whose header breaks off (TinyEXR's message ends in a newline).
  std::string exr("\x76\x2f\x31\x01\x02\x00\x00\x00", 8);
  exr += std::string("channels\0chlist\0", 16) + "\xe8\x03\x00\x00" + "garbage";
  write(dir.path() / "bad.exr", exr);
  write(dir.path() / "scene.yaml", k_cube + "environment: {maps: [bad.exr]}\n");
  const auto e = test::run(k_bin + " generate " + test::shell_quote(dir.path() / "scene.yaml") + " --out " + test::shell_quote(dir.path() / "o") + " --quiet");
  EXPECT_EQ(e.exit_code, 3) << e.err;
  EXPECT_EQ(test::line_count(e.err), 1) << e.err;
  EXPECT_NE(e.err.find("bad.exr: not a readable OpenEXR image (Failed to read attribute.)"), std::string::npos)
      << e.err;
}

TEST(Hostile, WhatTheImporterPrintsStaysOutOfTheMessage) {
  // Assimp's OpenGEX reader prints "nullptr returned by creating DDLNode." on this file.
  const fs::path model = fs::path(SYNTHLABEL_ASSIMP_MODELS) / "OpenGEX/empty_camera.ogex";
  ASSERT_TRUE(fs::exists(model)) << "install assimp-testmodels (scripts/setup.sh --tests)";
  test::TempDir dir;
  write(dir.path() / "scene.yaml", "categories: [t]\nobjects: [{asset: " + model.string() + ", category: t}]\n");
  const auto r = test::run(k_bin + " generate " + test::shell_quote(dir.path() / "scene.yaml") + " --out " + test::shell_quote(dir.path() / "o") + " --quiet");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(test::line_count(r.err), 1) << r.err;
  EXPECT_EQ(r.err.find("DDLNode"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(Hostile, TextureFolderErrorsNameTheConfigPosition) {
  test::TempDir dir;
  write(dir.path() / "tex/bad.png", std::string("\x89PNG\r\n\x1a\ncorrupt", 15));
  write(dir.path() / "scene.yaml", k_cube + "randomizers: [{type: material, texture_folder: tex}]\n");
  const auto r = test::run("cd " + test::shell_quote(dir.path()) + " && " + k_bin + " generate scene.yaml --out o --quiet");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.err.rfind("synthlabel: error: scene.yaml:5:48: randomizers[0].texture_folder: tex/bad.png: not a readable PNG image", 0),
            0u)
      << r.err;
}

TEST(Hostile, ResumeMismatchNamesTheValueThatDiffers) {
  test::TempDir dir;
  const fs::path out = dir.path() / "o";
  ASSERT_EQ(test::run(generate(out)).exit_code, 0);
  const auto r = test::run(k_bin + " generate " + k_floating + " camera.fov_deg=45 --out " + test::shell_quote(out) + " --quiet --frames 2 --resume");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("differ in overrides ([\"camera.fov_deg=45\"] vs missing)"), std::string::npos) << r.err;
  // One value of the same config file changed: the leaf is named, not two equal 57-character prefixes.
  const std::string asset = (k_src / "assets/models/bottle.glb").string();
  std::string yaml = test::read_file(k_src / "tests/data/floating.yaml");
  yaml.replace(yaml.find("../../assets/models/bottle.glb"), 30, asset);
  write(dir.path() / "a.yaml", yaml);
  ASSERT_EQ(test::run(k_bin + " generate " + test::shell_quote(dir.path() / "a.yaml") + " --out " + test::shell_quote(dir.path() / "p") + " --quiet --frames 1").exit_code, 0);
  yaml.replace(yaml.find("fov_deg: 50"), 11, "fov_deg: 55");
  write(dir.path() / "a.yaml", yaml);
  const auto m = test::run(k_bin + " generate " + test::shell_quote(dir.path() / "a.yaml") + " --out " + test::shell_quote(dir.path() / "p") + " --quiet --frames 1 --resume");
  EXPECT_EQ(m.exit_code, 2) << m.err;
  EXPECT_NE(m.err.find("config.camera.fov_deg (55.0 vs 50.0)"), std::string::npos) << m.err;
}

}  // namespace
}  // namespace synthlabel
