// End to end: run the synthlabel executable (with --validate) and check the dataset on disk with
// readers independent of the writer. Label invariants are exact, per pixel.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
const fs::path k_src = SYNTHLABEL_SOURCE_DIR;

test::CommandResult generate(const fs::path& config, const fs::path& out, const std::string& extra = "") {
  return test::run(test::shell_quote(SYNTHLABEL_BINARY) + " generate " + test::shell_quote(config.string()) +
                   " --out " + test::shell_quote(out.string()) + " --validate --quiet " + extra);
}

enum class Ground { none, unlabeled_surfaces_allowed };

// Checks every label invariant of a generated dataset; counts the annotations checked.
void check_dataset(const fs::path& out, Ground ground, std::size_t& checked) {
  const json coco = json::parse(test::read_file(out / "coco.json"));
  const json manifest = json::parse(test::read_file(out / "manifest.json"));
  EXPECT_EQ(manifest["tool"], "synthlabel");
  EXPECT_TRUE(manifest.contains("git_revision"));
  EXPECT_TRUE(manifest["config"].is_object());
  EXPECT_TRUE(manifest["frame_range"].is_array());

  std::set<std::uint64_t> category_ids, stuff;
  for (std::size_t i = 0; i < coco["categories"].size(); ++i) {
    EXPECT_EQ(coco["categories"][i]["id"], i + 1);  // ids from 1, in config order
    category_ids.insert(coco["categories"][i]["id"].get<std::uint64_t>());
    // Stuff (isthing 0) labels pixels of unlabeled surfaces in the semantic PNG, never annotations.
    const json& c = coco["categories"][i];
    if (c.contains("isthing") && c["isthing"] == 0) stuff.insert(c["id"].get<std::uint64_t>());
  }
  std::map<std::uint64_t, std::vector<json>> by_image;
  std::uint64_t expected_ann_id = 1;
  for (const json& a : coco["annotations"]) {
    EXPECT_EQ(a["id"], expected_ann_id++);  // unique, from 1
    EXPECT_EQ(a["iscrowd"], 0);
    EXPECT_TRUE(category_ids.count(a["category_id"].get<std::uint64_t>()));
    EXPECT_FALSE(stuff.count(a["category_id"].get<std::uint64_t>())) << "an annotation of a stuff category";
    by_image[a["image_id"].get<std::uint64_t>()].push_back(a);
  }
  std::set<std::uint64_t> image_ids;
  checked = 0;
  for (const json& img : coco["images"]) {
    const auto image_id = img["id"].get<std::uint64_t>();
    EXPECT_TRUE(image_ids.insert(image_id).second) << "duplicate image id";
    EXPECT_EQ(image_id, img["frame"].get<std::uint64_t>() + 1);
    const auto w = img["width"].get<std::uint32_t>(), h = img["height"].get<std::uint32_t>();
    const test::Image rgb = test::read_png(out / img["file_name"].get<std::string>());
    const test::Image inst = test::read_png(out / img["instance_file"].get<std::string>());
    const test::Image sem = test::read_png(out / img["semantic_file"].get<std::string>());
    const test::DepthImage depth = test::read_exr_depth(out / img["depth_file"].get<std::string>());
    EXPECT_EQ(rgb.channels, 3u);
    EXPECT_EQ(rgb.bit_depth, 8u);
    EXPECT_EQ(inst.bit_depth, 16u);
    EXPECT_EQ(sem.bit_depth, 8u);
    for (const auto* im : {&rgb, &inst, &sem}) {
      EXPECT_EQ(im->width, w);
      EXPECT_EQ(im->height, h);
    }
    EXPECT_EQ(depth.width, w);
    EXPECT_EQ(depth.height, h);
    const std::size_t n = std::size_t{w} * h;
    if (inst.pixels.size() != n || sem.pixels.size() != n || depth.z.size() != n) {
      ADD_FAILURE() << "bad image sizes";
      return;
    }

    // Depth versus ids, as documented in renderer/Renderer.h.
    for (std::size_t i = 0; i < n; ++i) {
      const bool labeled = inst.pixels[i] != 0, finite = std::isfinite(depth.z[i]);
      if (labeled) {
        ASSERT_TRUE(finite && depth.z[i] > 0.0f) << "id without depth at pixel " << i;
      } else if (sem.pixels[i] != 0) {
        ASSERT_TRUE(stuff.count(sem.pixels[i])) << "an unlabeled pixel's category is not stuff, pixel " << i;
      }
      if (ground == Ground::none) {
        ASSERT_EQ(finite, labeled) << "pixel " << i;
      }
      if (!finite) {
        ASSERT_EQ(depth.z[i], std::numeric_limits<float>::infinity());
      }
    }

    // Every visible id has exactly one annotation, and each annotation matches its pixels exactly.
    std::set<std::uint32_t> visible(inst.pixels.begin(), inst.pixels.end());
    visible.erase(0);
    std::set<std::uint32_t> annotated;
    for (const json& a : by_image[image_id]) {
      const auto id = a["instance_id"].get<std::uint32_t>();
      EXPECT_TRUE(annotated.insert(id).second) << "two annotations for instance " << id;
      const json& seg = a["segmentation"];
      EXPECT_EQ(seg["size"], json::array({h, w}));
      const auto mask = test::rle_to_mask(test::decode_rle_string(seg["counts"].get<std::string>()), h, w);
      std::uint64_t area = 0;
      std::uint32_t x0 = w, y0 = h, x1 = 0, y1 = 0;
      for (std::uint32_t y = 0; y < h; ++y) {
        for (std::uint32_t x = 0; x < w; ++x) {
          const std::size_t i = std::size_t{y} * w + x;
          const bool in = inst.pixels[i] == id;
          ASSERT_EQ(mask[i], in ? 1 : 0) << "RLE differs from the instance PNG at " << x << "," << y;
          if (in) {
            ++area;
            x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
            ASSERT_EQ(sem.pixels[i], a["category_id"].get<std::uint32_t>()) << "semantic PNG disagrees";
          }
        }
      }
      EXPECT_GT(area, 0u) << "annotation for an invisible instance";
      EXPECT_EQ(a["area"].get<std::uint64_t>(), area);
      EXPECT_EQ(a["bbox"], json::array({x0, y0, x1 - x0 + 1, y1 - y0 + 1}));
      ++checked;
    }
    EXPECT_EQ(annotated, visible) << "image " << image_id;
  }
}

