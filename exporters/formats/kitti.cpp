// kitti: KITTI object labels. kitti/image_2/STEM.png (the RGB frame again), kitti/label_2/STEM.txt
// (type truncated occluded alpha left top right bottom h w l x y z rotation_y; occluded from
// visibility when amodal renders are on: 0 (>= 0.99), 1 (>= 0.5), 2 (> 0), else 3 = unknown),
// kitti/calib/STEM.txt (P0..P3 = K [I | 0], R0_rect = I; Tr_velo_to_cam = [I | 0] without a LiDAR (the
// camera frame is the reference frame), with `lidar:` the LiDAR -> camera transform at the sweep's
// start), and with `lidar:` kitti/velodyne/STEM.bin (float32 x y z reflectance, the sweep's points).
#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {

std::optional<KittiObject> kitti_object(const FrameLabels& f, const InstanceLabel& l) {
  constexpr double k_pi = 3.14159265358979323846;
  const Instance* inst = nullptr;
  for (const Instance& i : f.instances) {
    if (i.instance_id == l.instance_id) inst = &i;
  }
  if (inst == nullptr || !inst->geometry.valid) return std::nullopt;
  const InstanceGeometry& g = inst->geometry;
  KittiObject o;
  const std::uint32_t c = category_of(f, l.instance_id);
  o.type = c >= 1 && c <= f.category_names.size() ? f.category_names[c - 1] : std::to_string(c);
  std::replace(o.type.begin(), o.type.end(), ' ', '_');
  o.truncation = g.truncation;
  for (const InstanceLabel& a : f.amodal) {
    if (a.instance_id != l.instance_id || a.area == 0) continue;
    const double vis = double(l.area) / double(a.area);
    o.occluded = vis >= 0.99 ? 0 : vis >= 0.5 ? 1 : 2;
  }
  // Object axes: x length, y height (up), z width (meshes are +Y up); camera frame OpenCV.
  const glm::dvec3 x_axis = g.rotation * glm::dvec3(1, 0, 0);
  const double rotation_y = std::atan2(-x_axis.z, x_axis.x);
  const glm::dvec3 bottom = g.box_centre + g.rotation * glm::dvec3(0, -0.5 * g.box_size.y, 0);
  double alpha = rotation_y - std::atan2(bottom.x, bottom.z);
  while (alpha > k_pi) alpha -= 2 * k_pi;
  while (alpha < -k_pi) alpha += 2 * k_pi;
  // The 2D box in continuous pixel coordinates (pixel u spans [u, u + 1)): left top right bottom =
  // x, y, x + w, y + h. KITTI's evaluation treats boxes as continuous: imageBoxOverlap takes
  // areas as (x2 - x1) * (y2 - y1) and the height filter as y2 - y1, with no + 1
  // (devkit_object/cpp/evaluate_object.cpp).
  o.rest = fixed6(alpha) + " " + fixed6(l.x) + " " + fixed6(l.y) + " " + fixed6(l.x + l.w) + " " + fixed6(l.y + l.h) + " " +
           fixed6(g.box_size.y) + " " + fixed6(g.box_size.z) + " " + fixed6(g.box_size.x) + " " + fixed6(bottom.x) + " " +
           fixed6(bottom.y) + " " + fixed6(bottom.z) + " " + fixed6(rotation_y);
  return o;
}

std::string kitti_calib(double fx, double fy, double cx, double cy, const glm::dmat4* velo_to_cam) {
  const std::string p = fixed6(fx) + " 0 " + fixed6(cx) + " 0 0 " + fixed6(fy) + " " + fixed6(cy) + " 0 0 0 1 0";
  std::string calib;
  for (char i = '0'; i < '4'; ++i) {
    calib += 'P';
    calib += i;
    calib += ": ";
    calib += p;
    calib += '\n';
  }
  calib += "R0_rect: 1 0 0 0 1 0 0 0 1\nTr_velo_to_cam:";
  const glm::dmat4 tr = velo_to_cam != nullptr ? *velo_to_cam : glm::dmat4(1.0);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 4; ++c) {
      char buf[40];
      std::snprintf(buf, sizeof buf, " %.9g", tr[c][r] == 0.0 ? 0.0 : tr[c][r]);  // (no -0)
      calib += buf;
    }
  }
  calib += "\nTr_imu_to_velo: 1 0 0 0 0 1 0 0 0 0 1 0\n";
  return calib;
}

namespace {

class Kitti final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& files, json& /*record*/) const override {
    std::string txt;
    for (const InstanceLabel& l : f.labels) {
      const auto o = kitti_object(f, l);
      if (!o) continue;
      txt += o->type + " " + fixed6(o->truncation) + " " + std::to_string(o->occluded) + " " + o->rest + "\n";
    }
    files.emplace_back("kitti/label_2/" + f.stem + ".txt", bytes_of(txt));
    files.emplace_back("kitti/image_2/" + f.stem + ".png", std::vector<std::uint8_t>(f.rgb_png.begin(), f.rgb_png.end()));
    if (f.camera != nullptr) {
      files.emplace_back("kitti/calib/" + f.stem + ".txt", bytes_of(kitti_calib(f.camera->fx, f.camera->fy, f.camera->cx, f.camera->cy,
                                                                                f.lidar != nullptr ? &f.lidar_to_camera : nullptr)));
    }
    if (f.lidar != nullptr) {  // KITTI's velodyne/: float32 x y z reflectance per point
      std::vector<std::uint8_t> bin;
      bin.reserve(f.lidar->points.size() * 16);
      for (const LidarPoint& p : f.lidar->points) put_raw(bin, p.x), put_raw(bin, p.y), put_raw(bin, p.z), put_raw(bin, p.intensity);
      files.emplace_back("kitti/velodyne/" + f.stem + ".bin", std::move(bin));
    }
    return ok_status();
  }
};

}  // namespace

void register_kitti(FormatRegistry& r) {
  r.add({.name = "kitti",
          .summary = "KITTI object: label_2 (3D boxes in the camera frame), calib, image_2",
          .folders = {"kitti"},
          .files = {},
          .needs_png_copy = true,
          .make = make_format<Kitti>});
}

}  // namespace synthlabel::formats
