// Round trips: every label format is read back by a reader written here, from the format's own
// definition, and must agree with the COCO instances output of the same frames (same masks, boxes
// and classes); COCO itself is checked against the pixels by GenerateTest and `synthlabel check`.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>
#include <tinyexr.h>

#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
const fs::path k_src = SYNTHLABEL_SOURCE_DIR;

// A frame's file stem: its index, 6 digits.
std::string stem_of(std::uint64_t frame) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06llu", static_cast<unsigned long long>(frame));
  return buf;
}

// The head-on scene of the analytic tests: 64 x 48 pixels, the camera 4 m from the origin on +z
// looking down -z.
const std::string k_head_on = "seed: 1\nframes: 1\nresolution: [64, 48]\n"
                              "camera: {fov_deg: 50, distance: 4, elevation_deg: 0, azimuth_deg: 0}\n";

// Writes `yaml` to DIR/config.yaml and generates DIR/d from it with `flags`.
test::CommandResult generate_yaml(const fs::path& dir, const std::string& yaml, const std::string& flags = "--quiet --validate") {
  std::ofstream(dir / "config.yaml") << yaml;
  return test::run(test::shell_quote(SYNTHLABEL_BINARY) + " generate " + test::shell_quote((dir / "config.yaml").string()) +
                   " --out " + test::shell_quote((dir / "d").string()) + " " + flags);
}

struct Ann {
  std::uint32_t instance_id = 0, category = 0;
  std::vector<std::uint8_t> mask;  // row-major
  double box[4] = {0, 0, 0, 0};
  std::uint64_t area = 0;
};

class Formats : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = new test::TempDir();
    const auto r = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " generate " +
                             test::shell_quote((k_src / "tests/data/floating.yaml").string()) + " --out " +
                             test::shell_quote((s_dir->path() / "d").string()) +
                             " --frames 3 --quiet 'outputs=[coco, amodal, normals, panoptic, cityscapes, voc, yolo, yolo_seg, kitti, bop]'");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete s_dir;
    s_dir = nullptr;
  }
  static fs::path dir() { return s_dir->path() / "d"; }
  // COCO annotations of image `image_id` (1-based), with their decoded masks.
  static std::vector<Ann> coco_of(std::uint64_t image_id, std::uint32_t& w, std::uint32_t& h) {
    const json coco = json::parse(test::read_file(dir() / "coco.json"));
    for (const json& im : coco["images"]) {
      if (im["id"] == image_id) w = im["width"], h = im["height"];
    }
    std::vector<Ann> out;
    for (const json& a : coco["annotations"]) {
      if (a["image_id"] != image_id) continue;
      Ann ann;
      ann.instance_id = a["instance_id"];
      ann.category = a["category_id"];
      ann.area = a["area"];
      for (std::size_t k = 0; k < 4; ++k) ann.box[k] = a["bbox"][k];
      ann.mask = test::rle_to_mask(test::decode_rle_string(a["segmentation"]["counts"]), h, w);
      out.push_back(std::move(ann));
    }
    return out;
  }
  static test::TempDir* s_dir;
};
test::TempDir* Formats::s_dir = nullptr;

TEST_F(Formats, CocoPanopticAgreesWithCocoInstances) {
  const json pan = json::parse(test::read_file(dir() / "panoptic.json"));
  ASSERT_EQ(pan["annotations"].size(), 3u);
  for (const json& a : pan["annotations"]) {
    std::uint32_t w = 0, h = 0;
    const auto coco = coco_of(a["image_id"], w, h);
    const test::Image png = test::read_png(dir() / "panoptic" / a["file_name"].get<std::string>());  // COCO: relative to panoptic/
    ASSERT_EQ(png.channels, 3u);
    ASSERT_EQ(a["segments_info"].size(), coco.size());
    for (const Ann& c : coco) {
      const json* seg = nullptr;
      for (const json& s : a["segments_info"]) {
        if (s["id"] == c.instance_id) seg = &s;
      }
      ASSERT_TRUE(seg) << "segment " << c.instance_id;
      EXPECT_EQ((*seg)["category_id"], c.category);
      EXPECT_EQ((*seg)["area"], c.area);
      for (std::size_t k = 0; k < 4; ++k) EXPECT_EQ((*seg)["bbox"][k].get<double>(), c.box[k]);
      for (std::size_t p = 0; p < std::size_t{w} * h; ++p) {
        // id = R + 256 G + 256^2 B (COCO panoptic's rgb2id)
        const std::uint32_t id = png.pixels[3 * p] + 256 * png.pixels[3 * p + 1] + 65536 * png.pixels[3 * p + 2];
        ASSERT_EQ(id == c.instance_id, c.mask[p] == 1) << "pixel " << p;
      }
    }
  }
  EXPECT_EQ(pan["categories"][0]["isthing"], 1);
}

