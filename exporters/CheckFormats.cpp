#include "exporters/CheckFormats.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "core/FileIo.h"
#include "exporters/LabelFormat.h"
#include "exporters/Png.h"

namespace synthlabel {
namespace {

// The PASCAL VOC colour map, inverted: bit j of each channel's top bits, from the top, holds bits
// 3j .. 3j + 2 of the index (R the lowest). -1 for a colour outside the map.
int voc_index(std::uint16_t r, std::uint16_t g, std::uint16_t b) {
  int index = 0;
  for (int j = 0; j < 8; ++j) {
    const int shift = 7 - j;
    index |= (((r >> shift) & 1) | (((g >> shift) & 1) << 1) | (((b >> shift) & 1) << 2)) << (3 * j);
  }
  return index < 256 ? index : -1;
}

struct Reader {
  const std::filesystem::path& dir;
  const FrameTruth& t;
  const std::function<void(std::string)>& defect;
  std::size_t pixels() const { return std::size_t{t.width} * t.height; }

  // A PNG of the frame's size with `channels`, or a defect.
  bool png(const std::string& rel, std::uint32_t channels, PngData& out) const {
    auto p = read_png(dir / rel);
    if (!p) {
      defect(rel + " (frame " + std::to_string(t.frame) + "): " + p.error().message);
      return false;
    }
    if (p->width != t.width || p->height != t.height || p->channels != channels) {
      defect(rel + " (frame " + std::to_string(t.frame) + "): " + std::to_string(p->width) + "x" + std::to_string(p->height) + " with " +
             std::to_string(p->channels) + " channel(s), not " + std::to_string(t.width) + "x" + std::to_string(t.height) + " with " +
             std::to_string(channels));
      return false;
    }
    out = std::move(p).value();
    return true;
  }
  // `expected(p)` against `got(p)` over every pixel: one defect naming the first difference.
  template <typename Expected, typename Got>
  void compare(const std::string& rel, const std::string& what, Expected expected, Got got) const {
    std::size_t wrong = 0, first = 0;
    for (std::size_t p = 0; p < pixels(); ++p) {
      if (expected(p) != got(p) && wrong++ == 0) first = p;
    }
    if (wrong > 0) {
      defect(rel + " (frame " + std::to_string(t.frame) + "): " + std::to_string(wrong) + " pixels are not " + what + " (first at x " +
             std::to_string(first % t.width) + ", y " + std::to_string(first / t.width) + ": " + std::to_string(got(first)) +
             ", expected " + std::to_string(expected(first)) + ")");
    }
  }
  std::vector<std::string> lines(const std::string& rel) const {
    std::vector<std::string> out;
    auto text = read_text_file(dir / rel);
    if (!text) {
      defect(rel + " (frame " + std::to_string(t.frame) + "): " + text.error().message);
      return out;
    }
    std::istringstream in(*text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    if (out.size() != t.annotations.size()) {
      defect(rel + " (frame " + std::to_string(t.frame) + "): " + std::to_string(out.size()) + " lines for " +
             std::to_string(t.annotations.size()) + " annotations");
    }
    return out;
  }
};

// BOP's gt_info for the frame (bop_toolkit scripts/calc_gt_info.py) against its mask PNGs.
void check_bop_info(const Reader& r, const std::string& stem) {
  const FrameTruth& t = r.t;
  const nlohmann::json& list = *t.bop_info;
  if (!list.is_array()) {
    r.defect("bop/000000/scene_gt_info.json: frame " + std::to_string(t.frame) + " has no list");
    return;
  }
  for (std::size_t k = 0; k < list.size(); ++k) {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, "_%06zu.png", k);
    const std::string at = "bop/000000/scene_gt_info.json: frame " + std::to_string(t.frame) + " entry " + std::to_string(k);
    PngData visib, whole;
    if (!r.png("bop/000000/mask_visib/" + stem + suffix, 1, visib) || !r.png("bop/000000/mask/" + stem + suffix, 1, whole)) continue;
    std::size_t n_visib = 0, n_whole = 0, outside_visib = 0;
    std::uint32_t x0 = UINT32_MAX, y0 = UINT32_MAX, x1 = 0, y1 = 0, id = 0;
    bool one_instance = true;
    for (std::size_t p = 0; p < r.pixels(); ++p) {
      n_whole += whole.values[p] != 0;
      if (visib.values[p] == 0) continue;
      ++n_visib;
      outside_visib += whole.values[p] == 0;
      if (id == 0) id = t.instance[p];
      one_instance = one_instance && t.instance[p] == id && id != 0;
      const auto x = static_cast<std::uint32_t>(p % t.width), y = static_cast<std::uint32_t>(p / t.width);
      x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
    }
    if (n_visib > 0) {
      std::size_t of_id = 0;
      for (std::size_t p = 0; p < r.pixels(); ++p) of_id += t.instance[p] == id;
      one_instance = one_instance && of_id == n_visib;
    }
    const nlohmann::json& e = list[k];
    const auto num = [&](const char* key) { return e.contains(key) && e[key].is_number() ? e[key].get<double>() : -1.0; };
    const nlohmann::json box = n_visib ? nlohmann::json{x0, y0, x1 - x0, y1 - y0} : nlohmann::json{-1, -1, -1, -1};
    const double all = num("px_count_all");
    std::string wrong;
    if (!one_instance) wrong += " mask_visib is not all the pixels of one instance;";
    if (outside_visib > 0) wrong += " mask_visib reaches outside mask;";
    if (num("px_count_visib") != double(n_visib)) wrong += " px_count_visib is not mask_visib's " + std::to_string(n_visib) + " pixels;";
    if (!e.contains("bbox_visib") || e["bbox_visib"] != box) wrong += " bbox_visib is not " + box.dump() + ";";
    if (all < double(n_whole)) wrong += " px_count_all is below mask's " + std::to_string(n_whole) + " pixels;";
    if (num("px_count_valid") > double(n_whole) || num("px_count_valid") < 0) wrong += " px_count_valid is not within mask;";
    if (all > 0 && std::abs(num("visib_fract") - double(n_visib) / all) > 1e-9) wrong += " visib_fract is not px_count_visib / px_count_all;";
    if (!wrong.empty()) r.defect(at + ":" + wrong.substr(0, wrong.size() - 1));
  }
}

}  // namespace

void check_format_files(const std::filesystem::path& dir, const FrameTruth& t, const std::function<void(std::string)>& defect) {
  const Reader r{dir, t, defect};
  const std::string stem = frame_stem(t.frame);
  std::error_code ec;
  std::map<std::uint32_t, std::int64_t> category_of;  // instance id -> category
  std::map<std::uint32_t, std::size_t> index_of;      // instance id -> 1-based position in the annotations
  for (std::size_t k = 0; k < t.annotations.size(); ++k) {
    category_of[t.annotations[k].instance_id] = t.annotations[k].category;
    index_of[t.annotations[k].instance_id] = k + 1;
  }
  auto at = [](const auto& map, std::uint32_t id) -> long long {
    const auto it = map.find(id);
    return it == map.end() ? 0 : static_cast<long long>(it->second);
  };
  if (std::filesystem::is_directory(dir / "voc", ec)) {
    PngData obj, cls;
    const std::string obj_name = "voc/SegmentationObject/" + stem + ".png", cls_name = "voc/SegmentationClass/" + stem + ".png";
    if (r.png(obj_name, 3, obj)) {
      r.compare(obj_name, "the index of their object in the XML", [&](std::size_t p) -> long long { return at(index_of, t.instance[p]); },
                [&](std::size_t p) -> long long { return voc_index(obj.values[3 * p], obj.values[3 * p + 1], obj.values[3 * p + 2]); });
    }
    if (r.png(cls_name, 3, cls)) {
      r.compare(cls_name, "their instance's category", [&](std::size_t p) -> long long { return at(category_of, t.instance[p]); },
                [&](std::size_t p) -> long long { return voc_index(cls.values[3 * p], cls.values[3 * p + 1], cls.values[3 * p + 2]); });
    }
  }
  if (std::filesystem::is_directory(dir / "cityscapes", ec) && !t.semantic.empty()) {
    std::map<std::uint32_t, long long> city;  // instance id -> category x 1000 + k
    std::map<std::int64_t, long long> next;
    for (const FrameAnnotation& a : t.annotations) city[a.instance_id] = a.category * 1000 + next[a.category]++;
    PngData ids, labels;
    const std::string ids_name = "cityscapes/" + stem + "_gtFine_instanceIds.png", labels_name = "cityscapes/" + stem + "_gtFine_labelIds.png";
    if (r.png(ids_name, 1, ids)) {
      r.compare(ids_name, "category x 1000 + k on instances, the semantic class elsewhere",
                [&](std::size_t p) -> long long { return t.instance[p] != 0 ? at(city, t.instance[p]) : t.semantic[p]; },
                [&](std::size_t p) -> long long { return ids.values[p]; });
    }
    if (r.png(labels_name, 1, labels)) {
      r.compare(labels_name, "the semantic PNG's class", [&](std::size_t p) -> long long { return t.semantic[p]; },
                [&](std::size_t p) -> long long { return labels.values[p]; });
    }
  }
  if (std::filesystem::is_directory(dir / "kitti/label_2", ec)) {
    const std::string name = "kitti/label_2/" + stem + ".txt";
    const auto lines = r.lines(name);
    for (std::size_t k = 0; k < lines.size() && k < t.annotations.size(); ++k) {
      std::istringstream f(lines[k]);
      std::string type;
      double trunc = 0, occluded = 0, alpha = 0, box[4] = {0, 0, 0, 0};
      f >> type >> trunc >> occluded >> alpha >> box[0] >> box[1] >> box[2] >> box[3];
      const double* b = t.annotations[k].box;
      const double expected[4] = {b[0], b[1], b[0] + b[2], b[1] + b[3]};
      if (!f || !std::equal(box, box + 4, expected)) {
        defect(name + " (frame " + std::to_string(t.frame) + ") line " + std::to_string(k + 1) +
               ": box is not the annotation's left top right bottom (x, y, x + w, y + h)");
      }
    }
  }
  if (std::filesystem::is_directory(dir / "yolo/labels", ec)) {
    const std::string name = "yolo/labels/" + stem + ".txt";
    const auto lines = r.lines(name);
    for (std::size_t k = 0; k < lines.size() && k < t.annotations.size(); ++k) {
      std::istringstream f(lines[k]);
      long long cls = -1;
      double v[4] = {0, 0, 0, 0};
      f >> cls >> v[0] >> v[1] >> v[2] >> v[3];
      const double* b = t.annotations[k].box;
      const double w = t.width, h = t.height;
      const double expected[4] = {(b[0] + b[2] / 2) / w, (b[1] + b[3] / 2) / h, b[2] / w, b[3] / h};
      bool ok = static_cast<bool>(f) && cls == t.annotations[k].category - 1;
      for (int i = 0; i < 4; ++i) ok = ok && std::abs(v[i] - expected[i]) <= 5e-7 + 1e-12;
      if (!ok) {
        defect(name + " (frame " + std::to_string(t.frame) + ") line " + std::to_string(k + 1) +
               ": not the annotation's class and normalized centre and size");
      }
    }
  }
  if (t.bop_info != nullptr) check_bop_info(r, stem);
  if (std::filesystem::is_directory(dir / "bop/000000/depth", ec) && !t.depth.empty()) {
    PngData mm;
    const std::string name = "bop/000000/depth/" + stem + ".png";
    if (r.png(name, 1, mm)) {
      r.compare(name, "the depth EXR in millimetres, rounded",
                [&](std::size_t p) -> long long {
                  const double d = double(t.depth[p]) * 1000.0;
                  return d > 0 && d < 65535.5 ? std::llround(d) : 0;
                },
                [&](std::size_t p) -> long long { return mm.values[p]; });
    }
  }
}

}  // namespace synthlabel
