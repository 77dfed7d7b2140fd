// range_image: a spinning sensor's sweep as an image of rings x columns, range_image/STEM.exr
// (docs/lidar.md): row r is ring r (the highest beam first), column j the j-th firing of the sweep.
// Float32 channels, so OpenCV's imread(IMREAD_UNCHANGED) reads them as B, G, R, A:
//   R range in metres where a point is; where none: 0 nothing within the maximum range, -1 the return
//   was dropped, -2 a surface nearer than the minimum range (the beam's status),
//   G intensity, B semantic id, A instance id (exact integers in float32).
#include "exporters/Exr.h"
#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

class RangeImage final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& files, json& /*record*/) const override {
    if (f.lidar == nullptr) return make_error(ExitCode::internal, "range_image: a frame without a sweep");
    const std::uint32_t w = f.lidar->columns, h = f.lidar->rings;
    const std::size_t n = std::size_t{w} * h;
    std::vector<float> range(n, 0.0f), intensity(n, 0.0f), semantic(n, 0.0f), instance(n, 0.0f);
    if (f.lidar->status.size() == n) {  // beams in firing order: column * rings + ring
      for (std::size_t b = 0; b < n; ++b) {
        if (f.lidar->status[b] < 0) range[(b % h) * w + b / h] = static_cast<float>(f.lidar->status[b]);
      }
    }
    for (const LidarPoint& p : f.lidar->points) {
      if (p.ring >= h || p.column >= w) return make_error(ExitCode::internal, "range_image: a point outside the sweep's grid");
      const std::size_t i = std::size_t{p.ring} * w + p.column;
      range[i] = p.range, intensity[i] = p.intensity;
      semantic[i] = static_cast<float>(p.semantic), instance[i] = static_cast<float>(p.instance);
    }
    const ExrChannel channels[] = {{"A", instance}, {"B", semantic}, {"G", intensity}, {"R", range}};
    auto exr = encode_exr(channels, w, h, ExrCompression::zip, 1);
    if (!exr) return exr.error();
    files.emplace_back("range_image/" + f.stem + ".exr", std::move(exr).value());
    return ok_status();
  }
};

}  // namespace

void register_range_image(FormatRegistry& r) {
  r.add({.name = "range_image",
         .summary = "range image (EXR, rings x columns): range, intensity, semantic and instance id per beam",
         .folders = {"range_image"},
         .refuse =
             [](const SceneSpec& s) {
               if (const std::string why = needs_lidar(s, "range_image"); !why.empty()) return why;
               return s.lidar->spinning ? std::string()
                                        : std::string("range_image is a spinning sensor's rings x columns: a solid-state pattern has no grid (use pcd or ply)");
             },
         .make = make_format<RangeImage>});
}

}  // namespace synthlabel::formats
