// Label formats as plugins. A format is one file, exporters/formats/NAME.cpp: a class deriving from
// LabelFormat and a registration function register_NAME(FormatRegistry&); listing NAME in
// exporters/CMakeLists.txt generates the call (as randomizers are registered). A config selects
// formats by name in `outputs:`; COCO instances (coco.json, written by DatasetWriter from the frame
// records) are always on.
//
// What a format sees: per frame, FrameLabels only — the frame's named buffers (instance ids, the
// semantic categories, depth), its labels (per-instance pixel counts, boxes, RLE, amodal labels,
// polygon loops) and the scene record (camera, instances' geometry) — never the renderer or the
// writer. It returns files (path relative to the dataset, bytes) and puts what its dataset-level
// files need into the frame record; at the end, finish() reads the records back one at a time.
// Formats are encoded in registry order, on the encoder threads: encode() must be thread-safe
// (const, no shared state).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/Error.h"
#include "exporters/Labels.h"
#include "exporters/LidarLabels.h"
#include "exporters/Polygons.h"
#include "scenes/Scene.h"
#include "scenes/SceneSpec.h"

namespace synthlabel {

struct FrameLabels {
  std::string stem;                              // frame_stem(frame): "000012"
  std::uint32_t width = 0, height = 0;
  std::span<const std::uint32_t> ids;            // row-major instance ids (things; stuff and void 0)
  std::span<const std::uint32_t> category_of;    // instance id -> category id (index 0: 0)
  std::span<const InstanceLabel> labels;         // visible instances, increasing id
  std::span<const std::uint8_t> rgb_png;         // the RGB as PNG, for formats that carry a copy
  std::span<const std::string> category_names;   // by category id - 1
  std::span<const Instance> instances;           // the frame's instances (geometry, for KITTI)
  std::span<const InstanceLabel> amodal;         // with amodal renders: unoccluded labels (visibility)
  const Camera* camera = nullptr;
  std::span<const float> depth;                  // metres along the viewing axis, +inf: none
  std::uint64_t frame = 0;
  // With outputs: [polygons]: each label's boundary loops (exporters/Polygons.h), in label order.
  std::span<const std::vector<PolygonLoop>> loops;
  // For formats with needs_beyond: the unoccluded silhouettes' parts outside the image (only
  // instances whose projection leaves it are listed).
  std::span<const SilhouetteBeyond> beyond;
  // Category per pixel (things, stuff surfaces, the background category): the semantic PNG's values.
  std::span<const std::uint8_t> semantic;
  // The RGB file as written (rgb/NNNNNN + rgb_ext), for formats that take any image (YOLO); rgb_png
  // above is always a PNG, the same bytes when the RGB is a PNG.
  std::span<const std::uint8_t> rgb_image = {};
  std::string_view rgb_ext = ".png";
  // With a sequence: the frame's clip, its index in the clip and its time (else nullptr).
  const ClipTime* clip = nullptr;
  // With outputs: [flow]: the flow to the clip's next and previous frame, 4 floats a pixel (du, dv,
  // status, depth there; renderer/Renderer.h FrameBuffers); else empty.
  std::span<const float> flow_forward = {}, flow_backward = {};
  // With `lidar:`: the sweep, the boxes in the LiDAR frame (exporters/LidarLabels.h) and LiDAR ->
  // camera (OpenCV axes), else null and empty.
  const LidarSweep* lidar = nullptr;
  std::span<const LidarBox> lidar_boxes = {};
  glm::dmat4 lidar_to_camera{1.0};
};

using FrameFiles = std::vector<std::pair<std::string, std::vector<std::uint8_t>>>;

// The end of a run, for a format's dataset-level files.
struct FinishContext {
  const SceneSpec& spec;
  std::uint64_t first = 0, count = 0;  // frames [first, first + count)
  // Frame `f`'s record (what encode() put there included).
  std::function<Result<nlohmann::ordered_json>(std::uint64_t)> load = {};
  // Writes a dataset-level file (path relative to the dataset; folders made as needed) and records
  // its hash for the manifest.
  std::function<Status(const std::string& rel, const std::string& text)> put = {};
  // For files written otherwise (streamed with AtomicFileWriter under `out`): records the hash of
  // the finished file `rel`, as put() does.
  std::filesystem::path out = {};
  std::function<Status(const std::string& rel)> written = {};
  std::function<std::string(const std::string& rel)> hash_of = {};  // of a file put() or written() recorded
  nlohmann::ordered_json* manifest = nullptr;  // a format may add keys (before file_hashes)
  std::function<void(std::uint64_t)> count_annotations = {};  // the dataset's annotations (COCO)
};

class LabelFormat {
 public:
  virtual ~LabelFormat() = default;
  // One frame: appends its files to `files`; what finish() needs goes into `record`.
  virtual Status encode(const FrameLabels& frame, FrameFiles& files, nlohmann::ordered_json& record) const = 0;
  virtual Status finish(const FinishContext&) const { return ok_status(); }
};

struct FormatInfo {
  std::string name = {};     // in outputs:
  std::string summary = {};  // one line, for docs and messages
  std::vector<std::string> folders = {};  // folders its frame files go in (for --overwrite and the temp sweep)
  std::vector<std::string> files = {};    // the dataset-level files it may write
  bool needs_png_copy = false;  // takes rgb_png even when the RGB is a JPEG
  bool needs_amodal = false;    // each labeled instance rendered alone (turns amodal labels on)
  bool needs_beyond = false;    // the silhouettes' parts outside the image (a larger render)
  bool always = false;          // written whatever outputs: lists (COCO)
  // "" when the format can hold this spec's labels, else why not (named at outputs:).
  std::function<std::string(const SceneSpec&)> refuse = {};
  std::function<std::unique_ptr<LabelFormat>()> make = {};
};

// FormatInfo::make for a format class with a default constructor.
template <class Format>
std::unique_ptr<LabelFormat> make_format() {
  return std::make_unique<Format>();
}

class FormatRegistry {
 public:
  void add(FormatInfo info) { m_formats.push_back(std::move(info)); }
  const FormatInfo* find(std::string_view name) const;
  const std::vector<FormatInfo>& all() const { return m_formats; }

