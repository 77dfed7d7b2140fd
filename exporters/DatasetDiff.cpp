#include "exporters/DatasetDiff.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "core/FileIo.h"
#include "core/Text.h"
#include "exporters/Checker.h"
#include "exporters/FrameEncoder.h"
#include "exporters/Png.h"
#include "scenes/Environment.h"

namespace synthlabel {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

Result<json> read_json(const fs::path& path) {
  auto text = read_text_file(path);
  if (!text) return text.error();
  try {
    return json::parse(*text);
  } catch (const json::exception&) {
    return make_error(ExitCode::usage, path.string() + ": not valid JSON");
  }
}

std::string shorten(const json& v) {
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

// Leaves by key path as overrides write them ("objects[6].scale"); arrays of plain values are leaves.
void flatten(const json& j, const std::string& prefix, std::map<std::string, json>& out) {
  const bool nested = j.is_array() && std::any_of(j.begin(), j.end(), [](const json& e) { return e.is_structured(); });
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else if (nested) {
    for (std::size_t i = 0; i < j.size(); ++i) flatten(j[i], prefix + "[" + std::to_string(i) + "]", out);
  } else {
    out[prefix] = j;
  }
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

struct Dataset {
  fs::path dir;
  json manifest;
  std::map<std::string, std::string> record_hashes;  // stem -> hash
};

Result<Dataset> open_dataset(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return make_error(ExitCode::usage, "diff: '" + dir.string() + "' is not a folder");
  auto m = read_json(dir / "manifest.json");
  if (!m || !m->is_object() || m->value("tool", std::string()) != "synthlabel") {
    return make_error(ExitCode::usage, "diff: '" + dir.string() + "' holds no synthlabel dataset (no readable manifest.json)");
  }
  Dataset d{dir, std::move(*m), {}};
  if (d.manifest.value("status", std::string()) != "complete") {
    return make_error(ExitCode::usage, "diff: the dataset in '" + dir.string() + "' is not complete (status " +
                                           shorten(d.manifest.value("status", json())) + "); finish it with --resume");
  }
  const json& h = d.manifest.value("frame_record_hashes", json::object());
  for (auto it = h.begin(); it != h.end(); ++it) {
    if (it.value().is_string()) d.record_hashes[it.key()] = it.value().get<std::string>();
  }
  return d;
}

// One frame's record (null when unreadable or outside the dataset).
json read_record(const fs::path& dir, const std::string& stem) {
  const fs::path p = path_inside(dir, "records/" + stem + ".json");
  if (p.empty()) return json();
  auto r = read_json(p);
  return r && r->is_object() ? *r : json();
}

// The file an image entry names under `key`, inside the dataset.
Result<fs::path> frame_file(const fs::path& dir, const json& image, const char* key) {
  const fs::path p = path_inside(dir, image.value(key, std::string()));
  if (p.empty()) return make_error(ExitCode::usage, std::string(key) + " lies outside the dataset");
  return p;
}

Result<PngData> read_frame_png(const fs::path& dir, const json& image, const char* key) {
  auto p = frame_file(dir, image, key);
  if (!p) return p.error();
  return read_png(*p);
}

// The frame's RGB (PNG as stored, JPEG decoded).
Result<PngData> read_rgb_of(const fs::path& dir, const json& image) {
  auto p = frame_file(dir, image, "file_name");
  if (!p) return p.error();
  return read_frame_rgb(*p);
}

Result<DecodedExr> read_frame_exr(const fs::path& dir, const json& image, const char* key) {
  auto p = frame_file(dir, image, key);
  if (!p) return p.error();
  auto bytes = read_text_file(*p);
  if (!bytes) return bytes.error();
  return decode_exr({reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()}, image.value(key, std::string()));
}

double iou_of(std::uint64_t area_a, std::uint64_t area_b, std::uint64_t intersection) {
  const std::uint64_t uni = area_a + area_b - intersection;
  return uni == 0 ? 1.0 : double(intersection) / double(uni);
}

// The annotation of instance `id` in `anns` (null when none).
json annotation_of(const json& anns, std::uint32_t id) {
  for (const json& ann : anns) {
    if (ann.value("instance_id", 0u) == id) return ann;
  }
  return json();
}

// Box shift and keypoint moves between annotation `a` (in A) and `b` (in B) of one instance.
void compare_annotations(const json& a, const json& b, InstanceDiff& e) {
  const json ba = a.is_object() ? a.value("bbox", json()) : json(), bb = b.is_object() ? b.value("bbox", json()) : json();
  if (ba.is_array() && bb.is_array() && ba.size() == 4 && bb.size() == 4) {
    for (std::size_t k = 0; k < 4; ++k) e.box_shift = std::max(e.box_shift, std::abs(ba[k].get<double>() - bb[k].get<double>()));
  }
  // Keypoints [x, y, v, ...]: those labeled (v > 0) on both sides.
  const json ka = a.is_object() ? a.value("keypoints", json()) : json(), kb = b.is_object() ? b.value("keypoints", json()) : json();
  if (ka.is_array() && kb.is_array() && ka.size() == kb.size()) {
    for (std::size_t k = 0; k + 2 < ka.size(); k += 3) {
      if (!ka[k].is_number() || !kb[k].is_number() || ka[k + 2] == 0 || kb[k + 2] == 0) continue;
      e.keypoint_shift = std::max(e.keypoint_shift, std::hypot(ka[k].get<double>() - kb[k].get<double>(),
                                                               ka[k + 1].get<double>() - kb[k + 1].get<double>()));
    }
  }
}

// The frame's differences; `error` gets a line when a file cannot be read.
FrameDiff diff_frame(const Dataset& a, const Dataset& b, const std::string& stem, std::string& error) {
  FrameDiff d;
  d.stem = stem;
  const json ra = read_record(a.dir, stem), rb = read_record(b.dir, stem);
  if (ra.is_null() || rb.is_null()) {
    error = "frame " + stem + ": records/" + stem + ".json unreadable in " + (ra.is_null() ? a.dir : b.dir).string();
    return d;
  }
  const json fa = ra.value("files", json::object()), fb = rb.value("files", json::object());
  std::set<std::string> names;
  for (auto it = fa.begin(); it != fa.end(); ++it) names.insert(it.key());
  for (auto it = fb.begin(); it != fb.end(); ++it) names.insert(it.key());
  for (const auto& n : names) {
    if (!fa.contains(n) || !fb.contains(n) || fa[n] != fb[n]) d.files_differing.push_back(n);
  }
  const json ia = ra.value("image", json::object()), ib = rb.value("image", json::object());
  auto differs = [&](const char* key) {
    const std::string rel = ia.value(key, std::string());
    return std::find(d.files_differing.begin(), d.files_differing.end(), rel) != d.files_differing.end() ||
           rel != ib.value(key, std::string());
  };
  // RGB: only when its file differs (PNG as stored, JPEG decoded; R, G, B compared).
  if (differs("file_name")) {
    auto pa = read_rgb_of(a.dir, ia), pb = read_rgb_of(b.dir, ib);
    if (!pa || !pb) {
      error = "frame " + stem + ": RGB: " + (!pa ? pa.error().message : pb.error().message);
      return d;
    }
    if (pa->width == pb->width && pa->height == pb->height && pa->channels >= 3 && pb->channels >= 3) {
      double sum = 0, sq = 0, mx = 0;
      const std::size_t pixels = std::size_t{pa->width} * pa->height;
      for (std::size_t i = 0; i < pixels; ++i) {
        for (std::size_t c = 0; c < 3; ++c) {
          const double e = std::abs(double(pa->values[i * pa->channels + c]) - double(pb->values[i * pb->channels + c]));
          sum += e, sq += e * e, mx = std::max(mx, e);
        }
      }
      const double n = double(pixels * 3);
      d.rgb_compared = true;
      d.rgb_mean = sum / n;
      d.rgb_max = mx;
      d.rgb_psnr = sq == 0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(255.0 * 255.0 / (sq / n));
    }
  }
  if (differs("depth_file")) {
    auto da = read_frame_exr(a.dir, ia, "depth_file"), db = read_frame_exr(b.dir, ib, "depth_file");
    if (!da || !db) {
      error = "frame " + stem + ": depth: " + (!da ? da.error().message : db.error().message);
      return d;
    }
    if (da->rgba.size() == db->rgba.size()) {
      d.depth_compared = true;
      for (std::size_t i = 0; i < da->rgba.size(); i += 4) {
        const double x = da->rgba[i], y = db->rgba[i], e = std::abs(x - y);
        d.depth_max_abs = std::max(d.depth_max_abs, e);
        if (x > 0) d.depth_max_rel = std::max(d.depth_max_rel, e / x);
      }
    }
  }
  // Flow: the end-point error where both sides have a vector (status >= 0), both directions.
  for (const char* key : {"flow_forward_file", "flow_backward_file"}) {
    if (!ia.contains(key) || !ib.contains(key) || !differs(key)) continue;
    auto va = read_frame_exr(a.dir, ia, key), vb = read_frame_exr(b.dir, ib, key);
    if (!va || !vb) {
      error = "frame " + stem + ": flow: " + (!va ? va.error().message : vb.error().message);
      return d;
    }
    if (va->rgba.size() != vb->rgba.size()) continue;
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t i = 0; i < va->rgba.size(); i += 4) {
      if (va->rgba[i + 2] < 0 || vb->rgba[i + 2] < 0) continue;
      const double e = std::hypot(double(va->rgba[i]) - double(vb->rgba[i]), double(va->rgba[i + 1]) - double(vb->rgba[i + 1]));
      sum += e, ++n;
      d.flow_epe_max = std::max(d.flow_epe_max, e);
    }
    d.flow_compared = true;
    if (n > 0) d.flow_epe_mean = std::max(d.flow_epe_mean, sum / double(n));
  }
  // Labels: masks from the instance PNGs, categories and boxes from the annotations.
  const json aa = ra.value("annotations", json::array()), ab = rb.value("annotations", json::array());
  if (!differs("instance_file") && aa == ab) return d;
  auto pa = read_frame_png(a.dir, ia, "instance_file"), pb = read_frame_png(b.dir, ib, "instance_file");
  if (!pa || !pb) {
    error = "frame " + stem + ": instance: " + (!pa ? pa.error().message : pb.error().message);
    return d;
  }
  std::map<std::uint32_t, InstanceDiff> by_id;
  auto annotate = [&](const json& anns, bool side_a) {
    for (const json& ann : anns) {
      const auto id = ann.value("instance_id", 0u);
      InstanceDiff& e = by_id[id];
      e.instance_id = id;
      (side_a ? e.category_a : e.category_b) = ann.value("category_id", 0u);
    }
  };
  annotate(aa, true);
  annotate(ab, false);
  if (pa->values.size() == pb->values.size()) {
    for (std::size_t i = 0; i < pa->values.size(); ++i) {
      const std::uint32_t x = pa->values[i], y = pb->values[i];
      if (x != 0) ++by_id[x].area_a;
      if (y != 0) ++by_id[y].area_b;
      if (x != 0 && x == y) ++by_id[x].intersection;
    }
  }
  // Ids that do not pair an instance with itself (one side only, mask IoU at most 0.5 or another
  // category under the same id: ids shifted, e.g. one object fewer before them) are paired again by
  // best mask IoU above 0.5, greedily, and compared as one instance under both ids.
  std::set<std::uint32_t> loose_a, loose_b;
  for (const auto& [id, e] : by_id) {
    const bool settled = e.area_a > 0 && e.area_b > 0 && iou_of(e.area_a, e.area_b, e.intersection) > 0.5 && e.category_a == e.category_b;
    if (settled) continue;
    if (e.area_a > 0) loose_a.insert(id);
    if (e.area_b > 0) loose_b.insert(id);
  }
  std::vector<InstanceDiff> paired;
  if (!loose_a.empty() && !loose_b.empty()) {
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint64_t> overlap;
    for (std::size_t i = 0; i < pa->values.size(); ++i) {
      const std::uint32_t x = pa->values[i], y = pb->values[i];
      if (loose_a.contains(x) && loose_b.contains(y)) ++overlap[{x, y}];
    }
    std::vector<std::pair<double, std::pair<std::uint32_t, std::uint32_t>>> candidates;
    for (const auto& [xy, inter] : overlap) {
      const double iou = iou_of(by_id[xy.first].area_a, by_id[xy.second].area_b, inter);
      if (iou > 0.5) candidates.push_back({iou, xy});
    }
    std::sort(candidates.rbegin(), candidates.rend());
    for (const auto& [iou, xy] : candidates) {
      const auto [x, y] = xy;
      if (!loose_a.contains(x) || !loose_b.contains(y)) continue;
      InstanceDiff e;
      e.instance_id = x;
      e.matched_id = x == y ? 0 : y;
      e.category_a = by_id[x].category_a;
      e.category_b = by_id[y].category_b;
      e.area_a = by_id[x].area_a;
      e.area_b = by_id[y].area_b;
      e.intersection = overlap[xy];
      e.iou = iou;
      compare_annotations(annotation_of(aa, x), annotation_of(ab, y), e);
      paired.push_back(e);
      loose_a.erase(x);
      loose_b.erase(y);
      // A's x and B's y are accounted for: what stays under those ids is the other side's alone.
      by_id[x].area_a = 0, by_id[x].category_a = 0, by_id[x].intersection = 0;
      by_id[y].area_b = 0, by_id[y].category_b = 0, by_id[y].intersection = 0;
    }
  }
  for (const InstanceDiff& e : paired) {
    if (e.iou < 1.0 || e.matched_id != 0 || e.category_a != e.category_b || e.box_shift > 0 || e.keypoint_shift > 0) {
      d.instances.push_back(e);
      d.worst_iou = std::min(d.worst_iou, e.iou);
    }
  }
  std::erase_if(by_id, [](const auto& kv) { return kv.second.area_a == 0 && kv.second.area_b == 0; });
  for (auto& [id, e] : by_id) {
    e.instance_id = id;
    e.iou = iou_of(e.area_a, e.area_b, e.intersection);
    compare_annotations(annotation_of(aa, id), annotation_of(ab, id), e);
    if (e.iou < 1.0 || e.box_shift > 0 || e.category_a != e.category_b || e.keypoint_shift > 0) {
      d.instances.push_back(e);
      if (e.area_a > 0 && e.area_b > 0) d.worst_iou = std::min(d.worst_iou, e.iou);
    }
  }
  return d;
}

struct CategoryStats {
  std::size_t count = 0;
  std::vector<double> areas;
};
std::map<std::string, CategoryStats> category_stats(const fs::path& dir) {
  std::map<std::string, CategoryStats> out;
  auto c = read_json(dir / "coco.json");
  if (!c || !c->is_object()) return out;
  std::map<std::uint64_t, std::string> names;
  for (const json& cat : c->value("categories", json::array())) {
    if (!cat.is_object()) continue;
    names[cat.value("id", std::uint64_t{0})] = cat.value("name", std::string());
    out[cat.value("name", std::string())];
  }
  for (const json& ann : c->value("annotations", json::array())) {
    if (!ann.is_object()) continue;
    CategoryStats& s = out[names[ann.value("category_id", std::uint64_t{0})]];
    ++s.count;
    s.areas.push_back(ann.value("area", 0.0));
  }
  return out;
}
// Per category name: instances and area mean / median in A and B.
nlohmann::ordered_json category_table(const fs::path& a, const fs::path& b) {
  const auto ca = category_stats(a), cb = category_stats(b);
  std::set<std::string> names;
  for (const auto& [n, v] : ca) names.insert(n);
  for (const auto& [n, v] : cb) names.insert(n);
  auto summary = [](const std::map<std::string, CategoryStats>& m, const std::string& n) -> nlohmann::ordered_json {
    const auto it = m.find(n);
    if (it == m.end()) return nullptr;
    std::vector<double> areas = it->second.areas;
    nlohmann::ordered_json j = {{"instances", it->second.count}};
    if (!areas.empty()) {
      double sum = 0;
      for (double v : areas) sum += v;
      std::nth_element(areas.begin(), areas.begin() + static_cast<std::ptrdiff_t>(areas.size() / 2), areas.end());
      j["area_mean"] = sum / double(areas.size());
      j["area_median"] = areas[areas.size() / 2];
    }
    return j;
  };
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& n : names) out[n] = {{"a", summary(ca, n)}, {"b", summary(cb, n)}};
  return out;
}

}  // namespace

