#include "exporters/Checker.h"

#include "scenes/Texture.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/FileIo.h"
#include "core/Text.h"
#include "exporters/CheckFormats.h"
#include "exporters/FillPolygon.h"
#include "exporters/FrameEncoder.h"
#include "exporters/Png.h"
#include "exporters/RleDecode.h"
#include "scenes/Environment.h"

namespace synthlabel {
namespace {

using json = nlohmann::json;

std::span<const std::uint8_t> as_bytes(const std::string& b) {
  return {reinterpret_cast<const std::uint8_t*>(b.data()), b.size()};
}

struct InstanceInfo {
  std::size_t pixels = 0;
  std::uint32_t x0 = UINT32_MAX, y0 = UINT32_MAX, x1 = 0, y1 = 0;
};

struct ImageInfo {
  std::uint32_t w = 0, h = 0;
  std::size_t index = 0;  // in coco.json's images
};

struct Ann {  // what the pixel checks need of an annotation
  std::size_t index = 0;  // in coco.json's annotations
  std::int64_t id = 0, category = 0, instance_id = 0;
  double box[4] = {0, 0, 0, 0};
  double area = 0;
  Ann(std::size_t i, std::int64_t id_, std::int64_t c, std::int64_t inst, const double* b, double a)
      : index(i), id(id_), category(c), instance_id(inst), area(a) {
    std::copy(b, b + 4, box);
  }
};

class Checker {
 public:
  explicit Checker(std::filesystem::path dir) : m_dir(std::move(dir)) {}

  CheckResult run() {
    const json manifest = load_json("manifest.json");
    const json coco = load_json("coco.json");
    if (!coco.is_object()) {
      // [] or 5 or null parse as JSON, but are not a COCO file (a load error is already a defect).
      if (m_result.defects.empty()) defect("coco.json: not a COCO file (a JSON object), but " + std::string(coco.type_name()));
      return std::move(m_result);
    }
    for (const char* key : {"categories", "images", "annotations"}) {
      if (!coco.contains(key) || !coco[key].is_array()) defect(std::string("coco.json: '") + key + "' is missing or not a list");
    }
    if (!m_result.defects.empty()) return std::move(m_result);
    check_categories(coco["categories"]);
    check_images(coco["images"]);
    check_annotations(coco["annotations"]);
    check_integrity(coco, manifest);
    check_pixels(coco);
    check_other_formats(coco);
    return std::move(m_result);
  }

  // Integrity first: every file a frame record names (every format's files of that frame) must hash
  // to the xxHash3-64 the record holds, and every record to the manifest's frame_record_hashes. This
  // catches altered label files of any format, rescaled depth, swapped or missing frames.
  void check_integrity(const json& coco, const json& manifest) {
    const json* record_hashes = manifest.is_object() && manifest.contains("frame_record_hashes") &&
                                        manifest["frame_record_hashes"].is_object()
                                    ? &manifest["frame_record_hashes"]
                                    : nullptr;
    for (const json& im : coco["images"]) {
      if (!im.is_object() || !im.contains("frame") || !im["frame"].is_number_unsigned()) continue;
      const auto frame = im["frame"].get<std::uint64_t>();
      const std::string stem = frame_stem(frame);
      const std::string rec_name = "records/" + stem + ".json";
      auto text = read_text_file(m_dir / rec_name);
      if (!text) {
        defect(rec_name + " (frame " + std::to_string(frame) + "): " + text.error().message);
        continue;
      }
      if (record_hashes && record_hashes->contains(stem) && (*record_hashes)[stem].is_string() &&
          content_hash(as_bytes(*text)) != (*record_hashes)[stem].get<std::string>()) {
        defect(rec_name + " (frame " + std::to_string(frame) + "): differs from the hash manifest.json holds for it");
      }
      json record;
      try {
        record = json::parse(*text);
      } catch (const json::exception& e) {
        defect(rec_name + ": not valid JSON (" + e.what() + ")");
        continue;
      }
      if (!record.is_object() || !record.contains("files") || !record["files"].is_object()) {
        defect(rec_name + ": no 'files' table");
        continue;
      }
      for (const auto& [rel, hash] : record["files"].items()) {
        check_file_hash(rel, hash, " (frame " + std::to_string(frame) + ")", rec_name);
      }
    }
    // Dataset-level files (COCO files, panoptic.json, BOP scene files, data.yaml, ...).
    if (manifest.is_object() && manifest.contains("file_hashes") && manifest["file_hashes"].is_object()) {
      for (const auto& [rel, hash] : manifest["file_hashes"].items()) check_file_hash(rel, hash, "", "manifest.json");
    }
  }

  // `rel` (a path inside the dataset) must hash to `hash`, as `source` records it.
  void check_file_hash(const std::string& rel, const json& hash, const std::string& where, const std::string& source) {
    const std::filesystem::path p = path_inside(m_dir, rel);
    if (p.empty() || !hash.is_string()) {
      defect(source + ": file entry '" + rel + "' is not a path inside the dataset with a hash");
      return;
    }
    auto bytes = read_text_file(p);
    if (!bytes) {
      defect(rel + where + ": missing or unreadable (" + bytes.error().message + ")");
    } else if (content_hash(as_bytes(*bytes)) != hash.get<std::string>()) {
      defect(rel + where + ": content differs from the xxHash3-64 in " + source + " (altered, replaced or swapped after writing)");
    }
  }

 private:
  void defect(std::string what) { m_result.defects.push_back(std::move(what)); }

  json load_json(const std::string& name) {
    const auto path = m_dir / name;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      defect(name + ": missing");
      return json();
    }
    auto text = read_text_file(path);
    if (!text) {
      defect(name + ": " + text.error().message);
      return json();
    }
    try {
      return json::parse(*text);
    } catch (const json::exception& e) {
      defect(name + ": not valid JSON (" + e.what() + ")");
      return json();
    }
  }

