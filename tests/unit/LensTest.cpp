// Lens models (scenes/CameraModel.h) and the remap (renderer/LensRemap.h): projection and its
// inverse agree, OpenCV's formulas at known points, each remapped label is its nearest source
// sample's, the bound holds, and bad lens or pose input gets a one-line config error.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "renderer/LensRemap.h"
#include "scenes/CameraFiles.h"
#include "scenes/CameraModel.h"
#include "scenes/ConfigLoader.h"

namespace synthlabel {
namespace {

Camera lens_camera(LensModel model, std::array<double, 12> k, double max_field_deg = 0) {
  Camera c;
  c.width = 160;
  c.height = 120;
  c.fx = c.fy = model == LensModel::brown_conrady ? 130.0 : 60.0;
  c.cx = 81.0;
  c.cy = 59.5;
  c.lens.model = model;
  c.lens.k = k;
  EXPECT_EQ(finish_lens(c.lens, max_field_deg), "");
  const auto [w, h] = source_size(c, 2.0);
  fit_source(c, 2.0, w, h);
  return c;
}

TEST(Lens, BrownConradyMatchesOpenCvFormulaAtAKnownPoint) {
  // cv::projectPoints' model written out for (x, y) = (0.3, -0.2): r2 = 0.13.
  const std::array<double, 12> k{0.1, -0.05, 0.001, -0.002, 0.01, 0.02, 0.003, 0.0005, 0.001, 0.0002, -0.001, 0.0003};
  const Camera c = lens_camera(LensModel::brown_conrady, k);
  const double x = 0.3, y = -0.2, r2 = x * x + y * y;
  const double radial = (1 + k[0] * r2 + k[1] * r2 * r2 + k[4] * r2 * r2 * r2) / (1 + k[5] * r2 + k[6] * r2 * r2 + k[7] * r2 * r2 * r2);
  const double xd = x * radial + 2 * k[2] * x * y + k[3] * (r2 + 2 * x * x) + k[8] * r2 + k[9] * r2 * r2;
  const double yd = y * radial + k[2] * (r2 + 2 * y * y) + 2 * k[3] * x * y + k[10] * r2 + k[11] * r2 * r2;
  const glm::dvec2 uv = project(c, glm::dvec3(x * 2, y * 2, 2));
  EXPECT_NEAR(uv.x, c.fx * xd + c.cx, 1e-12);
  EXPECT_NEAR(uv.y, c.fy * yd + c.cy, 1e-12);
}

TEST(Lens, FisheyeMatchesKannalaBrandtAndSeesPastNinetyDegreesOffAxisNever) {
  const std::array<double, 12> k{0.0035, 0.0007, -0.002, 0.0002};
  const Camera c = lens_camera(LensModel::fisheye, k, 150);
  const double theta = std::atan2(std::hypot(0.5, 0.7), 0.4);
  const double t2 = theta * theta, rd = theta * (1 + k[0] * t2 + k[1] * t2 * t2 + k[2] * t2 * t2 * t2 + k[3] * t2 * t2 * t2 * t2);
  const glm::dvec2 uv = project(c, glm::dvec3(0.5, 0.7, 0.4));
  const double r = std::hypot(0.5, 0.7);
  EXPECT_NEAR(uv.x, c.fx * rd * 0.5 / r + c.cx, 1e-12);
  EXPECT_NEAR(uv.y, c.fy * rd * 0.7 / r + c.cy, 1e-12);
  EXPECT_TRUE(std::isnan(project(c, glm::dvec3(1, 0, 0.1)).x)) << "84 degrees off axis: beyond the 150-degree circle";
}

TEST(Lens, PixelRayInvertsProjectionForEveryModel) {
  std::vector<Camera> cams = {lens_camera(LensModel::brown_conrady, {0.26, -0.95, -0.0054, 0.0026, 1.16}),
                              lens_camera(LensModel::fisheye, {0.0035, 0.0007, -0.002, 0.0002}, 150)};
  Camera table = lens_camera(LensModel::fisheye, {}, 120);
  table.lens.model = LensModel::radial_table;
  table.lens.table = {{0.0, 0.0}, {0.5, 0.45}, {1.0, 0.8}, {1.3, 1.0}};
  ASSERT_EQ(finish_lens(table.lens, 0), "");
  cams.push_back(table);
  for (const Camera& c : cams) {
    int checked = 0;
    for (double v = 0.5; v < c.height; v += 7) {
      for (double u = 0.5; u < c.width; u += 7) {
        glm::dvec3 ray;
        if (!pixel_ray(c, u, v, ray)) continue;
        const glm::dvec2 back = project(c, ray * 3.0);
        EXPECT_NEAR(back.x, u, 1e-9);
        EXPECT_NEAR(back.y, v, 1e-9);
        ++checked;
      }
    }
    EXPECT_GT(checked, 100) << "model " << static_cast<int>(c.lens.model);
  }
}

TEST(Lens, RemappedLabelsAreTheNearestSourceSamplesWithinTheBound) {
  const Camera c = lens_camera(LensModel::fisheye, {0.0035, 0.0007, -0.002, 0.0002}, 150);
  const LensMap map = build_lens_map(c);
  FrameBuffers src;
  src.width = map.source_width;
  src.height = map.source_height;
  const std::size_t n = std::size_t{src.width} * src.height;
  src.rgba.assign(4 * n, 200);
  src.depth.resize(n);
  src.instance_id.resize(n);
  for (std::size_t i = 0; i < n; ++i) src.instance_id[i] = static_cast<std::uint32_t>(i + 1), src.depth[i] = static_cast<float>(i);
  FrameBuffers out;
  remap_frame(map, src, out);
  ASSERT_EQ(out.width, c.width);
  std::size_t outside = 0;
  const Lens& l = c.lens;
  for (std::uint32_t y = 0; y < c.height; ++y) {
    for (std::uint32_t x = 0; x < c.width; ++x) {
      const std::size_t i = std::size_t{y} * c.width + x;
      glm::dvec3 ray;
      if (!pixel_ray(c, x + 0.5, y + 0.5, ray)) {
        EXPECT_EQ(out.instance_id[i], 0u);
        EXPECT_TRUE(std::isinf(out.depth[i]));
        EXPECT_EQ(out.rgba[4 * i], 0);
        ++outside;
        continue;
      }
      // The source pixel holding the ray's point: its id (index + 1) and depth, both from it.
      const double qx = l.source_fx * ray.x / ray.z + l.source_cx, qy = l.source_fy * ray.y / ray.z + l.source_cy;
      const std::size_t s = static_cast<std::size_t>(qy) * src.width + static_cast<std::size_t>(qx);
      EXPECT_EQ(out.instance_id[i], s + 1);
      EXPECT_EQ(out.depth[i], static_cast<float>(s));
      EXPECT_EQ(out.rgba[4 * i], 200);
    }
  }
  EXPECT_GT(outside, 0u) << "the 150-degree circle leaves the corners dark";
  EXPECT_GT(map.worst_ray_error_px, 0.0);
  EXPECT_LE(map.worst_ray_error_px, l.ray_error_px * 1.05) << "the recorded bound holds over every pixel";
}

TEST(Lens, CalibrationFilesAsOpenCvAndRosWriteThem) {
  auto cv = parse_calibration("%YAML:1.0\n---\nimage_width: 640\nimage_height: 480\ncamera_matrix: !!opencv-matrix\n"
                                    "   rows: 3\n   cols: 3\n   dt: d\n   data: [ 500., 0., 319.5, 0., 501., 239.5, 0., 0., 1. ]\n"
                                    "distortion_coefficients: !!opencv-matrix\n   rows: 1\n   cols: 5\n   dt: d\n"
                                    "   data: [ 0.1, -0.2, 0.001, 0.002, 0.05 ]\n",
                                    "cv.yaml");
  ASSERT_TRUE(cv.ok()) << cv.error().message;
  EXPECT_EQ(cv->cx, 320.0) << "OpenCV's first pixel centre is (0, 0), synthlabel's (0.5, 0.5)";
  EXPECT_EQ(cv->distortion.size(), 5u);
  EXPECT_EQ(cv->width, 640u);
  auto json = parse_calibration(R"({"camera_matrix": {"type_id": "opencv-matrix", "rows": 3, "cols": 3, "dt": "d",
      "data": [500, 0, 100, 0, 500, 80, 0, 0, 1]}, "distortion_coefficients": {"type_id": "opencv-matrix", "rows": 4, "cols": 1,
      "dt": "d", "data": [0.01, 0.002, 0.0, 0.0]}})",
                                      "cv.json");
  ASSERT_TRUE(json.ok()) << json.error().message;
  EXPECT_EQ(json->fy, 500.0);
  auto ros = parse_calibration("camera_matrix: {rows: 3, cols: 3, data: [400, 0, 200, 0, 400, 150, 0, 0, 1]}\n"
                                     "distortion_model: equidistant\ndistortion_coefficients: {rows: 1, cols: 4, data: [0.1, 0, 0, 0]}\n",
                                     "ros.yaml");
  ASSERT_TRUE(ros.ok()) << ros.error().message;
  EXPECT_EQ(ros->model, LensModel::fisheye);
  EXPECT_FALSE(parse_calibration("camera_matrix: {rows: 3, cols: 3, data: [1, 2]}\ndistortion_coefficients: [0]\n", "bad.yaml").ok());
  EXPECT_FALSE(parse_calibration("distortion_coefficients: [0]\n", "bad.yaml").ok());
}

