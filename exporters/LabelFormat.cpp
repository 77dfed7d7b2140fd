#include "exporters/LabelFormat.h"

#include <cstdio>

#include "core/Text.h"

namespace synthlabel {

namespace formats {
void register_all_formats(FormatRegistry& r);  // generated from the list in exporters/CMakeLists.txt
}  // namespace formats

const FormatInfo* FormatRegistry::find(std::string_view name) const {
  for (const FormatInfo& f : m_formats) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const FormatRegistry& format_registry() {
  static const FormatRegistry registry = [] {
    FormatRegistry r;
    formats::register_all_formats(r);
    return r;
  }();
  return registry;
}

std::vector<std::string> selectable_formats() {
  std::vector<std::string> names;
  for (const FormatInfo& f : format_registry().all()) {
    if (!f.always) names.push_back(f.name);
  }
  return names;
}

Result<std::shared_ptr<const FormatSet>> build_formats(const SceneSpec& spec) {
  const FormatRegistry& registry = format_registry();
  auto set = std::make_shared<FormatSet>();
  for (std::size_t i = 0; i < spec.outputs.formats.size(); ++i) {
    const std::string& name = spec.outputs.formats[i];
    if (registry.find(name) == nullptr) {
      const std::vector<std::string> formats = selectable_formats();
      std::vector<std::string_view> known = {"coco"};
      std::string list = "coco";
      for (const auto& [option, flag] : k_output_options) known.push_back(option);
      known.insert(known.end(), formats.begin(), formats.end());
      for (std::size_t k = 1; k < known.size(); ++k) {
        list += ", ";
        list += known[k];
      }
      const std::string where = i < spec.outputs.format_where.size() ? spec.outputs.format_where[i] : "outputs";
      return make_error(ExitCode::usage, where + ": unknown format '" + name + "'" + suggest(name, known) + " (known: " + list + ")");
    }
  }
  for (const FormatInfo& f : registry.all()) {  // registry order: the order files are written in
    if (!f.always && !spec.outputs.has(f.name)) continue;
    if (f.refuse) {
      if (const std::string why = f.refuse(spec); !why.empty()) {
        return make_error(ExitCode::usage, spec.outputs.where + ": outputs: " + why);
      }
    }
    set->m_formats.emplace_back(&f, f.make());
  }
  return std::shared_ptr<const FormatSet>(std::move(set));
}

bool FormatSet::needs_png_copy() const {
  for (const auto& [info, format] : m_formats) {
    if (info->needs_png_copy) return true;
  }
  return false;
}

bool FormatSet::needs_amodal() const {
  for (const auto& [info, format] : m_formats) {
    if (info->needs_amodal) return true;
  }
  return false;
}

bool FormatSet::needs_beyond() const {
  for (const auto& [info, format] : m_formats) {
    if (info->needs_beyond) return true;
  }
  return false;
}

Status FormatSet::encode(const FrameLabels& frame, FrameFiles& files, nlohmann::ordered_json& record) const {
  for (const auto& [info, format] : m_formats) SL_TRY_STATUS(format->encode(frame, files, record));
  return ok_status();
}

Status FormatSet::finish(const FinishContext& ctx) const {
  for (const auto& [info, format] : m_formats) SL_TRY_STATUS(format->finish(ctx));
  return ok_status();
}

std::string frame_stem(std::uint64_t frame) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06llu", static_cast<unsigned long long>(frame));
  return buf;
}

std::array<std::uint8_t, 3> voc_colour(std::uint32_t index) {
  // The PASCAL VOC devkit's colour map: the bits of the index spread over the channels' high bits.
  std::array<std::uint8_t, 3> c{0, 0, 0};
  std::uint32_t id = index;
  for (int shift = 7; shift >= 0 && id != 0; --shift) {
    for (int ch = 0; ch < 3; ++ch) c[static_cast<std::size_t>(ch)] |= static_cast<std::uint8_t>(((id >> ch) & 1u) << shift);
    id >>= 3;
  }
  return c;
}

nlohmann::ordered_json coco_category(const CategorySpec& c, std::uint64_t id) {
  nlohmann::ordered_json cat = {{"id", id}, {"name", c.name}, {"supercategory", c.supercategory}};
  if (c.stuff) cat["isthing"] = 0;
  if (!c.keypoints.empty()) {
    cat["keypoints"] = c.keypoints;
    cat["skeleton"] = nlohmann::ordered_json::array();
    for (const auto& e : c.skeleton) cat["skeleton"].push_back({e[0], e[1]});
  }
  return cat;
}

}  // namespace synthlabel
