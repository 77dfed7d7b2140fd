#include "exporters/CheckLidar.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <sstream>

#include "core/FileIo.h"
#include "exporters/FrameEncoder.h"
#include "exporters/LabelFormat.h"
#include "exporters/Png.h"
#include "scenes/Environment.h"

namespace synthlabel {
namespace {

using json = nlohmann::json;

std::span<const std::uint8_t> as_bytes(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

template <typename T>
T load_at(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// A value of PCD/PLY type (`kind`: 'F' float, 'U' unsigned, 'I' signed; `size` bytes) as a double.
std::optional<double> value_of(const std::uint8_t* p, char kind, std::size_t size) {
  if (kind == 'F' && size == 4) return load_at<float>(p);
  if (kind == 'F' && size == 8) return load_at<double>(p);
  if (kind == 'U' && size == 1) return load_at<std::uint8_t>(p);
  if (kind == 'U' && size == 2) return load_at<std::uint16_t>(p);
  if (kind == 'U' && size == 4) return load_at<std::uint32_t>(p);
  if (kind == 'I' && size == 1) return load_at<std::int8_t>(p);
  if (kind == 'I' && size == 2) return load_at<std::int16_t>(p);
  if (kind == 'I' && size == 4) return load_at<std::int32_t>(p);
  return std::nullopt;
}

struct Field {
  std::string name;
  char kind = 'F';
  std::size_t size = 4, offset = 0;
};

// Fills `cloud`'s member named like `f` from the record at `rec`.
void assign(CheckedCloud& c, const Field& f, std::size_t i, const std::uint8_t* rec) {
  const auto v = value_of(rec + f.offset, f.kind, f.size);
  if (!v) return;
  const std::pair<const char*, std::vector<float>*> floats[] = {{"x", &c.x}, {"y", &c.y}, {"z", &c.z}, {"intensity", &c.intensity},
                                                                {"range", &c.range}, {"noise", &c.noise}, {"time", &c.time}};
  const std::pair<const char*, std::vector<std::uint32_t>*> ints[] = {{"ring", &c.ring}, {"column", &c.column}, {"instance", &c.instance},
                                                                      {"semantic", &c.semantic}, {"surface", &c.surface}};
  for (const auto& [name, vec] : floats) {
    if (f.name == name) (*vec)[i] = static_cast<float>(*v);
  }
  for (const auto& [name, vec] : ints) {
    if (f.name == name) (*vec)[i] = static_cast<std::uint32_t>(*v);
  }
}

void size_cloud(CheckedCloud& c, std::size_t n) {
  c.n = n;
  for (auto* v : {&c.x, &c.y, &c.z, &c.intensity, &c.range, &c.noise, &c.time}) v->assign(n, 0.0f);
  for (auto* v : {&c.ring, &c.column, &c.instance, &c.semantic, &c.surface}) v->assign(n, 0u);
}

// Reads header lines up to and including the one starting with `last`; returns the data's offset.
std::optional<std::size_t> header_lines(std::span<const std::uint8_t> bytes, const std::string& last, std::vector<std::string>& lines) {
  std::size_t pos = 0;
  while (pos < bytes.size() && pos < (1u << 16)) {
    std::size_t end = pos;
    while (end < bytes.size() && bytes[end] != '\n') ++end;
    if (end >= bytes.size()) return std::nullopt;
    lines.emplace_back(reinterpret_cast<const char*>(bytes.data()) + pos, end - pos);
    pos = end + 1;
    if (lines.back().rfind(last, 0) == 0) return pos;
  }
  return std::nullopt;
}

Result<CheckedCloud> read_ply(std::span<const std::uint8_t> bytes, const std::string& name) {
  std::vector<std::string> lines;
  const auto data = header_lines(bytes, "end_header", lines);
  if (!data || lines.empty() || lines[0] != "ply") return make_error(ExitCode::usage, name + ": not a PLY file");
  std::vector<Field> fields;
  std::size_t n = 0, stride = 0;
  bool little = false;
  for (const std::string& l : lines) {
    std::istringstream in(l);
    std::string key, a, b;
    in >> key >> a >> b;
    if (key == "format") little = a == "binary_little_endian";
    if (key == "element") {
      if (a != "vertex") return make_error(ExitCode::usage, name + ": element " + a + " (a point cloud has only vertex)");
      n = std::stoull(b);
    }
    if (key == "property") {
      static const std::map<std::string, std::pair<char, std::size_t>> types = {
          {"float", {'F', 4}}, {"float32", {'F', 4}}, {"double", {'F', 8}}, {"uchar", {'U', 1}}, {"uint8", {'U', 1}},
          {"ushort", {'U', 2}}, {"uint16", {'U', 2}}, {"uint", {'U', 4}}, {"uint32", {'U', 4}}, {"char", {'I', 1}},
          {"short", {'I', 2}}, {"int", {'I', 4}}, {"int32", {'I', 4}}};
      const auto t = types.find(a);
      if (t == types.end()) return make_error(ExitCode::usage, name + ": property type " + a);
      fields.push_back({b, t->second.first, t->second.second, stride});
      stride += t->second.second;
    }
  }
  if (!little) return make_error(ExitCode::usage, name + ": not binary_little_endian");
  if (bytes.size() - *data != n * stride) return make_error(ExitCode::usage, name + ": " + std::to_string(bytes.size() - *data) + " bytes of data, not " + std::to_string(n) + " x " + std::to_string(stride));
  CheckedCloud c;
  size_cloud(c, n);
  for (std::size_t i = 0; i < n; ++i) {
    for (const Field& f : fields) assign(c, f, i, bytes.data() + *data + i * stride);
  }
  return c;
}

}  // namespace

Result<CheckedCloud> read_pcd(std::span<const std::uint8_t> bytes, const std::string& name) {
  std::vector<std::string> lines;
  const auto data = header_lines(bytes, "DATA", lines);
  if (!data) return make_error(ExitCode::usage, name + ": no PCD header ending in DATA");
  std::vector<std::string> names, sizes, types, counts;
  std::size_t n = 0;
  std::string mode;
  for (const std::string& l : lines) {
    std::istringstream in(l);
    std::string key, v;
    in >> key;
    std::vector<std::string>* list = key == "FIELDS" ? &names : key == "SIZE" ? &sizes : key == "TYPE" ? &types : key == "COUNT" ? &counts : nullptr;
    if (list != nullptr) {
      while (in >> v) list->push_back(v);
    }
    if (key == "POINTS") in >> n;
    if (key == "DATA") in >> mode;
  }
  if (mode != "binary") return make_error(ExitCode::usage, name + ": DATA " + mode + " (expected binary)");
  if (names.empty() || sizes.size() != names.size() || types.size() != names.size() || (!counts.empty() && counts.size() != names.size())) {
    return make_error(ExitCode::usage, name + ": FIELDS, SIZE, TYPE and COUNT disagree");
  }
  std::vector<Field> fields;
  std::size_t stride = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::size_t size = std::stoull(sizes[i]), count = counts.empty() ? 1 : std::stoull(counts[i]);
    fields.push_back({names[i], types[i].empty() ? '?' : types[i][0], size, stride});
    stride += size * count;
  }
  if (bytes.size() - *data != n * stride) return make_error(ExitCode::usage, name + ": " + std::to_string(bytes.size() - *data) + " bytes of data, not POINTS x record size");
  CheckedCloud c;
  size_cloud(c, n);
  for (std::size_t i = 0; i < n; ++i) {
    for (const Field& f : fields) assign(c, f, i, bytes.data() + *data + i * stride);
  }
  return c;
}

namespace {

// A KITTI velodyne scan: float32 x y z intensity a point (KITTI's devkit, semantic-kitti-api's
// laserscan.py open_scan).
Result<CheckedCloud> read_velodyne(std::span<const std::uint8_t> bytes, const std::string& name) {
  if (bytes.size() % 16 != 0) {
    return make_error(ExitCode::usage, name + ": " + std::to_string(bytes.size()) + " bytes, not a multiple of 16 (float32 x y z intensity)");
  }
  CheckedCloud c;
  size_cloud(c, bytes.size() / 16);
  for (std::size_t i = 0; i < c.n; ++i) {
    const auto* p = bytes.data() + 16 * i;
    c.x[i] = load_at<float>(p), c.y[i] = load_at<float>(p + 4), c.z[i] = load_at<float>(p + 8), c.intensity[i] = load_at<float>(p + 12);
  }
  c.surface.clear(), c.semantic.clear(), c.instance.clear();  // (not in these files)
  return c;
}

// SemanticKITTI's labels into `c`: one uint32 a point, the semantic id in the low 16 bits, the
// instance id in the high 16 (laserscan.py set_label).
Status read_labels(std::span<const std::uint8_t> bytes, const std::string& name, CheckedCloud& c) {
  if (bytes.size() != 4 * c.n) {
    return make_error(ExitCode::usage, name + ": " + std::to_string(bytes.size() / 4) + " labels for " + std::to_string(c.n) + " points");
  }
  c.semantic.resize(c.n), c.instance.resize(c.n);
  for (std::size_t i = 0; i < c.n; ++i) {
    const auto v = load_at<std::uint32_t>(bytes.data() + 4 * i);
    c.semantic[i] = v & 0xFFFFu, c.instance[i] = v >> 16;
  }
  return ok_status();
}

bool ends_with(const std::string& s, std::string_view end) { return s.size() >= end.size() && s.compare(s.size() - end.size(), end.size(), end) == 0; }

// The point files frame record `rec` names (PCD, PLY, KITTI's and SemanticKITTI's .bin, the latter
// with the .label beside it: labels/ for velodyne/, .label for .bin), each read by the readers above,
// named as read ("BIN + LABEL" for a pair). A file that does not read is a line in `problems`; a file
// missing altogether is the integrity check's to name.
std::vector<std::pair<std::string, CheckedCloud>> read_clouds(const std::filesystem::path& dir, const json& rec,
                                                              std::vector<std::string>& problems) {
  std::vector<std::pair<std::string, CheckedCloud>> clouds;
  for (const auto& [file, hash] : rec["files"].items()) {
    (void)hash;
    const bool semantic_kitti = file.rfind("semantic_kitti/", 0) == 0;
    const bool point_file = ends_with(file, ".pcd") || ends_with(file, ".ply") ||
                            (ends_with(file, ".bin") && (semantic_kitti || file.rfind("kitti/velodyne/", 0) == 0));
    if (!point_file) continue;
    auto bytes = read_text_file(path_inside(dir, file));
    if (!bytes) continue;
    auto c = ends_with(file, ".pcd") ? read_pcd(as_bytes(*bytes), file) : ends_with(file, ".ply") ? read_ply(as_bytes(*bytes), file)
                                                                                                  : read_velodyne(as_bytes(*bytes), file);
    if (!c) {
      problems.push_back(c.error().message);
      continue;
    }
    std::string name = file;
    if (const auto at = file.rfind("/velodyne/"); semantic_kitti && at != std::string::npos) {
      std::string label = file;
      label.replace(at, 10, "/labels/");
      label.replace(label.size() - 4, 4, ".label");
      auto lb = read_text_file(path_inside(dir, label));
      if (!lb) {
        problems.push_back(label + ": missing beside " + file);
      } else if (auto s = read_labels(as_bytes(*lb), label, *c); !s) {
        problems.push_back(s.error().message);
      } else {
        name += " + " + label;
      }
    }
    clouds.emplace_back(std::move(name), std::move(*c));
  }
  return clouds;
}

// The cloud the others are compared with: the first of `n` points that names each point's surface
// (PCD, PLY), else the first with labels; null when none.
const std::pair<std::string, CheckedCloud>* reference_cloud(const std::vector<std::pair<std::string, CheckedCloud>>& clouds, std::size_t n) {
  for (const auto& c : clouds) {
    if (c.second.n == n && !c.second.surface.empty()) return &c;
  }
  for (const auto& c : clouds) {
    if (c.second.n == n && !c.second.instance.empty()) return &c;
  }
  return nullptr;
}

class LidarChecker {
 public:
  LidarChecker(const std::filesystem::path& dir, std::vector<std::string>& defects, LidarCheckStats& stats)
      : m_dir(dir), m_defects(defects), m_stats(stats) {}