TEST(Generate, QuickstartLabelsMatchPixels) {
  test::TempDir dir;
  const auto r = generate(k_src / "configs/quickstart.yaml", dir.path() / "qs", "--frames 6");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("wrote 6 frames"), std::string::npos) << r.out;
  std::size_t checked = 0;
  check_dataset(dir.path() / "qs", Ground::unlabeled_surfaces_allowed, checked);
  EXPECT_GT(checked, 10u);
}

TEST(Generate, FloatingSceneDepthIsFiniteExactlyWhereLabeled) {
  test::TempDir dir;
  const auto r = generate(k_src / "tests/data/floating.yaml", dir.path() / "f");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::size_t checked = 0;
  check_dataset(dir.path() / "f", Ground::none, checked);
  EXPECT_GT(checked, 10u);
}

TEST(Generate, SameConfigAndSeedGiveIdenticalBytes) {
  test::TempDir dir;
  ASSERT_EQ(generate(k_src / "tests/data/floating.yaml", dir.path() / "a", "--frames 4").exit_code, 0);
  ASSERT_EQ(generate(k_src / "tests/data/floating.yaml", dir.path() / "b", "--frames 4").exit_code, 0);
  const auto a = test::read_tree(dir.path() / "a"), b = test::read_tree(dir.path() / "b");
  EXPECT_EQ(a.size(), 2u + 4u * 5u);  // coco, manifest; per frame rgb, instance, semantic, depth, record
  EXPECT_TRUE(a == b) << "two runs differ";
  ASSERT_EQ(generate(k_src / "tests/data/floating.yaml", dir.path() / "c", "--frames 4 --seed 99").exit_code, 0);
  EXPECT_NE(test::read_tree(dir.path() / "c").at("rgb/000000.png"), a.at("rgb/000000.png")) << "seed has no effect";
}

TEST(Generate, OneOrManyThreadsGiveIdenticalBytes) {
  test::TempDir dir;
  ASSERT_EQ(generate(k_src / "tests/data/floating.yaml", dir.path() / "one", "--threads 1").exit_code, 0);
  ASSERT_EQ(generate(k_src / "tests/data/floating.yaml", dir.path() / "many", "--threads 4").exit_code, 0);
  const auto one = test::read_tree(dir.path() / "one"), many = test::read_tree(dir.path() / "many");
  EXPECT_EQ(one.size(), 2u + 10u * 5u);
  EXPECT_TRUE(one == many) << "thread count changed the output";
}