  static bool get_int(const json& j, const char* key, std::int64_t& out) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer()) return false;
    out = j[key].get<std::int64_t>();
    return true;
  }

  // Ids unique and starting at 1; `what` names the list.
  void check_ids(const std::set<std::int64_t>& ids, std::size_t count, const std::string& what) {
    if (ids.size() != count) defect("coco.json: " + what + " ids are not unique (" + std::to_string(count - ids.size()) + " duplicates)");
    if (!ids.empty() && *ids.begin() != 1) defect("coco.json: " + what + " ids start at " + std::to_string(*ids.begin()) + ", not 1");
  }

  void check_categories(const json& cats) {
    std::set<std::int64_t> ids;
    std::set<std::string> names;
    for (std::size_t i = 0; i < cats.size(); ++i) {
      const std::string at = "coco.json: categories[" + std::to_string(i) + "]";
      std::int64_t id = 0;
      if (!get_int(cats[i], "id", id) || !cats[i].contains("name") || !cats[i]["name"].is_string()) {
        defect(at + ": needs an integer id and a name");
        continue;
      }
      const std::string name = cats[i]["name"];
      if (!ids.insert(id).second) defect(at + ": duplicate id " + std::to_string(id));
      if (!names.insert(name).second) defect(at + ": duplicate name '" + name + "'");
      m_categories[id] = name;
      if (cats[i].contains("isthing") && cats[i]["isthing"] == 0) m_stuff.insert(id);  // labels pixels, never annotations
      // COCO keypoints: a list of names, and a skeleton of 1-based index pairs into it.
      if (cats[i].contains("keypoints")) {
        const json& names_k = cats[i]["keypoints"];
        const json& skeleton = cats[i].contains("skeleton") ? cats[i]["skeleton"] : json::array();
        if (!names_k.is_array() || names_k.empty() || !std::all_of(names_k.begin(), names_k.end(), [](const json& n) { return n.is_string(); })) {
          defect(at + ": keypoints is not a list of names");
          continue;
        }
        m_keypoint_count[id] = names_k.size();
        for (const json& e : skeleton) {
          std::int64_t v[2] = {0, 0};
          const bool pair = e.is_array() && e.size() == 2 && e[0].is_number_integer() && e[1].is_number_integer();
          if (pair) v[0] = e[0].get<std::int64_t>(), v[1] = e[1].get<std::int64_t>();
          if (!pair || v[0] < 1 || v[1] < 1 || v[0] > std::int64_t(names_k.size()) || v[1] > std::int64_t(names_k.size())) {
            defect(at + ": skeleton edge " + e.dump() + " is not a pair of keypoint numbers 1.." + std::to_string(names_k.size()));
          }
        }
      }
    }
    check_ids(ids, ids.size(), "category");
    // Statistics by id 1..n (n categories): an id beyond that (1e15, say) is a defect, not a size.
    const auto n = static_cast<std::int64_t>(cats.size());
    for (std::int64_t id : ids) {
      if (id > n) defect("coco.json: category id " + std::to_string(id) + " is above the " + std::to_string(n) + " categories (ids run 1.." + std::to_string(n) + ")");
    }
    m_result.stats.category_names.assign(cats.size(), "");
    m_result.stats.per_category.assign(cats.size(), 0);
    for (const auto& [id, name] : m_categories) {
      if (id >= 1 && id <= n) m_result.stats.category_names[static_cast<std::size_t>(id - 1)] = name;
    }
  }

  void check_images(const json& images) {
    std::set<std::int64_t> ids;
    for (std::size_t i = 0; i < images.size(); ++i) {
      const json& im = images[i];
      const std::string at = "coco.json: images[" + std::to_string(i) + "]";
      std::int64_t id = 0, w = 0, h = 0;
      if (!get_int(im, "id", id) || !get_int(im, "width", w) || !get_int(im, "height", h) || !im.contains("file_name") ||
          !im["file_name"].is_string()) {
        defect(at + ": needs integer id, width, height and a file_name");
        continue;
      }
      if (!ids.insert(id).second) defect(at + ": duplicate image id " + std::to_string(id));
      if (w <= 0 || h <= 0) defect(at + " (id " + std::to_string(id) + "): size " + std::to_string(w) + "x" + std::to_string(h));
      m_images[id] = {static_cast<std::uint32_t>(std::max<std::int64_t>(w, 0)), static_cast<std::uint32_t>(std::max<std::int64_t>(h, 0)), i};
      for (const char* key : {"file_name", "instance_file", "semantic_file", "depth_file", "normals_file", "flow_forward_file",
                              "flow_backward_file", "scene_flow_forward_file", "scene_flow_backward_file", "object_coords_file", "nocs_file",
                              "world_position_file", "disparity_file", "undistortion_file", "depth_sensor_file", "uv_file", "albedo_file"}) {
        if (!im.contains(key)) continue;
        const std::string file = im[key].is_string() ? im[key].get<std::string>() : "";
        std::error_code ec;
        if (!file.empty() && path_inside(m_dir, file).empty()) {
          defect(at + " (id " + std::to_string(id) + "): " + key + " '" + file + "' is not a path inside the dataset");
        } else if (file.empty() || !std::filesystem::is_regular_file(m_dir / file, ec)) {
          defect(at + " (id " + std::to_string(id) + "): " + key + " '" + file + "' does not exist");
        }
      }
    }
    check_ids(ids, images.size(), "image");
    m_result.stats.images = images.size();
  }

  void check_annotations(const json& anns) {
    std::set<std::int64_t> ids;
    for (std::size_t i = 0; i < anns.size(); ++i) {
      const json& a = anns[i];
      std::int64_t id = 0, image_id = 0, category_id = 0;
      std::string at = "coco.json: annotations[" + std::to_string(i) + "]";
      if (!get_int(a, "id", id) || !get_int(a, "image_id", image_id) || !get_int(a, "category_id", category_id)) {
        defect(at + ": needs integer id, image_id and category_id");
        continue;
      }
      at += " (id " + std::to_string(id) + ")";
      if (!ids.insert(id).second) defect(at + ": duplicate annotation id");
      const auto image = m_images.find(image_id);
      if (image == m_images.end()) defect(at + ": image_id " + std::to_string(image_id) + " refers to no image");
      if (!m_categories.count(category_id)) defect(at + ": category_id " + std::to_string(category_id) + " refers to no category");
      else if (category_id >= 1 && static_cast<std::size_t>(category_id) <= m_result.stats.per_category.size()) {
        m_result.stats.per_category[static_cast<std::size_t>(category_id - 1)]++;
      }
      // Box: [x, y, w, h], inside the image, positive size.
      const json& b = a.contains("bbox") ? a["bbox"] : json();
      double box[4] = {0, 0, 0, 0};
      if (!b.is_array() || b.size() != 4 || !std::all_of(b.begin(), b.end(), [](const json& v) { return v.is_number(); })) {
        defect(at + ": bbox is not [x, y, width, height]");
      } else {
        for (std::size_t k = 0; k < 4; ++k) box[k] = b[k].get<double>();
        if (box[2] <= 0 || box[3] <= 0) defect(at + ": bbox " + b.dump() + " has zero or negative size");
        if (image != m_images.end() &&
            (box[0] < 0 || box[1] < 0 || box[0] + box[2] > image->second.w || box[1] + box[3] > image->second.h)) {
          defect(at + ": bbox " + b.dump() + " reaches outside the " + std::to_string(image->second.w) + "x" +
                 std::to_string(image->second.h) + " image");
        }
        const double area = std::max(box[2], 0.0) * std::max(box[3], 0.0);
        m_result.stats.box_sides.push_back(std::sqrt(area));
        (area < 32 * 32 ? m_result.stats.small : area < 96 * 96 ? m_result.stats.medium : m_result.stats.large)++;
      }
      double area = 0;
      if (!a.contains("area") || !a["area"].is_number() || (area = a["area"].get<double>()) <= 0) {
        defect(at + ": area is missing, zero or negative");
      }
      if (a.contains("visibility")) {
        const double vis = a["visibility"].is_number() ? a["visibility"].get<double>() : -1.0;
        const double amodal_area = a.contains("amodal_area") && a["amodal_area"].is_number() ? a["amodal_area"].get<double>() : 0.0;
        if (vis < 0 || vis > 1 || amodal_area < area || std::abs(vis - (amodal_area > 0 ? area / amodal_area : 0.0)) > 1e-5) {
          defect(at + ": visibility " + a["visibility"].dump() + " is not area / amodal_area (" + json(area).dump() + " / " +
                 json(amodal_area).dump() + ")");
        }
        m_result.stats.visibility.push_back(vis);
      }
      if (const auto kc = m_keypoint_count.find(category_id); kc != m_keypoint_count.end() || a.contains("keypoints")) {
        check_keypoints(a, at, kc == m_keypoint_count.end() ? 0 : kc->second, image == m_images.end() ? nullptr : &image->second);
      }
      std::int64_t instance_id = 0;
      if (!get_int(a, "instance_id", instance_id)) defect(at + ": needs the integer instance_id of its pixels");
      if (image != m_images.end()) m_by_image[image_id].push_back({i, id, category_id, instance_id, box, area});
    }
    check_ids(ids, anns.size(), "annotation");
    m_result.stats.annotations = anns.size();
  }

  // [x, y, v] per keypoint of the category: v 0 (then x = y = 0), 1 or 2; labeled points inside the
  // image in pixel-index coordinates ([-0.5, w - 0.5)); num_keypoints counts them.
  void check_keypoints(const json& a, const std::string& at, std::size_t expected, const ImageInfo* image) {
    const json& kp = a.contains("keypoints") ? a["keypoints"] : json();
    if (expected == 0) {
      defect(at + ": has keypoints but its category declares none");
      return;
    }
    if (!kp.is_array() || kp.size() != 3 * expected || !std::all_of(kp.begin(), kp.end(), [](const json& v) { return v.is_number(); })) {
      defect(at + ": keypoints is not " + std::to_string(expected) + " [x, y, v] triples");
      return;
    }
    std::int64_t labeled = 0;
    for (std::size_t k = 0; k < expected; ++k) {
      const double x = kp[3 * k].get<double>(), y = kp[3 * k + 1].get<double>(), v = kp[3 * k + 2].get<double>();
      if (v != 0 && v != 1 && v != 2) {
        defect(at + ": keypoint " + std::to_string(k + 1) + " has visibility " + kp[3 * k + 2].dump() + " (0, 1 or 2)");
      } else if (v == 0 && (x != 0 || y != 0)) {
        defect(at + ": keypoint " + std::to_string(k + 1) + " is unlabeled (v 0) but has a position");
      } else if (v > 0 && image != nullptr && (x < -0.5 || y < -0.5 || x >= image->w - 0.5 || y >= image->h - 0.5)) {
        defect(at + ": keypoint " + std::to_string(k + 1) + " at (" + kp[3 * k].dump() + ", " + kp[3 * k + 1].dump() +
               ") lies outside the image");
      }
      labeled += v > 0;
    }
    std::int64_t n = -1;
    if (!get_int(a, "num_keypoints", n) || n != labeled) {
      defect(at + ": num_keypoints is not the " + std::to_string(labeled) + " labeled keypoints");
    }
  }

  // RLE against the instance PNG, area and box against the mask, semantic PNG against the categories.
  void check_pixels(const json& coco) {
    const json& images = coco["images"];
    const json& anns = coco["annotations"];
    bool first = true;
    for (const auto& [image_id, image] : m_images) {
      const json& im = images[image.index];
      const auto& mine = m_by_image[image_id];
      if (first || mine.size() < m_result.stats.min_per_image) m_result.stats.min_per_image = mine.size();
      m_result.stats.max_per_image = std::max(m_result.stats.max_per_image, mine.size());
      first = false;
      if (!im.contains("instance_file") || !im["instance_file"].is_string()) continue;
      const std::string inst_name = im["instance_file"];
      const auto inst_path = path_inside(m_dir, inst_name);
      if (inst_path.empty()) continue;  // reported with the image's files
      auto inst = read_png(inst_path);
      if (!inst) {
        defect(inst_name + ": " + inst.error().message);
        continue;
      }
      if (inst->width != image.w || inst->height != image.h || inst->channels != 1) {
        defect(inst_name + ": " + std::to_string(inst->width) + "x" + std::to_string(inst->height) + ", " +
               std::to_string(inst->channels) + " channel(s); coco.json says " + std::to_string(image.w) + "x" +
               std::to_string(image.h) + " grey");
        continue;
      }
      std::map<std::uint32_t, InstanceInfo> info;
      for (std::uint32_t y = 0; y < image.h; ++y) {
        for (std::uint32_t x = 0; x < image.w; ++x) {
          const std::uint32_t v = inst->values[std::size_t{y} * image.w + x];
          if (v == 0) continue;
          InstanceInfo& ii = info[v];
          ii.pixels++;
          ii.x0 = std::min(ii.x0, x), ii.y0 = std::min(ii.y0, y), ii.x1 = std::max(ii.x1, x), ii.y1 = std::max(ii.y1, y);
        }
      }
      std::map<std::uint32_t, std::int64_t> category_of;
      for (const Ann& a : mine) {
        const std::string at = "coco.json: annotations[" + std::to_string(a.index) + "] (id " + std::to_string(a.id) + ")";
        category_of[static_cast<std::uint32_t>(a.instance_id)] = a.category;
        const auto it = info.find(static_cast<std::uint32_t>(a.instance_id));
        if (it == info.end()) {
          defect(at + ": instance " + std::to_string(a.instance_id) + " has no pixels in " + inst_name);
          continue;
        }
        const InstanceInfo& ii = it->second;
        check_rle(anns[a.index], at, *inst, static_cast<std::uint32_t>(a.instance_id), ii.pixels, inst_name, image);
        if (std::abs(a.area - static_cast<double>(ii.pixels)) > 0.5) {
          defect(at + ": area " + json(a.area).dump() + " but its mask has " + std::to_string(ii.pixels) + " pixels");
        }
        const double tight[4] = {double(ii.x0), double(ii.y0), double(ii.x1 - ii.x0 + 1), double(ii.y1 - ii.y0 + 1)};
        if (!std::equal(tight, tight + 4, a.box)) {
          defect(at + ": bbox " + json(std::vector<double>(a.box, a.box + 4)).dump() + " is not its mask's tight box " +
                 json(std::vector<double>(tight, tight + 4)).dump());
        }
      }
      check_yolo_seg(im, *inst, mine);
      for (const auto& [v, ii] : info) {
        if (!category_of.count(v)) {
          defect(inst_name + ": instance " + std::to_string(v) + " (" + std::to_string(ii.pixels) + " pixels) has no annotation");
        }
      }
      FrameTruth truth;
      truth.width = image.w;
      truth.height = image.h;
      truth.instance = inst->values;
      std::vector<std::uint16_t> sem_values;
      const std::string sem_name = im.contains("semantic_file") && im["semantic_file"].is_string() ? im["semantic_file"].get<std::string>() : "";
      const auto sem_path = path_inside(m_dir, sem_name);  // empty: none, or a path outside (reported with the image's files)
      if (!sem_path.empty()) {
        auto sem = read_png(sem_path);
        if (!sem) {
          defect(sem_name + ": " + sem.error().message);
        } else if (sem->width != image.w || sem->height != image.h || sem->channels != 1) {
          defect(sem_name + ": not a " + std::to_string(image.w) + "x" + std::to_string(image.h) + " grey image");
        } else {
          // Instance pixels hold their category; the others 0 or a stuff category, whose pixels the
          // panoptic check compares with its stuff segments.
          std::size_t wrong = 0, first_wrong = 0;
          auto& stuff = m_stuff_pixels[image_id];
          for (std::size_t p = 0; p < sem->values.size(); ++p) {
            const std::uint32_t v = inst->values[p], s = sem->values[p];
            const auto c = v == 0 ? 0 : (category_of.count(v) ? category_of[v] : -1);
            const bool ok = c < 0 || s == c || (v == 0 && m_stuff.count(s));
            if (!ok && wrong++ == 0) first_wrong = p;
            if (v == 0 && s != 0 && m_stuff.count(s)) {
              const auto x = static_cast<std::uint32_t>(p % image.w), y = static_cast<std::uint32_t>(p / image.w);
              InstanceInfo& ii = stuff[s];
              ii.pixels++;
              ii.x0 = std::min(ii.x0, x), ii.y0 = std::min(ii.y0, y), ii.x1 = std::max(ii.x1, x), ii.y1 = std::max(ii.y1, y);
            }
          }
          if (wrong > 0) {
            defect(sem_name + ": " + std::to_string(wrong) + " pixels disagree with the instances' categories (first at x " +
                   std::to_string(first_wrong % image.w) + ", y " + std::to_string(first_wrong / image.w) + ")");
          }
          sem_values = std::move(sem->values);
        }
      }
      // The label formats' per-frame files against these pixels (exporters/CheckFormats.h).
      if (!im.contains("frame") || !im["frame"].is_number_unsigned()) continue;
      truth.frame = im["frame"].get<std::uint64_t>();
      truth.semantic = sem_values;
      for (const Ann& a : mine) {
        FrameAnnotation fa;
        fa.instance_id = static_cast<std::uint32_t>(a.instance_id);
        fa.category = a.category;
        std::copy(a.box, a.box + 4, fa.box);
        truth.annotations.push_back(fa);
      }
      std::vector<float> depth;
      std::error_code ec;
      if (std::filesystem::is_directory(m_dir / "bop/000000/depth", ec) && im.contains("depth_file") && im["depth_file"].is_string()) {
        const std::string depth_name = im["depth_file"];
        auto bytes = read_text_file(path_inside(m_dir, depth_name));
        auto d = bytes ? decode_exr(as_bytes(*bytes), depth_name) : Result<DecodedExr>(bytes.error());
        if (!d) {
          defect(d.error().message);
        } else if (d->width == image.w && d->height == image.h) {
          depth.resize(std::size_t{image.w} * image.h);
          for (std::size_t p = 0; p < depth.size(); ++p) depth[p] = d->rgba[4 * p];  // +inf (no surface) read as 0
          truth.depth = depth;
        }
      }
      if (std::filesystem::is_regular_file(m_dir / "bop/000000/scene_gt_info.json", ec)) {
        if (!m_bop_info) m_bop_info = load_json("bop/000000/scene_gt_info.json");
        const std::string key = std::to_string(truth.frame);
        if (m_bop_info->is_object() && m_bop_info->contains(key)) truth.bop_info = &(*m_bop_info)[key];
        else defect("bop/000000/scene_gt_info.json: no entry for frame " + key);
      }
      check_format_files(m_dir, truth, [this](std::string what) { defect(std::move(what)); });
    }
  }

  // Category tables of the other formats written (outputs:) against coco.json's, and panoptic's
  // segments against the COCO annotations.
  // coco_keypoints.json and coco_keypoints/category_ID.json (one per keypoint category), required
  // when categories declare keypoints: every image, and exactly coco.json's annotations of the
  // categories the file holds (ids renumbered from 1), those categories as coco.json has them.
  void check_keypoint_files(const json& coco) {
    check_keypoint_file(coco, "coco_keypoints.json", [&](std::int64_t c) { return m_keypoint_count.count(c) > 0; });
    for (const auto& [id, count] : m_keypoint_count) {
      check_keypoint_file(coco, "coco_keypoints/category_" + std::to_string(id) + ".json",
                          [id = id](std::int64_t c) { return c == id; });
    }
  }

  void check_keypoint_file(const json& coco, const std::string& name, const std::function<bool(std::int64_t)>& holds) {
    std::error_code ec;
    const bool declared = !m_keypoint_count.empty();
    if (!std::filesystem::exists(m_dir / name, ec)) {
      if (declared) defect(name + ": missing, though categories in coco.json declare keypoints");
      return;
    }
    const json kp = load_json(name);
    if (!kp.is_object()) return;
    if (!kp.contains("images") || kp["images"] != coco["images"]) defect(name + ": images differ from coco.json's");
    json cats = json::array(), anns = json::array();
    for (const json& c : coco["categories"]) {
      std::int64_t id = 0;
      if (c.contains("keypoints") && get_int(c, "id", id) && holds(id)) cats.push_back(c);
    }
    for (const json& a : coco["annotations"]) {
      std::int64_t c = 0;
      if (get_int(a, "category_id", c) && m_keypoint_count.count(c) && holds(c)) anns.push_back(a);
    }
    if (!kp.contains("categories") || kp["categories"] != cats) defect(name + ": categories are not coco.json's keypoint categories");
    if (!kp.contains("annotations") || !kp["annotations"].is_array() || kp["annotations"].size() != anns.size()) {
      defect(name + ": " + std::to_string(kp.value("annotations", json::array()).size()) + " annotations, coco.json has " +
             std::to_string(anns.size()) + " of its keypoint categories");
      return;
    }
    for (std::size_t i = 0; i < anns.size(); ++i) {
      json mine = kp["annotations"][i], theirs = anns[i];
      if (mine.value("id", std::int64_t{0}) != std::int64_t(i + 1)) {
        defect(name + ": annotations[" + std::to_string(i) + "] has id " + mine.value("id", json()).dump() + ", not " +
               std::to_string(i + 1));
      }
      mine.erase("id");
      theirs.erase("id");
      if (mine != theirs) {
        defect(name + ": annotations[" + std::to_string(i) + "] differs from coco.json's annotation id " +
               anns[i].value("id", json()).dump());
      }
    }
  }

  // normals/NNNNNN.exr (outputs: [normals]): the image's size, (0, 0, 0) exactly where the depth EXR
  // says no surface, unit length elsewhere (half floats: within 0.002).
  void check_normals(const json& coco) {
    for (const json& im : coco["images"]) {
      if (!im.contains("normals_file")) continue;
      const std::string name = im["normals_file"].is_string() ? im["normals_file"].get<std::string>() : "";
      auto bytes = read_text_file(path_inside(m_dir, name));
      auto depth_bytes = read_text_file(path_inside(m_dir, im.value("depth_file", std::string())));
      if (!bytes || !depth_bytes) continue;  // a missing file is reported with the image
      auto n = decode_exr(as_bytes(*bytes), name);
      auto d = decode_exr(as_bytes(*depth_bytes), im.value("depth_file", std::string()));
      if (!n || !d) {
        defect(!n ? n.error().message : d.error().message);
        continue;
      }
      if (n->width != im.value("width", 0u) || n->height != im.value("height", 0u) || d->width != n->width || d->height != n->height) {
        defect(name + ": " + std::to_string(n->width) + "x" + std::to_string(n->height) + ", not the image's size");
        continue;
      }
      std::size_t wrong = 0, first = 0;
      for (std::size_t p = 0; p < std::size_t{n->width} * n->height; ++p) {
        const double x = n->rgba[4 * p], y = n->rgba[4 * p + 1], z = n->rgba[4 * p + 2];
        const double len = std::sqrt(x * x + y * y + z * z);
        const bool surface = d->rgba[4 * p] != 0.0f;  // decode_exr turns the depth's +inf (no surface) into 0
        if (surface ? std::abs(len - 1.0) > 2e-3 : len != 0.0) {
          if (wrong++ == 0) first = p;
        }
      }
      if (wrong > 0) {
        defect(name + ": " + std::to_string(wrong) + " pixels are not a unit normal on a surface or 0 where none (first at x " +
               std::to_string(first % n->width) + ", y " + std::to_string(first / n->width) + ")");
      }
    }
  }

  void check_other_formats(const json& coco) {
    check_keypoint_files(coco);
    check_normals(coco);
    check_flow(m_dir, coco["images"], m_result.defects, m_result.stats.flow);
    check_temporal(m_dir, coco, m_result.defects, m_result.stats.temporal);
    check_lidar(m_dir, coco["images"], m_result.defects, m_result.stats.lidar);
    std::error_code ec;
    if (std::filesystem::exists(m_dir / "panoptic.json", ec)) {
      const json pan = load_json("panoptic.json");
      if (pan.is_object()) {
        if (!pan.contains("categories") || pan["categories"].size() != m_categories.size()) {
          defect("panoptic.json: categories differ from coco.json's");
        } else {
          for (const json& c : pan["categories"]) {
            std::int64_t id = 0;
            if (!get_int(c, "id", id) || !m_categories.count(id) || c.value("name", std::string()) != m_categories[id]) {
              defect("panoptic.json: category " + c.dump() + " is not coco.json's");
            }
          }
        }
        std::map<std::pair<std::int64_t, std::int64_t>, const json*> by_instance;  // (image, instance) -> annotation
        for (const json& a : coco["annotations"]) {
          if (a.contains("image_id") && a.contains("instance_id")) by_instance[{a["image_id"].get<std::int64_t>(), a["instance_id"].get<std::int64_t>()}] = &a;
        }
        std::size_t segments = 0;
        for (const json& a : pan.value("annotations", json::array())) {
          const std::int64_t image = a.value("image_id", std::int64_t{-1});
          for (const json& seg : a.value("segments_info", json::array())) {
            const std::int64_t category = seg.value("category_id", std::int64_t{-1});
            if (m_stuff.count(category)) {  // one segment per stuff category: id category x 65536, the semantic PNG's pixels
              check_stuff_segment(seg, image, category);
              continue;
            }
            ++segments;
            const auto it = by_instance.find({image, seg.value("id", std::int64_t{-1})});
            if (it == by_instance.end() || (*it->second)["category_id"] != seg["category_id"] || (*it->second)["area"] != seg["area"] ||
                (*it->second)["bbox"] != seg["bbox"]) {
              defect("panoptic.json: image " + std::to_string(image) + " segment " + seg.value("id", json()).dump() +
                     " does not match its COCO annotation");
            }
          }
        }
        if (segments != coco["annotations"].size()) {
          defect("panoptic.json: " + std::to_string(segments) + " segments, coco.json " +
                 std::to_string(coco["annotations"].size()) + " annotations");
        }
      }
    }
    for (const std::string yaml : {"yolo/data.yaml", "yolo_seg/data.yaml"}) {
      if (!std::filesystem::exists(m_dir / yaml, ec)) continue;
      auto text = read_text_file(m_dir / yaml);
      for (const auto& [id, name] : m_categories) {
        if (m_stuff.count(id)) continue;  // YOLO classes are the things
        const std::string line = "  " + std::to_string(id - 1) + ": '";
        if (!text || text->find(line) == std::string::npos) defect(yaml + ": class " + std::to_string(id - 1) + " ('" + name + "') missing");
      }
    }
  }

  void check_rle(const json& ann, const std::string& at, const PngData& inst, std::uint32_t id, std::size_t pixels,
                 const std::string& inst_name, const ImageInfo& image);
  void check_yolo_seg(const json& im, const PngData& inst, const std::vector<Ann>& anns);
  void check_polygons(const json& seg, const std::string& at, const PngData& inst, std::uint32_t id, std::size_t pixels,
                      const std::string& inst_name, const ImageInfo& image);

  std::filesystem::path m_dir;
  CheckResult m_result;
  std::map<std::int64_t, std::string> m_categories;
  std::map<std::int64_t, std::size_t> m_keypoint_count;  // categories with keypoints: how many
  std::map<std::int64_t, ImageInfo> m_images;
  std::map<std::int64_t, std::vector<Ann>> m_by_image;
  std::set<std::int64_t> m_stuff;  // stuff categories (isthing 0)
  std::optional<json> m_bop_info;  // bop/000000/scene_gt_info.json, read on first use
  // Per image, per stuff category: the semantic PNG's pixels of it where no instance is.
  std::map<std::int64_t, std::map<std::uint32_t, InstanceInfo>> m_stuff_pixels;

  void check_stuff_segment(const json& seg, std::int64_t image, std::int64_t category) {
    const std::string at = "panoptic.json: image " + std::to_string(image) + " stuff segment " + seg.value("id", json()).dump();
    const auto& pixels = m_stuff_pixels[image];
    const auto it = pixels.find(static_cast<std::uint32_t>(category));
    if (seg.value("id", std::int64_t{-1}) != category * 65536 || it == pixels.end()) {
      defect(at + ": not category " + std::to_string(category) + " x 65536 of a stuff category in the semantic PNG");
      return;
    }
    const InstanceInfo& ii = it->second;
    const json box = {ii.x0, ii.y0, ii.x1 - ii.x0 + 1, ii.y1 - ii.y0 + 1};
    if (seg.value("area", json()) != json(ii.pixels) || seg.value("bbox", json()) != box) {
      defect(at + ": area/bbox " + seg.value("area", json()).dump() + " " + seg.value("bbox", json()).dump() +
             " are not the semantic PNG's " + std::to_string(ii.pixels) + " " + box.dump());
    }
  }
};