  void frame(std::uint64_t frame) {
    const std::string rec_name = record_path(frame);
    auto text = read_text_file(m_dir / rec_name);
    if (!text) return;  // reported by the integrity check
    const json rec = json::parse(*text, nullptr, false);
    if (rec.is_discarded() || !rec.contains("lidar") || !rec.contains("files")) return;
    const json& l = rec["lidar"];
    const std::size_t n = l.value("points", std::size_t{0});
    ++m_stats.sweeps;
    m_stats.points += n;
    std::vector<std::string> problems;
    auto clouds = read_clouds(m_dir, rec, problems);
    for (std::string& p : problems) defect(std::move(p));
    for (auto& [name, c] : clouds) {
      ++m_stats.files;
      if (c.n != n) defect(name + ": " + std::to_string(c.n) + " points, the record says " + std::to_string(n));
    }
    const auto* reference = reference_cloud(clouds, n);
    if (reference == nullptr) return;
    const std::string& ref_name = reference->first;
    const CheckedCloud* ref = &reference->second;
    for (auto& [name, c] : clouds) {
      if (c.n != n || name == ref_name) continue;
      std::size_t wrong = 0, first = 0;
      for (std::size_t i = 0; i < n; ++i) {
        bool same = std::memcmp(&c.x[i], &ref->x[i], 4) == 0 && std::memcmp(&c.y[i], &ref->y[i], 4) == 0 &&
                    std::memcmp(&c.z[i], &ref->z[i], 4) == 0 && std::memcmp(&c.intensity[i], &ref->intensity[i], 4) == 0;
        if (!c.instance.empty()) same = same && c.instance[i] == ref->instance[i] && c.semantic[i] == ref->semantic[i];
        if (!same && wrong++ == 0) first = i;
      }
      if (wrong > 0) defect(name + ": " + std::to_string(wrong) + " points differ from " + ref_name + " (first: point " + std::to_string(first) + ")");
    }
    check_range_image(rec, *ref, ref_name);
    check_boxes(rec, *ref, ref_name);
  }

