// voc: Pascal VOC segmentation and detection. voc/SegmentationClass/STEM.png (palette: category id,
// 0 background), voc/SegmentationObject/STEM.png (palette: k for the XML's k-th object, at most 255),
// voc/Annotations/STEM.xml (objects with their category name and tight box, 1-based inclusive pixel
// corners as VOC has them); voc/ImageSets/Segmentation/all.txt and voc/labels.txt (index -> name)
// at the end.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

class Voc final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& files, json& /*record*/) const override {
    const std::size_t pixels = std::size_t{f.width} * f.height;
    const PngOptions png = k_label_png;
    std::array<std::array<std::uint8_t, 3>, 256> palette{};
    for (std::uint32_t i = 0; i < 256; ++i) palette[i] = voc_colour(i);
    // SegmentationObject: pixel value k belongs to the k-th <object> of the frame's annotation file
    // (1-based, the order of `labels`: increasing instance id), as VOC pairs object images with
    // their XML; 0 background. Not the instance id: a hidden instance has no <object>, so ids would
    // shift every later object. The config loader caps VOC datasets at 255 labeled instances.
    std::vector<std::uint8_t> object_index(f.category_of.size(), 0);
    for (std::size_t k = 0; k < f.labels.size(); ++k) object_index[f.labels[k].instance_id] = static_cast<std::uint8_t>(k + 1);
    std::vector<std::uint8_t> cls(pixels), obj(pixels);
    for (std::size_t p = 0; p < pixels; ++p) {
      cls[p] = static_cast<std::uint8_t>(category_of(f, f.ids[p]));
      obj[p] = f.ids[p] < object_index.size() ? object_index[f.ids[p]] : 0;
    }
    auto a = encode_png_palette8(cls, f.width, f.height, palette, png);
    auto b = encode_png_palette8(obj, f.width, f.height, palette, png);
    if (!a) return a.error();
    if (!b) return b.error();
    files.emplace_back("voc/SegmentationClass/" + f.stem + ".png", std::move(a).value());
    files.emplace_back("voc/SegmentationObject/" + f.stem + ".png", std::move(b).value());
    std::string xml = "<annotation>\n  <folder>rgb</folder>\n  <filename>" + f.stem + ".png</filename>\n  <size><width>" +
                      std::to_string(f.width) + "</width><height>" + std::to_string(f.height) +
                      "</height><depth>3</depth></size>\n  <segmented>1</segmented>\n";
    for (const InstanceLabel& l : f.labels) {
      const std::uint32_t c = category_of(f, l.instance_id);
      const std::string name = c >= 1 && c <= f.category_names.size() ? f.category_names[c - 1] : std::to_string(c);
      xml += "  <object><name>" + xml_escape(name) +
             "</name><instance_id>" + std::to_string(l.instance_id) +
             "</instance_id><difficult>0</difficult><bndbox><xmin>" + std::to_string(l.x + 1) + "</xmin><ymin>" +
             std::to_string(l.y + 1) + "</ymin><xmax>" + std::to_string(l.x + l.w) + "</xmax><ymax>" +
             std::to_string(l.y + l.h) + "</ymax></bndbox></object>\n";
    }
    xml += "</annotation>\n";
    files.emplace_back("voc/Annotations/" + f.stem + ".xml", bytes_of(xml));
    return ok_status();
  }

  Status finish(const FinishContext& ctx) const override {
    const SceneSpec& spec = ctx.spec;
    const std::uint64_t first = ctx.first, count = ctx.count;
    const auto& put = ctx.put;
    std::string list, labels = "0 background\n";
    for (std::uint64_t fr = first; fr < first + count; ++fr) list += frame_stem(fr) + "\n";
    for (std::size_t i = 0; i < spec.categories.size(); ++i) labels += std::to_string(i + 1) + " " + spec.categories[i].name + "\n";
    SL_TRY_STATUS(put("voc/ImageSets/Segmentation/all.txt", list));
    SL_TRY_STATUS(put("voc/labels.txt", labels));
    return ok_status();
  }
};

// Its ids are narrower than ours.
std::string refuse(const SceneSpec& spec) {
  const std::size_t worst = max_labeled_instances(spec);
  if (worst <= 255) return "";
  return "voc: up to " + std::to_string(worst) + " labeled instances per frame; its object PNG holds 255";
}

}  // namespace

void register_voc(FormatRegistry& r) {
  r.add({.name = "voc",
          .summary = "Pascal VOC: SegmentationClass/Object palette PNGs, Annotations XML, ImageSets list",
          .folders = {"voc"},
          .files = {"voc/ImageSets/Segmentation/all.txt", "voc/labels.txt"},
          .refuse = refuse,
          .make = make_format<Voc>});
}

}  // namespace synthlabel::formats
