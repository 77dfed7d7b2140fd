// The output folder rules: never write into a non-empty folder unless told, and --overwrite only
// replaces a previous synthlabel dataset's own files.
#include <gtest/gtest.h>

#include <fstream>

#include "exporters/OutputDir.h"
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
  fs::create_directories(dir.path() / "voc/Annotations");
  fs::create_directories(dir.path() / "depth");
  std::ofstream(dir.path() / "rgb/000000.png") << "x";
  std::ofstream(dir.path() / "rgb/000001.png.tmp.123.4") << "x";                   // a killed run's temporary
  std::ofstream(dir.path() / "voc/Annotations/000001.xml") << "x";
  std::ofstream(dir.path() / "voc/labels.txt") << "x";
  std::ofstream(dir.path() / "depth/000002.exr") << "outside the manifest's range";  // not ours
  std::ofstream(dir.path() / "depth/photo.exr") << "a user's file";
  std::ofstream(dir.path() / "manifest.json") << R"({"tool": "synthlabel", "frame_range": [0, 2]})";
  std::ofstream(dir.path() / "coco.json") << "{}";
  std::ofstream(dir.path() / "notes.txt") << "mine";
  ASSERT_TRUE(prepare_output_dir(dir.path(), true).ok());
  EXPECT_FALSE(fs::exists(dir.path() / "rgb"));
  EXPECT_FALSE(fs::exists(dir.path() / "voc"));
  EXPECT_FALSE(fs::exists(dir.path() / "manifest.json"));
  EXPECT_FALSE(fs::exists(dir.path() / "coco.json"));
  EXPECT_EQ(test::read_file(dir.path() / "notes.txt"), "mine");
  EXPECT_EQ(test::read_file(dir.path() / "depth/000002.exr"), "outside the manifest's range");
  EXPECT_EQ(test::read_file(dir.path() / "depth/photo.exr"), "a user's file");
}

TEST(OutputDir, OverwriteRefusesAnotherToolsManifest) {
  test::TempDir dir;
  fs::create_directories(dir.path() / "rgb");
  std::ofstream(dir.path() / "rgb/000000.png") << "theirs";
  std::ofstream(dir.path() / "manifest.json") << R"({"tool": "blenderproc", "frame_range": [0, 2]})";
  auto s = prepare_output_dir(dir.path(), true);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ExitCode::io);
  EXPECT_NE(s.error().message.find("not a synthlabel manifest"), std::string::npos) << s.error().message;
  EXPECT_EQ(test::read_file(dir.path() / "rgb/000000.png"), "theirs");
}

TEST(OutputDir, ASecondWriterIsRefused) {
  test::TempDir dir;
  auto first = prepare_output_dir(dir.path() / "o", false);
  ASSERT_TRUE(first.ok());
  auto second = prepare_output_dir(dir.path() / "o", false);  // another open file description: refused
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ExitCode::io);
  EXPECT_NE(second.error().message.find("is being written by another synthlabel process"), std::string::npos);
  first = OutputLock();  // released
  EXPECT_TRUE(prepare_output_dir(dir.path() / "o", false).ok());
}

TEST(OutputDir, AnInputIsNeverTheOutput) {
  test::TempDir dir;
  fs::create_directories(dir.path() / "a/b");
  const std::vector<fs::path> inputs = {dir.path() / "a"};
  EXPECT_FALSE(check_not_an_input(dir.path() / "a", inputs, "--out").ok());
  EXPECT_FALSE(check_not_an_input(dir.path() / "a/b/../b", inputs, "--out").ok());  // inside
  EXPECT_FALSE(check_not_an_input(dir.path(), inputs, "--out").ok());                 // holds it
  EXPECT_TRUE(check_not_an_input(dir.path() / "ab", inputs, "--out").ok());
  EXPECT_TRUE(check_not_an_input(dir.path() / "c", inputs, "--out").ok());
}

TEST(OutputDir, FileInTheWayIsAnError) {
  test::TempDir dir;
  std::ofstream(dir.path() / "file") << "x";
  EXPECT_FALSE(prepare_output_dir(dir.path() / "file", false).ok());
}

}  // namespace
}  // namespace synthlabel