// yolo_seg/labels/STEM.txt: one line per annotation of the image, in coco.json's order, "class x y ..."
// with class = category id - 1. Each polygon is filled as Ultralytics fills it (ultralytics/data/
// utils.py polygon2mask: points times the image size in float32, cast to int32, cv2.fillPoly;
// emulated by fillpoly_rasterize): every pixel of the instance must be filled; the IoU of fill and
// mask goes into the statistics (exactly 1 for objects of one part without holes).
void Checker::check_yolo_seg(const json& im, const PngData& inst, const std::vector<Ann>& anns) {
  std::error_code ec;
  if (!std::filesystem::exists(m_dir / "yolo_seg/labels", ec) || !im.contains("frame") || !im["frame"].is_number_unsigned()) return;
  const std::string name = "yolo_seg/labels/" + frame_stem(im["frame"].get<std::uint64_t>()) + ".txt";
  auto text = read_text_file(m_dir / name);
  if (!text) {
    defect(name + ": " + text.error().message);
    return;
  }
  std::istringstream lines(*text);
  std::string line;
  std::size_t k = 0;
  const std::uint32_t w = inst.width, h = inst.height;
  for (; std::getline(lines, line); ++k) {
    const std::string at = name + " line " + std::to_string(k + 1);
    if (k >= anns.size()) {
      defect(at + ": more lines than the frame's " + std::to_string(anns.size()) + " annotations");
      return;
    }
    const Ann& a = anns[k];
    std::istringstream fields(line);
    long long cls = -1;
    std::vector<std::int32_t> xy;
    float v = 0;
    fields >> cls;
    for (std::size_t i = 0; fields >> v; ++i) {
      if (!(v >= 0.0f && v <= 1.0f)) {
        defect(at + ": coordinate " + std::to_string(v) + " is not normalized");
        return;
      }
      xy.push_back(static_cast<std::int32_t>(v * static_cast<float>(i % 2 == 0 ? w : h)));
    }
    if (cls != a.category - 1 || xy.size() < 6 || xy.size() % 2 != 0 || !fields.eof()) {
      defect(at + ": not \"class x y ...\" with class " + std::to_string(a.category - 1) + " and 3 or more points");
      continue;
    }
    const auto fill = fillpoly_rasterize(xy, w, h);
    std::size_t both = 0, either = 0, missed = 0;
    for (std::size_t p = 0; p < fill.size(); ++p) {
      const bool in = inst.values[p] == a.instance_id;
      both += in && fill[p];
      either += in || fill[p];
      missed += in && !fill[p];
    }
    if (missed > 0 || both == 0) {
      defect(at + ": OpenCV's fill of the polygon misses " + std::to_string(missed) + " pixels of instance " +
             std::to_string(a.instance_id));
      continue;
    }
    const double iou = double(both) / double(either);
    auto& worst = m_result.stats.yolo_seg_worst_iou;
    worst = worst < 0 ? iou : std::min(worst, iou);
    ++m_result.stats.yolo_seg_polygons;
  }
  if (k != anns.size()) defect(name + ": " + std::to_string(k) + " lines, the frame has " + std::to_string(anns.size()) + " annotations");
}