TEST(Generate, CompressionPresetsKeepPixelsAndLabels) {
  test::TempDir dir;
  for (const char* preset : {"none", "small"}) {
    const auto r = generate(k_src / "tests/data/floating.yaml", dir.path() / preset,
                            std::string("--frames 3 --compression ") + preset);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::size_t checked = 0;
    check_dataset(dir.path() / preset, Ground::none, checked);
  }
  ASSERT_EQ(generate(k_src / "tests/data/floating.yaml", dir.path() / "fast", "--frames 3").exit_code, 0);
  for (const char* f : {"rgb/000002.png", "instance/000002.png", "semantic/000002.png"}) {
    EXPECT_EQ(test::read_png(dir.path() / "none" / f).pixels, test::read_png(dir.path() / "fast" / f).pixels) << f;
    EXPECT_EQ(test::read_png(dir.path() / "small" / f).pixels, test::read_png(dir.path() / "fast" / f).pixels) << f;
  }
  const auto none = test::read_exr_depth(dir.path() / "none/depth/000002.exr");
  const auto fast = test::read_exr_depth(dir.path() / "fast/depth/000002.exr");
  EXPECT_EQ(std::memcmp(none.z.data(), fast.z.data(), fast.z.size() * 4), 0);
  EXPECT_GT(test::read_file(dir.path() / "none/depth/000002.exr").size(),
            test::read_file(dir.path() / "fast/depth/000002.exr").size());
}

TEST(Generate, FrameSubsetReproducesTheSameFrames) {
  test::TempDir dir;
  ASSERT_EQ(generate(k_src / "tests/data/floating.yaml", dir.path() / "all", "--frames 6").exit_code, 0);
  ASSERT_EQ(generate(k_src / "tests/data/floating.yaml", dir.path() / "part", "--start 4 --frames 2").exit_code, 0);
  const auto all = test::read_tree(dir.path() / "all"), part = test::read_tree(dir.path() / "part");
  for (const char* f : {"rgb/000004.png", "instance/000005.png", "depth/000005.exr", "semantic/000004.png",
                        "records/000004.json", "records/000005.json"}) {
    ASSERT_TRUE(part.count(f)) << f;
    EXPECT_EQ(part.at(f), all.at(f)) << f;
  }
}

// The same with the randomizer pipeline (placement with retries, materials, camera redraws): frames
// k..N of one run equal frames k..N of a run over 0..N, labels, records and RGB alike.
TEST(Generate, FrameSubsetWithRandomizersReproducesTheSameFrames) {
  test::TempDir dir;
  const auto cfg = k_src / "configs/bin_of_parts.yaml";
  ASSERT_EQ(generate(cfg, dir.path() / "all", "--frames 8 --resolution 160x120").exit_code, 0);
  ASSERT_EQ(generate(cfg, dir.path() / "part", "--start 5 --frames 3 --resolution 160x120").exit_code, 0);
  const auto all = test::read_tree(dir.path() / "all"), part = test::read_tree(dir.path() / "part");
  int compared = 0;
  for (const auto& [name, bytes] : part) {
    if (name == "coco.json" || name == "manifest.json") continue;
    ASSERT_TRUE(all.count(name)) << name;
    EXPECT_TRUE(all.at(name) == bytes) << name;
    ++compared;
  }
  EXPECT_EQ(compared, 3 * 5);  // rgb, instance, semantic, depth, record per frame
  const json rec = json::parse(part.at("records/000006.json"));
  ASSERT_EQ(rec.at("params").at("randomizers").size(), 4u);
  EXPECT_EQ(rec["params"]["randomizers"][0]["type"], "place_on_surface");
}

