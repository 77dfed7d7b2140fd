// kitti_flow: the flow (outputs: [flow]) as KITTI's optical flow PNGs, for the loaders written for
// KITTI 2012/2015 (the devkit's flow_read.m: u = (R - 2^15) / 64, v = (G - 2^15) / 64, valid = B > 0;
// 16-bit RGB):
//   kitti_flow/forward/STEM.png    to the clip's next frame
//   kitti_flow/backward/STEM.png   to the previous frame
// valid (B = 1) wherever the flow is defined (status >= 0, occluded destinations included: KITTI's
// flow_occ) and both components fit the encoding (-512 <= d <= 511.98 px); elsewhere B = 0 and
// R = G = 2^15. The values are rounded to the nearest 1/64 px (the format's step). Occlusion (status
// 0) is in the EXR flow files only.
#include <cmath>

#include "exporters/Png.h"
#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

Result<std::vector<std::uint8_t>> encode_kitti(std::span<const float> flow, std::uint32_t w, std::uint32_t h) {
  const std::size_t pixels = std::size_t{w} * h;
  std::vector<std::uint16_t> rgb(pixels * 3);
  for (std::size_t i = 0; i < pixels; ++i) {
    const float du = flow[4 * i], dv = flow[4 * i + 1], status = flow[4 * i + 2];
    const double ru = std::round(double(du) * 64.0) + 32768.0, rv = std::round(double(dv) * 64.0) + 32768.0;
    const bool valid = status >= 0.0f && ru >= 0.0 && ru <= 65535.0 && rv >= 0.0 && rv <= 65535.0;
    rgb[3 * i] = valid ? static_cast<std::uint16_t>(ru) : 32768;
    rgb[3 * i + 1] = valid ? static_cast<std::uint16_t>(rv) : 32768;
    rgb[3 * i + 2] = valid ? 1 : 0;
  }
  return encode_png_rgb16(rgb, w, h, PngOptions{1, false});  // smooth values, not flat labels: zlib's default memory level
}

class KittiFlow final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& files, json&) const override {
    SL_TRY_STATUS(frame_has_flow(f, "kitti_flow"));
    for (const auto& [dir, flow] : {std::pair{"forward", f.flow_forward}, std::pair{"backward", f.flow_backward}}) {
      auto png = encode_kitti(flow, f.width, f.height);
      if (!png) return png.error();
      files.emplace_back("kitti_flow/" + std::string(dir) + "/" + f.stem + ".png", std::move(png).value());
    }
    return ok_status();
  }
};

}  // namespace

void register_kitti_flow(FormatRegistry& r) {
  r.add({.name = "kitti_flow",
         .summary = "the flow as KITTI flow PNGs (16-bit, 1/64 px, valid bit), forward and backward",
         .folders = {"kitti_flow"},
         .refuse = [](const SceneSpec& spec) { return needs_flow(spec, "kitti_flow"); },
         .make = make_format<KittiFlow>});
}

}  // namespace synthlabel::formats
