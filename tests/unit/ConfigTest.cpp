// Config errors: each is one line "file:line:col: key: what was expected", unknown keys come with a
// suggestion, and nothing is silently accepted.
#include <gtest/gtest.h>

#include <fstream>

#include "scenes/ConfigLoader.h"
#include "scenes/SceneAssets.h"
#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

std::string error_of(const std::string& yaml) {
  auto r = parse_config(yaml, "test.yaml", ".");
  if (r.ok()) return "(accepted)";
  EXPECT_EQ(r.error().code, ExitCode::usage);
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << "messages are one line";
  return r.error().message;
}

constexpr const char* k_head = "seed: 1\ncategories: [box, ball]\n";
constexpr const char* k_objects = "objects:\n  - {primitive: cube, category: box}\n";

TEST(Config, MinimalConfigIsAccepted) {
  auto r = parse_config(std::string(k_head) + k_objects, "test.yaml", ".");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->seed, 1u);
  EXPECT_EQ(r->width, 640u);
  ASSERT_EQ(r->objects.size(), 1u);
  EXPECT_EQ(r->objects[0].category_id, 1u);
}

TEST(Config, RenderOptionsAndShadowSwitches) {
  auto r = parse_config(std::string(k_head) + "render: {supersampling: 3, shadow_map_size: 512}\n"
                        "lights:\n  - {type: directional, shadows: false}\n  - {type: point}\n" + k_objects,
                        "test.yaml", ".");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->render.supersampling, 3u);
  EXPECT_EQ(r->render.shadow_map_size, 512u);
  EXPECT_FALSE(r->lights[0].shadows);
  EXPECT_FALSE(r->lights[1].shadows) << "point lights cast none";
  EXPECT_EQ(error_of(std::string(k_head) + "render: {supersampling: 2}\n" + k_objects),
            "test.yaml:3:25: render.supersampling: expected 1, 3 or 5: an odd factor puts a sample at every pixel centre");
  EXPECT_EQ(error_of(std::string(k_head) + "render: {shadow_map_size: 20}\n" + k_objects),
            "test.yaml:3:27: render.shadow_map_size: expected 0 (no shadows) or 64..8192");
  EXPECT_EQ(error_of(std::string(k_head) + "lights:\n  - {type: point, shadows: true}\n" + k_objects),
            "test.yaml:4:28: lights[0].shadows: point lights cast no shadows (only directional and spot lights do)");
  EXPECT_EQ(error_of(std::string(k_head) + "render: {supersampleing: 3}\n" + k_objects),
            "test.yaml:3:10: render.supersampleing: unknown key (did you mean 'supersampling'?)");
}

TEST(Config, SyntaxErrorNamesLineAndColumn) {
  const std::string e = error_of("seed: 1\ncategories: [box\nobjects: []\n");
  EXPECT_EQ(e.rfind("test.yaml:", 0), 0u) << e;
  EXPECT_NE(e.find("YAML syntax error"), std::string::npos) << e;
}

TEST(Config, UnknownTopLevelKeySuggests) {
  EXPECT_EQ(error_of(std::string(k_head) + "objcts:\n  - {primitive: cube, category: box}\n"),
            "test.yaml:3:1: objcts: unknown key (did you mean 'objects'?)");
}

TEST(Config, UnknownNestedKeySuggests) {
  EXPECT_EQ(error_of(std::string(k_head) + "camera:\n  distnce: 4\n" + k_objects),
            "test.yaml:4:3: camera.distnce: unknown key (did you mean 'distance'?)");
}

TEST(Config, UnknownKeyFarFromAnyListsChoices) {
  const std::string e = error_of(std::string(k_head) + "camera:\n  zzzzzzzz: 4\n" + k_objects);
  EXPECT_NE(e.find("expected one of: fov_deg, intrinsics, near, far"), std::string::npos) << e;
}

TEST(Config, WrongTypeSaysWhatWasExpected) {
  EXPECT_EQ(error_of("frames: many\n" + std::string(k_head) + k_objects),
            "test.yaml:1:9: frames: expected a whole number, got 'many'");
  EXPECT_EQ(error_of(std::string(k_head) + "camera:\n  distance: far\n" + k_objects),
            "test.yaml:4:13: camera.distance: expected a number, got 'far'");
}