TEST_F(Formats, CityscapesAgreesWithCocoInstances) {
  for (std::uint64_t frame = 0; frame < 3; ++frame) {
    std::uint32_t w = 0, h = 0;
    const auto coco = coco_of(frame + 1, w, h);
    const std::string stem = stem_of(frame);
    const test::Image labels = test::read_png(dir() / "cityscapes" / (stem + "_gtFine_labelIds.png"));
    const test::Image inst = test::read_png(dir() / "cityscapes" / (stem + "_gtFine_instanceIds.png"));
    ASSERT_EQ(inst.bit_depth, 16u);
    // instanceIds = class x 1000 + k, k counting instances of the class in instance-id order.
    std::map<std::uint32_t, std::uint32_t> next;
    std::vector<std::uint8_t> covered(std::size_t{w} * h, 0);
    for (const Ann& c : coco) {
      const std::uint32_t value = c.category * 1000 + next[c.category]++;
      for (std::size_t p = 0; p < std::size_t{w} * h; ++p) {
        ASSERT_EQ(inst.pixels[p] == value, c.mask[p] == 1) << "frame " << frame << " pixel " << p;
        if (c.mask[p]) {
          ASSERT_EQ(labels.pixels[p], c.category);
          covered[p] = 1;
        }
      }
    }
    for (std::size_t p = 0; p < covered.size(); ++p) {
      if (!covered[p]) {
        ASSERT_EQ(labels.pixels[p], 0u) << "unlabeled";
      }
    }
  }
}

TEST_F(Formats, PascalVocAgreesWithCocoInstances) {
  const json coco_json = json::parse(test::read_file(dir() / "coco.json"));
  for (std::uint64_t frame = 0; frame < 3; ++frame) {
    std::uint32_t w = 0, h = 0;
    const auto coco = coco_of(frame + 1, w, h);
    const std::string stem = stem_of(frame);
    const test::Image cls = test::read_png(dir() / "voc/SegmentationClass" / (stem + ".png"));
    const test::Image obj = test::read_png(dir() / "voc/SegmentationObject" / (stem + ".png"));
    ASSERT_EQ(cls.channels, 1u);  // palette indices
    // The object image holds k for the k-th <object> of the XML (1-based), which lists the visible
    // instances in COCO's order (increasing instance id).
    for (std::size_t k = 0; k < coco.size(); ++k) {
      const Ann& c = coco[k];
      for (std::size_t p = 0; p < std::size_t{w} * h; ++p) {
        ASSERT_EQ(obj.pixels[p] == k + 1, c.mask[p] == 1) << "frame " << frame << " object " << k + 1;
        if (c.mask[p]) {
          ASSERT_EQ(cls.pixels[p], c.category);
        }
      }
    }
    // Annotations/STEM.xml: 1-based inclusive corners.
    const std::string xml = test::read_file(dir() / "voc/Annotations" / (stem + ".xml"));
    // (Parsed by hand: std::regex trips GCC 12's -Wmaybe-uninitialized in the sanitizer build.)
    auto field = [](const std::string& text, const std::string& tag, std::size_t from) {
      const std::size_t a = text.find("<" + tag + ">", from);
      const std::size_t e = text.find("</" + tag + ">", a);
      return a == std::string::npos || e == std::string::npos ? std::string() : text.substr(a + tag.size() + 2, e - a - tag.size() - 2);
    };
    std::size_t found = 0;
    for (std::size_t at = xml.find("<object>"); at != std::string::npos; at = xml.find("<object>", at + 1), ++found) {
      ASSERT_LT(found, coco.size());
      const Ann* c = &coco[found];
      EXPECT_EQ(static_cast<std::uint32_t>(std::stoul(field(xml, "instance_id", at))), c->instance_id);
      EXPECT_EQ(field(xml, "name", at), coco_json["categories"][c->category - 1]["name"].get<std::string>());
      EXPECT_EQ(std::stod(field(xml, "xmin", at)) - 1, c->box[0]);
      EXPECT_EQ(std::stod(field(xml, "ymin", at)) - 1, c->box[1]);
      EXPECT_EQ(std::stod(field(xml, "xmax", at)), c->box[0] + c->box[2]);
      EXPECT_EQ(std::stod(field(xml, "ymax", at)), c->box[1] + c->box[3]);
    }
    EXPECT_EQ(found, coco.size());
  }
  EXPECT_NE(test::read_file(dir() / "voc/ImageSets/Segmentation/all.txt").find("000002"), std::string::npos);
}

TEST_F(Formats, YoloAgreesWithCocoInstances) {
  for (std::uint64_t frame = 0; frame < 3; ++frame) {
    std::uint32_t w = 0, h = 0;
    const auto coco = coco_of(frame + 1, w, h);
    const std::string stem = stem_of(frame);
    EXPECT_TRUE(fs::exists(dir() / "yolo/images" / (stem + ".png")));
    std::istringstream in(test::read_file(dir() / "yolo/labels" / (stem + ".txt")));
    std::size_t line = 0;
    int cls = 0;
    double cx = 0, cy = 0, bw = 0, bh = 0;
    while (in >> cls >> cx >> cy >> bw >> bh) {
      ASSERT_LT(line, coco.size());
      const Ann& c = coco[line++];  // same order: increasing instance id
      EXPECT_EQ(cls + 1, static_cast<int>(c.category));
      // Normalized centre and size back to pixels: within the 6 printed decimals.
      EXPECT_NEAR((cx - bw / 2) * w, c.box[0], 1e-3 * w);
      EXPECT_NEAR((cy - bh / 2) * h, c.box[1], 1e-3 * h);
      EXPECT_NEAR(bw * w, c.box[2], 1e-3 * w);
      EXPECT_NEAR(bh * h, c.box[3], 1e-3 * h);
    }
    EXPECT_EQ(line, coco.size());
  }
  const std::string yaml = test::read_file(dir() / "yolo/data.yaml");
  EXPECT_NE(yaml.find("train: images"), std::string::npos);
  EXPECT_NE(yaml.find("0: 'box'"), std::string::npos);
}