// Polygons [[x1, y1, x2, y2, ...], ...] filled as pycocotools does: each by the even-odd rule at
// pixel centres (x + 0.5, y + 0.5), their union the mask; compared with the instance PNG.
void Checker::check_polygons(const json& seg, const std::string& at, const PngData& inst, std::uint32_t id,
                             std::size_t pixels, const std::string& inst_name, const ImageInfo& image) {
  std::vector<std::uint8_t> mask(std::size_t{image.w} * image.h, 0);
  for (std::size_t p = 0; p < seg.size(); ++p) {
    const json& poly = seg[p];
    if (!poly.is_array() || poly.size() < 6 || poly.size() % 2 != 0 ||
        !std::all_of(poly.begin(), poly.end(), [](const json& v) { return v.is_number(); })) {
      defect(at + ": segmentation[" + std::to_string(p) + "] is not a polygon [x1, y1, x2, y2, x3, y3, ...]");
      return;
    }
    const std::size_t n = poly.size() / 2;
    std::vector<double> xs;
    for (std::uint32_t y = 0; y < image.h; ++y) {
      const double cy = y + 0.5;
      xs.clear();
      for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
        const double xi = poly[2 * i].get<double>(), yi = poly[2 * i + 1].get<double>();
        const double xj = poly[2 * j].get<double>(), yj = poly[2 * j + 1].get<double>();
        if ((yi > cy) != (yj > cy)) xs.push_back(xi + (cy - yi) * (xj - xi) / (yj - yi));
      }
      std::sort(xs.begin(), xs.end());
      for (std::size_t k = 0; k + 1 < xs.size(); k += 2) {  // centres x + 0.5 in [xs[k], xs[k+1])
        const double from = std::max(0.0, std::ceil(xs[k] - 0.5)), to = std::min(double(image.w), std::ceil(xs[k + 1] - 0.5));
        for (double x = from; x < to; ++x) mask[std::size_t{y} * image.w + static_cast<std::size_t>(x)] = 1;
      }
    }
  }
  std::size_t ones = 0, outside = 0;
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (!mask[i]) continue;
    ++ones;
    outside += inst.values[i] != id;
  }
  if (outside > 0 || ones != pixels) {
    defect(at + ": polygons fill " + std::to_string(ones) + " pixels, " + std::to_string(outside) + " of them not instance " +
           std::to_string(id) + " in " + inst_name + " (which has " + std::to_string(pixels) + ")");
  }
}

