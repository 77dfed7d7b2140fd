// Small helpers the format plugins share (exporters/formats/*.cpp): text, numbers, category lookup.
#pragma once

#include <cstdint>
#include <cstdio>
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

// Label images: zlib level 1, no filtering heuristics beyond the default (as the dataset's own).
inline constexpr PngOptions k_label_png{1, false};

// The YOLO formats' dataset files (yolo.cpp): FOLDER/SPLIT.txt per split and FOLDER/data.yaml.
Status finish_yolo_folder(const std::string& folder, const FinishContext& ctx);

}  // namespace synthlabel::formats
