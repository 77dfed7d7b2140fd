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
// Frames are encoded by exporters/FrameEncoder.h on worker threads; DatasetWriter::commit() writes
// one frame's files (any order, any thread, one call at a time); finish() runs the formats' end of
// run (COCO's coco.json streams through the per-frame records, so memory stays flat in the number of
// frames) and writes the manifest. Every file is written under a temporary name and renamed into place.
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
#include "exporters/FrameEncoder.h"
#include "exporters/FrameSink.h"
#include "exporters/LabelFormat.h"
#include "exporters/Labels.h"
#include "scenes/Scene.h"
#include "scenes/SceneSpec.h"

namespace synthlabel {

// The folders of a dataset's own frame files and its dataset-level files, the optional folders
// (normals, per-category COCO keypoint files); the formats add theirs (FormatInfo::folders, files).
// exporters/OutputDir.h removes only these.
inline constexpr const char* k_dataset_folders[] = {"rgb", "instance", "semantic", "depth", "records"};
inline constexpr const char* k_optional_folders[] = {"normals", "flow"};
inline constexpr const char* k_dataset_files[] = {"manifest.json"};
// Every folder and dataset-level file a synthlabel dataset may hold, formats' included.
std::vector<std::string> dataset_folders(bool with_frame_folders = true);
std::vector<std::string> dataset_files();

// "" when every key of `expected` has the same value in `found`; else the first differing key and
// both values, shortened: "seed (5 vs 12345)", "inputs.pawn.ply (xxh3) (A vs B)". For --resume and
// merge, which must refuse mixed datasets. Paths are recorded but not compared (config_file, asset
// and map folders): the same config and files reached from another working directory match.
std::string manifest_difference(const nlohmann::ordered_json& expected, const nlohmann::ordered_json& found);

class DatasetWriter : public FrameSink {
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
  // FrameSink: the pipeline's frames are committed.
  Status take(EncodedFrame& frame) override { return commit(frame); }
  std::uint64_t frames_taken() const override { return m_frames; }
  std::uint64_t annotations_taken() const override { return m_annotations; }
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
