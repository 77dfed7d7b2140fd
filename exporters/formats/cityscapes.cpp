// cityscapes: Cityscapes gtFine. cityscapes/STEM_gtFine_labelIds.png (8-bit category id of every
// pixel, stuff too; 0 = unlabeled), cityscapes/STEM_gtFine_instanceIds.png (16-bit: category id x 1000
// + k for things, k = 0, 1, ... per category in instance-id order; the category id alone elsewhere,
// as Cityscapes writes classes without instances), cityscapes/STEM_gtFine_color.png (RGB, the
// category's colour from the VOC colour map).
#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

class Cityscapes final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& files, json& /*record*/) const override {
    const std::size_t pixels = std::size_t{f.width} * f.height;
    const PngOptions png = k_label_png;
    std::vector<std::uint8_t> label_ids(pixels), colour(pixels * 4, 255);
    std::vector<std::uint16_t> instance_ids(pixels);
    std::map<std::uint32_t, std::uint32_t> next_k;  // per category
    std::vector<std::uint32_t> city_id(f.category_of.size(), 0);
    for (const InstanceLabel& l : f.labels) {  // increasing instance id
      const std::uint32_t c = category_of(f, l.instance_id);
      city_id[l.instance_id] = c * 1000 + next_k[c]++;
    }
    // labelIds: every pixel's category (stuff and background too); instanceIds: category x 1000 + k
    // for things, the category id alone elsewhere, as Cityscapes writes classes without instances.
    for (std::size_t p = 0; p < pixels; ++p) {
      const std::uint32_t id = f.ids[p], c = p < f.semantic.size() ? f.semantic[p] : category_of(f, id);
      label_ids[p] = static_cast<std::uint8_t>(c);
      instance_ids[p] = static_cast<std::uint16_t>(id != 0 && id < city_id.size() ? city_id[id] : c);
      const auto rgb = voc_colour(c);
      for (std::size_t k = 0; k < 3; ++k) colour[4 * p + k] = rgb[k];
    }
    auto a = encode_png_gray8(label_ids, f.width, f.height, png);
    auto b = encode_png_gray16(instance_ids, f.width, f.height, png);
    auto c = encode_png_rgb_from_rgba(colour, f.width, f.height, png);
    if (!a) return a.error();
    if (!b) return b.error();
    if (!c) return c.error();
    files.emplace_back("cityscapes/" + f.stem + "_gtFine_labelIds.png", std::move(a).value());
    files.emplace_back("cityscapes/" + f.stem + "_gtFine_instanceIds.png", std::move(b).value());
    files.emplace_back("cityscapes/" + f.stem + "_gtFine_color.png", std::move(c).value());
    return ok_status();
  }
};

// Its ids are narrower than ours.
std::string refuse(const SceneSpec& spec) {
  if (spec.categories.size() <= 64 && max_labeled_instances(spec) <= 999) return "";
  return "cityscapes: instanceIds (category x 1000 + k, 16-bit) hold at most 64 categories and 999 instances per frame";
}

}  // namespace

void register_cityscapes(FormatRegistry& r) {
  r.add({.name = "cityscapes",
          .summary = "Cityscapes gtFine: labelIds, instanceIds (category x 1000 + k), colour PNGs",
          .folders = {"cityscapes"},
          .files = {},
          .refuse = refuse,
          .make = make_format<Cityscapes>});
}

}  // namespace synthlabel::formats