void Checker::check_rle(const json& ann, const std::string& at, const PngData& inst, std::uint32_t id, std::size_t pixels,
                        const std::string& inst_name, const ImageInfo& image) {
  const json& seg = ann.contains("segmentation") ? ann["segmentation"] : json();
  if (seg.is_array()) {
    check_polygons(seg, at, inst, id, pixels, inst_name, image);
    return;
  }
  if (!seg.is_object() || !seg.contains("counts") || !seg.contains("size")) {
    defect(at + ": segmentation is neither RLE {size, counts} nor polygons");
    return;
  }
  const json& size = seg["size"];
  if (!size.is_array() || size.size() != 2 || size[0] != image.h || size[1] != image.w) {
    defect(at + ": RLE size " + size.dump() + " is not [height, width] = [" + std::to_string(image.h) + ", " +
           std::to_string(image.w) + "]");
    return;
  }
  std::vector<std::int64_t> counts;
  if (seg["counts"].is_string()) {
    if (!decode_rle(seg["counts"].get<std::string>(), counts)) {
      defect(at + ": RLE counts string does not decode");
      return;
    }
  } else if (seg["counts"].is_array()) {
    for (const json& c : seg["counts"]) counts.push_back(c.is_number_integer() ? c.get<std::int64_t>() : -1);
  }
  // Summed with a stop at the image size: counts near 2^63 must not wrap around to it.
  const std::int64_t image_pixels = std::int64_t{image.w} * image.h;
  std::int64_t total = 0;
  for (std::int64_t c : counts) {
    if (c > image_pixels || total > image_pixels) {
      total = image_pixels + 1;
      break;
    }
    total += c < 0 ? 0 : c;
  }
  if (total != image_pixels || std::any_of(counts.begin(), counts.end(), [](std::int64_t c) { return c < 0; })) {
    defect(at + ": RLE covers " + std::to_string(total) + " pixels, the image has " + std::to_string(std::int64_t{image.w} * image.h));
    return;
  }
  // Runs alternate 0, 1, 0, ... over the pixels in column-major order.
  std::size_t ones = 0, outside = 0;
  std::int64_t pos = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    if (r % 2 == 1) {
      for (std::int64_t k = pos; k < pos + counts[r]; ++k) {
        const auto x = static_cast<std::size_t>(k / image.h), y = static_cast<std::size_t>(k % image.h);
        ones++;
        outside += inst.values[y * image.w + x] != id;
      }
    }
    pos += counts[r];
  }
  if (outside > 0 || ones != pixels) {
    defect(at + ": RLE mask differs from " + inst_name + " instance " + std::to_string(id) + " (RLE " + std::to_string(ones) +
           " pixels, " + std::to_string(outside) + " of them not that instance; PNG " + std::to_string(pixels) + " pixels)");
  }
}