Result<DiffResult> diff_datasets(const fs::path& a_dir, const fs::path& b_dir, const DiffThresholds& t, unsigned threads) {
  auto a = open_dataset(a_dir);
  if (!a) return a.error();
  auto b = open_dataset(b_dir);
  if (!b) return b.error();
  DiffResult r;
  r.frames_a = a->record_hashes.size();
  r.frames_b = b->record_hashes.size();

  // Versions and revisions: noted only.
  for (const char* key : {"version", "git_revision"}) {
    const json va = a->manifest.value(key, json()), vb = b->manifest.value(key, json());
    if (va != vb) r.notes.push_back(std::string(key) + ": " + shorten(va) + " vs " + shorten(vb));
  }
  // Configs key by key, and the inputs' hashes.
  std::map<std::string, json> ca, cb;
  flatten(a->manifest.value("config", json::object()), "", ca);
  flatten(b->manifest.value("config", json::object()), "", cb);
  std::set<std::string> keys;
  for (const auto& [k, v] : ca) keys.insert(k);
  for (const auto& [k, v] : cb) keys.insert(k);
  std::vector<std::string> config_changes;
  for (const auto& k : keys) {
    const auto ia = ca.find(k), ib = cb.find(k);
    if (ia == ca.end() || ib == cb.end() || ia->second != ib->second) {
      config_changes.push_back("config " + k + ": " + (ia == ca.end() ? std::string("(absent)") : shorten(ia->second)) + " vs " +
                               (ib == cb.end() ? std::string("(absent)") : shorten(ib->second)));
    }
  }
  for (const char* key : {"frame_range", "compression", "rgb"}) {  // (the seed is in the config)
    if (a->manifest.value(key, json()) != b->manifest.value(key, json())) {
      config_changes.push_back(std::string(key) + ": " + shorten(a->manifest.value(key, json())) + " vs " +
                               shorten(b->manifest.value(key, json())));
    }
  }
  auto inputs_of = [](const json& m) {
    std::map<std::string, json> out;
    for (const json& i : m.value("inputs", json::array())) {
      if (i.is_object()) out[i.value("file", std::string()) + (i.contains("as_loaded_xxh3") ? " (as loaded)" : "")] = i;
    }
    return out;
  };
  const auto in_a = inputs_of(a->manifest), in_b = inputs_of(b->manifest);
  for (const auto& [f, v] : in_a) {
    const auto it = in_b.find(f);
    if (it == in_b.end()) config_changes.push_back("input " + f + ": only in A");
    else if (it->second != v) config_changes.push_back("input " + f + ": its hash differs");
  }
  for (const auto& [f, v] : in_b) {
    if (!in_a.contains(f)) config_changes.push_back("input " + f + ": only in B");
  }
  r.notes.insert(r.notes.end(), config_changes.begin(), config_changes.end());
  if (t.strict_config && !config_changes.empty()) {
    r.failures.push_back(std::to_string(config_changes.size()) + " config or input difference(s) (--strict-config)");
  }

  // Categories (coco.json): renamed, added, removed.
  auto categories_of = [](const fs::path& dir) {
    std::map<std::uint64_t, std::string> out;
    auto c = read_json(dir / "coco.json");
    if (c && c->is_object()) {
      for (const json& cat : c->value("categories", json::array())) {
        if (cat.is_object()) out[cat.value("id", std::uint64_t{0})] = cat.value("name", std::string());
      }
    }
    return out;
  };
  const auto cat_a = categories_of(a->dir), cat_b = categories_of(b->dir);
  for (const auto& [id, name] : cat_a) {
    const auto it = cat_b.find(id);
    if (it == cat_b.end()) r.failures.push_back("category " + std::to_string(id) + " '" + name + "' only in A");
    else if (it->second != name) r.failures.push_back("category " + std::to_string(id) + " renamed: '" + name + "' -> '" + it->second + "'");
  }
  for (const auto& [id, name] : cat_b) {
    if (!cat_a.contains(id)) r.failures.push_back("category " + std::to_string(id) + " '" + name + "' only in B");
  }

  r.categories = category_table(a->dir, b->dir);

  // Frames: the hash shortcut, then the differing ones decoded in parallel.
  std::vector<std::string> differing;
  for (const auto& [stem, h] : a->record_hashes) {
    const auto it = b->record_hashes.find(stem);
    if (it == b->record_hashes.end()) r.only_in_a.push_back(stem);
    else if (it->second == h) ++r.identical;
    else differing.push_back(stem);
  }
  for (const auto& [stem, h] : b->record_hashes) {
    if (!a->record_hashes.contains(stem)) r.only_in_b.push_back(stem);
  }
  r.frames.resize(differing.size());
  std::vector<std::string> errors(differing.size());
  std::atomic<std::size_t> next{0};
  const unsigned n = std::max(1u, std::min<unsigned>(threads ? threads : std::max(1u, std::thread::hardware_concurrency()),
                                                     static_cast<unsigned>(std::max<std::size_t>(1, differing.size()))));
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < n; ++i) {
    pool.emplace_back([&] {
      for (std::size_t k = next++; k < differing.size(); k = next++) r.frames[k] = diff_frame(*a, *b, differing[k], errors[k]);
    });
  }
  for (auto& th : pool) th.join();
  for (const auto& e : errors) {
    if (!e.empty()) r.failures.push_back(e);
  }

  if (!r.only_in_a.empty()) r.failures.push_back(std::to_string(r.only_in_a.size()) + " frame(s) only in A, first " + r.only_in_a.front());
  if (!r.only_in_b.empty()) r.failures.push_back(std::to_string(r.only_in_b.size()) + " frame(s) only in B, first " + r.only_in_b.front());
  for (const FrameDiff& f : r.frames) {
    if (f.rgb_compared && f.rgb_mean > t.max_rgb_mean) {
      r.failures.push_back("frame " + f.stem + ": RGB mean difference " + fmt("%.4f", f.rgb_mean) + " > " + fmt("%g", t.max_rgb_mean) +
                           " (max " + fmt("%.0f", f.rgb_max) + ", PSNR " + fmt("%.2f", f.rgb_psnr) + " dB)");
    }
    if (f.depth_compared && f.depth_max_abs > t.max_depth) {
      r.failures.push_back("frame " + f.stem + ": depth differs by up to " + fmt("%.6g", f.depth_max_abs) + " m > " + fmt("%g", t.max_depth));
    }
    if (f.flow_compared && f.flow_epe_mean > t.max_flow_epe) {
      r.failures.push_back("frame " + f.stem + ": flow end-point error " + fmt("%.4g", f.flow_epe_mean) + " px mean > " +
                           fmt("%g", t.max_flow_epe) + " (max " + fmt("%.4g", f.flow_epe_max) + ")");
    }
    for (const InstanceDiff& i : f.instances) {
      const std::string who = "frame " + f.stem + ": instance " + std::to_string(i.instance_id) +
                              (i.matched_id ? " (B's " + std::to_string(i.matched_id) + ", paired by mask IoU)" : std::string());
      if (i.keypoint_shift > t.max_keypoint_shift) {
        r.failures.push_back(who + ": keypoints moved up to " + fmt("%.4g", i.keypoint_shift) + " px > " + fmt("%g", t.max_keypoint_shift));
      }
      if (i.area_a == 0 || i.area_b == 0) {
        if (!t.allow_appear) r.failures.push_back(who + (i.area_a == 0 ? " appears" : " disappears"));
      } else if (i.iou < t.min_iou || (i.matched_id != 0 && !t.allow_appear)) {
        r.failures.push_back(who + ": mask IoU " + fmt("%.4f", i.iou) + (i.iou < t.min_iou ? " < " + fmt("%g", t.min_iou) : std::string(", id changed")) + " (area " +
                             std::to_string(i.area_a) + " -> " + std::to_string(i.area_b) + ", box moved up to " +
                             fmt("%g", i.box_shift) + " px)");
      }
      if (i.category_a != i.category_b && i.category_a != 0 && i.category_b != 0) {
        r.failures.push_back(who + ": category " + std::to_string(i.category_a) + " -> " + std::to_string(i.category_b));
      }
    }
  }
  return r;
}