// Even-odd fill at pixel centres of polygon `xy` (pixel coordinates) into `mask` (OR).
void fill_polygon(const std::vector<double>& xy, std::uint32_t w, std::uint32_t h, std::vector<std::uint8_t>& mask) {
  const std::size_t n = xy.size() / 2;
  for (std::uint32_t v = 0; v < h; ++v) {
    for (std::uint32_t u = 0; u < w; ++u) {
      const double px = u + 0.5, py = v + 0.5;
      bool in = false;
      for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
        const double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
        if ((yi > py) != (yj > py) && px < (xj - xi) * (py - yi) / (yj - yi) + xi) in = !in;
      }
      if (in) mask[std::size_t{v} * w + u] = 1;
    }
  }
}

TEST_F(Formats, YoloSegmentationLinesFollowTheCocoAnnotations) {
  // One line per annotation, class = category - 1, 3+ normalized points. How OpenCV fills the
  // polygons (what Ultralytics trains on) is tested with OpenCV itself in
  // tests/python/test_yolo_seg_opencv.py.
  for (std::uint64_t frame = 0; frame < 3; ++frame) {
    std::uint32_t w = 0, h = 0;
    const auto coco = coco_of(frame + 1, w, h);
    const std::string stem = stem_of(frame);
    EXPECT_TRUE(fs::exists(dir() / "yolo_seg/images" / (stem + ".png")));
    std::istringstream in(test::read_file(dir() / "yolo_seg/labels" / (stem + ".txt")));
    std::string text_line;
    std::size_t line = 0;
    while (std::getline(in, text_line)) {
      ASSERT_LT(line, coco.size());
      const Ann& c = coco[line++];  // increasing instance id, as COCO
      std::istringstream fields(text_line);
      int cls = -1;
      fields >> cls;
      EXPECT_EQ(cls + 1, static_cast<int>(c.category));
      std::size_t values = 0;
      double v = 0;
      while (fields >> v) {
        ASSERT_GE(v, 0.0);
        ASSERT_LE(v, 1.0);
        ++values;
      }
      EXPECT_GE(values, 6u);
      EXPECT_EQ(values % 2, 0u);
    }
    EXPECT_EQ(line, coco.size());
  }
  EXPECT_NE(test::read_file(dir() / "yolo_seg/data.yaml").find("0: 'box'"), std::string::npos);
}

TEST_F(Formats, CocoPolygonsOnRequestFillExactlyTheRleMasks) {
  // The same frames again with outputs: [polygons]: each annotation's polygons, filled (union of
  // each polygon's even-odd fill, as pycocotools' annToMask), equal the RLE mask of the first run.
  test::TempDir tmp;
  const auto r = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " generate " +
                           test::shell_quote((k_src / "tests/data/floating.yaml").string()) + " --out " +
                           test::shell_quote((tmp.path() / "p").string()) + " --frames 3 --quiet 'outputs=[polygons]'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json coco = json::parse(test::read_file(tmp.path() / "p/coco.json"));
  std::size_t checked = 0;
  for (std::uint64_t image_id = 1; image_id <= 3; ++image_id) {
    std::uint32_t w = 0, h = 0;
    const auto rle = coco_of(image_id, w, h);
    std::size_t k = 0;
    for (const json& a : coco["annotations"]) {
      if (a["image_id"] != image_id) continue;
      ASSERT_LT(k, rle.size());
      const Ann& c = rle[k++];
      ASSERT_EQ(a["instance_id"], c.instance_id);
      ASSERT_TRUE(a["segmentation"].is_array());
      std::vector<std::uint8_t> mask(std::size_t{w} * h, 0);
      for (const json& poly : a["segmentation"]) fill_polygon(poly.get<std::vector<double>>(), w, h, mask);
      EXPECT_EQ(mask, c.mask) << "image " << image_id << " instance " << c.instance_id;
      EXPECT_EQ(a["area"], c.area);
      ++checked;
    }
    EXPECT_EQ(k, rle.size());
  }
  EXPECT_GT(checked, 5u);
  auto ok = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " check " + test::shell_quote((tmp.path() / "p").string()));
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  // A polygon moved by one pixel is caught.
  for (json& v : coco["annotations"][0]["segmentation"][0]) v = v.get<double>() + 1;
  std::ofstream(tmp.path() / "p/coco.json") << coco.dump();
  auto bad = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " check " + test::shell_quote((tmp.path() / "p").string()));
  EXPECT_EQ(bad.exit_code, 6);
  EXPECT_NE(bad.err.find("annotations[0] (id 1): polygons fill"), std::string::npos) << bad.err;
}

