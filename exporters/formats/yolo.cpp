// yolo: Ultralytics YOLO detection. yolo/images/STEM.png (the RGB frame again) and
// yolo/labels/STEM.txt: one line "class cx cy w h" per instance, class = category id - 1, box centre
// and size normalized by the image size; yolo/data.yaml (and yolo/SPLIT.txt with splits:) at the end.
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <map>

#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

class Yolo final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& files, json& /*record*/) const override {

    std::string txt;
    for (const InstanceLabel& l : f.labels) {
      const double cx = (l.x + 0.5 * l.w) / f.width, cy = (l.y + 0.5 * l.h) / f.height;
      txt += std::to_string(category_of(f, l.instance_id) - 1) + " " + fixed6(cx) + " " + fixed6(cy) + " " +
             fixed6(double(l.w) / f.width) + " " + fixed6(double(l.h) / f.height) + "\n";
    }
    files.emplace_back("yolo/labels/" + f.stem + ".txt", bytes_of(txt));
    files.emplace_back("yolo/images/" + f.stem + std::string(f.rgb_ext), std::vector<std::uint8_t>(f.rgb_image.begin(), f.rgb_image.end()));
    return ok_status();
  }

  Status finish(const FinishContext& ctx) const override { return finish_yolo_folder("yolo", ctx); }
};

}  // namespace

// With splits: SPLIT.txt per split, one image a line as "./images/NNNNNN.png", which Ultralytics
// resolves against the list's own folder (ultralytics/data/base.py, BaseDataset.get_img_files: a line
// starting with "./" gets the list's parent), and its labels by /images/ -> /labels/.
Status finish_yolo_folder(const std::string& folder, const FinishContext& ctx) {
  const SceneSpec& spec = ctx.spec;
  std::map<std::string, std::string> lists;
  for (const auto& [name, share] : spec.splits) lists[name];
  if (!lists.empty()) {
    for (std::uint64_t fr = ctx.first; fr < ctx.first + ctx.count; ++fr) {
      auto rec = ctx.load(fr);
      if (!rec) return rec.error();
      const json& image = (*rec)["image"];
      const std::string split = image.value("split", std::string()), file = image.value("file_name", std::string());
      if (lists.count(split)) lists[split] += "./images/" + std::filesystem::path(file).filename().string() + "\n";
    }
  }
  for (const auto& [name, list] : lists) SL_TRY_STATUS(ctx.put(folder + "/" + name + ".txt", list));
  std::string yaml;
  if (lists.count("train") && lists.count("val")) {
    yaml = "# Ultralytics YOLO dataset (written by synthlabel), split by the config's splits:.\n"
           "# No 'path': Ultralytics then resolves train/val against this file's folder.\ntrain: train.txt\nval: val.txt\n";
    if (lists.count("test")) yaml += "test: test.txt\n";
    yaml += "names:\n";
  } else {
    yaml = "# Ultralytics YOLO dataset (written by synthlabel): every frame is in 'train' and 'val';\n"
           "# give the config splits: {train: ..., val: ...} for held-out frames.\n"
           "# No 'path': Ultralytics then resolves train/val against this file's folder.\n"
           "train: images\nval: images\nnames:\n";
  }
  for (std::size_t i = 0; i < spec.categories.size() && !spec.categories[i].stuff; ++i) {  // things: classes 0..T-1
    std::string name;
    for (char ch : spec.categories[i].name) name += ch == '\'' ? std::string("''") : std::string(1, ch);
    yaml += "  " + std::to_string(i) + ": '" + name + "'\n";
  }
  return ctx.put(folder + "/data.yaml", yaml);
}

void register_yolo(FormatRegistry& r) {
  r.add({.name = "yolo",
          .summary = "Ultralytics YOLO detection: labels/STEM.txt (class cx cy w h), images, data.yaml",
          .folders = {"yolo"},
          .files = {"yolo/data.yaml"},
          .make = make_format<Yolo>});
}

}  // namespace synthlabel::formats
