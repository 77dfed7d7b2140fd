// Writes a dataset folder:
//   OUT/coco.json              COCO instances (compressed RLE), images carry their label file paths
//   OUT/manifest.json          tool version, git revision, resolved config, seed, frame range
//   OUT/rgb/NNNNNN.png         8-bit sRGB colour
//   OUT/instance/NNNNNN.png    16-bit instance id per pixel, 0 = background
//   OUT/semantic/NNNNNN.png    8-bit category id per pixel, 0 = background
//   OUT/depth/NNNNNN.exr       float32 "Y": metres along the viewing axis, +inf = no surface
//   OUT/records/NNNNNN.json    the frame's COCO image entry, annotations (ids unset) and the
//                              xxHash3-64 of each of the frame's files; written last, so a record
//                              whose hashes match the files on disk marks a complete frame
// Work is split so encoding can run on worker threads: encode_frame() is pure and thread-safe;
// DatasetWriter::commit() writes one frame's files (any order, any thread, one call at a time);
// finish() assembles coco.json by streaming through the per-frame records, so memory stays flat in
// the number of frames. Every file is written under a temporary name and renamed into place.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <string>
#include <utility>
#include <chrono>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/Error.h"
#include "exporters/Exr.h"
#include "exporters/LabelFormat.h"
#include "exporters/Labels.h"
#include "exporters/Png.h"
#include "renderer/Renderer.h"
#include "scenes/Scene.h"
#include "scenes/SceneSpec.h"

namespace synthlabel {

struct EncodeOptions {
  PngOptions rgb_png{1, true};
  PngOptions label_png{1, false};
  ExrCompression depth_exr = ExrCompression::zip;
  int exr_zip_level = 1;
  OutputsSpec outputs;                      // options (polygons, normals, amodal: the effective ones)
  std::shared_ptr<const FormatSet> formats;  // label formats beyond COCO (exporters/LabelFormat.h)
  std::vector<std::string> category_names;  // by category id - 1, for formats that name categories
  std::uint32_t background_category = 0;    // stuff category of pixels no surface covers (0: void)
  int rgb_jpeg_quality = 0;                 // 1..100: the RGB as JPEG (rgb/NNNNNN.jpg); 0: PNG
};

// Named presets (the --compression option); the decoded pixels are the same for all of them:
//   fast   (default) PNG zlib level 1, depth EXR ZIP level 1
//   small  PNG zlib level 9, depth EXR ZIP level 9: smallest files, slowest
//   none   PNG stored blocks (level 0), depth EXR uncompressed: fastest, largest
std::optional<EncodeOptions> encode_options_for(std::string_view preset);

// Seconds spent in each encoding stage of one frame (thread time, for the bench).
struct EncodeTimings {
  double labels = 0, rgb_png = 0, instance_png = 0, semantic_png = 0, depth_exr = 0, record = 0;
};

struct EncodedFrame {
  std::uint64_t frame = 0;
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> files;  // path relative to OUT, bytes
  std::uint64_t annotations = 0;
  EncodeTimings timings;
};

// `amodal`: with outputs: [amodal], each labeled instance's labels from a render of it alone (its
// unoccluded mask); annotations then carry amodal_segmentation, amodal_area and visibility.
// `beyond`: with outputs: [bop], the silhouettes' parts outside the image (truncated instances only).
Result<EncodedFrame> encode_frame(const Scene& scene, const FrameBuffers& buffers, const EncodeOptions& options,
                                  std::span<const InstanceLabel> amodal = {}, std::span<const SilhouetteBeyond> beyond = {});

// The folders of a dataset's own frame files and its dataset-level files, the optional folders
// (normals, per-category COCO keypoint files); the formats add theirs (FormatInfo::folders, files).
// exporters/OutputDir.h removes only these.
inline constexpr const char* k_dataset_folders[] = {"rgb", "instance", "semantic", "depth", "records"};
inline constexpr const char* k_optional_folders[] = {"normals"};
inline constexpr const char* k_dataset_files[] = {"manifest.json"};
// Every folder and dataset-level file a synthlabel dataset may hold, formats' included.
std::vector<std::string> dataset_folders(bool with_frame_folders = true);
std::vector<std::string> dataset_files();

// "" when every key of `expected` has the same value in `found`; else the first differing key and
// both values, shortened: "seed (5 vs 12345)", "inputs.pawn.ply (xxh3) (A vs B)". For --resume and
// merge, which must refuse mixed datasets. Paths are recorded but not compared (config_file, asset
// and map folders): the same config and files reached from another working directory match.
std::string manifest_difference(const nlohmann::ordered_json& expected, const nlohmann::ordered_json& found);

// 16 hex digits of the xxHash3-64 of `bytes`: the content hash used in records and manifests.
std::string content_hash(std::span<const std::uint8_t> bytes);
// The same hash of several byte ranges one after another, without joining them.
std::string content_hash(std::span<const std::span<const std::uint8_t>> parts);

class DatasetWriter {
 public:
  explicit DatasetWriter(std::filesystem::path out) : m_out(std::move(out)) {}

  // True when `frame`'s record exists, every file it lists has the recorded hash and, when
  // `record_hash` is given (a finished manifest's frame_record_hashes), the record has that hash (resume).
  bool frame_is_complete(std::uint64_t frame, const std::string& record_hash = {}) const;
  // Removes temporary files a killed run left behind ("NAME.tmp.PID.N"); returns how many.
  Result<std::uint64_t> remove_temp_files() const;
  // Writes manifest.json (atomically). Used at the start of a run (status "incomplete") and by finish().
  Status write_manifest(const nlohmann::ordered_json& manifest) const;

  Status commit(const EncodedFrame& frame);
  // Copies `frame` (its record and every file the record lists) from the dataset in `other`, after
  // checking the files against the record's hashes and the record against `record_hash`, the hash
  // the other dataset's manifest holds for it (merge of shards).
  Status adopt_frame(const std::filesystem::path& other, std::uint64_t frame, const std::string& record_hash);
  // Writes coco.json (images and annotations of frames [first, first + count), in frame order,
  // annotation ids from 1), then manifest.json: `manifest` plus "status": "complete" and the
  // content hash of every frame's record (which holds the hashes of the frame's files) and of coco.json.
  // The formats' dataset-level files follow (FormatSet::finish), hashed in the manifest too.
  Status finish(const SceneSpec& spec, const FormatSet& formats, std::uint64_t first, std::uint64_t count,
                nlohmann::ordered_json manifest);
  std::uint64_t frames_written() const { return m_frames; }
  std::uint64_t annotations_written() const { return m_annotations; }
  // Annotations in the whole dataset's coco.json (after finish()).
  std::uint64_t dataset_annotations() const { return m_dataset_annotations; }

 private:
  std::filesystem::path m_out;
  std::uint64_t m_annotations = 0;
  std::uint64_t m_dataset_annotations = 0;
  std::uint64_t m_frames = 0;
  bool m_dirs_made = false;
  std::set<std::string> m_made;  // folders made for files in nested folders
  Status ensure_dirs();
  Status ensure_parent(const std::string& rel);
};

}  // namespace synthlabel