TEST(Config, DistributionErrors) {
  EXPECT_EQ(error_of(std::string(k_head) + "camera:\n  distance: {uniform: [5, 1]}\n" + k_objects),
            "test.yaml:4:23: camera.distance.uniform: min 5 is greater than max 1");
  EXPECT_EQ(error_of(std::string(k_head) + "camera:\n  distance: {unifrom: [1, 5]}\n" + k_objects),
            "test.yaml:4:14: camera.distance.unifrom: unknown key (did you mean 'uniform'?)");
  EXPECT_EQ(error_of(std::string(k_head) + "camera:\n  distance: {normal: [1, -2]}\n" + k_objects),
            "test.yaml:4:22: camera.distance.normal: stddev must be >= 0, got -2");
  // distance must stay positive, which a normal distribution cannot promise.
  EXPECT_EQ(error_of(std::string(k_head) + "camera:\n  distance: {normal: [5, 1]}\n" + k_objects),
            "test.yaml:4:22: camera.distance.normal: a normal distribution is unbounded; use truncated_normal: [mean, "
            "stddev, 0.000001, 1000000] or uniform here");
}

TEST(Config, CountErrors) {
  EXPECT_EQ(error_of(std::string(k_head) + "objects:\n  - {primitive: cube, category: box, count: -1}\n"),
            "test.yaml:4:45: objects[0].count: expected a count from 0 to 10000, got -1");
}

TEST(Config, DuplicateKeysAreErrors) {
  EXPECT_EQ(error_of("seed: 1\nseed: 2\ncategories: [box]\n" + std::string(k_objects)),
            "test.yaml:2:1: seed: duplicate key (first given on line 1)");
}

TEST(Config, UnknownCategoryAndPrimitiveSuggest) {
  EXPECT_EQ(error_of(std::string(k_head) + "objects:\n  - {primitive: cube, category: bxo}\n"),
            "test.yaml:4:33: objects[0].category: unknown category 'bxo' (did you mean 'box'?)");
  EXPECT_EQ(error_of(std::string(k_head) + "objects:\n  - {primitive: sphre, category: box}\n"),
            "test.yaml:4:17: objects[0].primitive: unknown primitive 'sphre' (did you mean 'sphere'?)");
}

TEST(Config, StuffCategoriesLabelUnlabeledSurfacesAndTheBackground) {
  const std::string head = "seed: 1\ncategories: [box, {name: floor, stuff: true}, {name: sky, stuff: true}]\n";
  auto r = parse_config(head + "background_category: sky\nobjects:\n  - {primitive: plane, category: floor}\n"
                               "  - {primitive: cube, category: box}\n",
                        "test.yaml", ".");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->categories[1].stuff);
  EXPECT_EQ(r->background_category, 3u);
  EXPECT_FALSE(r->objects[0].labeled) << "a stuff surface is never an instance";
  EXPECT_EQ(r->objects[0].category_id, 2u);
  EXPECT_TRUE(r->objects[1].labeled);
  // Things first, so YOLO classes (id - 1) stay contiguous.
  EXPECT_EQ(error_of("categories: [{name: floor, stuff: true}, box]\nobjects:\n  - {primitive: cube, category: box}\n"),
            "test.yaml:1:42: categories[1]: thing category 'box' after a stuff category: list stuff categories last, so "
            "things keep ids 1..N (YOLO class = id - 1)");
  EXPECT_EQ(error_of(head + "objects:\n  - {primitive: plane, category: floor, labeled: true}\n"),
            "test.yaml:4:50: objects[0].labeled: 'floor' is a stuff category: it labels pixels, not instances; drop labeled: true");
  EXPECT_EQ(error_of(head + "objects:\n  - {primitive: cube, category: box, labeled: false}\n"),
            "test.yaml:4:33: objects[0].category: an unlabeled object (labeled: false) has no category (or give it a stuff "
            "category)");
  EXPECT_EQ(error_of(head + "objects:\n  - pool: [{primitive: cube, category: floor}]\n"),
            "test.yaml:4:40: objects[0].pool[0].category: 'floor' is a stuff category: pool entries take thing categories "
            "(give a stuff category to a whole object)");
  EXPECT_EQ(error_of(head + "background_category: box\nobjects:\n  - {primitive: cube, category: box}\n"),
            "test.yaml:3:22: background_category: 'box' is a thing category; the background takes a stuff category "
            "(categories: [..., {name: box, stuff: true}])");
  EXPECT_EQ(error_of(head + "background_category: skye\nobjects:\n  - {primitive: cube, category: box}\n"),
            "test.yaml:3:22: background_category: unknown category 'skye' (did you mean 'sky'?)");
}

TEST(Config, MissingPiecesAreNamed) {
  EXPECT_NE(error_of("seed: 1\n" + std::string(k_objects)).find("categories: missing"), std::string::npos);
  EXPECT_NE(error_of(k_head).find("objects: missing"), std::string::npos);
  EXPECT_NE(error_of(std::string(k_head) + "objects:\n  - {primitive: cube}\n").find("objects[0].category: missing"),
            std::string::npos);
  EXPECT_EQ(error_of(""), "test.yaml: the config is empty");
}