// A horizontal bar chart as inline SVG.
std::string bar_chart(const std::vector<std::pair<std::string, double>>& bars) {
  double top = 1;
  for (const auto& b : bars) top = std::max(top, b.second);
  const int row = 20, label = 140, width = 360;
  std::ostringstream s;
  s << "<svg xmlns='http://www.w3.org/2000/svg' width='" << label + width + 60 << "' height='" << row * bars.size() + 4 << "'>";
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const double w = width * bars[i].second / top;
    s << "<text x='" << label - 6 << "' y='" << row * i + 14 << "' text-anchor='end' font-size='12'>"
      << html_escape(bars[i].first) << "</text><rect x='" << label << "' y='" << row * i + 3 << "' width='" << w
      << "' height='" << row - 6 << "' fill='#4a7ab8'/><text x='" << label + w + 4 << "' y='" << row * i + 14
      << "' font-size='12'>" << bars[i].second << "</text>";
  }
  s << "</svg>";
  return s.str();
}

// Frame `im` with each annotation's mask tinted and its box outlined, shrunk to at most 320 wide; PNG.
// An instance's overlay colour: stable and well spread; its box outline is this colour halved
// (documented for readers of the report's PNGs: tests/e2e/CheckTest.cpp checks outlines with it).
std::uint8_t instance_colour(std::uint32_t id, std::size_t c) {
  const std::uint32_t hsh = id * 2654435761u;
  return static_cast<std::uint8_t>(64 + ((hsh >> (8 * c)) & 0xBF));
}

// The frame's RGB as 8-bit PngData (3 or 4 channels): a PNG as read, a JPEG (--rgb jpeg) decoded.
Result<PngData> read_rgb(const std::filesystem::path& path) {
  if (path.extension() != ".jpg") return read_png(path);
  auto bytes = read_text_file(path);
  if (!bytes) return bytes.error();
  auto t = decode_image({reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()}, path.string());
  if (!t) return t.error();
  PngData d{t->width, t->height, 4, 8, {}};
  d.values.assign(t->rgba.begin(), t->rgba.end());
  return d;
}

// The report's thumbnails of a w x h frame: at most `max_width` pixels wide, every `step`-th pixel of the
// frame, `w` x `h` of them.
struct Thumbnail {
  std::uint32_t step, w, h;
};
Thumbnail thumbnail(std::uint32_t w, std::uint32_t h, std::uint32_t max_width) {
  const std::uint32_t step = std::max<std::uint32_t>(1, (w + max_width - 1) / max_width);
  return {step, std::max<std::uint32_t>(1, w / step), std::max<std::uint32_t>(1, h / step)};
}

// A frame's thumbnail (at most `max_width` pixels wide: every `step`-th pixel of the frame): RGB with each
// labeled pixel tinted with its instance's colour, then, at thumbnail scale (so no edge is lost to
// the subsampling), each annotation's box outline and keypoint markers.
std::vector<std::uint8_t> overlay(const std::filesystem::path& dir, const json& im, const json& anns, std::uint32_t max_width = 320) {
  auto rgb = read_rgb(path_inside(dir, im.value("file_name", std::string())));
  auto inst = read_png(path_inside(dir, im.value("instance_file", std::string())));
  if (!rgb || !inst || rgb->channels < 3 || inst->width != rgb->width || inst->height != rgb->height) return {};
  const std::uint32_t w = rgb->width, h = rgb->height;
  const auto [step, tw, th] = thumbnail(w, h, max_width);
  std::vector<std::uint8_t> px(std::size_t{tw} * th * 4, 255);
  for (std::uint32_t y = 0; y < th; ++y) {
    for (std::uint32_t x = 0; x < tw; ++x) {
      const std::size_t src = std::size_t{y * step} * w + x * step, dst = std::size_t{y} * tw + x;
      const std::uint32_t id = inst->values[src];
      for (std::size_t c = 0; c < 3; ++c) {
        const auto v = static_cast<std::uint8_t>(rgb->values[rgb->channels * src + c] >> (rgb->bit_depth - 8));
        px[4 * dst + c] = id == 0 ? v : static_cast<std::uint8_t>((v + instance_colour(id, c)) / 2);
      }
    }
  }
  auto put = [&](std::int64_t x, std::int64_t y, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    if (x < 0 || y < 0 || x >= tw || y >= th) return;
    const std::size_t p = 4 * (static_cast<std::size_t>(y) * tw + static_cast<std::size_t>(x));
    px[p] = r, px[p + 1] = g, px[p + 2] = b;
  };
  // A pixel column or row of the frame -> the thumbnail's, clamped inside it.
  auto scaled = [&](double v, std::uint32_t size) {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(v / step)), 0, std::int64_t{size} - 1);
  };
  for (const json& a : anns) {
    if (!a.contains("bbox") || !a["bbox"].is_array() || a["bbox"].size() != 4 ||
        !std::all_of(a["bbox"].begin(), a["bbox"].end(), [](const json& v) { return v.is_number(); })) {
      continue;
    }
    const double bx = a["bbox"][0].get<double>(), by = a["bbox"][1].get<double>();
    const double bw = a["bbox"][2].get<double>(), bh = a["bbox"][3].get<double>();
    const auto id = static_cast<std::uint32_t>(a.value("instance_id", 0));
    const std::uint8_t r = instance_colour(id, 0) / 2, g = instance_colour(id, 1) / 2, b = instance_colour(id, 2) / 2;
    // The box covers pixels bx .. bx + bw - 1: its outline runs through the thumbnail pixels holding them.
    const std::int64_t x0 = scaled(bx, tw), y0 = scaled(by, th), x1 = scaled(bx + bw - 1, tw), y1 = scaled(by + bh - 1, th);
    for (std::int64_t x = x0; x <= x1; ++x) put(x, y0, r, g, b), put(x, y1, r, g, b);
    for (std::int64_t y = y0; y <= y1; ++y) put(x0, y, r, g, b), put(x1, y, r, g, b);
  }
  // Keypoints last, over every outline: a 5 x 5 marker, white when visible, black when occluded.
  for (const json& a : anns) {
    if (!a.contains("keypoints") || !a["keypoints"].is_array()) continue;
    const json& kp = a["keypoints"];
    for (std::size_t k = 0; k + 2 < kp.size(); k += 3) {
      if (!kp[k].is_number() || !kp[k + 1].is_number() || !kp[k + 2].is_number() || kp[k + 2].get<double>() <= 0) continue;
      const std::int64_t cx = scaled(kp[k].get<double>() + 0.5, tw), cy = scaled(kp[k + 1].get<double>() + 0.5, th);
      const std::uint8_t shade = kp[k + 2].get<double>() >= 2 ? 255 : 0;
      for (std::int64_t y = cy - 2; y <= cy + 2; ++y) {
        for (std::int64_t x = cx - 2; x <= cx + 2; ++x) {
          const bool rim = x == cx - 2 || x == cx + 2 || y == cy - 2 || y == cy + 2;
          const std::uint8_t v = rim ? 255 - shade : shade;
          put(x, y, v, v, v);
        }
      }
    }
  }
  auto png = encode_png_rgb_from_rgba(px, tw, th, PngOptions{6, true});
  return png ? std::move(png).value() : std::vector<std::uint8_t>{};
}

}  // namespace