TEST_F(Formats, NormalsExrHoldsUnitCameraFrameNormalsAndLeavesTheLabelsAlone) {
  // The fixture ran with outputs including normals; the same frames without them must give
  // byte-identical label and depth files.
  test::TempDir tmp;
  const auto r = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " generate " +
                           test::shell_quote((k_src / "tests/data/floating.yaml").string()) + " --out " +
                           test::shell_quote((tmp.path() / "plain").string()) + " --frames 3 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json coco = json::parse(test::read_file(dir() / "coco.json"));
  for (const json& im : coco["images"]) {
    const std::string stem = im["file_name"].get<std::string>().substr(4, 6);
    for (const std::string& f : {"instance/" + stem + ".png", "semantic/" + stem + ".png", "depth/" + stem + ".exr"}) {
      EXPECT_TRUE(test::read_file(dir() / f) == test::read_file(tmp.path() / "plain" / f)) << f;
    }
    ASSERT_EQ(im["normals_file"], "normals/" + stem + ".exr");
    const test::RgbaImage n = test::read_exr_rgba(dir() / im["normals_file"].get<std::string>());
    EXPECT_EQ(n.channels, (std::vector<std::string>{"B", "G", "R"}));
    EXPECT_EQ(n.pixel_types, (std::vector<int>{TINYEXR_PIXELTYPE_HALF, TINYEXR_PIXELTYPE_HALF, TINYEXR_PIXELTYPE_HALF}));
    const test::DepthImage depth = test::read_exr_depth(dir() / im["depth_file"].get<std::string>());
    ASSERT_EQ(n.width, depth.width);
    std::size_t surfaces = 0, away = 0;
    for (std::size_t p = 0; p < depth.z.size(); ++p) {
      const double x = n.rgba[4 * p], y = n.rgba[4 * p + 1], z = n.rgba[4 * p + 2];
      if (std::isinf(depth.z[p])) {
        ASSERT_EQ(x * x + y * y + z * z, 0.0) << "no surface, no normal: pixel " << p;
        continue;
      }
      ++surfaces;
      ASSERT_NEAR(std::sqrt(x * x + y * y + z * z), 1.0, 2e-3) << "pixel " << p;
      const json& K = im["camera"]["K"];
      const double u = double(p % n.width) + 0.5, v = double(p / n.width) + 0.5;
      const double rx = (u - K[0][2].get<double>()) / K[0][0].get<double>(), ry = (v - K[1][2].get<double>()) / K[1][1].get<double>();
      // The normal faces the camera, against the ray through the pixel centre (OpenCV frame): the
      // triangle's own normal always does; an interpolated (smooth) normal can lean slightly away
      // on triangles at grazing angles near a silhouette (up to ~0.21 here, on coarse primitives).
      const double facing = (x * rx + y * ry + z) / std::sqrt(rx * rx + ry * ry + 1.0);
      ASSERT_LT(facing, 0.4) << "pixel " << p;
      away += facing > 1e-3;
    }
    EXPECT_GT(surfaces, 0u);
    EXPECT_LT(away, surfaces / 20) << "only near silhouettes";
  }
  // synthlabel check reads the normals against the depth: another frame's normals are caught.
  fs::copy(dir(), tmp.path() / "swapped", fs::copy_options::recursive);
  fs::copy_file(dir() / "normals/000001.exr", tmp.path() / "swapped/normals/000000.exr", fs::copy_options::overwrite_existing);
  const auto c = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " check " + test::shell_quote((tmp.path() / "swapped").string()));
  EXPECT_EQ(c.exit_code, 6);
  EXPECT_NE(c.err.find("normals/000000.exr: "), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("pixels are not a unit normal on a surface or 0 where none"), std::string::npos) << c.err;
}

TEST_F(Formats, CheckPassesAndCatchesATamperedPanopticTable) {
  auto r = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " check " + test::shell_quote(dir().string()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const fs::path copy = s_dir->path() / "tampered";
  fs::copy(dir(), copy, fs::copy_options::recursive);
  json pan = json::parse(test::read_file(copy / "panoptic.json"));
  pan["annotations"][0]["segments_info"][0]["category_id"] = 3;
  pan["annotations"][0]["segments_info"][0]["area"] = 1;
  std::ofstream(copy / "panoptic.json") << pan.dump();
  r = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " check " + test::shell_quote(copy.string()));
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_NE(r.err.find("panoptic.json: image 1 segment 1 does not match its COCO annotation"), std::string::npos) << r.err;
}

TEST_F(Formats, PoseBoxesAndAmodalExtentAgreeWithTheCameraAndThePixels) {
  const json coco = json::parse(test::read_file(dir() / "coco.json"));
  std::map<std::int64_t, json> images;
  for (const json& im : coco["images"]) images[im["id"]] = im;
  for (const json& a : coco["annotations"]) {
    const json& K = images[a["image_id"]]["camera"]["K"];
    const double fx = K[0][0], fy = K[1][1], cx = K[0][2], cy = K[1][2];
    // Every visible pixel centre lies inside the projected extent of the geometry.
    const double bx = a["bbox"][0], by = a["bbox"][1], bw = a["bbox"][2], bh = a["bbox"][3];
    const double ax = a["amodal_bbox"][0], ay = a["amodal_bbox"][1], aw = a["amodal_bbox"][2], ah = a["amodal_bbox"][3];
    EXPECT_LE(ax, bx + 0.5 + 1e-6);
    EXPECT_LE(ay, by + 0.5 + 1e-6);
    EXPECT_GE(ax + aw, bx + bw - 0.5 - 1e-6);
    EXPECT_GE(ay + ah, by + bh - 0.5 - 1e-6);
    // Corner k of the 3D box = centre + R (+-size/2 per axis by the bits of k), projected with K.
    const json& R = a["pose"]["R"];
    for (std::size_t k = 0; k < 8; ++k) {
      double p[3];
      for (std::size_t r = 0; r < 3; ++r) {
        p[r] = a["box3d"]["centre"][r].get<double>();
        for (std::size_t c = 0; c < 3; ++c) {
          const double half = 0.5 * a["box3d"]["size"][c].get<double>() * (((k >> c) & 1u) ? 1.0 : -1.0);
          p[r] += R[r][c].get<double>() * half;
        }
      }
      EXPECT_NEAR(a["box3d"]["corners_px"][k][0].get<double>(), fx * p[0] / p[2] + cx, 1e-3);
      EXPECT_NEAR(a["box3d"]["corners_px"][k][1].get<double>(), fy * p[1] / p[2] + cy, 1e-3);
    }
    EXPECT_GE(a["truncation"].get<double>(), 0.0);
  }
}

