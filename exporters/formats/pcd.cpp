// pcd: each sweep as a binary PCD v0.7 file, pcd/STEM.pcd (docs/lidar.md): one unorganized cloud
// (HEIGHT 1), every point's fields in the point-record layout PCL's and Open3D's readers take
// (pointclouds.org's "The PCD (Point Cloud Data) file format": FIELDS, SIZE, TYPE, COUNT, WIDTH,
// HEIGHT, VIEWPOINT, POINTS, DATA binary, then the records packed):
//   x y z intensity range noise time (float32), ring (uint16), column instance semantic surface (uint32)
#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

class Pcd final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& files, json& /*record*/) const override {
    if (f.lidar == nullptr) return make_error(ExitCode::internal, "pcd: a frame without a sweep");
    const std::size_t n = f.lidar->points.size();
    const std::string header = "# .PCD v0.7 - Point Cloud Data file format (synthlabel LiDAR sweep, docs/lidar.md)\nVERSION 0.7\n"
                               "FIELDS x y z intensity range noise time ring column instance semantic surface\n"
                               "SIZE 4 4 4 4 4 4 4 2 4 4 4 4\nTYPE F F F F F F F U U U U U\nCOUNT 1 1 1 1 1 1 1 1 1 1 1 1\n"
                               "WIDTH " + std::to_string(n) + "\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS " + std::to_string(n) +
                               "\nDATA binary\n";
    std::vector<std::uint8_t> out(header.begin(), header.end());
    out.reserve(out.size() + n * 46);
    for (const LidarPoint& p : f.lidar->points) {
      put_raw(out, p.x), put_raw(out, p.y), put_raw(out, p.z), put_raw(out, p.intensity), put_raw(out, p.range), put_raw(out, p.noise);
      put_raw(out, p.time), put_raw(out, p.ring), put_raw(out, p.column), put_raw(out, p.instance), put_raw(out, p.semantic);
      put_raw(out, p.surface);
    }
    files.emplace_back("pcd/" + f.stem + ".pcd", std::move(out));
    return ok_status();
  }
};

}  // namespace

void register_pcd(FormatRegistry& r) {
  r.add({.name = "pcd",
         .summary = "PCD (binary): each sweep's points with intensity, ring, column, time, instance and semantic ids",
         .folders = {"pcd"},
         .refuse = [](const SceneSpec& s) { return needs_lidar(s, "pcd"); },
         .make = make_format<Pcd>});
}

}  // namespace synthlabel::formats