// A flow vector's colour in the Middlebury coding: hue the direction (0 deg = +x, red), saturation the
// length over `max_len`, full value; rgb in 0..255.
std::array<std::uint8_t, 3> flow_colour(double du, double dv, double max_len) {
  const double len = std::min(1.0, std::sqrt(du * du + dv * dv) / std::max(max_len, 1e-9));
  double h = std::atan2(-dv, du) / (2 * 3.14159265358979) * 6.0;  // image y down: counter-clockwise on screen
  if (h < 0) h += 6.0;
  const int i = static_cast<int>(h) % 6;
  const double f = h - std::floor(h), p = 1 - len, q = 1 - len * f, t = 1 - len * (1 - f);
  const double rgb[6][3] = {{1, t, p}, {q, 1, p}, {p, 1, t}, {p, q, 1}, {t, p, 1}, {1, p, q}};
  return {static_cast<std::uint8_t>(255 * rgb[i][0]), static_cast<std::uint8_t>(255 * rgb[i][1]),
          static_cast<std::uint8_t>(255 * rgb[i][2])};
}

// An image's forward flow (flow_forward_file) at the overlay's size: (du, dv, status) of each
// thumbnail pixel. `longest` grows to the longest defined vector of the whole frame. Empty when the
// file cannot be read.
struct FlowThumbnail {
  Thumbnail size{};
  std::vector<std::array<float, 3>> px;
};
FlowThumbnail read_flow_thumbnail(const std::filesystem::path& dir, const json& im, double& longest, std::uint32_t max_width = 320) {
  auto bytes = read_text_file(path_inside(dir, im.value("flow_forward_file", std::string())));
  if (!bytes) return {};
  auto f = decode_exr({reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()}, "flow");
  if (!f) return {};
  const std::uint32_t w = f->width;
  for (std::size_t p = 0; p < std::size_t{w} * f->height; ++p) {
    if (f->rgba[4 * p + 2] >= 0) longest = std::max(longest, double(std::hypot(f->rgba[4 * p], f->rgba[4 * p + 1])));
  }
  FlowThumbnail t{thumbnail(w, f->height, max_width), {}};
  t.px.reserve(std::size_t{t.size.w} * t.size.h);
  for (std::uint32_t y = 0; y < t.size.h; ++y) {
    for (std::uint32_t x = 0; x < t.size.w; ++x) {
      const std::size_t src = (std::size_t{y * t.size.step} * w + x * t.size.step) * 4;
      t.px.push_back({f->rgba[src], f->rgba[src + 1], f->rgba[src + 2]});
    }
  }
  return t;
}

// A flow thumbnail coloured (flow_colour, saturated at `max_len`); black where no flow.
std::vector<std::uint8_t> flow_png(const FlowThumbnail& t, double max_len) {
  if (t.px.empty()) return {};
  std::vector<std::uint8_t> px(t.px.size() * 4, 255);
  for (std::size_t i = 0; i < t.px.size(); ++i) {
    const auto& [du, dv, status] = t.px[i];
    const auto c = status < 0 ? std::array<std::uint8_t, 3>{0, 0, 0} : flow_colour(du, dv, max_len);
    for (std::size_t k = 0; k < 3; ++k) px[4 * i + k] = c[k];
  }
  auto png = encode_png_rgb_from_rgba(px, t.size.w, t.size.h, PngOptions{6, true});
  return png ? std::move(png).value() : std::vector<std::uint8_t>{};
}

// The colour wheel: the colour of every vector up to the maximum length.
std::vector<std::uint8_t> flow_wheel_png(std::uint32_t side = 96) {
  std::vector<std::uint8_t> px(std::size_t{side} * side * 4, 255);
  const double r = side / 2.0;
  for (std::uint32_t y = 0; y < side; ++y) {
    for (std::uint32_t x = 0; x < side; ++x) {
      const double du = (x + 0.5 - r) / r, dv = (y + 0.5 - r) / r;
      if (du * du + dv * dv > 1) continue;
      const auto c = flow_colour(du, dv, 1.0);
      for (std::size_t k = 0; k < 3; ++k) px[(std::size_t{y} * side + x) * 4 + k] = c[k];
    }
  }
  auto png = encode_png_rgb_from_rgba(px, side, side, PngOptions{6, true});
  return png ? std::move(png).value() : std::vector<std::uint8_t>{};
}

std::vector<std::uint8_t> draw_frame_png(const std::filesystem::path& dir, const nlohmann::json& image, const nlohmann::json& annotations,
                                         std::uint32_t max_width) {
  return overlay(dir, image, annotations, max_width);
}

Result<PngData> read_frame_rgb(const std::filesystem::path& path) { return read_rgb(path); }

Result<std::vector<std::uint8_t>> frame_overlay_png(const std::filesystem::path& dir, std::size_t index, std::size_t& instances) {
  auto text = read_text_file(dir / "coco.json");
  if (!text) return text.error();
  try {
    const json coco = json::parse(*text);
    const json& im = coco.at("images").at(index);
    json anns = json::array();
    for (const json& a : coco.at("annotations")) {
      if (a.value("image_id", std::int64_t{-1}) == im.value("id", std::int64_t{-2})) anns.push_back(a);
    }
    instances = anns.size();
    auto png = overlay(dir, im, anns, UINT32_MAX);
    if (png.empty()) return make_error(ExitCode::io, (dir / "coco.json").string() + ": frame " + std::to_string(index) + " has no readable images");
    return png;
  } catch (const json::exception& e) {
    return make_error(ExitCode::io, (dir / "coco.json").string() + ": " + e.what());
  }
}

Result<CheckResult> check_dataset(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return make_error(ExitCode::usage, dir.string() + ": not a folder");
  return Checker(dir).run();
}

// Clips (images with video_id): each of the first 4 clips as an animation of its first 24 frames, masks
// tinted by track (a track keeps its instance id, so its colour); with flow, the forward flow beside it
// in the Middlebury colour coding (scaled to the clip's longest vector) and the colour wheel.
namespace {

void write_clips(std::ostringstream& s, const std::filesystem::path& dir, const json& coco, std::map<std::int64_t, json>& by_image) {
  std::map<std::uint64_t, std::map<std::uint64_t, const json*>> clips;
  for (const json& im : coco.at("images")) {
    if (im.contains("video_id")) clips[im.value("video_id", std::uint64_t{0})][im.value("frame_index", std::uint64_t{0})] = &im;
  }
  if (clips.empty()) return;
  s << "<h2>Clips</h2><p>" << clips.size()
    << " clips; the first 4 as animations (8 frames a second, their first 24 frames): masks tinted by track (an object keeps "
       "its track id, its instance id, and so its colour through its clip). Where the dataset has flow, the forward flow "
       "beside each frame: hue the direction, saturation the length (scaled to the clip's longest vector), black where there "
       "is no flow.</p>";
  std::string script = "<script>const clips = {";
  bool any_flow = false;
  std::size_t k = 0;
  for (const auto& [video, frames] : clips) {
    if (k >= 4) break;
    std::vector<const json*> shown;
    for (const auto& [index, im] : frames) {
      if (shown.size() < 24) shown.push_back(im);
    }
    const json* first = shown.empty() ? nullptr : shown.front();
    const bool flow = first != nullptr && first->contains("flow_forward_file");
    // Each flow file read once: its thumbnail kept, the clip's longest vector found.
    double max_len = 0;
    std::vector<FlowThumbnail> flows;
    if (flow) {
      for (const json* im : shown) flows.push_back(read_flow_thumbnail(dir, *im, max_len));
    }
    std::string frames_js, flow_js;
    for (std::size_t i = 0; i < shown.size(); ++i) {
      const auto png = overlay(dir, *shown[i], by_image[shown[i]->value("id", std::int64_t{0})]);
      frames_js += "'data:image/png;base64," + base64(png) + "',";
      if (flow) flow_js += "'data:image/png;base64," + base64(flow_png(flows[i], max_len)) + "',";
    }
    s << "<figure><img id='clip" << k << "'>";
    if (flow) s << " <img id='flow" << k << "'>";
    s << "<figcaption>video " << video << ": " << frames.size() << " frames";
    if (flow) s << "; flow up to " << std::round(max_len * 10) / 10 << " px";
    s << "</figcaption></figure>";
    script += "clip" + std::to_string(k) + ": [" + frames_js + "],";
    if (flow) script += "flow" + std::to_string(k) + ": [" + flow_js + "],";
    any_flow = any_flow || flow;
    ++k;
  }
  if (any_flow) s << "<figure><img src='data:image/png;base64," << base64(flow_wheel_png()) << "'><figcaption>flow colours (x right, y down)</figcaption></figure>";
  script += "}; let tick = 0; function show() { for (const [id, list] of Object.entries(clips)) { document.getElementById(id).src = "
            "list[tick % list.length]; } tick++; } show(); setInterval(show, 125);</script>";
  s << script;
}

}  // namespace