 private:
  void defect(std::string s) { m_defects.push_back(std::move(s)); }

  void check_range_image(const json& rec, const CheckedCloud& c, const std::string& ref_name) {
    for (const auto& [file, hash] : rec["files"].items()) {
      (void)hash;
      if (file.rfind("range_image/", 0) != 0) continue;
      auto bytes = read_text_file(path_inside(m_dir, file));
      if (!bytes) continue;
      auto img = decode_exr(as_bytes(*bytes), file);
      if (!img) return defect(img.error().message);
      const json& l = rec["lidar"];
      if (img->width != l.value("columns", 0u) || img->height != l.value("rings", 0u)) return defect(file + ": not rings x columns");
      if (c.ring.empty()) return;
      std::vector<char> hit(std::size_t{img->width} * img->height, 0);
      std::size_t wrong = 0;
      for (std::size_t i = 0; i < c.n; ++i) {
        if (c.ring[i] >= img->height || c.column[i] >= img->width) {
          ++wrong;
          continue;
        }
        const std::size_t p = std::size_t{c.ring[i]} * img->width + c.column[i];
        hit[p] = 1;
        const float* v = &img->rgba[4 * p];
        if (v[0] != c.range[i] || v[1] != c.intensity[i] || v[2] != static_cast<float>(c.semantic[i]) || v[3] != static_cast<float>(c.instance[i])) ++wrong;
      }
      std::size_t stray = 0, dropped = 0, near = 0;
      for (std::size_t p = 0; p < hit.size(); ++p) {
        if (hit[p]) continue;
        const float r = img->rgba[4 * p];
        dropped += r == -1.0f, near += r == -2.0f;
        stray += r != 0.0f && r != -1.0f && r != -2.0f;
      }
      if (wrong) defect(file + ": " + std::to_string(wrong) + " beams differ from " + ref_name + "'s points");
      if (stray) defect(file + ": " + std::to_string(stray) + " beams have a range but no point");
      if (dropped != l.value("dropped", std::size_t{0}) || near != l.value("out_of_range", std::size_t{0})) {
        defect(file + ": " + std::to_string(dropped) + " beams marked dropped and " + std::to_string(near) +
               " too near; the record counts " + l.value("dropped", json()).dump() + " and " + l.value("out_of_range", json()).dump());
      }
    }
  }

