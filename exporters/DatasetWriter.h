// Writes a dataset folder:
//   OUT/coco.json              COCO instances (compressed RLE), images carry their label file paths
//   OUT/manifest.json          tool version, git revision, resolved config, seed, frame range
//   OUT/rgb/NNNNNN.png         8-bit sRGB colour
//   OUT/instance/NNNNNN.png    16-bit instance id per pixel, 0 = background
//   OUT/semantic/NNNNNN.png    8-bit category id per pixel, 0 = background
//   OUT/depth/NNNNNN.exr       float32 "Z": metres along the viewing axis, +inf = no surface
// Work is split in two so encoding can run on worker threads: encode_frame() is pure and
// thread-safe; DatasetWriter::commit() writes files and must be called in frame order. Every file
// is written under a temporary name and renamed into place.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/Error.h"
#include "exporters/Exr.h"
#include "exporters/Png.h"
#include "renderer/Renderer.h"
#include "scenes/Scene.h"
#include "scenes/SceneSpec.h"

namespace synthlabel {

struct EncodeOptions {
  PngOptions rgb_png{1, true};
  PngOptions label_png{1, false};
  ExrCompression depth_exr = ExrCompression::zip;
};

struct EncodedFrame {
  std::uint64_t frame = 0;
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> files;  // path relative to OUT, bytes
  nlohmann::ordered_json image;                                          // COCO image entry
  std::vector<nlohmann::ordered_json> annotations;                       // COCO annotations, "id" unset
};

// Frame file stem: the frame index, zero-padded to 6 digits (more when needed).
std::string frame_stem(std::uint64_t frame);

Result<EncodedFrame> encode_frame(const Scene& scene, const FrameBuffers& buffers, const EncodeOptions& options);

// Makes `out` ready to receive a dataset: creates it if missing; accepts it if empty; if it holds a
// previous synthlabel dataset (a manifest.json) and `overwrite` is set, removes that dataset's files
// and folders (and nothing else). Anything else is refused with ExitCode::io and nothing is touched.
Status prepare_output_dir(const std::filesystem::path& out, bool overwrite);

class DatasetWriter {
 public:
  explicit DatasetWriter(std::filesystem::path out) : m_out(std::move(out)) {}

  Status commit(EncodedFrame frame);
  // Writes coco.json and manifest.json. `manifest` holds the run's description (see cli).
  Status finish(const SceneSpec& spec, nlohmann::ordered_json manifest);
  std::uint64_t frames_written() const { return m_frames; }
  std::uint64_t annotations_written() const { return m_next_annotation_id - 1; }

 private:
  std::filesystem::path m_out;
  std::vector<nlohmann::ordered_json> m_images;
  std::vector<nlohmann::ordered_json> m_annotations;
  std::uint64_t m_next_annotation_id = 1;
  std::uint64_t m_frames = 0;
  bool m_dirs_made = false;
};

}  // namespace synthlabel
