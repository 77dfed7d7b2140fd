// lidar_boxes: each labeled instance's 3D box in the LiDAR frame at the sweep's start, per sweep
// (docs/lidar.md). lidar_boxes/STEM.txt in OpenPCDet's custom-dataset label format, one box a line:
// `x y z dx dy dz heading_angle category_name` (OpenPCDet docs/CUSTOM_DATASET_TUTORIAL.md: the box's
// centre, its length, width and height, and its heading about the LiDAR's z from +x), taking the
// mesh's x as length, its z as width and its up axis (y) as height; and lidar_boxes/STEM.json with the
// full box (rotation matrix, for boxes that are not upright) and its point counts: points_inside (any
// surface inside the box) and instance_points (points of its instance).
#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

class LidarBoxes final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& files, json& /*record*/) const override {
    if (f.lidar == nullptr) return make_error(ExitCode::internal, "lidar_boxes: a frame without a sweep");
    std::string txt;
    json boxes = json::array();
    for (const LidarBox& b : f.lidar_boxes) {
      std::string name = b.category_id >= 1 && b.category_id <= f.category_names.size() ? f.category_names[b.category_id - 1]
                                                                                         : std::to_string(b.category_id);
      std::replace(name.begin(), name.end(), ' ', '_');
      txt += fixed6(b.centre.x) + " " + fixed6(b.centre.y) + " " + fixed6(b.centre.z) + " " + fixed6(b.size.x) + " " + fixed6(b.size.z) + " " +
             fixed6(b.size.y) + " " + fixed6(b.yaw) + " " + name + "\n";
      boxes.push_back(lidar_box_json(b, &name));
    }
    files.emplace_back("lidar_boxes/" + f.stem + ".txt", bytes_of(txt));
    const std::string text = json{{"frame", f.frame}, {"boxes", std::move(boxes)}}.dump(1);
    files.emplace_back("lidar_boxes/" + f.stem + ".json", bytes_of(text + "\n"));
    return ok_status();
  }
};

}  // namespace

void register_lidar_boxes(FormatRegistry& r) {
  r.add({.name = "lidar_boxes",
         .summary = "3D boxes in the LiDAR frame: OpenPCDet's custom txt (x y z dx dy dz heading class) and JSON with point counts",
         .folders = {"lidar_boxes"},
         .refuse = [](const SceneSpec& s) { return needs_lidar(s, "lidar_boxes"); },
         .make = make_format<LidarBoxes>});
}

}  // namespace synthlabel::formats