 private:
  std::vector<FormatInfo> m_formats;
};

// Every built-in format, in the order they are encoded.
const FormatRegistry& format_registry();

// The format names `outputs:` may list besides coco (always written) and the options, in registry order.
std::vector<std::string> selectable_formats();

// The formats a config selected, built, in registry order.
class FormatSet {
 public:
  bool needs_png_copy() const;
  bool needs_amodal() const;
  bool needs_beyond() const;
  bool empty() const { return m_formats.empty(); }
  Status encode(const FrameLabels& frame, FrameFiles& files, nlohmann::ordered_json& record) const;
  Status finish(const FinishContext& ctx) const;

 private:
  friend Result<std::shared_ptr<const FormatSet>> build_formats(const SceneSpec& spec);
  std::vector<std::pair<const FormatInfo*, std::unique_ptr<LabelFormat>>> m_formats;
};

// The spec's outputs: formats, each known (else ExitCode::usage naming it at outputs[i], with a
// suggestion) and able to hold the spec's labels.
Result<std::shared_ptr<const FormatSet>> build_formats(const SceneSpec& spec);

// COCO's category entry for `c` with id `id`: id, name, supercategory; isthing 0 for a stuff category
// (listed for the semantic ids; no annotation has it); keypoints and skeleton when it has keypoints.
nlohmann::ordered_json coco_category(const CategorySpec& c, std::uint64_t id);

// Frame file stem: the frame index, zero-padded to 6 digits (more when needed).
std::string frame_stem(std::uint64_t frame);

// The Pascal VOC colour map (index -> RGB), used by the segmentation formats' colour images.
std::array<std::uint8_t, 3> voc_colour(std::uint32_t index);

}  // namespace synthlabel