// Sensor effects change the RGB only: every label file, the depth and coco.json stay byte-identical.
TEST(Generate, RealismAndSensorEffectsChangeRgbOnly) {
  // The same frames without any realism feature (no shadows, no environment, no anti-aliasing, no
  // tone map, no sensor) and with all of them: every label file and the depth are byte-identical.
  test::TempDir dir;
  const auto cfg = k_src / "tests/data/floating.yaml";
  ASSERT_EQ(generate(cfg, dir.path() / "clean", "--frames 3 'render={shadow_map_size: 0}'").exit_code, 0);
  const std::string sensor =
      "'sensor={white_balance: [1.1, 1, 0.9], vignetting: 0.5, defocus_px: 1.5, motion_px: {uniform: [0, 4]}, "
      "shot_photons: 2000, read_noise: 0.01, gamma: 1.1, jpeg_quality: {uniform: [40, 90]}}' "
      "'render={shadow_map_size: 2048}' 'environment={sky: {sun_elevation_deg: 50}}' camera.tone_map=filmic";
  const auto r = generate(cfg, dir.path() / "sensed", "--frames 3 " + sensor);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto clean = test::read_tree(dir.path() / "clean"), sensed = test::read_tree(dir.path() / "sensed");
  int rgb_differs = 0;
  for (const auto& [name, bytes] : clean) {
    if (name.rfind("records/", 0) == 0 || name == "manifest.json") continue;
    ASSERT_TRUE(sensed.count(name)) << name;
    if (name.rfind("rgb/", 0) == 0) {
      rgb_differs += sensed.at(name) != bytes;
    } else {
      EXPECT_TRUE(sensed.at(name) == bytes) << name << " changed";
    }
  }
  EXPECT_EQ(rgb_differs, 3);
  const json rec = json::parse(sensed.at("records/000001.json"));
  EXPECT_EQ(rec.at("params").at("sensor").at("vignetting"), 0.5);
  EXPECT_GE(rec["params"]["sensor"]["jpeg_quality"].get<double>(), 40.0);

  // Supersampled 3x3: the labels are the middle samples of a rasterization at 3x the size. Here they
  // equal the plain render's byte for byte; the depth is the same surface's, equal up to the float
  // rounding of interpolating at another scale (docs/conventions.md).
  const auto s = generate(cfg, dir.path() / "supersampled", "--frames 3 " + sensor + " 'render={supersampling: 3}'");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto ss = test::read_tree(dir.path() / "supersampled");
  for (const auto& [name, bytes] : clean) {
    if (name.rfind("instance/", 0) == 0 || name.rfind("semantic/", 0) == 0 || name == "coco.json") {
      EXPECT_TRUE(ss.at(name) == bytes) << name << " changed";
    }
    if (name.rfind("depth/", 0) == 0) {
      const auto a = test::read_exr_depth(dir.path() / "clean" / name), b = test::read_exr_depth(dir.path() / "supersampled" / name);
      ASSERT_EQ(a.z.size(), b.z.size());
      for (std::size_t i = 0; i < a.z.size(); ++i) {
        if (std::isinf(a.z[i])) {
          ASSERT_TRUE(std::isinf(b.z[i])) << name << " pixel " << i;
        } else {
          ASSERT_NEAR(b.z[i], a.z[i], 1e-5f * a.z[i]) << name << " pixel " << i;
        }
      }
    }
  }
}

TEST(Generate, RecordsHoldEverySampledValue) {
  // tests/data/floating.yaml: distance uniform [3.5, 5], elevation [-30, 60], fov 50; cube scale [0.3, 0.8].
  test::TempDir dir;
  ASSERT_EQ(generate(k_src / "tests/data/floating.yaml", dir.path() / "f").exit_code, 0);
  const json coco = json::parse(test::read_file(dir.path() / "f/coco.json"));
  for (std::uint64_t f = 0; f < 10; ++f) {
    SCOPED_TRACE(f);
    char name[32];
    std::snprintf(name, sizeof name, "records/%06llu.json", static_cast<unsigned long long>(f));
    const json rec = json::parse(test::read_file(dir.path() / "f" / name));
    const json& p = rec.at("params");
    EXPECT_EQ(p["camera"]["fov_y_deg"], 50.0);
    EXPECT_GE(p["camera"]["distance"].get<double>(), 3.5);
    EXPECT_LT(p["camera"]["distance"].get<double>(), 5.0);
    EXPECT_GE(p["camera"]["elevation_deg"].get<double>(), -30.0);
    EXPECT_LT(p["camera"]["elevation_deg"].get<double>(), 60.0);
    std::map<std::uint64_t, std::uint64_t> category_of;
    for (const json& i : p["instances"]) {
      category_of[i["instance_id"].get<std::uint64_t>()] = i["category_id"].get<std::uint64_t>();
      if (i["object"] == 0) {
        const double s = i["scale"][0].get<double>();
        EXPECT_GE(s, 0.3 - 1e-6);
        EXPECT_LT(s, 0.8 + 1e-6);
      }
    }
    // Every annotation's instance is in the record, with the same category.
    for (const json& a : rec["annotations"]) {
      ASSERT_TRUE(category_of.count(a["instance_id"].get<std::uint64_t>()));
      EXPECT_EQ(category_of[a["instance_id"].get<std::uint64_t>()], a["category_id"].get<std::uint64_t>());
    }
  }
}