nlohmann::ordered_json DiffResult::to_json() const {
  nlohmann::ordered_json j;
  j["within_thresholds"] = failures.empty();
  j["frames"] = {{"a", frames_a}, {"b", frames_b}, {"identical", identical}, {"differing", frames.size()},
                 {"only_in_a", only_in_a}, {"only_in_b", only_in_b}};
  j["failures"] = failures;
  j["notes"] = notes;
  j["categories"] = categories;
  j["differing_frames"] = nlohmann::ordered_json::array();
  for (const FrameDiff& f : frames) {
    nlohmann::ordered_json e = {{"frame", f.stem}, {"files_differing", f.files_differing}};
    if (f.rgb_compared) {
      e["rgb"] = {{"mean_abs", f.rgb_mean}, {"max_abs", f.rgb_max}};
      e["rgb"]["psnr_db"] = std::isfinite(f.rgb_psnr) ? nlohmann::ordered_json(f.rgb_psnr) : nlohmann::ordered_json(nullptr);
    }
    if (f.depth_compared) e["depth"] = {{"max_abs_m", f.depth_max_abs}, {"max_rel", f.depth_max_rel}};
    if (f.flow_compared) e["flow"] = {{"epe_mean_px", f.flow_epe_mean}, {"epe_max_px", f.flow_epe_max}};
    e["instances"] = nlohmann::ordered_json::array();
    for (const InstanceDiff& i : f.instances) {
      e["instances"].push_back({{"instance_id", i.instance_id}, {"instance_id_b", i.matched_id ? i.matched_id : i.instance_id},
                                {"category", {i.category_a, i.category_b}},
                                {"area", {i.area_a, i.area_b}}, {"iou", i.iou}, {"box_shift_px", i.box_shift},
                                {"keypoint_shift_px", i.keypoint_shift}});
    }
    j["differing_frames"].push_back(std::move(e));
  }
  return j;
}

