// synthlabel check: sound datasets pass (every example config is checked in GenerateTest); datasets
// with planted defects fail with exit 6 and a message naming the entry and the defect.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
const fs::path k_src = SYNTHLABEL_SOURCE_DIR;

test::CommandResult check(const fs::path& dir, const std::string& extra = "") {
  return test::run(test::shell_quote(SYNTHLABEL_BINARY) + " check " + test::shell_quote(dir.string()) + " " + extra);
}

// A small sound dataset, copied afresh for each planted defect.
class Check : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = new test::TempDir();
    const auto r = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " generate " +
                             test::shell_quote((k_src / "tests/data/floating.yaml").string()) + " --out " +
                             test::shell_quote((s_dir->path() / "sound").string()) + " --frames 3 --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete s_dir;
    s_dir = nullptr;
  }
  // A copy of the sound dataset with coco.json changed by `edit`, as a writer could have got it wrong:
  // the manifest's hashes of dataset-level files are dropped (as datasets written before them), so
  // these tests see the content checks; CheckIntegrity tests the hashes.
  fs::path planted(const std::string& name, void (*edit)(json&)) {
    const fs::path dir = m_tmp.path() / name;
    fs::copy(s_dir->path() / "sound", dir, fs::copy_options::recursive);
    json coco = json::parse(test::read_file(dir / "coco.json"));
    edit(coco);
    std::ofstream(dir / "coco.json") << coco.dump(1);
    json manifest = json::parse(test::read_file(dir / "manifest.json"));
    manifest.erase("file_hashes");
    std::ofstream(dir / "manifest.json", std::ios::trunc) << manifest.dump(2);
    return dir;
  }
  void expect_defect(const fs::path& dir, const std::string& needle) {
    const auto r = check(dir);
    EXPECT_EQ(r.exit_code, 6) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  }
  static test::TempDir* s_dir;
  test::TempDir m_tmp;
};
test::TempDir* Check::s_dir = nullptr;