TEST(Generate, ValidatePrintsTheResolvedConfig) {
  const auto ok = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " validate " +
                            test::shell_quote((k_src / "configs/quickstart.yaml").string()));
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const json spec = json::parse(ok.out);
  EXPECT_EQ(spec["seed"], 42);
  EXPECT_EQ(spec["resolution"], json::array({640, 480}));
  EXPECT_EQ(spec["categories"][5]["name"], "bottle");
  EXPECT_EQ(spec["camera"]["distance"], json::parse(R"({"uniform": [4.5, 6.5]})"));
  const auto bad = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " validate " +
                             test::shell_quote((k_src / "tests/e2e/GenerateTest.cpp").string()));
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_EQ(bad.out, "");
}

TEST(Generate, OverridesEqualAnEditedConfig) {
  test::TempDir dir;
  std::string yaml = test::read_file(k_src / "tests/data/floating.yaml");
  const std::string from = "distance: {uniform: [3.5, 5]}", to = "distance: 7";
  ASSERT_NE(yaml.find(from), std::string::npos);
  yaml = yaml.substr(0, yaml.find(from)) + to + yaml.substr(yaml.find(from) + from.size());
  const std::string rel = "../../assets/", abs = (k_src / "assets").string() + "/";
  ASSERT_NE(yaml.find(rel), std::string::npos);
  yaml = yaml.substr(0, yaml.find(rel)) + abs + yaml.substr(yaml.find(rel) + rel.size());
  const auto edited_cfg = dir.path() / "edited.yaml";
  std::ofstream(edited_cfg) << yaml;
  const auto r1 = generate(edited_cfg, dir.path() / "edited", "--frames 3");
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  const auto r2 = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " generate " +
                            test::shell_quote((k_src / "tests/data/floating.yaml").string()) + " camera.distance=7" +
                            " --out " + test::shell_quote((dir.path() / "override").string()) + " --validate --quiet --frames 3");
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  const auto a = test::read_tree(dir.path() / "edited"), b = test::read_tree(dir.path() / "override");
  for (const auto& [name, bytes] : a) {
    // The manifest names the config file and the overrides; the resolved asset path differs in spelling.
    if (name == "manifest.json") continue;
    EXPECT_TRUE(b.at(name) == bytes) << name;
  }
  EXPECT_NE(b.at("manifest.json").find("\"overrides\": [\n    \"camera.distance=7\""), std::string::npos);
}

TEST(Generate, EveryExampleConfigWorks) {
  test::TempDir dir;
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(k_src / "configs")) {
    if (e.path().extension() != ".yaml") continue;  // configs/common/ holds included pieces
    SCOPED_TRACE(e.path().string());
    ++n;
    const auto out = dir.path() / e.path().stem();
    // A calibrated lens keeps its image's shape (K scales with the size): a quarter of its resolution.
    std::string size = "160x120";
    if (test::read_file(e.path()).find("lens: {calibration:") != std::string::npos) {
      const YAML::Node cfg = YAML::LoadFile(e.path().string());
      size = std::to_string(cfg["resolution"][0].as<int>() / 4) + "x" + std::to_string(cfg["resolution"][1].as<int>() / 4);
    }
    const auto r = generate(e.path(), out, "--frames 3 --resolution " + size);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::size_t checked = 0;
    check_dataset(out, Ground::unlabeled_surfaces_allowed, checked);
    EXPECT_GT(checked, 0u);
    const auto c = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " check " + test::shell_quote(out.string()));
    EXPECT_EQ(c.exit_code, 0) << "synthlabel check: " << c.err;
  }
  EXPECT_GE(n, 3);
}

TEST(Generate, AblationConfigVariesOnlyTheCameraDistance) {
  test::TempDir dir;
  ASSERT_EQ(generate(k_src / "configs/ablation_camera_distance.yaml", dir.path() / "a", "--resolution 160x120").exit_code, 0);
  json first;
  for (int f = 0; f < 9; ++f) {
    char name[32];
    std::snprintf(name, sizeof name, "records/%06d.json", f);
    json p = json::parse(test::read_file(dir.path() / "a" / name))["params"];
    EXPECT_DOUBLE_EQ(p["camera"]["distance"].get<double>(), 3.0 + f);  // sweep [3, 11] over 9 frames
    p["camera"].erase("distance");
    p["camera"].erase("position");  // follows from the distance
    if (f == 0) first = p;
    EXPECT_EQ(p, first) << "frame " << f << " differs in more than the camera distance";
  }
}

TEST(Generate, HelpTeaches) {
  const auto r = test::run(test::shell_quote(SYNTHLABEL_BINARY) + " generate --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* s : {"--out", "--frames", "--seed", "--device", "--validate", "--overwrite", "Example"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace synthlabel
