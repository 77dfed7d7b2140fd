// The output folder rules: never write into a non-empty folder unless told, and --overwrite only
// replaces a previous synthlabel dataset's own files.
#include <gtest/gtest.h>

#include <fstream>

#include "exporters/DatasetWriter.h"
#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

namespace fs = std::filesystem;

TEST(OutputDir, CreatesMissingAndAcceptsEmpty) {
  test::TempDir dir;
  EXPECT_TRUE(prepare_output_dir(dir.path() / "a/b", false).ok());
  EXPECT_TRUE(fs::is_directory(dir.path() / "a/b"));
  EXPECT_TRUE(prepare_output_dir(dir.path() / "a/b", false).ok());
}

TEST(OutputDir, RefusesNonEmptyWithoutOverwrite) {
  test::TempDir dir;
  std::ofstream(dir.path() / "keep.txt") << "precious";
  auto s = prepare_output_dir(dir.path(), false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ExitCode::io);
  EXPECT_NE(s.error().message.find("is not empty"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir.path() / "keep.txt"));
}

TEST(OutputDir, OverwriteRefusesWhatIsNotADataset) {
  test::TempDir dir;
  std::ofstream(dir.path() / "keep.txt") << "precious";
  auto s = prepare_output_dir(dir.path(), true);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("holds no synthlabel dataset"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir.path() / "keep.txt"));
}

TEST(OutputDir, OverwriteRemovesOnlyDatasetFiles) {
  test::TempDir dir;
  fs::create_directories(dir.path() / "rgb");
  std::ofstream(dir.path() / "rgb/000000.png") << "x";
  std::ofstream(dir.path() / "manifest.json") << "{}";
  std::ofstream(dir.path() / "coco.json") << "{}";
  std::ofstream(dir.path() / "notes.txt") << "mine";
  ASSERT_TRUE(prepare_output_dir(dir.path(), true).ok());
  EXPECT_FALSE(fs::exists(dir.path() / "rgb"));
  EXPECT_FALSE(fs::exists(dir.path() / "manifest.json"));
  EXPECT_TRUE(fs::exists(dir.path() / "notes.txt"));
}

TEST(OutputDir, FileInTheWayIsAnError) {
  test::TempDir dir;
  std::ofstream(dir.path() / "file") << "x";
  EXPECT_FALSE(prepare_output_dir(dir.path() / "file", false).ok());
}

}  // namespace
}  // namespace synthlabel
