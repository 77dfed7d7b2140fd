#include "exporters/CheckFlow.h"

#include <cmath>
#include <map>
#include <memory>
#include <optional>

#include <glm/gtc/quaternion.hpp>
#include <glm/mat4x4.hpp>

#include "core/FileIo.h"
#include "exporters/FrameEncoder.h"
#include "exporters/Png.h"
#include "scenes/CameraModel.h"
#include "scenes/Environment.h"

namespace synthlabel {
namespace {

using json = nlohmann::json;

// The renderer's validity tolerance (renderer/vulkan/ShaderInterface.h, docs/conventions.md), restated
// here: the checker reads the convention, not the renderer's code.
constexpr double k_tolerance_m = 0.01, k_tolerance_rel = 0.02;
constexpr double k_max_error_px = 1e-3;


// The camera an image record states: size and K, and with `camera.distortion` the lens with its
// source view (docs/camera.md), so lens frames are unprojected and projected as the record says.
std::optional<Camera> recorded_camera(const json& image) {
  try {
    Camera c;
    c.width = image.at("width").get<std::uint32_t>();
    c.height = image.at("height").get<std::uint32_t>();
    const json& k = image.at("camera").at("K");
    c.fx = k[0][0], c.fy = k[1][1], c.cx = k[0][2], c.cy = k[1][2];
    if (!image["camera"].contains("distortion")) return c;
    const json& d = image["camera"]["distortion"];
    const std::string model = d.at("model").get<std::string>();
    c.lens.model = model == "brown_conrady" ? LensModel::brown_conrady : model == "fisheye" ? LensModel::fisheye
                   : model == "radial_table" ? LensModel::radial_table : LensModel::pinhole;
    if (c.lens.model == LensModel::pinhole) return std::nullopt;
    const json& coeffs = d.at("coefficients");
    for (std::size_t i = 0; i < coeffs.size() && i < c.lens.k.size(); ++i) c.lens.k[i] = coeffs[i].get<double>();
    if (d.contains("table")) {
      for (const auto& row : d["table"]) c.lens.table.emplace_back(row[0].get<double>() * 3.14159265358979323846 / 180.0, row[1].get<double>());
    }
    c.lens.max_theta = d.at("max_field_deg").get<double>() * 0.5 * 3.14159265358979323846 / 180.0;
    const json& s = d.at("source");
    c.lens.source_width = s.at("width"), c.lens.source_height = s.at("height");
    c.lens.source_fx = s.at("fx"), c.lens.source_fy = s.at("fy"), c.lens.source_cx = s.at("cx"), c.lens.source_cy = s.at("cy");
    return c;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

// A row-major 4x4 JSON matrix.
std::optional<glm::dmat4> matrix(const json& rows) {
  if (!rows.is_array() || rows.size() != 4) return std::nullopt;
  glm::dmat4 m(1.0);
  for (std::size_t r = 0; r < 4; ++r) {
    if (!rows[r].is_array() || rows[r].size() != 4) return std::nullopt;
    for (std::size_t c = 0; c < 4; ++c) {
      if (!rows[r][c].is_number()) return std::nullopt;
      m[static_cast<int>(c)][static_cast<int>(r)] = rows[r][c].get<double>();
    }
  }
  return m;
}

// object -> world from a recorded pose: translate(position) * rotate(w, x, y, z) * scale.
std::optional<glm::dmat4> pose(const json& inst) {
  const auto num3 = [](const json& v, glm::dvec3& out) {
    if (!v.is_array() || v.size() != 3) return false;
    for (std::size_t i = 0; i < 3; ++i) {
      if (!v[i].is_number()) return false;
      out[static_cast<int>(i)] = v[i].get<double>();
    }
    return true;
  };
  glm::dvec3 p, s;
  const json& q = inst.value("rotation_wxyz", json());
  if (!num3(inst.value("position", json()), p) || !num3(inst.value("scale", json()), s) || !q.is_array() || q.size() != 4) {
    return std::nullopt;
  }
  for (const json& v : q) {
    if (!v.is_number()) return std::nullopt;
  }
  const glm::dquat r(q[0].get<double>(), q[1].get<double>(), q[2].get<double>(), q[3].get<double>());
  glm::dmat4 m = glm::mat4_cast(r);
  for (int c = 0; c < 3; ++c) m[c] *= s[c];
  m[3] = glm::dvec4(p, 1.0);
  return m;
}

// What the checks read of one frame: ids (instance PNG), depth (EXR; 0 where no surface), record.
struct FrameData {
  std::uint32_t w = 0, h = 0;
  std::vector<std::uint32_t> ids;
  std::vector<float> depth;
  json record;
};

class FlowChecker {
 public:
  FlowChecker(const std::filesystem::path& dir, std::vector<std::string>& defects, FlowCheckStats& stats)
      : m_dir(dir), m_defects(defects), m_stats(stats) {}

  void run(const json& images) {
    for (const json& im : images) {
      if (im.is_object() && im.contains("frame") && im["frame"].is_number_unsigned()) m_images[im["frame"].get<std::uint64_t>()] = &im;
    }
    for (const auto& [frame, im] : m_images) {
      if (!im->contains("flow_forward_file")) continue;
      const FrameData* f = load(frame);
      if (f == nullptr) continue;
      check_side(frame, *f, "next", (*im)["flow_forward_file"]);
      check_side(frame, *f, "previous", (*im)["flow_backward_file"]);
    }
  }

 private:
  void defect(std::string s) { m_defects.push_back(std::move(s)); }

  // Frame `frame`'s buffers and record (cached: each is read by its neighbours too); nullptr (and a
  // defect) when they cannot be read.
  const FrameData* load(std::uint64_t frame) {
    if (auto it = m_frames.find(frame); it != m_frames.end()) return it->second.get();
    // Keep memory flat: frames are visited in order, and a frame is read by itself and its neighbours.
    for (auto it = m_frames.begin(); it != m_frames.end();) it = it->first + 2 < frame ? m_frames.erase(it) : std::next(it);
    std::unique_ptr<FrameData>& slot = m_frames[frame];
    const json& im = *m_images.at(frame);
    auto f = std::make_unique<FrameData>();
    const std::string rec_name = record_path(frame);
    auto text = read_text_file(m_dir / rec_name);
    if (!text) return defect(rec_name + ": missing (the flow's poses are there)"), nullptr;
    f->record = json::parse(*text, nullptr, false);
    auto inst = read_png(path_inside(m_dir, im.value("instance_file", std::string())));
    auto dtext = read_text_file(path_inside(m_dir, im.value("depth_file", std::string())));
    if (!inst || !dtext || f->record.is_discarded()) return nullptr;  // reported by the other checks
    auto d = decode_exr({reinterpret_cast<const std::uint8_t*>(dtext->data()), dtext->size()}, im.value("depth_file", std::string()));
    if (!d || d->width != inst->width || d->height != inst->height || inst->channels != 1) return nullptr;
    f->w = inst->width;
    f->h = inst->height;
    f->ids.assign(inst->values.begin(), inst->values.end());
    f->depth.resize(f->ids.size());
    for (std::size_t p = 0; p < f->depth.size(); ++p) f->depth[p] = d->rgba[4 * p];
    slot = std::move(f);
    return slot.get();
  }

  void check_side(std::uint64_t frame, const FrameData& f, const char* side, const json& file) {
    const std::string name = file.is_string() ? file.get<std::string>() : std::string();
    auto bytes = read_text_file(path_inside(m_dir, name));
    if (!bytes) return defect(name + ": missing");
    auto flow = decode_exr({reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()}, name);
    if (!flow) return defect(flow.error().message);
    if (flow->width != f.w || flow->height != f.h) return defect(name + ": not the image's size");
    ++m_stats.files;
    const std::size_t pixels = std::size_t{f.w} * f.h;
    const json& rec = f.record;
    const json* other = rec.contains("flow") && rec["flow"].is_object() && rec["flow"].contains(side) ? &rec["flow"][side] : nullptr;
    if (other == nullptr) return defect(record_path(frame) + ": no flow." + side + " entry");
    if (other->is_null()) {  // the clip's end: no flow anywhere
      std::size_t wrong = 0;
      for (std::size_t p = 0; p < pixels; ++p) wrong += flow->rgba[4 * p + 2] != -1.0f;
      if (wrong) defect(name + ": " + std::to_string(wrong) + " pixels have flow, but the frame has no " + side + " frame in its clip");
      return;
    }
    const auto K = rec["image"]["camera"]["K"];
    const double fx = K[0][0], fy = K[1][1], cx = K[0][2], cy = K[1][2];
    // A lens frame: points on the ray of each pixel's label sample, projected through the lens (a
    // clip's frames share K and the lens: their draws are keyed by the clip).
    const std::optional<Camera> camera = recorded_camera(rec["image"]);
    if (!camera) return defect(record_path(frame) + ": image.camera (K, distortion) is not a camera synthlabel writes");
    const bool lens = camera->lens.model != LensModel::pinhole;
    const auto W = matrix(rec["image"]["camera"]["world_to_camera"]), W2 = matrix(other->value("world_to_camera", json()));
    const json& insts = rec["params"]["instances"];
    const json& others = other->value("instances", json());
    if (!W || !W2 || !others.is_array() || others.size() != insts.size()) {
      return defect(record_path(frame) + ": flow." + side + " does not hold a pose per instance");
    }
    // this camera -> the other camera, per instance id.
    std::map<std::uint32_t, glm::dmat4> moves;
    for (std::size_t k = 0; k < insts.size(); ++k) {
      const auto id = insts[k].value("instance_id", 0u);
      const auto m = pose(insts[k]), m2 = pose(others[k]);
      if (!m || !m2 || others[k].value("instance_id", 0u) != id) {
        return defect(record_path(frame) + ": flow." + side + ".instances[" + std::to_string(k) + "] is not instance " + std::to_string(id));
      }
      if (id != 0) moves[id] = *W2 * *m2 * glm::inverse(*m) * glm::inverse(*W);
    }
    // The other frame, when the dataset has it: its own poses must be these, and its buffers decide
    // the status.
    const std::uint64_t other_frame = other->value("frame", std::uint64_t{0});
    const FrameData* there = m_images.count(other_frame) ? load(other_frame) : nullptr;
    if (there != nullptr) {
      const json& own = there->record["params"]["instances"];
      bool same = own.size() == others.size();
      for (std::size_t k = 0; same && k < own.size(); ++k) {
        for (const char* key : {"instance_id", "position", "rotation_wxyz", "scale"}) same = same && own[k][key] == others[k][key];
      }
      same = same && there->record["image"]["camera"]["world_to_camera"] == (*other)["world_to_camera"];
      if (!same) defect(record_path(frame) + ": flow." + side + " differs from frame " + std::to_string(other_frame) + "'s own poses");
      if (there->w != f.w || there->h != f.h) there = nullptr;
    }
    std::size_t off = 0, missing = 0, spurious = 0, wrong_status = 0;
    std::size_t first_off = 0, first_status = 0;
    for (std::size_t p = 0; p < pixels; ++p) {
      const float du = flow->rgba[4 * p], dv = flow->rgba[4 * p + 1], status = flow->rgba[4 * p + 2];
      const std::uint32_t id = f.ids[p];
      const double z = f.depth[p];
      if (z == 0.0) {  // no surface (the decoder reads +inf as 0)
        spurious += status != -1.0f;
        continue;
      }
      if (id == 0) continue;  // an unlabeled or stuff surface: its pose is not identified by the PNG
      const auto mv = moves.find(id);
      if (mv == moves.end()) continue;  // reported by the pixel checks (an id without an instance)
      const double x = double(p % f.w) + 0.5, y = double(p / f.w) + 0.5;
      glm::dvec3 ray((x - cx) / fx, (y - cy) / fy, 1.0);
      if (lens && !label_ray(*camera, static_cast<std::uint32_t>(p % f.w), static_cast<std::uint32_t>(p / f.w), ray)) continue;
      const glm::dvec4 o = mv->second * glm::dvec4(ray * z, 1.0);
      if (!(o.z > 0.0)) {
        spurious += status != -1.0f;
        continue;
      }
      const glm::dvec2 projected = lens ? project(*camera, glm::dvec3(o)) : glm::dvec2(fx * o.x / o.z + cx, fy * o.y / o.z + cy);
      const double qx = projected.x, qy = projected.y;
      if (lens && !(std::isfinite(qx) && std::isfinite(qy))) {  // beyond the lens's field there: not seen
        if (status != 0.0f && wrong_status++ == 0) first_status = p;
        continue;
      }
      if (status == -1.0f) {
        ++missing;
        continue;
      }
      const double err = std::max(std::abs(double(du) - (qx - x)), std::abs(double(dv) - (qy - y)));
      ++m_stats.pixels;
      m_stats.worst_px = std::max(m_stats.worst_px, err);
      if (err > k_max_error_px && off++ == 0) first_off = p;
      if (there == nullptr) continue;
      const bool inside = qx >= 0 && qy >= 0 && qx < f.w && qy < f.h;
      bool visible = false, undecidable = false;
      if (inside) {
        const double ex = qx - std::floor(qx), ey = qy - std::floor(qy);
        undecidable = std::min({ex, 1 - ex, ey, 1 - ey}) < 1e-3;
        const std::size_t dest = static_cast<std::size_t>(qy) * f.w + static_cast<std::size_t>(qx);
        if (there->ids[dest] == id) {
          const double gap = std::abs(double(there->depth[dest]) - o.z), tol = k_tolerance_m + k_tolerance_rel * o.z;
          visible = gap <= tol;
          undecidable = undecidable || std::abs(gap - tol) < 1e-4 * (1 + o.z);
        }
      }
      if (undecidable) {
        ++m_stats.undecidable;
        continue;
      }
      ++m_stats.visibility;
      if ((status == 1.0f) != visible && wrong_status++ == 0) first_status = p;
    }
    const auto at = [&](std::size_t p) { return " (first at x " + std::to_string(p % f.w) + ", y " + std::to_string(p / f.w) + ")"; };
    if (off) defect(name + ": " + std::to_string(off) + " pixels' flow differs from the reprojection of depth by the recorded poses by more than 0.001 px" + at(first_off));
    if (missing) defect(name + ": " + std::to_string(missing) + " pixels of labeled surfaces have no flow (status -1) though the point is in front of the " + side + " frame's camera");
    if (spurious) defect(name + ": " + std::to_string(spurious) + " pixels have flow where no surface is (or behind the " + side + " frame's camera)");
    if (wrong_status) {
      defect(name + ": " + std::to_string(wrong_status) + " pixels' status disagrees with frame " + std::to_string(other_frame) +
             "'s instance PNG and depth at the destination" + at(first_status));
    }
  }

  std::filesystem::path m_dir;
  std::vector<std::string>& m_defects;
  FlowCheckStats& m_stats;
  std::map<std::uint64_t, const json*> m_images;
  std::map<std::uint64_t, std::unique_ptr<FrameData>> m_frames;  // nullptr: unreadable
};

}  // namespace

void check_flow(const std::filesystem::path& dir, const json& images, std::vector<std::string>& defects, FlowCheckStats& stats) {
  if (!images.is_array()) return;
  FlowChecker(dir, defects, stats).run(images);
}

}  // namespace synthlabel