namespace {

// Red where the instance ids differ, else grey 4x the largest channel difference; at most 320 wide.
std::vector<std::uint8_t> difference_png(const fs::path& a, const fs::path& b, const json& ia, const json& ib) {
  auto ra = read_rgb_of(a, ia), rb = read_rgb_of(b, ib);
  auto na = read_frame_png(a, ia, "instance_file"), nb = read_frame_png(b, ib, "instance_file");
  if (!ra || !rb || !na || !nb || ra->values.size() != rb->values.size() || na->values.size() != nb->values.size() ||
      ra->width != na->width || ra->height != na->height || ra->channels < 3) {
    return {};
  }
  const std::uint32_t w = ra->width, h = ra->height, step = (w + 319) / 320, tw = (w + step - 1) / step, th = (h + step - 1) / step;
  std::vector<std::uint8_t> px(std::size_t{tw} * th * 4, 255);
  for (std::uint32_t y = 0; y < th; ++y) {
    for (std::uint32_t x = 0; x < tw; ++x) {
      const std::size_t p = std::size_t{y * step} * w + x * step, o = (std::size_t{y} * tw + x) * 4;
      if (na->values[p] != nb->values[p]) {
        px[o] = 255, px[o + 1] = 40, px[o + 2] = 40;
        continue;
      }
      int e = 0;
      for (std::size_t c = 0; c < 3; ++c) {
        e = std::max(e, std::abs(int(ra->values[p * ra->channels + c]) - int(rb->values[p * rb->channels + c])));
      }
      px[o] = px[o + 1] = px[o + 2] = static_cast<std::uint8_t>(std::min(255, 4 * e));
    }
  }
  auto png = encode_png_rgb_from_rgba(px, tw, th, PngOptions{6, true});
  return png ? std::move(png).value() : std::vector<std::uint8_t>();
}


}  // namespace