TEST_F(Formats, AnObjectPartlyOffScreenIsTruncatedWithALargerAmodalBox) {
  // A 1 m cube half beyond the right edge of the image, seen head-on from 4 m.
  test::TempDir tmp;
  const auto r = generate_yaml(tmp.path(), k_head_on + "categories: [box]\n"
                                             "objects: [{primitive: cube, category: box, position: [2.3, 0, 0]}]\n", "--quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json a = json::parse(test::read_file(tmp.path() / "d/coco.json"))["annotations"].at(0);
  const double bx = a["bbox"][0], bw = a["bbox"][2], ax = a["amodal_bbox"][0], aw = a["amodal_bbox"][2];
  EXPECT_EQ(bx + bw, 64.0) << "the visible box stops at the image edge";
  EXPECT_GT(ax + aw, 64.0 + 5.0) << "the amodal box goes on";
  EXPECT_GT(aw, bw + 5.0);
  EXPECT_GT(a["truncation"].get<double>(), 0.2);
  EXPECT_LT(a["truncation"].get<double>(), 0.8);
}

TEST_F(Formats, HalfHiddenAndPartlyOffScreenGivesTheExpectedVisibility) {
  // A 2 x 2 m square (a plane turned to face the camera) at x in [1, 3], y in [-1, 1], 4 m in front
  // of a head-on camera, so its right part leaves the image; an unlabeled 0.5 x 2.2 m strip 1 m
  // nearer hides part of it. Expected masks by testing each pixel centre's ray against both.
  test::TempDir tmp;
  const auto r = generate_yaml(tmp.path(), k_head_on + "categories: [target]\nlights: [{elevation_deg: 40}]\n"
                                             "objects:\n"
                                             "  - {primitive: plane, category: target, scale: 2, position: [2, 0, 0], rotation: [90, 0, 0]}\n"
                                             "  - {primitive: plane, labeled: false, scale: [0.5, 1, 2.2], position: [1.25, 0, 1], rotation: [90, 0, 0]}\n"
                                             "outputs: [coco, amodal]\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json coco = json::parse(test::read_file(tmp.path() / "d/coco.json"));
  ASSERT_EQ(coco["annotations"].size(), 1u);
  const json& a = coco["annotations"][0];
  const json& K = coco["images"][0]["camera"]["K"];
  const double fx = K[0][0], fy = K[1][1], cx = K[0][2], cy = K[1][2];
  std::size_t unoccluded = 0, visible = 0;
  std::vector<std::uint8_t> expected_amodal(64 * 48, 0);
  for (int v = 0; v < 48; ++v) {
    for (int u = 0; u < 64; ++u) {
      const double dx = (u + 0.5 - cx) / fx, dy = -(v + 0.5 - cy) / fy;  // world x, y per metre of depth
      const bool target = dx * 4 > 1.0 && dx * 4 < 3.0 && std::abs(dy * 4) < 1.0;
      const bool strip = dx * 3 > 1.0 && dx * 3 < 1.5 && std::abs(dy * 3) < 1.1;
      unoccluded += target;
      visible += target && !strip;
      expected_amodal[static_cast<std::size_t>(v * 64 + u)] = target;
    }
  }
  ASSERT_GT(unoccluded, 0u);
  const double expected = double(visible) / double(unoccluded);
  EXPECT_GT(expected, 0.3);
  EXPECT_LT(expected, 0.8);
  EXPECT_NEAR(a["visibility"].get<double>(), expected, 1.0 / double(unoccluded)) << "within one pixel's worth";
  EXPECT_NEAR(a["amodal_area"].get<double>(), double(unoccluded), 1.0);
  EXPECT_NEAR(a["area"].get<double>(), double(visible), 1.0);
  // The amodal mask itself, and the boxes: the amodal box (geometry) is larger than the tight one
  // and leaves the image; truncation counts the part outside.
  const auto mask = test::rle_to_mask(test::decode_rle_string(a["amodal_segmentation"]["counts"]), 48, 64);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < mask.size(); ++i) differ += mask[i] != expected_amodal[i];
  EXPECT_LE(differ, 1u);
  EXPECT_GT(a["amodal_bbox"][2].get<double>(), a["bbox"][2].get<double>() + 5);
  EXPECT_GT(a["amodal_bbox"][0].get<double>() + a["amodal_bbox"][2].get<double>(), 64.0);
  EXPECT_GT(a["truncation"].get<double>(), 0.1);
  // synthlabel check accepts it.
  const auto c = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " check " + test::shell_quote((tmp.path() / "d").string()));
  EXPECT_EQ(c.exit_code, 0) << c.err;
}

