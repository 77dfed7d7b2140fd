// panoptic: COCO panoptic segmentation. Per frame panoptic/STEM.png: RGB, segment id = R + 256 G +
// 256^2 B; a pixel's segment id is its instance id for things, stuff category id x 65536 for a
// stuff surface's or the background category's pixels (one segment per stuff category), 0 = void.
// panoptic.json at the end: COCO panoptic (images, annotations with file_name relative to
// panoptic/ and segments_info, categories with isthing 1 or 0).
#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

class Panoptic final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& files, json& record) const override {
    const std::size_t pixels = std::size_t{f.width} * f.height;
    const PngOptions png = k_label_png;
    // Segment id: the instance id for things; category id x 65536 for a stuff category's pixels (one
    // segment per stuff category and frame; instance ids stay below 65536); 0 void.
    std::vector<std::uint8_t> rgba(pixels * 4, 255);
    std::map<std::uint32_t, InstanceLabel> stuff;  // stuff category -> its pixels' count and box
    for (std::size_t p = 0; p < pixels; ++p) {
      std::uint32_t id = f.ids[p];
      if (id == 0 && p < f.semantic.size() && f.semantic[p] != 0) {
        const std::uint32_t c = f.semantic[p];
        id = c << 16;
        const auto x = static_cast<std::uint32_t>(p % f.width), y = static_cast<std::uint32_t>(p / f.width);
        InstanceLabel& s = stuff[c];
        if (s.area++ == 0) s.x = x, s.y = y, s.w = 1, s.h = 1;
        const std::uint32_t x1 = std::max(s.x + s.w, x + 1), y1 = std::max(s.y + s.h, y + 1);
        s.x = std::min(s.x, x), s.y = std::min(s.y, y), s.w = x1 - s.x, s.h = y1 - s.y;
      }
      rgba[4 * p] = static_cast<std::uint8_t>(id & 0xff);
      rgba[4 * p + 1] = static_cast<std::uint8_t>((id >> 8) & 0xff);
      rgba[4 * p + 2] = static_cast<std::uint8_t>((id >> 16) & 0xff);
    }
    auto encoded = encode_png_rgb_from_rgba(rgba, f.width, f.height, png);
    if (!encoded) return encoded.error();
    const std::string name = "panoptic/" + f.stem + ".png";
    files.emplace_back(name, std::move(encoded).value());
    json segments = json::array();
    for (const InstanceLabel& l : f.labels) {
      segments.push_back({{"id", l.instance_id}, {"category_id", category_of(f, l.instance_id)}, {"area", l.area},
                          {"bbox", {l.x, l.y, l.w, l.h}}, {"iscrowd", 0}});
    }
    for (const auto& [c, s] : stuff) {
      segments.push_back({{"id", c << 16}, {"category_id", c}, {"area", s.area}, {"bbox", {s.x, s.y, s.w, s.h}}, {"iscrowd", 0}});
    }
    // file_name is relative to the segmentation folder, panoptic/ (panoptic.json's name less ".json"),
    // as COCO's panoptic files name them and panopticapi's pq_compute looks for them by default.
    record["panoptic"] = {{"file_name", f.stem + ".png"}, {"segments_info", std::move(segments)}};
    return ok_status();
  }

  Status finish(const FinishContext& ctx) const override {
    const SceneSpec& spec = ctx.spec;
    const std::uint64_t first = ctx.first, count = ctx.count;
    const auto& load = ctx.load;
    const auto& put = ctx.put;
    json images = json::array(), annotations = json::array(), categories = json::array();
    for (std::uint64_t fr = first; fr < first + count; ++fr) {
      auto rec = load(fr);
      if (!rec) return rec.error();
      const json& image = (*rec)["image"];
      images.push_back({{"id", image["id"]}, {"file_name", image["file_name"]}, {"width", image["width"]}, {"height", image["height"]}});
      json a = (*rec)["panoptic"];
      a["image_id"] = image["id"];
      annotations.push_back(std::move(a));
    }
    for (std::size_t i = 0; i < spec.categories.size(); ++i) {
      const auto c = voc_colour(static_cast<std::uint32_t>(i + 1));
      categories.push_back({{"id", i + 1}, {"name", spec.categories[i].name}, {"supercategory", spec.categories[i].supercategory},
                            {"isthing", spec.categories[i].stuff ? 0 : 1}, {"color", {c[0], c[1], c[2]}}});
    }
    const json panoptic = {{"info", {{"description", "synthlabel dataset, COCO panoptic"}}}, {"licenses", json::array()},
                           {"images", images}, {"annotations", annotations}, {"categories", categories}};
    SL_TRY_STATUS(put("panoptic.json", panoptic.dump() + "\n"));
    return ok_status();
  }
};

}  // namespace

void register_panoptic(FormatRegistry& r) {
  r.add({.name = "panoptic",
          .summary = "COCO panoptic: panoptic/STEM.png (segment id = R + 256 G + 256^2 B) and panoptic.json",
          .folders = {"panoptic"},
          .files = {"panoptic.json"},
          .make = make_format<Panoptic>});
}

}  // namespace synthlabel::formats
