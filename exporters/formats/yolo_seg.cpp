// yolo_seg: Ultralytics YOLO segmentation. yolo_seg/images/STEM.png, yolo_seg/labels/STEM.txt: one line
// "class x1 y1 x2 y2 ..." per instance, one polygon through its mask's pixel centres as OpenCV's
// fillPoly (which Ultralytics fills it with) reads it (exporters/FillPolygon.h), normalized by the
// image size; yolo_seg/data.yaml (and SPLIT.txt with splits:) at the end.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "exporters/FillPolygon.h"
#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

class YoloSeg final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& files, json& /*record*/) const override {

    // One polygon per object through its pixel centres, for OpenCV's fillPoly, which Ultralytics
    // rasterizes it with (exporters/FillPolygon.h); vertex (u, v) printed as the centre ((u + 0.5) / W,
    // (v + 0.5) / H), which Ultralytics' int32 cast of the denormalized point brings back to (u, v).
    std::string txt;
    for (const InstanceLabel& l : f.labels) {
      const auto poly = fillpoly_polygon(f.ids, f.width, f.height, l.instance_id, l.x, l.y, l.w, l.h);
      txt += std::to_string(category_of(f, l.instance_id) - 1);
      for (std::size_t k = 0; k + 1 < poly.size(); k += 2) {
        txt += ' ';
        txt += fixed6((poly[k] + 0.5) / f.width);
        txt += ' ';
        txt += fixed6((poly[k + 1] + 0.5) / f.height);
      }
      txt += "\n";
    }
    files.emplace_back("yolo_seg/labels/" + f.stem + ".txt", bytes_of(txt));
    files.emplace_back("yolo_seg/images/" + f.stem + std::string(f.rgb_ext), std::vector<std::uint8_t>(f.rgb_image.begin(), f.rgb_image.end()));
    return ok_status();
  }

  Status finish(const FinishContext& ctx) const override { return finish_yolo_folder("yolo_seg", ctx); }
};

}  // namespace

void register_yolo_seg(FormatRegistry& r) {
  r.add({.name = "yolo_seg",
          .summary = "Ultralytics YOLO segmentation: one polygon per object, images, data.yaml",
          .folders = {"yolo_seg"},
          .files = {"yolo_seg/data.yaml"},
          .make = make_format<YoloSeg>});
}

}  // namespace synthlabel::formats