TEST_F(Formats, KittiAgreesWithCocoInstances) {
  const json coco = json::parse(test::read_file(dir() / "coco.json"));
  for (std::uint64_t frame = 0; frame < 3; ++frame) {
    const std::string stem = stem_of(frame);
    std::vector<json> anns;
    for (const json& a : coco["annotations"]) {
      if (a["image_id"] == frame + 1) anns.push_back(a);
    }
    std::istringstream in(test::read_file(dir() / "kitti/label_2" / (stem + ".txt")));
    std::string type;
    double trunc = 0, alpha = 0, l = 0, t = 0, r = 0, b = 0, hh = 0, ww = 0, ll = 0, x = 0, y = 0, z = 0, ry = 0;
    int occluded = 0;
    std::size_t line = 0;
    while (in >> type >> trunc >> occluded >> alpha >> l >> t >> r >> b >> hh >> ww >> ll >> x >> y >> z >> ry) {
      ASSERT_LT(line, anns.size());
      const json& a = anns[line++];
      EXPECT_EQ(type, coco["categories"][a["category_id"].get<std::size_t>() - 1]["name"].get<std::string>());
      EXPECT_NEAR(trunc, a["truncation"].get<double>(), 1e-6);
      EXPECT_EQ(l, a["bbox"][0].get<double>());
      EXPECT_EQ(t, a["bbox"][1].get<double>());
      // Continuous pixel coordinates, as KITTI's evaluation reads them: right = x + w, bottom = y + h.
      EXPECT_EQ(r, a["bbox"][0].get<double>() + a["bbox"][2].get<double>());
      EXPECT_EQ(b, a["bbox"][1].get<double>() + a["bbox"][3].get<double>());
      // h, w, l = the box's y, z, x sizes; location = bottom centre = centre + R (0, -h/2, 0).
      EXPECT_NEAR(hh, a["box3d"]["size"][1].get<double>(), 1e-5);
      EXPECT_NEAR(ww, a["box3d"]["size"][2].get<double>(), 1e-5);
      EXPECT_NEAR(ll, a["box3d"]["size"][0].get<double>(), 1e-5);
      const json& R = a["pose"]["R"];
      const double loc[3] = {x, y, z};
      for (std::size_t k = 0; k < 3; ++k) {
        EXPECT_NEAR(loc[k], a["box3d"]["centre"][k].get<double>() - 0.5 * hh * R[k][1].get<double>(), 1e-5);
      }
      EXPECT_NEAR(ry, std::atan2(-R[2][0].get<double>(), R[0][0].get<double>()), 1e-5);
      const double vis = a["visibility"];
      EXPECT_EQ(occluded, vis >= 0.99 ? 0 : vis >= 0.5 ? 1 : 2) << "from the visibility";
    }
    EXPECT_EQ(line, anns.size());
    const std::string calib = test::read_file(dir() / "kitti/calib" / (stem + ".txt"));
    EXPECT_EQ(calib.rfind("P0: ", 0), 0u);
    EXPECT_NE(calib.find("P2: "), std::string::npos);
  }
}