TEST(Lens, PoseFilesJsonAndTum) {
  auto j = parse_poses(R"([[[1,0,0,0],[0,1,0,0],[0,0,1,5],[0,0,0,1]], {"camera_to_world": [[1,0,0,2],[0,1,0,0],[0,0,1,0],[0,0,0,1]]}])", "p.json");
  ASSERT_TRUE(j.ok()) << j.error().message;
  ASSERT_EQ(j->size(), 2u);
  EXPECT_EQ((*j)[0][3][2], 5.0);
  EXPECT_EQ((*j)[1][3][0], -2.0) << "camera_to_world inverted";
  auto tum = parse_poses("# timestamp tx ty tz qx qy qz qw\n1.0 0 0 -3 0 0 0 1\n2.0 1 0 -3 0 0 0 1\n", "traj.txt");
  ASSERT_TRUE(tum.ok()) << tum.error().message;
  EXPECT_EQ((*tum)[1][3][0], -1.0);
  EXPECT_EQ((*tum)[1][3][2], 3.0);
  EXPECT_FALSE(parse_poses("1 2 3\n", "t.txt").ok());
  EXPECT_FALSE(parse_poses("1 0 0 0 0 0 0 2\n", "t.txt").ok()) << "not a unit quaternion";
  EXPECT_FALSE(parse_poses("[[[2,0,0,0],[0,1,0,0],[0,0,1,5],[0,0,0,1]]]", "p.json").ok()) << "scaled: not a rotation";
}