Status write_check_report(const std::filesystem::path& dir, const CheckResult& result, const std::filesystem::path& html,
                          std::size_t frames) {
  // Overwrites only a report of ours (a file starting as every report does), never a dataset's file.
  static const std::string k_head = "<!doctype html><html><head><meta charset='utf-8'><title>synthlabel check: ";
  std::error_code ec;
  const auto status = std::filesystem::symlink_status(html, ec);
  if (std::filesystem::exists(status)) {
    auto head = std::filesystem::is_regular_file(status) ? read_bounded_file(html, 1 << 30, "report") : Result<std::string>(Error{});
    if (!head || head->rfind(k_head, 0) != 0) {
      return make_error(ExitCode::io, "--report: '" + html.string() +
                                          "' exists and is not a synthlabel check report; refusing to overwrite it "
                                          "(choose another --report)");
    }
  }
  const CheckStats& st = result.stats;
  std::ostringstream s;
  s << k_head << html_escape(dir.string())
    << "</title><style>body{font-family:sans-serif;margin:2em}figure{display:inline-block;margin:4px}"
       "figcaption{font-size:12px}.bad{color:#b00}.ok{color:#070}</style></head><body>";
  s << "<h1>synthlabel check</h1><p>" << html_escape(dir.string()) << "</p>";
  if (result.defects.empty()) {
    s << "<p class='ok'><b>Sound</b>: no defect found.</p>";
  } else {
    s << "<p class='bad'><b>" << result.defects.size() << " defect(s)</b></p><ul>";
    for (const auto& d : result.defects) s << "<li>" << html_escape(d) << "</li>";
    s << "</ul>";
  }
  s << "<h2>Statistics</h2><p>" << st.images << " images, " << st.annotations << " instances; " << st.min_per_image
    << " to " << st.max_per_image << " per image.</p>";
  std::vector<std::pair<std::string, double>> cats;
  for (std::size_t i = 0; i < st.category_names.size(); ++i) cats.emplace_back(st.category_names[i], double(st.per_category[i]));
  s << "<h3>Instances per category</h3>" << bar_chart(cats);
  s << "<h3>Box sizes (COCO: area &lt; 32&sup2; small, &lt; 96&sup2; medium)</h3>"
    << bar_chart({{"small", double(st.small)}, {"medium", double(st.medium)}, {"large", double(st.large)}});
  std::vector<std::pair<std::string, double>> sides;
  for (int b = 0; b < 10; ++b) {
    const double lo = b * 32.0, hi = (b + 1) * 32.0;
    const auto n = std::count_if(st.box_sides.begin(), st.box_sides.end(),
                                 [&](double v) { return v >= lo && (v < hi || b == 9); });
    std::string name = std::to_string(int(lo));
    if (b == 9) {
      name += '+';
    } else {
      name += '-';
      name += std::to_string(int(hi));
    }
    name += " px";
    sides.emplace_back(std::move(name), double(n));
  }
  s << "<h3>Box side (square root of the area)</h3>" << bar_chart(sides);
  if (!st.visibility.empty()) {
    std::vector<std::pair<std::string, double>> vis;
    for (int b = 0; b < 10; ++b) {
      const auto n = std::count_if(st.visibility.begin(), st.visibility.end(),
                                   [&](double v) { return v >= b / 10.0 && (v < (b + 1) / 10.0 || (b == 9 && v <= 1.0)); });
      std::string name = std::to_string(b * 10);
      name += "-";
      name += std::to_string(b * 10 + 10);
      name += " %";
      vis.emplace_back(std::move(name), double(n));
    }
    s << "<h3>Visibility (visible / unoccluded pixels)</h3>" << bar_chart(vis);
  }
  s << "<h2>Frames</h2>";
  auto coco_text = read_text_file(dir / "coco.json");
  if (coco_text) {
    try {
      const json coco = json::parse(*coco_text);
      std::map<std::int64_t, std::string> category_name;
      for (const json& c : coco.at("categories")) category_name[c.value("id", std::int64_t{0})] = c.value("name", std::string());
      std::map<std::int64_t, json> by_image;
      for (const json& a : coco.at("annotations")) by_image[a.value("image_id", std::int64_t{0})].push_back(a);
      const std::size_t total = coco.at("images").size();
      s << "<p>The first " << std::min(frames, total) << " of " << total
        << " frames. Each annotation's mask tinted with its instance's colour and its box outlined in that colour, "
           "darker; keypoints as squares, white when visible, black when occluded. Under each frame, its annotations "
           "by colour and category.</p>";
      std::size_t shown = 0;
      for (const json& im : coco.at("images")) {
        if (shown++ >= frames) break;
        const json& anns = by_image[im.value("id", std::int64_t{0})];
        const auto png = overlay(dir, im, anns);
        if (png.empty()) continue;
        s << "<figure><img src='data:image/png;base64," << base64(png) << "'><figcaption>"
          << html_escape(im.value("file_name", std::string())) << ", " << anns.size() << " instances<br>";
        for (const json& a : anns) {  // the legend: a swatch of the instance's colour, its category
          const auto id = static_cast<std::uint32_t>(a.value("instance_id", 0));
          char swatch[8];
          std::snprintf(swatch, sizeof swatch, "#%02x%02x%02x", instance_colour(id, 0), instance_colour(id, 1), instance_colour(id, 2));
          s << "<span style='color:" << swatch << "'>&#9632;</span> "
            << html_escape(category_name[a.value("category_id", std::int64_t{0})]) << " ";
        }
        s << "</figcaption></figure>";
      }
      write_clips(s, dir, coco, by_image);
      if (st.lidar.sweeps > 0) {  // LiDAR sweeps from above
        s << "<h2>LiDAR sweeps</h2><p>" << st.lidar.sweeps << " sweeps, " << st.lidar.points
          << " points. Seen from above: the sensor at the centre (white), forward up, left to the left; points coloured by "
             "class (the VOC colours of the segmentation formats, grey unlabeled), each 3D box's edges drawn; grid lines every 10 m.</p>";
        std::size_t drawn = 0;
        for (const json& im : coco.at("images")) {
          if (drawn >= frames) break;
          if (!im.contains("frame") || !im["frame"].is_number_unsigned()) continue;
          double extent = 0;
          const auto png = lidar_bev_png(dir, im["frame"].get<std::uint64_t>(), 480, extent);
          if (png.empty()) continue;
          ++drawn;
          s << "<figure><img src='data:image/png;base64," << base64(png) << "'><figcaption>"
            << html_escape(im.value("file_name", std::string())) << ", +-" << extent << " m</figcaption></figure>";
        }
        s << "<p>";
        for (std::size_t c = 0; c < st.category_names.size(); ++c) {
          const auto col = voc_colour(static_cast<std::uint32_t>(c + 1));
          char swatch[8];
          std::snprintf(swatch, sizeof swatch, "#%02x%02x%02x", col[0], col[1], col[2]);
          s << "<span style='color:" << swatch << "'>&#9632;</span> " << html_escape(st.category_names[c]) << " ";
        }
        s << "</p>";
      }
    } catch (const json::exception&) {
      s << "<p class='bad'>coco.json does not parse: no frames.</p>";
    }
  }
  s << "</body></html>\n";
  return write_file_atomic(html, s.str());
}

}  // namespace synthlabel
