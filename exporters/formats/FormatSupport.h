// Small helpers the format plugins share (exporters/formats/*.cpp): text, numbers, category lookup.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "exporters/LabelFormat.h"
#include "exporters/Png.h"

namespace synthlabel::formats {

using json = nlohmann::ordered_json;

inline std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

// "%.6f": the fixed six decimals the text formats (YOLO, KITTI) print.
inline std::string fixed6(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

inline std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

// The category of instance `id` in the frame (0 when unknown).
inline std::uint32_t category_of(const FrameLabels& f, std::uint32_t id) {
  return id < f.category_of.size() ? f.category_of[id] : 0u;
}

// The video formats' name of clip `clip` (mot, vis): "clip" + 6 digits.
inline std::string clip_folder(std::uint64_t clip) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "clip%06llu", static_cast<unsigned long long>(clip));
  return buf;
}

// A frame record's place in its clip, from its COCO image entry (video_id = clip + 1, frame_index),
// as FrameEncoder writes it with a sequence: what the video formats group their frames by.
struct RecordClip {
  std::uint64_t clip = 0, index = 0;
};
inline RecordClip clip_of(const json& record) {
  const json& image = record.at("image");
  return {image.at("video_id").get<std::uint64_t>() - 1, image.at("frame_index").get<std::uint64_t>()};
}

// FormatInfo::refuse of the video formats: "" with clips, else "WHAT needs clips: add sequence: ...".
inline std::string needs_clips(const SceneSpec& spec, const std::string& what) {
  return spec.sequence ? std::string() : what + " needs clips: add sequence: {length, fps}";
}

// FormatInfo::refuse of the flow formats: "" with outputs: [flow], else what to add.
inline std::string needs_flow(const SceneSpec& spec, const std::string& what) {
  return spec.outputs.flow ? std::string() : what + " writes the optical flow: list flow in outputs too, e.g. outputs: [flow, " + what + "]";
}
// A flow format's frame holds both flow directions (needs_flow made sure the run computes them).
inline Status frame_has_flow(const FrameLabels& f, const std::string& what) {
  const std::size_t values = std::size_t{f.width} * f.height * 4;
  if (f.flow_forward.size() == values && f.flow_backward.size() == values) return ok_status();
  return make_error(ExitCode::internal, what + ": a frame without flow");
}

// Appends `v`'s bytes (little-endian on every platform we build for) to `out`: binary point clouds.
template <typename T>
void put_raw(std::vector<std::uint8_t>& out, T v) {
  const auto at = out.size();
  out.resize(at + sizeof v);
  std::memcpy(out.data() + at, &v, sizeof v);
}

// FormatInfo::refuse of the LiDAR formats: "" with a lidar: section, else what to add.
inline std::string needs_lidar(const SceneSpec& spec, const std::string& what) {
  return spec.lidar ? std::string() : what + " writes LiDAR sweeps: add a lidar: section (docs/lidar.md)";
}

// One labeled instance as a KITTI object (kitti.cpp): type (its category's name, spaces as '_'),
// truncation (0..1, of the projected 3D box), occluded (0 >= 0.99 visible, 1 >= 0.5, 2 > 0, 3 unknown
// without amodal renders), and the rest of the line: alpha, the box left top right bottom (continuous
// pixel edges), h w l, x y z (bottom centre, camera frame), rotation_y. None without 3D geometry.
struct KittiObject {
  std::string type;
  double truncation = 0;
  int occluded = 3;
  std::string rest;
};
std::optional<KittiObject> kitti_object(const FrameLabels& f, const InstanceLabel& l);
// KITTI's calib file for pinhole K: P0..P3 = K [I | 0], identity R0_rect, Tr_velo_to_cam (the
// LiDAR -> camera transform when given, else identity), identity Tr_imu_to_velo.
std::string kitti_calib(double fx, double fy, double cx, double cy, const glm::dmat4* velo_to_cam = nullptr);

// The YOLO formats' dataset files (yolo.cpp): FOLDER/SPLIT.txt per split and FOLDER/data.yaml.
Status finish_yolo_folder(const std::string& folder, const FinishContext& ctx);

}  // namespace synthlabel::formats