Status write_diff_report(const fs::path& a, const fs::path& b, const DiffResult& r, const fs::path& html, std::size_t frames) {
  std::ostringstream s;
  s << "<!doctype html><html><head><meta charset='utf-8'><title>synthlabel diff</title><style>"
       "body{font:14px sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}"
       "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}"
       ".ok{color:#070}.bad{color:#b00}figure{display:inline-block;margin:4px}figcaption{font-size:12px}"
       "</style></head><body><h1>synthlabel diff</h1>";
  s << "<p>A: <code>" << html_escape(a.string()) << "</code><br>B: <code>" << html_escape(b.string()) << "</code></p>";
  s << (r.failures.empty() ? "<p class='ok'><b>Within the thresholds.</b></p>"
                           : "<p class='bad'><b>" + std::to_string(r.failures.size()) + " difference(s) beyond the thresholds.</b></p>");
  s << "<table><tr><th>frames in A</th><th>in B</th><th>identical (hash)</th><th>differing</th><th>only in A</th><th>only in B</th></tr><tr><td>"
    << r.frames_a << "</td><td>" << r.frames_b << "</td><td>" << r.identical << "</td><td>" << r.frames.size() << "</td><td>"
    << r.only_in_a.size() << "</td><td>" << r.only_in_b.size() << "</td></tr></table>";
  // Lists: the first few open, the rest (up to 500) folded.
  auto list = [&](const char* title, const std::vector<std::string>& items) {
    if (items.empty()) return;
    s << "<h2>" << title << " (" << items.size() << ")</h2><ul>";
    for (std::size_t i = 0; i < items.size() && i < 8; ++i) s << "<li>" << html_escape(items[i]) << "</li>";
    s << "</ul>";
    if (items.size() <= 8) return;
    s << "<details><summary>" << items.size() - 8 << " more</summary><ul>";
    for (std::size_t i = 8; i < items.size() && i < 500; ++i) s << "<li>" << html_escape(items[i]) << "</li>";
    if (items.size() > 500) s << "<li>... " << items.size() - 500 << " more (see --json)</li>";
    s << "</ul></details>";
  };
  list("Beyond the thresholds", r.failures);
  list("Notes (versions, configs, inputs)", r.notes);

  s << "<h2>Per category</h2><table><tr><th>category</th><th>instances A</th><th>instances B</th>"
       "<th>area mean / median A</th><th>area mean / median B</th></tr>";
  auto cell = [](const nlohmann::ordered_json& side, bool areas) -> std::string {
    if (side.is_null()) return "-";
    if (!areas) return std::to_string(side.value("instances", std::size_t{0}));
    if (!side.contains("area_mean")) return "-";
    return fmt("%.0f", side["area_mean"].get<double>()) + " / " + fmt("%.0f", side["area_median"].get<double>());
  };
  for (auto it = r.categories.begin(); it != r.categories.end(); ++it) {
    const auto& ca = it.value()["a"];
    const auto& cb = it.value()["b"];
    s << "<tr><td>" << html_escape(it.key()) << "</td><td>" << cell(ca, false) << "</td><td>" << cell(cb, false) << "</td><td>"
      << cell(ca, true) << "</td><td>" << cell(cb, true) << "</td></tr>";
  }
  s << "</table>";

  std::vector<const FrameDiff*> worst;
  for (const FrameDiff& f : r.frames) worst.push_back(&f);
  std::stable_sort(worst.begin(), worst.end(), [](const FrameDiff* x, const FrameDiff* y) {
    if (x->worst_iou != y->worst_iou) return x->worst_iou < y->worst_iou;
    return x->rgb_mean > y->rgb_mean;
  });
  if (!worst.empty()) {
    s << "<h2>Frames that differ most</h2><p>A and B with masks and boxes; the difference: red where the instance ids "
         "differ, grey levels 4x the RGB difference elsewhere.</p>";
  }
  for (std::size_t k = 0; k < worst.size() && k < frames; ++k) {
    const FrameDiff& f = *worst[k];
    const json ra = read_record(a, f.stem), rb = read_record(b, f.stem);
    if (ra.is_null() || rb.is_null()) continue;
    const json ia = ra.value("image", json::object()), ib = rb.value("image", json::object());
    const auto pa = draw_frame_png(a, ia, ra.value("annotations", json::array()), 320);
    const auto pb = draw_frame_png(b, ib, rb.value("annotations", json::array()), 320);
    const auto pd = difference_png(a, b, ia, ib);
    std::string caption = "frame " + f.stem;
    if (f.rgb_compared) caption += ", RGB mean " + fmt("%.3f", f.rgb_mean) + " max " + fmt("%.0f", f.rgb_max);
    if (!f.instances.empty()) caption += ", " + std::to_string(f.instances.size()) + " instance(s) changed, worst IoU " + fmt("%.4f", f.worst_iou);
    s << "<div><h3>" << html_escape(caption) << "</h3>";
    const std::pair<const char*, const std::vector<std::uint8_t>*> images[] = {{"A", &pa}, {"B", &pb}, {"difference", &pd}};
    for (const auto& [name, png] : images) {
      if (!png->empty()) s << "<figure><img src='data:image/png;base64," << base64(*png) << "'><figcaption>" << name << "</figcaption></figure>";
    }
    s << "</div>";
  }
  s << "</body></html>\n";
  return write_file_atomic(html, s.str());
}

}  // namespace synthlabel
