// classes: image-level classification labels, for teams training classifiers (multi-label, or
// single-label by the largest share). Which categories each frame shows and how much of it: from
// the semantic buffer (the category of the surface at each pixel centre: things, stuff surfaces, and
// the background category where no surface is), so a category is present exactly when at least one
// pixel of the semantic PNG holds it. Void pixels (0) belong to no category.
//   classes.csv   one row per (frame, category present): file_name,category_id,category,pixels,share
//                 (RFC 4180: a name holding a comma or quote is quoted); share = pixels / (W x H),
//                 6 decimals; frames in order, categories by id. A frame with no category has no row.
//   classes.json  {"categories": [{id, name, supercategory, isthing}],
//                  "images": [{id, file_name, width, height, labels: [{category_id, pixels, share}]}]}
//                 image ids and file names as in coco.json.
// Nothing per frame besides the record's "classes" entry ([category id, pixels] pairs).
#include <cstdio>
#include <map>

#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

class Classes final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& /*files*/, json& record) const override {
    std::map<std::uint32_t, std::uint64_t> pixels;  // category id -> pixels
    for (const std::uint8_t c : f.semantic) {
      if (c != 0) ++pixels[c];
    }
    json present = json::array();
    for (const auto& [c, n] : pixels) present.push_back({c, n});
    record["classes"] = std::move(present);
    return ok_status();
  }

  Status finish(const FinishContext& ctx) const override {
    const SceneSpec& spec = ctx.spec;
    std::string csv = "file_name,category_id,category,pixels,share\n";
    json images = json::array();
    for (std::uint64_t fr = ctx.first; fr < ctx.first + ctx.count; ++fr) {
      auto rec = ctx.load(fr);
      if (!rec) return rec.error();
      const json& image = (*rec)["image"];
      const std::uint64_t w = image.value("width", 0u), h = image.value("height", 0u);
      const std::string file = image.value("file_name", std::string());
      json labels = json::array();
      for (const json& entry : (*rec)["classes"]) {
        const std::uint64_t c = entry.at(0).get<std::uint64_t>(), n = entry.at(1).get<std::uint64_t>();
        const std::string share = fixed6(w > 0 && h > 0 ? double(n) / double(w * h) : 0.0);
        const std::string name = c >= 1 && c <= spec.categories.size() ? spec.categories[c - 1].name : std::to_string(c);
        csv += csv_field(file) + "," + std::to_string(c) + "," + csv_field(name) + "," + std::to_string(n) + "," + share + "\n";
        labels.push_back({{"category_id", c}, {"pixels", n}, {"share", std::stod(share)}});
      }
      images.push_back({{"id", image["id"]}, {"file_name", file}, {"width", w}, {"height", h}, {"labels", std::move(labels)}});
    }
    json categories = json::array();
    for (std::size_t i = 0; i < spec.categories.size(); ++i) {
      const CategorySpec& c = spec.categories[i];
      categories.push_back({{"id", i + 1}, {"name", c.name}, {"supercategory", c.supercategory}, {"isthing", c.stuff ? 0 : 1}});
    }
    SL_TRY_STATUS(ctx.put("classes.csv", csv));
    const json doc = {{"categories", std::move(categories)}, {"images", std::move(images)}};
    return ctx.put("classes.json", doc.dump() + "\n");
  }
};

}  // namespace

void register_classes(FormatRegistry& r) {
  r.add({.name = "classes",
          .summary = "image-level labels: the categories each frame shows, with their pixel shares (classes.csv, classes.json)",
          .files = {"classes.csv", "classes.json"},
          .make = make_format<Classes>});
}

}  // namespace synthlabel::formats
