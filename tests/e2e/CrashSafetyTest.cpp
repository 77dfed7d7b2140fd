// Crash safety: kill -9 at random points, a full disk and a file-size limit; each time the dataset on
// disk stays consistent and --resume finishes it byte-identical to an uninterrupted run.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "tests/support/PbrAsset.h"
#include "tests/support/TestSupport.h"

extern char** environ;

namespace synthlabel {
namespace {

namespace fs = std::filesystem;
const fs::path k_config = fs::path(SYNTHLABEL_SOURCE_DIR) / "tests/data/floating.yaml";
constexpr const char* k_frames = "150";

std::string generate_cmd(const fs::path& out, const std::string& extra = "") {
  return test::shell_quote(SYNTHLABEL_BINARY) + " generate " + test::shell_quote(k_config.string()) + " --out " +
         test::shell_quote(out.string()) + " --frames " + k_frames + " --quiet " + extra;
}

// Where a kill lands: once `records` frame records are committed (0: during start-up), plus `extra`.
// Counting committed records instead of timing the run keeps the kill inside the run on a machine of
// any speed, where a wall-clock delay measured on one run can miss a faster later one.
struct KillPoint {
  int records = 0;
  std::chrono::microseconds extra{0};
};

int committed_records(const fs::path& out) {
  std::error_code ec;
  int n = 0;
  for (fs::directory_iterator it(out / "records", ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename().string().find(".tmp.") == std::string::npos) ++n;
  return n;
}

// Starts generate, SIGKILLs it at `at`, reaps it. Returns true if the kill landed before exit.
bool run_and_kill(const fs::path& out, KillPoint at, const std::string& extra = "") {
  const std::string cmd = "exec " + generate_cmd(out, extra) + " >/dev/null 2>&1";
  const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) {
    ADD_FAILURE() << "posix_spawn failed";
    return false;
  }
  int status = 0;
  while (at.records > 0 && committed_records(out) < at.records) {
    if (waitpid(pid, &status, WNOHANG) == pid) return false;  // ended before the kill point
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  std::this_thread::sleep_for(at.extra);
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

class CrashSafety : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = new test::TempDir();
    const auto r = test::run(generate_cmd(s_dir->path() / "reference"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    s_reference = new std::map<std::string, std::string>(test::read_tree(s_dir->path() / "reference"));
  }
  static void TearDownTestSuite() {
    delete s_reference;
    delete s_dir;
  }
  static test::TempDir* s_dir;
  static std::map<std::string, std::string>* s_reference;
};
test::TempDir* CrashSafety::s_dir = nullptr;
std::map<std::string, std::string>* CrashSafety::s_reference = nullptr;

void expect_same(const std::map<std::string, std::string>& got, const std::map<std::string, std::string>& want) {
  ASSERT_EQ(got.size(), want.size()) << "different number of files";
  for (const auto& [name, bytes] : want) {
    auto it = got.find(name);
    ASSERT_NE(it, got.end()) << name << " missing";
    EXPECT_TRUE(it->second == bytes) << name << " differs";
  }
}

TEST_F(CrashSafety, KillAtRandomPointsThenResumeIsByteIdentical) {
  ASSERT_NE(s_reference, nullptr);
  std::mt19937 gen(2026);
  // Kill points spread over the run: start-up (no record yet) and every stage of the frames. The
  // extra delay puts the kill anywhere between two commits: mid-render, mid-encode, mid-rename.
  std::uniform_int_distribution<int> records(0, 140);
  std::uniform_int_distribution<int> extra_us(0, 3000);
  int landed = 0;
  for (int trial = 0; trial < 7; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const fs::path out = s_dir->path() / ("killed" + std::to_string(trial));
    KillPoint at{trial == 0 ? 0 : records(gen), std::chrono::microseconds(extra_us(gen))};
    landed += run_and_kill(out, at) ? 1 : 0;
    if (trial == 6) {  // a resumed run killed too
      at.records += 5;
      landed += run_and_kill(out, at, "--resume") ? 1 : 0;
    }
    const auto r = test::run(generate_cmd(out, "--resume"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_same(test::read_tree(out), *s_reference);
  }
  EXPECT_GE(landed, 7) << "the kills should land before the run ends";
}

TEST_F(CrashSafety, ResumeRefusesADifferentConfig) {
  const fs::path out = s_dir->path() / "other-seed";
  run_and_kill(out, KillPoint{50, {}});
  const auto r = test::run(generate_cmd(out, "--resume --seed 12345"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("differ in seed (12345 vs 5) (this command first)"), std::string::npos) << r.err;
}

// The files a config names are part of the dataset's identity: changed bytes refuse a resume.
TEST_F(CrashSafety, ResumeRefusesChangedInputFiles) {
  const fs::path dir = s_dir->path() / "inputs";
  fs::create_directories(dir);
  fs::copy_file(fs::path(SYNTHLABEL_SOURCE_DIR) / "assets/models/pawn.ply", dir / "pawn.ply");
  std::ofstream(dir / "scene.yaml") << "categories: [pawn]\nobjects: [{asset: pawn.ply, category: pawn}]\n";
  const std::string cmd = test::shell_quote(SYNTHLABEL_BINARY) + " generate " + test::shell_quote((dir / "scene.yaml").string()) +
                          " --out " + test::shell_quote((dir / "out").string()) + " --frames 2 --resolution 64x48 --quiet";
  ASSERT_EQ(test::run(cmd).exit_code, 0);
  ASSERT_EQ(test::run(cmd + " --resume").exit_code, 0);  // unchanged: fine
  std::ofstream(dir / "pawn.ply", std::ios::app) << "\n";  // same mesh, other bytes
  const auto r = test::run(cmd + " --resume");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("differ in inputs"), std::string::npos) << r.err;
}

// ... and so are the files a model itself references (here a glTF's external base-colour image),
// which the config does not name: the mesh as loaded is hashed too.
TEST_F(CrashSafety, ResumeRefusesAChangedFileAModelReferences) {
  const fs::path dir = s_dir->path() / "model_refs";
  fs::create_directories(dir);
  const fs::path gltf = test::write_pbr_gltf(dir);
  std::ofstream(dir / "scene.yaml") << "categories: [quad]\nobjects: [{asset: " << gltf.filename().string() << ", category: quad}]\n";
  const std::string cmd = test::shell_quote(SYNTHLABEL_BINARY) + " generate " + test::shell_quote((dir / "scene.yaml").string()) +
                          " --out " + test::shell_quote((dir / "out").string()) + " --frames 2 --resolution 64x48 --quiet";
  ASSERT_EQ(test::run(cmd).exit_code, 0);
  ASSERT_EQ(test::run(cmd + " --resume").exit_code, 0);  // unchanged: fine
  fs::copy_file(fs::path(SYNTHLABEL_SOURCE_DIR) / "assets/textures/dots.png", dir / "base.png", fs::copy_options::overwrite_existing);
  const auto r = test::run(cmd + " --resume");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("differ in inputs"), std::string::npos) << r.err;
}

TEST_F(CrashSafety, ResumeOfAFinishedDatasetChangesNothing) {
  const fs::path out = s_dir->path() / "finished";
  ASSERT_EQ(test::run(generate_cmd(out)).exit_code, 0);
  const auto r = test::run(generate_cmd(out, "--resume"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("wrote 0 frames"), std::string::npos) << r.out;
  expect_same(test::read_tree(out), *s_reference);
}

TEST_F(CrashSafety, CorruptedFrameIsRenderedAgainOnResume) {
  const fs::path out = s_dir->path() / "corrupted";
  ASSERT_EQ(test::run(generate_cmd(out)).exit_code, 0);
  {
    std::string png = test::read_file(out / "rgb/000007.png");
    png[png.size() / 2] ^= 0x55;
    std::ofstream(out / "rgb/000007.png", std::ios::binary) << png;
  }
  fs::remove(out / "depth/000011.exr");
  // What a kill between a temp file's creation and its rename leaves behind.
  std::ofstream(out / "rgb/000003.png.tmp.4242.7") << "partial";
  std::ofstream(out / "coco.json.tmp.4242.8") << "{\"images\":[";
  const auto r = test::run(generate_cmd(out, "--resume"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("wrote 2 frames"), std::string::npos) << r.out;
  expect_same(test::read_tree(out), *s_reference);
}

// After a write error the files on disk are whole (no partial file under a final name), complete
// frames verify, and --resume with space available finishes the dataset byte-identically.
void expect_consistent_then_resumable(const fs::path& out, const std::map<std::string, std::string>& reference) {
  for (const auto& e : fs::recursive_directory_iterator(out)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << "temp file left: " << e.path();
    if (!e.is_regular_file()) continue;
    const std::string rel = fs::relative(e.path(), out).string();
    if (rel == "manifest.json") continue;  // still "incomplete"; rewritten by the resume
    auto it = reference.find(rel);
    ASSERT_NE(it, reference.end()) << "unexpected file " << rel;
    EXPECT_TRUE(test::read_file(e.path()) == it->second) << rel << " is not whole";
  }
  EXPECT_NE(test::read_file(out / "manifest.json").find("\"status\": \"incomplete\""), std::string::npos);
  const auto r = test::run(generate_cmd(out, "--resume"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_same(test::read_tree(out), reference);
}

TEST_F(CrashSafety, FullDiskMidRunIsAClearErrorAndResumable) {
  // A real 600 KiB tmpfs in a private mount namespace (no root needed where user namespaces are
  // allowed); about a dozen frames fit. The partial dataset is copied out before the namespace ends.
  const fs::path keep = s_dir->path() / "full-disk";
  const fs::path mnt = s_dir->path() / "mnt";
  fs::create_directories(mnt);
  const std::string inner = "mount -t tmpfs -o size=600k tmpfs " + test::shell_quote(mnt.string()) + " || exit 99; " +
                            generate_cmd(mnt / "out") + "; rc=$?; cp -a " + test::shell_quote((mnt / "out").string()) +
                            " " + test::shell_quote(keep.string()) + "; exit $rc";
  const auto r = test::run("unshare --mount --map-root-user sh -c " + test::shell_quote(inner));
  if (r.exit_code == 99 || r.err.find("unshare") != std::string::npos) {
    GTEST_SKIP() << "cannot mount a small tmpfs here (user namespaces off?): " << r.err;
  }
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("synthlabel: error: cannot "), std::string::npos) << r.err;
  ASSERT_TRUE(fs::exists(keep / "records/000000.json")) << "expected some frames before the disk filled";
  expect_consistent_then_resumable(keep, *s_reference);
}

TEST_F(CrashSafety, LostDeviceIsAClearErrorAndResumable) {
  // SYNTHLABEL_FAULT_DEVICE_LOST_AFTER makes the renderer fail its 41st submit as a lost GPU would.
  const fs::path out = s_dir->path() / "device-lost";
  const auto r = test::run("SYNTHLABEL_FAULT_DEVICE_LOST_AFTER=40 " + generate_cmd(out));
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("VK_ERROR_DEVICE_LOST (the GPU device was lost)"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(out / "records/000030.json")) << "frames rendered before the loss are kept";
  expect_consistent_then_resumable(out, *s_reference);
}

TEST_F(CrashSafety, FileSizeLimitIsAClearErrorAndResumable) {
  // ulimit -f 64 (KiB): every frame's files fit, coco.json (the last file) does not.
  const fs::path out = s_dir->path() / "fsize";
  const auto r = test::run("ulimit -f 64 && " + generate_cmd(out));
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("coco.json': File too large"), std::string::npos) << r.err;
  expect_consistent_then_resumable(out, *s_reference);
}

}  // namespace
}  // namespace synthlabel