std::string config_error(const std::string& camera, const std::string& extra = "") {
  const std::string yaml = "seed: 1\nresolution: [160, 120]\ncategories: [box]\ncamera:\n" + camera + extra +
                           "objects:\n  - {primitive: cube, category: box}\n";
  auto r = parse_config(yaml, "test.yaml", std::filesystem::temp_directory_path());
  if (r.ok()) return "(accepted)";
  EXPECT_EQ(r.error().code, ExitCode::usage);
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
  return r.error().message;
}

TEST(Lens, BadLensAndPoseInputGetsClearErrors) {
  EXPECT_NE(config_error("  intrinsics: {fx: 40, fy: 40, cx: 80, cy: 60}\n  lens: {model: fisheye, k1: 0.01}\n").find("max_field_deg"), std::string::npos)
      << "a fisheye whose corners see past 160 degrees needs an image circle";
  EXPECT_EQ(config_error("  fov_deg: 60\n  lens: {model: brown_conrady, k1: -0.1}\n"), "(accepted)");
  EXPECT_NE(config_error("  lens: {model: fishey}\n").find("did you mean"), std::string::npos);
  EXPECT_NE(config_error("  lens: {model: fisheye, p1: 0.1, max_field_deg: 120}\n").find("k1..k4 only"), std::string::npos);
  EXPECT_NE(config_error("  lens: {model: radial_table}\n").find("table"), std::string::npos);
  EXPECT_NE(config_error("  lens: {model: radial_table, table: [[0, 0], [30, 0.2], [20, 0.3]]}\n").find("increase"), std::string::npos);
  EXPECT_NE(config_error("  lens: {calibration: no_such_file.yaml}\n").find("no_such_file.yaml"), std::string::npos);
  EXPECT_NE(config_error("  fov_deg: 60\n  lens: {model: brown_conrady, k1: -3}\n").find("lens"), std::string::npos)
      << "folds back at once";
  EXPECT_NE(config_error("  fov_deg: 60\n  lens: {model: brown_conrady, k1: 0.1}\n", "outputs: [flow, scene_flow]\nsequence: {length: 3}\n")
                .find("scene_flow"),
            std::string::npos);
  EXPECT_EQ(config_error("  fov_deg: 60\n  lens: {model: brown_conrady, k1: 0.1}\n", "outputs: [flow]\nsequence: {length: 3}\n"), "(accepted)");
  EXPECT_NE(config_error("  pose: {position: [0, 1, 3]}\n  distance: 4\n").find("orbit"), std::string::npos);
  EXPECT_NE(config_error("  pose: {look_at: [0, 0, 0]}\n").find("position"), std::string::npos);
  EXPECT_NE(config_error("  pose: {world_to_camera: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 5]]}\n").find("4 rows"), std::string::npos);
  EXPECT_EQ(config_error("  pose: {world_to_camera: [[1, 0, 0, 0], [0, -1, 0, 0], [0, 0, -1, 5], [0, 0, 0, 1]]}\n"), "(accepted)");
  EXPECT_NE(config_error("  poses: {file: no_such_poses.json}\n").find("no_such_poses.json"), std::string::npos);
  const auto dir = std::filesystem::temp_directory_path();
  {
    std::ofstream f(dir / "synthlabel_lens_test_calibration.yaml");
    f << "image_width: 320\nimage_height: 240\ncamera_matrix: {rows: 3, cols: 3, data: [200, 0, 160, 0, 200, 120, 0, 0, 1]}\n"
         "distortion_coefficients: {rows: 1, cols: 5, data: [0.1, 0, 0, 0, 0]}\n";
  }
  EXPECT_EQ(config_error("  lens: {calibration: synthlabel_lens_test_calibration.yaml}\n"), "(accepted)") << "160x120: K halved";
  {
    auto r = parse_config("seed: 1\nresolution: [160, 120]\ncategories: [box]\ncamera:\n  lens: {calibration: synthlabel_lens_test_calibration.yaml}\n"
                          "objects:\n  - {primitive: cube, category: box}\n",
                          "test.yaml", std::filesystem::temp_directory_path());
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(std::get<double>(r->camera.intrinsics->fx), 100.0);
    EXPECT_EQ(std::get<double>(r->camera.intrinsics->cx), 80.25) << "OpenCV's 160 is 160.5 here, halved";
    RunValues v;
    v.resolution = "200x100";
    const auto other = apply_run_values(*r, v);
    ASSERT_FALSE(other.ok());
    EXPECT_NE(other.error().message.find("320x240"), std::string::npos) << other.error().message;
  }
  EXPECT_NE(config_error("  fov_deg: 50\n  lens: {calibration: synthlabel_lens_test_calibration.yaml}\n").find("leave camera.fov_deg"),
            std::string::npos);
  std::filesystem::remove(dir / "synthlabel_lens_test_calibration.yaml");
}

}  // namespace
}  // namespace synthlabel