TEST(Config, LimitsAreEnforced) {
  EXPECT_EQ(error_of("resolution: [100000, 10]\n" + std::string(k_head) + k_objects),
            "test.yaml:1:14: resolution[0]: expected a whole number from 1 to 16384, got 100000");
}

std::string override_error(const std::vector<std::string>& overrides) {
  auto r = parse_config(std::string(k_head) + "camera:\n  distance: 5\n" + k_objects, "test.yaml", ".", overrides);
  return r.ok() ? "(accepted)" : r.error().message;
}

TEST(Config, OverridesChangeValuesInOrder) {
  auto r = parse_config(std::string(k_head) + "camera:\n  distance: 5\n" + k_objects, "test.yaml", ".",
                        {"camera.distance={uniform: [3, 4]}", "objects[0].count=7", "seed=9", "seed=11",
                         "lights=[{intensity: 2}]"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->seed, 11u);
  ASSERT_TRUE(std::holds_alternative<Uniform>(r->camera.distance_m));
  EXPECT_EQ(std::get<Uniform>(r->camera.distance_m).hi, 4.0);
  EXPECT_EQ(std::get<std::int64_t>(r->objects[0].count), 7);
  ASSERT_EQ(r->lights.size(), 1u);
  EXPECT_EQ(std::get<double>(r->lights[0].intensity), 2.0);
}

TEST(Config, OverrideErrorsNameTheOverride) {
  EXPECT_EQ(override_error({"camera.distance=far"}),
            "override 'camera.distance=far': camera.distance: expected a number, got 'far'");
  EXPECT_EQ(override_error({"camera.distnce=4"}),
            "override 'camera.distnce=4': camera.distnce: unknown key (did you mean 'distance'?)");
  EXPECT_EQ(override_error({"objects[3].count=1"}), "override 'objects[3].count=1': objects has no entry [3] (it has 1)");
  EXPECT_EQ(override_error({"seed"}),
            "override 'seed': expected KEY.PATH=VALUE, e.g. camera.distance=4 or objects[1].count=3");
  EXPECT_EQ(override_error({"seed=[1"}).rfind("override 'seed=[1': the value is not valid YAML", 0), 0u);
  // Errors elsewhere still point into the file.
  EXPECT_EQ(override_error({"seed=3", "camera.fov_deg=0.5"}),
            "override 'camera.fov_deg=0.5': camera.fov_deg: value 0.5 is outside the allowed range [1, 179]");
}

TEST(Config, IncludesMergeWithLaterValuesWinning) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "parts");
  std::ofstream(dir.path() / "parts/base.yaml") << "seed: 1\nresolution: [160, 120]\ncategories: [box]\n"
                                                   "camera: {distance: 4, elevation_deg: 30}\n"
                                                   "objects: [{asset: mesh.obj, category: box}]\n";
  std::ofstream(dir.path() / "parts/light.yaml") << "lights: [{intensity: 3}]\nseed: 5\n";
  std::ofstream(dir.path() / "exp.yaml") << "include: [parts/base.yaml, parts/light.yaml]\nseed: 2\ncamera: {distance: 6}\n";
  auto r = load_config(dir.path() / "exp.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->seed, 2u);                                          // the including file wins
  EXPECT_EQ(std::get<double>(r->camera.distance_m), 6.0);          // mappings merge key by key
  EXPECT_EQ(std::get<double>(r->camera.elevation_deg), 30.0);
  EXPECT_EQ(std::get<double>(r->lights.at(0).intensity), 3.0);     // from the second include
  EXPECT_EQ(r->width, 160u);
  EXPECT_EQ(r->objects[0].shape.asset, (dir.path() / "parts/mesh.obj").lexically_normal());  // relative to its file
}