  void check_boxes(const json& rec, const CheckedCloud& c, const std::string& ref_name) {
    const json& l = rec["lidar"];
    if (!l.contains("boxes") || c.instance.empty()) return;
    std::map<std::uint64_t, bool> moving;  // instance id -> it moves in its clip
    if (rec.contains("params") && rec["params"].contains("instances")) {
      for (const json& i : rec["params"]["instances"]) {
        bool m = i.contains("path") || i.value("motion", std::string()) == "physics";
        for (const char* k : {"velocity", "angular_velocity_deg"}) {
          if (i.contains(k)) {
            for (const json& v : i[k]) m = m || v.get<double>() != 0.0;
          }
        }
        moving[i.value("instance_id", std::uint64_t{0})] = m;
      }
    }
    const bool sensor_moves = l.contains("velocity") && (l["velocity"][0] != 0.0 || l["velocity"][1] != 0.0 || l["velocity"][2] != 0.0);
    const bool compensated = l.value("ego_motion", std::string("compensated")) == "compensated";
    for (const json& b : l["boxes"]) {
      ++m_stats.boxes;
      const std::uint64_t id = b.value("instance_id", std::uint64_t{0});
      double centre[3], size[3], r[3][3];
      for (std::size_t a = 0; a < 3; ++a) {
        centre[a] = b["centre"][a].get<double>(), size[a] = b["size"][a].get<double>();
        for (std::size_t k = 0; k < 3; ++k) r[a][k] = b["rotation"][a][k].get<double>();
      }
      std::uint64_t inside = 0, own = 0, own_inside = 0, own_strict = 0;
      for (std::size_t i = 0; i < c.n; ++i) {
        const double d[3] = {double(c.x[i]) - centre[0], double(c.y[i]) - centre[1], double(c.z[i]) - centre[2]};
        // A point's range noise moves it along its beam by |noise|: its own points lie within that
        // of the box (the exact hit is on the surface, inside the box).
        const double noise = c.noise.empty() ? 0.0 : std::abs(double(c.noise[i]));
        bool in = true, near = true;
        for (int a = 0; a < 3; ++a) {  // the box axis a is column a of the rotation: local = R^T d
          const double local = std::abs(r[0][a] * d[0] + r[1][a] * d[1] + r[2][a] * d[2]);
          in = in && local <= 0.5 * size[a] + 1e-4;
          near = near && local <= 0.5 * size[a] + 1e-4 + noise;
        }
        inside += in;
        if (c.instance[i] == id) ++own, own_inside += near, own_strict += in;
      }
      const std::string where = record_path(rec["image"].value("frame", std::uint64_t{0})) + ": lidar box of instance " + std::to_string(id);
      if (inside != b.value("points_inside", std::uint64_t{0}) || own != b.value("instance_points", std::uint64_t{0})) {
        defect(where + ": counts " + std::to_string(b.value("points_inside", std::uint64_t{0})) + " inside, " +
               std::to_string(b.value("instance_points", std::uint64_t{0})) + " of its instance; " + ref_name + " has " +
               std::to_string(inside) + ", " + std::to_string(own));
      }
      m_stats.others_inside += inside - own_strict;
      const bool still = !moving[id] && (compensated || !sensor_moves);
      if (still) {
        m_stats.box_instance_points += own;
        if (own_inside != own) defect(where + ": " + std::to_string(own - own_inside) + " of its " + std::to_string(own) + " points lie outside it");
      } else {
        m_stats.moving_outside += own - own_inside;
      }
    }
  }