TEST_F(Check, SoundDatasetPassesWithStatisticsAndAReport) {
  const auto r = check(s_dir->path() / "sound", "--report " + test::shell_quote((m_tmp.path() / "report.html").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("3 images"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sound: no defect found"), std::string::npos) << r.out;
  const std::string html = test::read_file(m_tmp.path() / "report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("data:image/png;base64,"), std::string::npos) << "the contact sheet";
  EXPECT_NE(html.find("no defect found"), std::string::npos);
}

std::string base64_decode(const std::string& in) {
  static const std::string k_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    const auto v = k_alphabet.find(ch);
    if (v == std::string::npos) continue;  // '=' padding
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

TEST(CheckReport, EveryBoxKeepsItsOutlineInTheThumbnails) {
  // 640x480 frames become 320x240 thumbnails (every 2nd pixel): a box edge on an odd row or column
  // was once drawn at full size and then skipped. Now each edge of each box must show in the PNG, in
  // its instance's colour halved (exporters/Checker.cpp instance_colour), at thumbnail scale.
  test::TempDir dir;
  const fs::path out = dir.path() / "qs";
  ASSERT_EQ(test::run(test::shell_quote(SYNTHLABEL_BINARY) + " generate " + test::shell_quote((k_src / "configs/quickstart.yaml").string()) +
                      " --out " + test::shell_quote(out.string()) + " --frames 14 --resolution 640x480 --quiet")
                .exit_code,
            0);
  const auto r = check(out, "--report " + test::shell_quote((dir.path() / "r.html").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = test::read_file(dir.path() / "r.html");
  EXPECT_NE(html.find("The first 12 of 14 frames."), std::string::npos);
  const json coco = json::parse(test::read_file(out / "coco.json"));
  std::size_t pos = 0, frame = 0, boxes = 0;
  const std::string key = "data:image/png;base64,";
  while ((pos = html.find(key, pos)) != std::string::npos && frame < 12) {
    pos += key.size();
    const std::string png = base64_decode(html.substr(pos, html.find('\'', pos) - pos));
    std::ofstream(dir.path() / "t.png", std::ios::binary) << png;
    const test::Image t = test::read_png(dir.path() / "t.png");
    ASSERT_EQ(t.width, 320u);
    ASSERT_EQ(t.height, 240u);
    const std::int64_t image_id = coco["images"][frame]["id"];
    std::vector<const json*> anns;
    for (const json& a : coco["annotations"]) {
      if (a["image_id"] == image_id) anns.push_back(&a);
    }
    struct Box {
      std::int64_t x0, y0, x1, y1;
    };
    auto thumb = [](const json& a) {
      const double bx = a["bbox"][0], by = a["bbox"][1], bw = a["bbox"][2], bh = a["bbox"][3];
      return Box{static_cast<std::int64_t>(bx / 2), static_cast<std::int64_t>(by / 2), static_cast<std::int64_t>((bx + bw - 1) / 2),
                 static_cast<std::int64_t>((by + bh - 1) / 2)};
    };
    for (std::size_t i = 0; i < anns.size(); ++i) {
      const json& a = *anns[i];
      const auto id = a["instance_id"].get<std::uint32_t>();
      std::uint32_t colour[3];
      for (std::uint32_t c = 0; c < 3; ++c) colour[c] = (64 + (((id * 2654435761u) >> (8 * c)) & 0xBF)) / 2;
      auto is_outline = [&](std::int64_t x, std::int64_t y) {
        const std::size_t p = (static_cast<std::size_t>(y) * t.width + static_cast<std::size_t>(x)) * t.channels;
        return t.pixels[p] == colour[0] && t.pixels[p + 1] == colour[1] && t.pixels[p + 2] == colour[2];
      };
      const auto [x0, y0, x1, y1] = thumb(a);
      int top = 0, bottom = 0, left = 0, right = 0;
      for (std::int64_t x = x0; x <= x1; ++x) top += is_outline(x, y0), bottom += is_outline(x, y1);
      for (std::int64_t y = y0; y <= y1; ++y) left += is_outline(x0, y), right += is_outline(x1, y);
      // An edge may lie wholly under a later box's edge on the same line (two boxes cut by one image
      // border, say): then that box's outline is what shows.
      for (std::size_t j = i + 1; j < anns.size(); ++j) {
        const Box o = thumb(*anns[j]);
        const bool cols = o.x0 <= x0 && o.x1 >= x1, rows = o.y0 <= y0 && o.y1 >= y1;
        if (cols && (o.y0 == y0 || o.y1 == y0)) top += 1;
        if (cols && (o.y0 == y1 || o.y1 == y1)) bottom += 1;
        if (rows && (o.x0 == x0 || o.x1 == x0)) left += 1;
        if (rows && (o.x0 == x1 || o.x1 == x1)) right += 1;
      }
      EXPECT_TRUE(top > 0 && bottom > 0 && left > 0 && right > 0)
          << "frame " << frame << " instance " << id << ": edges t" << top << " b" << bottom << " l" << left << " r" << right;
      ++boxes;
    }
    ++frame;
  }
  EXPECT_EQ(frame, 12u);
  EXPECT_GT(boxes, 50u);
}

TEST_F(Check, ZeroAreaBox) {
  expect_defect(planted("zero", [](json& c) { c["annotations"][0]["bbox"][2] = 0; }),
                "coco.json: annotations[0] (id 1): bbox [");
  expect_defect(planted("zero2", [](json& c) { c["annotations"][1]["bbox"][3] = 0; }), "has zero or negative size");
  expect_defect(planted("area", [](json& c) { c["annotations"][0]["area"] = 0; }),
                "annotations[0] (id 1): area is missing, zero or negative");
}

TEST_F(Check, DanglingImageAndCategoryIds) {
  expect_defect(planted("dangling", [](json& c) { c["annotations"][2]["image_id"] = 999; }),
                "coco.json: annotations[2] (id 3): image_id 999 refers to no image");
  expect_defect(planted("cat", [](json& c) { c["annotations"][0]["category_id"] = 77; }),
                "annotations[0] (id 1): category_id 77 refers to no category");
}

TEST_F(Check, MaskAndRleMismatch) {
  // The first annotation's RLE replaced by the second's (another instance of the same image or not).
  expect_defect(planted("rle", [](json& c) { c["annotations"][0]["segmentation"] = c["annotations"][1]["segmentation"]; }),
                "coco.json: annotations[0] (id 1): RLE mask differs from instance/000000.png instance 1");
  expect_defect(planted("garbage", [](json& c) { c["annotations"][0]["segmentation"]["counts"] = "\x7f\x7f"; }),
                "annotations[0] (id 1): RLE counts string does not decode");
  expect_defect(planted("box", [](json& c) { c["annotations"][0]["bbox"][0] = c["annotations"][0]["bbox"][0].get<double>() + 1; }),
                "is not its mask's tight box");
}

TEST_F(Check, DuplicateIds) {
  expect_defect(planted("dup", [](json& c) { c["annotations"][1]["id"] = c["annotations"][0]["id"]; }),
                "coco.json: annotations[1] (id 1): duplicate annotation id");
  expect_defect(planted("dupimg", [](json& c) { c["images"][1]["id"] = c["images"][0]["id"]; }), "duplicate image id 1");
}

// Category 1 declares keypoints [a, b]; its annotations get valid ones; `broken` then breaks one.
void with_keypoints(json& c) {
  c["categories"][0]["keypoints"] = {"a", "b"};
  c["categories"][0]["skeleton"] = {{1, 2}};
  for (json& a : c["annotations"]) {
    if (a["category_id"] != c["categories"][0]["id"]) continue;
    a["keypoints"] = {1.5, 2.5, 2, 0, 0, 0};
    a["num_keypoints"] = 1;
  }
}
json& first_of_category_1(json& c) {
  for (json& a : c["annotations"]) {
    if (a["category_id"] == c["categories"][0]["id"]) return a;
  }
  throw std::runtime_error("no annotation of category 1");
}

TEST_F(Check, KeypointDefects) {
  // Sound: coco.json with keypoints and the coco_keypoints.json that goes with it.
  const fs::path ok = planted("kp_ok", [](json& c) { with_keypoints(c); });
  const json coco = json::parse(test::read_file(ok / "coco.json"));
  json kp = {{"images", coco["images"]}, {"categories", json::array({coco["categories"][0]})}, {"annotations", json::array()}};
  for (const json& a : coco["annotations"]) {
    if (a["category_id"] != coco["categories"][0]["id"]) continue;
    json k = a;
    k["id"] = kp["annotations"].size() + 1;
    kp["annotations"].push_back(k);
  }
  std::ofstream(ok / "coco_keypoints.json") << kp.dump();
  fs::create_directories(ok / "coco_keypoints");  // one keypoint category: its own file holds the same
  std::ofstream(ok / "coco_keypoints/category_1.json") << kp.dump();
  const auto sound = check(ok);
  EXPECT_EQ(sound.exit_code, 0) << sound.err;
  kp["annotations"][0]["keypoints"][0] = 2.5;
  std::ofstream(ok / "coco_keypoints.json") << kp.dump();
  expect_defect(ok, "coco_keypoints.json: annotations[0] differs from coco.json's annotation id");
  fs::remove(ok / "coco_keypoints.json");
  expect_defect(ok, "coco_keypoints.json: missing, though categories in coco.json declare keypoints");
  fs::remove(ok / "coco_keypoints/category_1.json");
  expect_defect(ok, "coco_keypoints/category_1.json: missing, though categories in coco.json declare keypoints");
  expect_defect(planted("kp_edge", [](json& c) {
                  with_keypoints(c);
                  c["categories"][0]["skeleton"] = {{1, 3}};
                }),
                "skeleton edge [1,3] is not a pair of keypoint numbers 1..2");
  expect_defect(planted("kp_count", [](json& c) {
                  with_keypoints(c);
                  first_of_category_1(c)["keypoints"] = {1.5, 2.5, 2};
                }),
                "keypoints is not 2 [x, y, v] triples");
  expect_defect(planted("kp_flag", [](json& c) {
                  with_keypoints(c);
                  first_of_category_1(c)["keypoints"][5] = 3;
                }),
                "keypoint 2 has visibility 3 (0, 1 or 2)");
  expect_defect(planted("kp_outside", [](json& c) {
                  with_keypoints(c);
                  first_of_category_1(c)["keypoints"][0] = -3;
                }),
                "keypoint 1 at (-3, 2.5) lies outside the image");
  expect_defect(planted("kp_num", [](json& c) {
                  with_keypoints(c);
                  first_of_category_1(c)["num_keypoints"] = 2;
                }),
                "num_keypoints is not the 1 labeled keypoints");
}

TEST_F(Check, MissingFilesAndNotADataset) {
  const fs::path dir = planted("files", [](json&) {});
  fs::remove(dir / "semantic/000001.png");
  expect_defect(dir, "semantic_file 'semantic/000001.png' does not exist");
  const auto r = check(m_tmp.path() / "nowhere");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  fs::create_directories(m_tmp.path() / "empty");
  expect_defect(m_tmp.path() / "empty", "coco.json: missing");
}

// Files coco.json names are read only inside the dataset: a '..' path, an absolute one and a symlink
// leading out are defects, and none of them is opened.
TEST_F(Check, FilesNamedOutsideTheDatasetAreDefectsNotRead) {
  const fs::path dir = planted("outside", [](json& c) {
    c["images"][0]["instance_file"] = "../outside.png";
    c["images"][1]["semantic_file"] = "/etc/hostname";
    c["images"][2]["depth_file"] = "depth/escape.exr";
  });
  fs::copy_file(dir / "instance/000000.png", dir.parent_path() / "outside.png");
  fs::copy_file(dir / "depth/000002.exr", dir.parent_path() / "elsewhere.exr");
  fs::create_symlink(dir.parent_path() / "elsewhere.exr", dir / "depth/escape.exr");
  const auto r = check(dir);
  EXPECT_EQ(r.exit_code, 6) << r.err;
  for (const char* needle : {"instance_file '../outside.png' is not a path inside the dataset",
                             "semantic_file '/etc/hostname' is not a path inside the dataset",
                             "depth_file 'depth/escape.exr' is not a path inside the dataset"}) {
    EXPECT_NE(r.err.find(needle), std::string::npos) << needle << "\n" << r.err;
  }
}

// tests/data/floating.yaml, 2 frames, `outputs`, into `out`; asserts the dataset checks sound.
void generate_sound(const fs::path& out, const std::string& outputs) {
  const auto r = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " generate " +
                           test::shell_quote((k_src / "tests/data/floating.yaml").string()) + " --out " +
                           test::shell_quote(out.string()) + " --frames 2 --quiet 'outputs=[" + outputs + "]'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(check(out).exit_code, 0);
}

// Rewrites a depth EXR as a valid file (TinyEXR) with every depth doubled.
void double_depth(const fs::path& exr) {
  const auto d = test::read_exr_depth(exr);
  std::vector<float> twice(d.z);
  for (float& z : twice) z *= 2.0f;
  ASSERT_TRUE(test::write_exr_depth(exr, twice, d.width, d.height));
}

// Every file a frame record names is checked against its xxHash3-64: altered label files of each
// format, a rescaled depth file, a swapped RGB frame and a missing file are each caught, with a message
// naming the file and the frame.
TEST(CheckIntegrity, AlteredSwappedOrMissingFilesOfEveryFormatAreCaught) {
  test::TempDir tmp;
  const fs::path sound = tmp.path() / "sound";
  generate_sound(sound, "coco, cityscapes, voc, yolo, yolo_seg, kitti, bop");
  struct Case {
    const char* name;
    std::string file;
    void (*damage)(const fs::path& dir, const std::string& file);
  };
  auto append = [](const fs::path& dir, const std::string& file) { std::ofstream(dir / file, std::ios::app) << "0 0.5 0.5 0.1 0.1\n"; };
  auto flip_byte = [](const fs::path& dir, const std::string& file) {
    std::string bytes = test::read_file(dir / file);
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x5a);
    std::ofstream(dir / file, std::ios::binary | std::ios::trunc) << bytes;
  };
  auto scale_depth = [](const fs::path& dir, const std::string& file) { double_depth(dir / file); };
  auto swap_rgb = [](const fs::path& dir, const std::string& file) { fs::copy_file(dir / "rgb/000001.png", dir / file, fs::copy_options::overwrite_existing); };
  auto remove = [](const fs::path& dir, const std::string& file) { fs::remove(dir / file); };
  const std::vector<Case> cases = {
      {"yolo", "yolo/labels/000000.txt", append},
      {"bop", "bop/000000/mask_visib/000000_000000.png", flip_byte},
      {"cityscapes", "cityscapes/000000_gtFine_instanceIds.png", flip_byte},
      {"voc", "voc/Annotations/000000.xml", flip_byte},
      {"kitti", "kitti/label_2/000000.txt", flip_byte},
      {"depth", "depth/000000.exr", scale_depth},
      {"rgb", "rgb/000000.png", swap_rgb},
      {"missing", "yolo_seg/labels/000000.txt", remove},
  };
  // Dataset-level files are hashed in the manifest.
  for (const char* file : {"bop/000000/scene_gt.json", "voc/labels.txt", "yolo/data.yaml", "coco.json"}) {
    const fs::path dir = tmp.path() / (std::string("dataset-") + fs::path(file).filename().string());
    fs::copy(sound, dir, fs::copy_options::recursive);
    std::ofstream(dir / file, std::ios::app) << " ";
    const auto bad = check(dir);
    EXPECT_EQ(bad.exit_code, 6) << file;
    EXPECT_NE(bad.err.find(std::string(file) + ": content differs from the xxHash3-64 in manifest.json"), std::string::npos) << bad.err;
  }
  for (const Case& c : cases) {
    const fs::path dir = tmp.path() / c.name;
    fs::copy(sound, dir, fs::copy_options::recursive);
    c.damage(dir, c.file);
    const auto bad = check(dir);
    EXPECT_EQ(bad.exit_code, 6) << c.name << ": " << bad.err;
    EXPECT_NE(bad.err.find(c.file + " (frame 0): "), std::string::npos) << c.name << ": " << bad.err;
  }
}

// Beyond the hashes, each format's per-frame files are read like their tools read them and compared
// with the instance PNG (exporters/CheckFormats.h): a frame's file exchanged for another frame's, a
// box moved by a pixel, a rescaled depth each give a content defect too.
TEST(CheckContents, FormatFilesAreComparedWithThePixels) {
  test::TempDir tmp;
  const fs::path sound = tmp.path() / "sound";
  generate_sound(sound, "cityscapes, voc, yolo, kitti, bop");
  // Each damage must give a defect naming the file and frame (`where`) and saying what is wrong (`what`),
  // not only the hash mismatch.
  auto damaged = [&](const char* name, const std::function<void(const fs::path&)>& damage, const std::string& where,
                     const std::string& what) {
    const fs::path dir = tmp.path() / name;
    fs::copy(sound, dir, fs::copy_options::recursive);
    damage(dir);
    const auto bad = check(dir);
    EXPECT_EQ(bad.exit_code, 6) << name;
    const auto at = bad.err.find(where);
    EXPECT_NE(at, std::string::npos) << name << ": " << bad.err;
    EXPECT_NE(bad.err.find(what, at == std::string::npos ? 0 : at), std::string::npos) << name << ": " << bad.err;
  };
  auto swap = [](const std::string& a, const std::string& b) {
    return [a, b](const fs::path& dir) { fs::copy_file(dir / b, dir / a, fs::copy_options::overwrite_existing); };
  };
  damaged("voc", swap("voc/SegmentationObject/000000.png", "voc/SegmentationObject/000001.png"),
          "voc/SegmentationObject/000000.png (frame 0): ", "pixels are not the index of their object in the XML");
  damaged("cityscapes", swap("cityscapes/000000_gtFine_instanceIds.png", "cityscapes/000001_gtFine_instanceIds.png"),
          "cityscapes/000000_gtFine_instanceIds.png (frame 0): ", "pixels are not category x 1000 + k");
  damaged("kitti", [](const fs::path& dir) {
    std::string text = test::read_file(dir / "kitti/label_2/000000.txt");
    std::istringstream in(text);
    std::string type, f[15];
    in >> type;
    for (int i = 1; i < 15; ++i) in >> f[i];
    const std::string right = f[6];
    text.replace(text.find(right), right.size(), std::to_string(std::stod(right) + 1.0));  // the first line's right edge + 1
    std::ofstream(dir / "kitti/label_2/000000.txt", std::ios::trunc) << text;
  }, "kitti/label_2/000000.txt (frame 0) line 1: ", "box is not the annotation's left top right bottom");
  damaged("yolo", [](const fs::path& dir) { std::ofstream(dir / "yolo/labels/000000.txt", std::ios::app) << "0 0.5 0.5 0.1 0.1\n"; },
          "yolo/labels/000000.txt (frame 0): ", "lines for");
  damaged("depth", [](const fs::path& dir) { double_depth(dir / "depth/000000.exr"); }, "bop/000000/depth/000000.png (frame 0): ",
          "pixels are not the depth EXR in millimetres");
  damaged("bop_info", [](const fs::path& dir) {
    json info = json::parse(test::read_file(dir / "bop/000000/scene_gt_info.json"));
    info["0"][0]["px_count_visib"] = info["0"][0]["px_count_visib"].get<int>() + 1;
    info["0"][0]["bbox_visib"][2] = info["0"][0]["bbox_visib"][2].get<int>() + 1;
    std::ofstream(dir / "bop/000000/scene_gt_info.json", std::ios::trunc) << info.dump(1);
  }, "bop/000000/scene_gt_info.json: frame 0 entry 0:", "px_count_visib is not mask_visib's");
  damaged("bop_mask", swap("bop/000000/mask_visib/000000_000000.png", "bop/000000/mask_visib/000001_000000.png"),
          "bop/000000/scene_gt_info.json: frame 0 entry 0:", "mask_visib is not all the pixels of one instance");
}

// Stuff categories: panoptic's stuff segments are checked against the semantic PNG's pixels of
// unlabeled surfaces (one segment per stuff category, id = category x 65536).
TEST(CheckStuff, StuffSegmentsMustMatchTheSemanticPng) {
  test::TempDir tmp;
  std::ofstream(tmp.path() / "stuff.yaml")
      << "seed: 3\nframes: 2\nresolution: [96, 72]\n"
         "categories: [box, {name: floor, stuff: true}, {name: sky, stuff: true}]\nbackground_category: sky\n"
         "camera: {fov_deg: 50, distance: 5, elevation_deg: 20, azimuth_deg: 30}\n"
         "objects:\n  - {primitive: plane, category: floor, scale: 6}\n"
         "  - {primitive: cube, category: box, count: 2, scale: 0.6, position: {uniform: [[-1, 0.3, -1], [1, 0.3, 1]]}}\n"
         "outputs: [panoptic]\n";
  const fs::path d = tmp.path() / "d";
  const auto r = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " generate " + test::shell_quote((tmp.path() / "stuff.yaml").string()) +
                           " --out " + test::shell_quote(d.string()) + " --quiet --validate");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(check(d).exit_code, 0);
  json pan = json::parse(test::read_file(d / "panoptic.json"));
  json* floor = nullptr;
  for (json& s : pan["annotations"][0]["segments_info"]) {
    if (s["category_id"] == 2) floor = &s;
  }
  ASSERT_TRUE(floor);
  EXPECT_EQ((*floor)["id"], 2 * 65536);
  (*floor)["area"] = (*floor)["area"].get<int>() + 1;
  std::ofstream(d / "panoptic.json") << pan.dump();
  const auto bad = check(d);
  EXPECT_EQ(bad.exit_code, 6);
  EXPECT_NE(bad.err.find("panoptic.json: image 1 stuff segment 131072: area/bbox"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace synthlabel
