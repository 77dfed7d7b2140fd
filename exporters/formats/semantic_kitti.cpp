// semantic_kitti: the sweep as SemanticKITTI lays it out (docs/lidar.md):
// semantic_kitti/sequences/SS/velodyne/STEM.bin, float32 x y z intensity per point (KITTI's velodyne
// scans), and semantic_kitti/sequences/SS/labels/STEM.label, one uint32 per point in the same order:
// the semantic id (our category id; 0 unlabeled) in the low 16 bits, the instance id in the high 16
// (semantic-kitti-api auxiliary/laserscan.py: `sem_label = label & 0xFFFF`, `inst_label = label >> 16`).
// SS is the clip (two digits or more; 00 without clips). semantic_kitti/semantic-kitti.yaml maps the
// ids to names and colours as the API's config/semantic-kitti.yaml does (labels, color_map,
// learning_map, learning_map_inv; identity maps).
#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

std::string sequence_folder(const FrameLabels& f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02llu", static_cast<unsigned long long>(f.clip ? f.clip->clip : 0));
  return "semantic_kitti/sequences/" + std::string(buf);
}

class SemanticKitti final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& files, json& /*record*/) const override {
    if (f.lidar == nullptr) return make_error(ExitCode::internal, "semantic_kitti: a frame without a sweep");
    std::vector<std::uint8_t> bin, label;
    bin.reserve(f.lidar->points.size() * 16);
    label.reserve(f.lidar->points.size() * 4);
    for (const LidarPoint& p : f.lidar->points) {
      put_raw(bin, p.x), put_raw(bin, p.y), put_raw(bin, p.z), put_raw(bin, p.intensity);
      put_raw(label, static_cast<std::uint32_t>((p.semantic & 0xFFFFu) | (p.instance << 16)));
    }
    const std::string folder = sequence_folder(f);
    files.emplace_back(folder + "/velodyne/" + f.stem + ".bin", std::move(bin));
    files.emplace_back(folder + "/labels/" + f.stem + ".label", std::move(label));
    return ok_status();
  }
  Status finish(const FinishContext& ctx) const override {
    // Colours: the VOC map the segmentation formats use; BGR as SemanticKITTI's color_map lists them.
    std::string yaml = "# synthlabel: SemanticKITTI label map (ids are the dataset's category ids; 0 unlabeled)\nlabels:\n  0: unlabeled\n";
    std::string colours = "color_map:\n  0: [0, 0, 0]\n", learn = "learning_map:\n  0: 0\n", inv = "learning_map_inv:\n  0: 0\n";
    for (std::size_t i = 0; i < ctx.spec.categories.size(); ++i) {
      const std::string id = std::to_string(i + 1);
      std::string name = ctx.spec.categories[i].name;
      for (char& c : name) {
        if (c == '"' || c == '\\') c = '_';
      }
      yaml += "  " + id + ": \"" + name + "\"\n";
      const auto c = voc_colour(static_cast<std::uint32_t>(i + 1));
      colours += "  " + id + ": [" + std::to_string(c[2]) + ", " + std::to_string(c[1]) + ", " + std::to_string(c[0]) + "]\n";
      learn += "  " + id + ": " + id + "\n";
      inv += "  " + id + ": " + id + "\n";
    }
    return ctx.put("semantic_kitti/semantic-kitti.yaml", yaml + colours + learn + inv);
  }
};

}  // namespace

void register_semantic_kitti(FormatRegistry& r) {
  r.add({.name = "semantic_kitti",
         .summary = "SemanticKITTI: velodyne .bin (x y z intensity) and .label (semantic | instance << 16) per sweep, label map",
         .folders = {"semantic_kitti"},
         .files = {"semantic_kitti/semantic-kitti.yaml"},
         .refuse = [](const SceneSpec& s) { return needs_lidar(s, "semantic_kitti"); },
         .make = make_format<SemanticKitti>});
}

}  // namespace synthlabel::formats
