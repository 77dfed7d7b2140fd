// The scale-out examples (examples/kubernetes/) as a user would run them: the container recipe
// installs scripts/setup.sh's package list (the list CI installs on a clean Debian 12 every run), GPU
// pods ask for the Vulkan (graphics) driver, and the merge Job waits for every shard: its init
// container's own command is run here against shard folders, complete and not.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

namespace fs = std::filesystem;
const fs::path k_src = SYNTHLABEL_SOURCE_DIR;

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

TEST(Examples, ContainerRecipeInstallsTheSetupScriptsPackages) {
  const std::string recipe = test::read_file(k_src / "examples/kubernetes/Containerfile");
  EXPECT_NE(recipe.find("RUN /src/scripts/setup.sh --deps-only"), std::string::npos) << recipe;
  EXPECT_EQ(recipe.find("apt-get install"), std::string::npos) << "a second package list would drift";
  EXPECT_NE(recipe.find("NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics"), std::string::npos);
  // The list the recipe relies on holds what CMakeLists.txt finds (JPEG, the validation layers).
  const std::string setup = test::read_file(k_src / "scripts/setup.sh");
  for (const char* p : {"libjpeg-dev", "vulkan-validationlayers", "libpng-dev", "libassimp-dev", "glslc"}) {
    EXPECT_NE(setup.find(p), std::string::npos) << p;
  }
}

TEST(Examples, IndexedJobAsksForTheGpuDriverAndItsMergeWaitsForEveryShard) {
  const auto docs = YAML::LoadAllFromFile((k_src / "examples/kubernetes/indexed-job.yaml").string());
  ASSERT_EQ(docs.size(), 2u);
  const YAML::Node gen = docs[0]["spec"], merge = docs[1]["spec"];
  const int completions = gen["completions"].as<int>();
  std::string count, caps;
  for (const auto& e : gen["template"]["spec"]["containers"][0]["env"]) {
    if (e["name"].as<std::string>() == "SYNTHLABEL_SHARD_COUNT") count = e["value"].as<std::string>();
    if (e["name"].as<std::string>() == "NVIDIA_DRIVER_CAPABILITIES") caps = e["value"].as<std::string>();
  }
  EXPECT_EQ(count, std::to_string(completions));
  EXPECT_NE(caps.find("graphics"), std::string::npos);
  // The init container's command, run on folders like the volume's: it must wait while any shard is
  // missing or incomplete and end once all `completions` are complete.
  std::string wait = merge["template"]["spec"]["initContainers"][0]["command"][2].as<std::string>();
  EXPECT_NE(wait.find("-ge " + std::to_string(completions)), std::string::npos) << wait;
  test::TempDir dir;
  wait = replace_all(replace_all(wait, "/data/run1", dir.path().string()), "sleep 30", "sleep 0.05");
  auto shard = [&](int k, const char* status) {
    fs::create_directories(dir.path() / ("shard-" + std::to_string(k)));
    std::ofstream(dir.path() / ("shard-" + std::to_string(k)) / "manifest.json") << "{\n  \"status\": \"" << status << "\"\n}\n";
  };
  const std::string run = "timeout 2 sh -c " + test::shell_quote(wait);
  EXPECT_EQ(test::run(run).exit_code, 124) << "no shard yet: must wait";
  for (int k = 0; k < completions; ++k) shard(k, k == 1 ? "incomplete" : "complete");
  EXPECT_EQ(test::run(run).exit_code, 124) << "one shard incomplete: must wait";
  shard(1, "complete");
  EXPECT_EQ(test::run(run).exit_code, 0) << "all complete: goes on to the merge";
  // And the merge it then runs takes the shards the generate Job writes.
  const std::string out = gen["template"]["spec"]["containers"][0]["args"][3].as<std::string>();
  EXPECT_EQ(out, "/data/run1/shard-{shard}");
  EXPECT_NE(merge["template"]["spec"]["containers"][0]["command"][2].as<std::string>().find("merge /data/run1/shard-*"),
            std::string::npos);
}

}  // namespace
}  // namespace synthlabel
