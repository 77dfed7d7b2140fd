// ply: each sweep as a binary little-endian PLY point cloud, ply/STEM.ply (docs/lidar.md): one
// `vertex` element (Paul Bourke's PLY format; the header names each property and its type, then the
// records packed in that order):
//   float x y z intensity range time, uint16 ring, int column instance semantic surface
// (the integer types Open3D's tensor reader takes: it skips ushort and uint properties; every value
// fits in int32).
#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

class Ply final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& files, json& /*record*/) const override {
    if (f.lidar == nullptr) return make_error(ExitCode::internal, "ply: a frame without a sweep");
    const std::size_t n = f.lidar->points.size();
    std::string header = "ply\nformat binary_little_endian 1.0\ncomment synthlabel LiDAR sweep, frame " + f.stem +
                         " (docs/lidar.md)\nelement vertex " + std::to_string(n) + "\n";
    for (const char* p : {"float x", "float y", "float z", "float intensity", "float range", "float time", "uint16 ring",
                          "int column", "int instance", "int semantic", "int surface"}) {
      header += "property " + std::string(p) + "\n";
    }
    header += "end_header\n";
    std::vector<std::uint8_t> out(header.begin(), header.end());
    out.reserve(out.size() + n * 42);
    for (const LidarPoint& p : f.lidar->points) {
      put_raw(out, p.x), put_raw(out, p.y), put_raw(out, p.z), put_raw(out, p.intensity), put_raw(out, p.range), put_raw(out, p.time);
      put_raw(out, p.ring), put_raw(out, static_cast<std::int32_t>(p.column)), put_raw(out, static_cast<std::int32_t>(p.instance));
      put_raw(out, static_cast<std::int32_t>(p.semantic)), put_raw(out, static_cast<std::int32_t>(p.surface));
    }
    files.emplace_back("ply/" + f.stem + ".ply", std::move(out));
    return ok_status();
  }
};

}  // namespace

void register_ply(FormatRegistry& r) {
  r.add({.name = "ply",
         .summary = "PLY (binary little-endian): each sweep's points with intensity, ring, column, time, instance and semantic ids",
         .folders = {"ply"},
         .refuse = [](const SceneSpec& s) { return needs_lidar(s, "ply"); },
         .make = make_format<Ply>});
}

}  // namespace synthlabel::formats