  std::filesystem::path m_dir;
  std::vector<std::string>& m_defects;
  LidarCheckStats& m_stats;
};

}  // namespace

std::vector<std::uint8_t> lidar_bev_png(const std::filesystem::path& dir, std::uint64_t frame, std::uint32_t size, double& extent_m) {
  auto text = read_text_file(dir / record_path(frame));
  if (!text) return {};
  const json rec = json::parse(*text, nullptr, false);
  if (rec.is_discarded() || !rec.contains("lidar") || !rec.contains("files")) return {};
  std::vector<std::string> problems;  // (the check reports them)
  const auto clouds = read_clouds(dir, rec, problems);
  const auto* reference = reference_cloud(clouds, rec["lidar"].value("points", std::size_t{0}));
  const CheckedCloud* cloud = reference != nullptr ? &reference->second : nullptr;
  if (cloud == nullptr) return {};
  // Half-width: the 98th percentile of the points' distance in the plane, rounded up to 5 m.
  std::vector<float> reach(cloud->n);
  for (std::size_t i = 0; i < cloud->n; ++i) reach[i] = std::max(std::abs(cloud->x[i]), std::abs(cloud->y[i]));
  double extent = 5.0;
  if (!reach.empty()) {
    auto nth = reach.begin() + static_cast<std::ptrdiff_t>(0.98 * double(reach.size() - 1));
    std::nth_element(reach.begin(), nth, reach.end());
    extent = std::max(1.0, std::ceil(double(*nth) / 5.0) * 5.0);
  }
  extent_m = extent;
  const double scale = size / (2.0 * extent);
  std::vector<std::uint8_t> rgba(std::size_t{size} * size * 4, 0);
  for (std::size_t p = 0; p < rgba.size(); p += 4) rgba[p] = rgba[p + 1] = rgba[p + 2] = 24, rgba[p + 3] = 255;
  auto put = [&](double px, double py, std::array<std::uint8_t, 3> c) {
    if (!(px >= 0 && py >= 0 && px < size && py < size)) return;
    const std::size_t at = (std::size_t(py) * size + std::size_t(px)) * 4;
    rgba[at] = c[0], rgba[at + 1] = c[1], rgba[at + 2] = c[2];
  };
  // LiDAR (x, y) -> image: x forward is up, y left is left.
  auto to_px = [&](double x, double y) { return std::pair<double, double>{size / 2.0 - y * scale, size / 2.0 - x * scale}; };
  for (double g = -std::floor(extent / 10) * 10; g <= extent; g += 10) {  // 10 m grid
    const double at = size / 2.0 - g * scale;  // the column of y = g and the row of x = g
    for (std::uint32_t k = 0; k < size; ++k) put(at, k, {60, 60, 60}), put(k, at, {60, 60, 60});
  }
  for (std::size_t i = 0; i < cloud->n; ++i) {
    const auto [px, py] = to_px(cloud->x[i], cloud->y[i]);
    put(px, py, cloud->semantic[i] == 0 ? std::array<std::uint8_t, 3>{150, 150, 150} : voc_colour(cloud->semantic[i]));
  }
  for (const json& b : rec["lidar"].value("boxes", json::array())) {
    const auto id = b.value("instance_id", std::uint32_t{0});
    const std::array<std::uint8_t, 3> colour = {static_cast<std::uint8_t>(255), static_cast<std::uint8_t>(80 + (id * 53) % 176),
                                                static_cast<std::uint8_t>((id * 97) % 256)};
    double corner[8][3];
    for (int k = 0; k < 8; ++k) {
      for (std::size_t a = 0; a < 3; ++a) {
        double v = b["centre"][a].get<double>();
        for (std::size_t ax = 0; ax < 3; ++ax) {
          const double half = 0.5 * b["size"][ax].get<double>() * ((k >> ax) & 1 ? 1.0 : -1.0);
          v += b["rotation"][a][ax].get<double>() * half;
        }
        corner[k][a] = v;
      }
    }
    for (int k = 0; k < 8; ++k) {  // the 12 edges: corners differing in one axis bit
      for (int ax = 0; ax < 3; ++ax) {
        const int j = k ^ (1 << ax);
        if (j < k) continue;
        const auto [x0, y0] = to_px(corner[k][0], corner[k][1]);
        const auto [x1, y1] = to_px(corner[j][0], corner[j][1]);
        const int steps = 1 + static_cast<int>(std::max(std::abs(x1 - x0), std::abs(y1 - y0)));
        for (int t = 0; t <= steps; ++t) put(x0 + (x1 - x0) * t / steps, y0 + (y1 - y0) * t / steps, colour);
      }
    }
  }
  for (int dx = -2; dx <= 2; ++dx) {  // the sensor
    for (int dy = -2; dy <= 2; ++dy) put(size / 2.0 + dx, size / 2.0 + dy, {255, 255, 255});
  }
  auto png = encode_png_rgb_from_rgba(rgba, size, size, PngOptions{6, false});
  return png ? std::move(png).value() : std::vector<std::uint8_t>{};
}

void check_lidar(const std::filesystem::path& dir, const json& images, std::vector<std::string>& defects, LidarCheckStats& stats) {
  if (!images.is_array()) return;
  LidarChecker checker(dir, defects, stats);
  for (const json& im : images) {
    if (im.is_object() && im.contains("frame") && im["frame"].is_number_unsigned()) checker.frame(im["frame"].get<std::uint64_t>());
  }
}

}  // namespace synthlabel