TEST(Config, IncludeErrorsPointIntoTheRightFile) {
  test::TempDir dir;
  std::ofstream(dir.path() / "base.yaml") << "categories: [box]\ncamera: {elevaton_deg: 3}\n"
                                             "objects: [{primitive: cube, category: box}]\n";
  std::ofstream(dir.path() / "a.yaml") << "include: base.yaml\n";
  std::ofstream(dir.path() / "loop.yaml") << "include: loop.yaml\n";
  std::ofstream(dir.path() / "missing.yaml") << "seed: 1\ninclude: nothere.yaml\n";
  auto a = load_config(dir.path() / "a.yaml");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().message, (dir.path() / "base.yaml").string() +
                                   ":2:10: camera.elevaton_deg: unknown key (did you mean 'elevation_deg'?)");
  auto loop = load_config(dir.path() / "loop.yaml");
  ASSERT_FALSE(loop.ok());
  EXPECT_NE(loop.error().message.find(":1:10: include: include cycle"), std::string::npos) << loop.error().message;
  std::ofstream(dir.path() / "device.yaml") << "include: /dev/zero\n";  // would read forever
  auto device = load_config(dir.path() / "device.yaml");
  ASSERT_FALSE(device.ok());
  EXPECT_NE(device.error().message.find("'/dev/zero' is not a readable file"), std::string::npos) << device.error().message;
  auto zero = load_config("/dev/zero");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().message, "/dev/zero: not a regular file (a config is a YAML file)");
  auto missing = load_config(dir.path() / "missing.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find(":2:10: include: '"), std::string::npos) << missing.error().message;
}

TEST(Config, MissingAssetNamesConfigLocationAndFile) {
  auto spec = parse_config(std::string(k_head) + "objects:\n  - {asset: nothere.glb, category: box}\n", "test.yaml",
                           "/nonexistent-dir");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  auto meshes = load_meshes(*spec);
  ASSERT_FALSE(meshes.ok());
  EXPECT_EQ(meshes.error().code, ExitCode::asset);
  EXPECT_EQ(meshes.error().message,
            "test.yaml:4:13: objects[0].asset: /nonexistent-dir/nothere.glb: asset file not found");
}

TEST(Config, KeypointsAreDeclaredPerShapeAndSharedPerCategory) {
  const std::string kp =
      "keypoints:\n      points: [{name: top, position: [0, 0.5, 0]}, {name: bottom, position: [0, -0.5, 0]}]\n"
      "      skeleton: [[top, bottom]]\n";
  auto r = parse_config(std::string(k_head) + "objects:\n  - primitive: cube\n    category: box\n    " + kp +
                            "  - primitive: sphere\n    category: box\n    keypoints:\n      points: [{name: top, position: [0, 1, 0]}, "
                            "{name: bottom, position: [0, -1, 0]}]\n",
                        "test.yaml", ".");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->categories[0].keypoints, (std::vector<std::string>{"top", "bottom"}));
  ASSERT_EQ(r->categories[0].skeleton.size(), 1u);
  EXPECT_EQ(r->categories[0].skeleton[0][0], 1u);
  EXPECT_EQ(r->categories[0].skeleton[0][1], 2u);
  EXPECT_TRUE(r->categories[1].keypoints.empty());
  EXPECT_EQ(r->objects[1].shape.keypoints.points[0].y, 1.0);
  EXPECT_EQ(r->objects[0].shape.keypoints.tolerance_m, 0.01);

  const std::string head = std::string(k_head) + "objects:\n  - primitive: cube\n    category: box\n    keypoints:\n";
  EXPECT_EQ(error_of(head + "      points: [{name: a, position: [0, 0, 0]}, {name: a, position: [1, 0, 0]}]\n"),
            "test.yaml:7:55: objects[0].keypoints.points[1].name: keypoint 'a' is listed twice");
  EXPECT_EQ(error_of(head + "      points: [{name: tip, position: [0, 0, 0]}]\n      skeleton: [[tip, tap]]\n"),
            "test.yaml:8:24: objects[0].keypoints.skeleton[0][1]: unknown keypoint 'tap' (did you mean 'tip'?)");
  EXPECT_EQ(error_of(head + "      points: [{name: tip, position: [0, 0]}]\n"),
            "test.yaml:7:38: objects[0].keypoints.points[0].position: expected a list of 3 numbers");
  EXPECT_EQ(error_of(head + "      point: []\n"),
            "test.yaml:7:7: objects[0].keypoints.point: unknown key (did you mean 'points'?)");
  // Another shape of the same category with other names, or none.
  const std::string first = head + "      points: [{name: tip, position: [0, 0, 0]}]\n";
  EXPECT_EQ(error_of(first + "  - {primitive: sphere, category: box}\n"),
            "test.yaml:8:5: objects[1].keypoints: category 'box' has keypoints [tip] from test.yaml:4:5: objects[0]; every "
            "shape of a category must declare the same keypoint names in the same order");
  EXPECT_EQ(error_of(std::string(k_head) + "objects:\n  - {primitive: cube, labeled: false, keypoints: {points: [{name: a, position: [0, 0, 0]}]}}\n"),
            "test.yaml:4:50: objects[0].keypoints: an unlabeled object has no keypoint labels");
}

}  // namespace
}  // namespace synthlabel