TEST_F(Formats, BopAgreesWithCocoInstances) {
  const fs::path scene = dir() / "bop/000000";
  const json cams = json::parse(test::read_file(scene / "scene_camera.json"));
  const json gts = json::parse(test::read_file(scene / "scene_gt.json"));
  const json infos = json::parse(test::read_file(scene / "scene_gt_info.json"));
  const json coco = json::parse(test::read_file(dir() / "coco.json"));
  for (std::uint64_t frame = 0; frame < 3; ++frame) {
    const std::string key = std::to_string(frame);
    std::uint32_t w = 0, h = 0;
    const auto visible = coco_of(frame + 1, w, h);
    std::vector<json> anns;
    for (const json& a : coco["annotations"]) {
      if (a["image_id"] == frame + 1) anns.push_back(a);
    }
    EXPECT_EQ(cams[key]["cam_K"][0], coco["images"][frame]["camera"]["K"][0][0]);
    // The gt list: every instance with unoccluded pixels, in instance-id order; COCO lists the visible ones.
    std::size_t next = 0;
    for (std::size_t g = 0; g < gts[key].size(); ++g) {
      const json& gt = gts[key][g];
      const json& info = infos[key][g];
      char name[32];
      std::snprintf(name, sizeof name, "%06llu_%06zu.png", static_cast<unsigned long long>(frame), g);
      const test::Image mask = test::read_png(scene / "mask" / name), mask_visib = test::read_png(scene / "mask_visib" / name);
      if (info["px_count_visib"] == 0) continue;  // hidden: in BOP's list, not in COCO's
      ASSERT_LT(next, anns.size());
      const json& a = anns[next];
      const Ann& v = visible[next++];
      EXPECT_EQ(gt["obj_id"], a["category_id"]);
      for (std::size_t k = 0; k < 3; ++k) EXPECT_NEAR(gt["cam_t_m2c"][k].get<double>(), 1000.0 * a["pose"]["t"][k].get<double>(), 1e-3);
      for (std::size_t k = 0; k < 9; ++k) EXPECT_NEAR(gt["cam_R_m2c"][k].get<double>(), a["pose"]["R"][k / 3][k % 3].get<double>(), 1e-6);
      EXPECT_EQ(info["px_count_visib"], a["area"]);
      // The whole silhouette: the in-image unoccluded mask, plus what lies outside the image when the
      // projection leaves it (BOP toolkit's calc_gt_info renders 3x the image).
      if (a["truncation"].get<double>() == 0) EXPECT_EQ(info["px_count_all"], a["amodal_area"]);
      else EXPECT_GE(info["px_count_all"].get<double>(), a["amodal_area"].get<double>());
      EXPECT_NEAR(info["visib_fract"].get<double>(), a["area"].get<double>() / info["px_count_all"].get<double>(), 1e-9);
      // Boxes as bop_toolkit_lib/misc.py calc_2d_bbox: [x, y, max - min, max - min].
      EXPECT_EQ(info["bbox_visib"], json({a["bbox"][0], a["bbox"][1], a["bbox"][2].get<int>() - 1, a["bbox"][3].get<int>() - 1}));
      const auto amodal = test::rle_to_mask(test::decode_rle_string(a["amodal_segmentation"]["counts"]), h, w);
      for (std::size_t p = 0; p < std::size_t{w} * h; ++p) {
        ASSERT_EQ(mask_visib.pixels[p] == 255, v.mask[p] == 1) << name << " pixel " << p;
        ASSERT_EQ(mask.pixels[p] == 255, amodal[p] == 1) << name << " pixel " << p;
      }
    }
    EXPECT_EQ(next, anns.size());
    // Depth in millimetres, rounded.
    const std::string stem = stem_of(frame);
    const test::Image mm = test::read_png(scene / "depth" / (stem + ".png"));
    const auto z = test::read_exr_depth(dir() / "depth" / (stem + ".exr"));
    for (std::size_t p = 0; p < z.z.size(); ++p) {
      if (std::isinf(z.z[p])) ASSERT_EQ(mm.pixels[p], 0u);
      else ASSERT_NEAR(double(mm.pixels[p]), 1000.0 * double(z.z[p]), 0.5 + 1e-6);
    }
  }
}

TEST_F(Formats, BopCountsTheWholeSilhouetteOfATruncatedObjectAsTheToolkitDoes) {
  // The 2 x 2 m square of HalfHiddenAndPartlyOffScreen (x in [1, 3], y in [-1, 1], 4 m in front of a
  // head-on camera) leaves the 64 x 48 image on the right. The BOP toolkit's calc_gt_info renders
  // the object on a canvas 3x the image (the image in its middle): px_count_all counts every canvas
  // pixel centre inside the projected square, bbox_obj is misc.calc_2d_bbox of those pixels
  // ([x, y, max - min, max - min], x negative or past the image where the object is).
  test::TempDir tmp;
  const auto r = generate_yaml(tmp.path(), k_head_on + "categories: [target]\nlights: [{elevation_deg: 40}]\n"
                                             "objects:\n"
                                             "  - {primitive: plane, category: target, scale: 2, position: [2, 0, 0], rotation: [90, 0, 0]}\n"
                                             "outputs: [bop]\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json coco = json::parse(test::read_file(tmp.path() / "d/coco.json"));
  const json& K = coco["images"][0]["camera"]["K"];
  const double fx = K[0][0], fy = K[1][1], cx = K[0][2], cy = K[1][2];
  std::int64_t count = 0, in_image = 0, x0 = 1 << 20, x1 = -(1 << 20), y0 = 1 << 20, y1 = -(1 << 20);
  for (std::int64_t v = -48; v < 96; ++v) {
    for (std::int64_t u = -64; u < 128; ++u) {
      const double dx = (double(u) + 0.5 - cx) / fx, dy = -(double(v) + 0.5 - cy) / fy;
      if (!(dx * 4 > 1.0 && dx * 4 < 3.0 && std::abs(dy * 4) < 1.0)) continue;
      ++count;
      in_image += u >= 0 && u < 64 && v >= 0 && v < 48;
      x0 = std::min(x0, u), x1 = std::max(x1, u), y0 = std::min(y0, v), y1 = std::max(y1, v);
    }
  }
  ASSERT_GT(count, in_image + 100) << "a good part lies outside the image";
  const json info = json::parse(test::read_file(tmp.path() / "d/bop/000000/scene_gt_info.json"))["0"].at(0);
  const json& a = coco["annotations"].at(0);
  EXPECT_NEAR(info["px_count_all"].get<double>(), double(count), 2.0) << "pixel centres on the square's edges may go either way";
  EXPECT_EQ(info["px_count_visib"], a["area"]);
  EXPECT_EQ(info["px_count_valid"], a["area"]) << "nothing hides it, and every pixel has depth";
  EXPECT_NEAR(info["visib_fract"].get<double>(), a["area"].get<double>() / double(count), 1e-3);
  const json& box = info["bbox_obj"];
  EXPECT_NEAR(box[0].get<double>(), double(x0), 1.0);
  EXPECT_NEAR(box[1].get<double>(), double(y0), 1.0);
  EXPECT_NEAR(box[2].get<double>(), double(x1 - x0), 1.0);
  EXPECT_NEAR(box[3].get<double>(), double(y1 - y0), 1.0);
  EXPECT_GE(box[0].get<double>() + box[2].get<double>(), 64.0) << "reaches past the image";
}

TEST_F(Formats, UnknownFormatIsAConfigError) {
  const auto r = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " validate " +
                           test::shell_quote((k_src / "tests/data/floating.yaml").string()) + " 'outputs=[coco, yolov8]'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("outputs[1]: unknown format 'yolov8'"), std::string::npos) << r.err;
}

TEST(Keypoints, ProjectedWithVisibilityFromTheDepthBuffer) {
  // A 1 m cube 4 m in front of a head-on camera (camera at z = 4 looking down -z) with keypoints:
  // the front face's centre (seen), the back face's centre (behind its own front face), a front-face
  // point behind an unlabeled card 2.5 m from the camera, a point far outside the image and one
  // behind the camera. A second cube (category without keypoints) must carry none.
  test::TempDir tmp;
  const auto r = generate_yaml(
      tmp.path(),
      k_head_on + "categories: [box, other]\nlights: [{elevation_deg: 40}]\n"
         "objects:\n"
         "  - primitive: cube\n    category: box\n"
         "    keypoints:\n"
         "      points:\n"
         "        - {name: front, position: [0, 0, 0.5]}\n"
         "        - {name: back, position: [0, 0, -0.5]}\n"
         "        - {name: covered, position: [0.3, 0, 0.5]}\n"
         "        - {name: outside, position: [5, 0, 0.5]}\n"
         "        - {name: behind, position: [0, 0, 10]}\n"
         "      skeleton: [[front, back], [front, covered]]\n"
         "  - {primitive: plane, labeled: false, scale: [0.3, 1, 0.3], position: [0.25, 0, 1.5], rotation: [90, 0, 0]}\n"
         "  - {primitive: cube, category: other, scale: 0.3, position: [-1.2, 0, 0]}\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json coco = json::parse(test::read_file(tmp.path() / "d/coco.json"));
  const json& K = coco["images"][0]["camera"]["K"];
  const double fx = K[0][0], fy = K[1][1], cx = K[0][2], cy = K[1][2];
  ASSERT_EQ(coco["categories"][0]["keypoints"], json({"front", "back", "covered", "outside", "behind"}));
  EXPECT_EQ(coco["categories"][0]["skeleton"], json({{1, 2}, {1, 3}})) << "1-based, as COCO";
  EXPECT_FALSE(coco["categories"][1].contains("keypoints"));
  const json* box = nullptr;
  for (const json& a : coco["annotations"]) {
    if (a["category_id"] == 1) box = &a;
    else EXPECT_FALSE(a.contains("keypoints"));
  }
  ASSERT_TRUE(box);
  const json& kp = (*box)["keypoints"];
  ASSERT_EQ(kp.size(), 15u);
  // Projection in COCO's pixel-index coordinates: continuous u - 0.5 (u = fx X / Z + cx).
  auto expect_at = [&](std::size_t k, double x, double y, double z) {
    EXPECT_NEAR(kp[3 * k].get<double>(), fx * x / z + cx - 0.5, 1e-4) << "keypoint " << k;
    EXPECT_NEAR(kp[3 * k + 1].get<double>(), fy * -y / z + cy - 0.5, 1e-4) << "keypoint " << k;
  };
  expect_at(0, 0, 0, 3.5);
  EXPECT_EQ(kp[2], 2) << "front face centre: visible";
  expect_at(1, 0, 0, 4.5);
  EXPECT_EQ(kp[5], 1) << "back face centre: hidden by the cube's own front";
  expect_at(2, 0.3, 0, 3.5);
  EXPECT_EQ(kp[8], 1) << "behind the card";
  for (std::size_t k : {3u, 4u}) {
    EXPECT_EQ(kp[3 * k], 0);
    EXPECT_EQ(kp[3 * k + 1], 0);
    EXPECT_EQ(kp[3 * k + 2], 0) << "keypoint " << k << ": not in the image";
  }
  EXPECT_EQ((*box)["num_keypoints"], 3);
  // The card really covers the pixel of keypoint 2 (its id is 0 there, the front face is id 1 at
  // keypoint 0's pixel): the flags agree with the label buffers.
  const test::Image ids = test::read_png(tmp.path() / "d/instance/000000.png");
  auto id_at = [&](std::size_t k) {
    const auto u = static_cast<std::size_t>(kp[3 * k].get<double>() + 0.5), v = static_cast<std::size_t>(kp[3 * k + 1].get<double>() + 0.5);
    return ids.pixels[v * 64 + u];
  };
  EXPECT_EQ(id_at(0), (*box)["instance_id"].get<std::uint32_t>());
  EXPECT_EQ(id_at(2), 0u);
  // coco_keypoints.json: only the categories with keypoints and their annotations.
  const json kpf = json::parse(test::read_file(tmp.path() / "d/coco_keypoints.json"));
  ASSERT_EQ(kpf["categories"].size(), 1u);
  ASSERT_EQ(kpf["annotations"].size(), 1u);
  EXPECT_EQ(kpf["annotations"][0]["keypoints"], kp);
  EXPECT_EQ(kpf["images"], coco["images"]);
  const auto c = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " check " + test::shell_quote((tmp.path() / "d").string()));
  EXPECT_EQ(c.exit_code, 0) << c.err << c.out;
}

}  // namespace
}  // namespace synthlabel
