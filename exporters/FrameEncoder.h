// Encoding one frame, pure and thread-safe (the pipeline's worker threads): the instance labels
// from the id buffer (one pass), sensor effects on the RGB only, the dataset's own files (RGB PNG or
// JPEG, 16-bit instance PNG, semantic PNG, depth EXR, normals EXR), the label formats' files
// (FormatSet, exporters/LabelFormat.h), and the frame record (COCO image and annotations, every
// sampled value, each file's xxHash3-64). Nothing is written here: DatasetWriter commits the result.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
  PngOptions rgb_png{2, true, false, 8, true};  // libdeflate's level 2 (Png.h)
  PngOptions label_png = k_label_png;  // memory level 5: flat labels deflate faster (Png.h)
  ExrCompression depth_exr = ExrCompression::zip;
  int exr_zip_level = 1;
  OutputsSpec outputs;                      // options (polygons, normals, amodal: the effective ones)
  DepthSensorSpec depth_sensor;             // with outputs.depth_sensor
  std::shared_ptr<const FormatSet> formats;  // label formats beyond COCO (exporters/LabelFormat.h)
  std::vector<std::string> category_names;  // by category id - 1, for formats that name categories
  std::uint32_t background_category = 0;    // stuff category of pixels no surface covers (0: void)
  int rgb_jpeg_quality = 0;                 // 1..100: the RGB as JPEG (rgb/NNNNNN.jpg); 0: PNG
  // No files: the frame's planes as arrays (EncodedFrame::planes) and its record (without "files"
  // hashes); no PNG, JPEG or EXR is encoded and `formats` are not run. For callers that take frames
  // in memory (the Python module).
  bool in_memory = false;
  // With `lidar:`: the frame's sweep (lidar/LidarTracer.h, set by the caller); its points go to the
  // LiDAR formats and its counts and boxes to the record's `lidar`.
  std::function<Result<LidarSweep>(const Scene&)> lidar;
};

// EncodeOptions::in_memory: a frame's planes, each equal value for value to what its dataset file
// decodes to. Row-major, top row first, channels interleaved.
struct FramePlanes {
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> rgb;        // H x W x 3 sRGB, sensor effects applied (rgb/NNNNNN.png)
  std::vector<float> depth;             // H x W (depth/NNNNNN.exr)
  std::vector<std::uint16_t> instance;  // H x W (instance/NNNNNN.png)
  std::vector<std::uint8_t> semantic;   // H x W (semantic/NNNNNN.png)
  std::vector<float> normals;           // H x W x 3 with outputs: [normals] (normals/NNNNNN.exr holds them as
                                        // half floats: the same values, the renderer's are halves)
  std::vector<float> flow_forward, flow_backward;  // H x W x 3 (du, dv, status) with outputs: [flow]
  std::vector<float> scene_flow_forward, scene_flow_backward;  // H x W x 3 with outputs: [scene_flow]
  std::vector<float> object_coords, nocs, world_position;  // H x W x 3 with those outputs (exporters/Correspondence.h)
  std::vector<float> disparity;                            // H x W with outputs: [disparity]
  std::vector<float> undistortion_map;                     // H x W x 3 with outputs: [undistortion_map]
  std::vector<float> depth_sensor;                         // H x W with outputs: [depth_sensor]
  std::vector<float> uv, albedo;                           // H x W x 3 with outputs: [uv] (u, v, valid), [albedo]
  std::optional<std::vector<LidarPoint>> lidar;            // with lidar: the sweep's points (the pcd format's fields)
};

// Named presets (the --compression option); the decoded pixels are the same for all of them:
//   fast   (default) PNG zlib level 1, depth EXR ZIP level 1
//   small  PNG zlib level 9, depth EXR ZIP level 9: smallest files, slowest
//   none   PNG stored blocks (level 0), depth EXR uncompressed: fastest, largest
std::optional<EncodeOptions> encode_options_for(std::string_view preset);

// Seconds spent in each encoding stage of one frame (thread time, for the bench).
struct EncodeTimings {
  double labels = 0, rgb_png = 0, instance_png = 0, semantic_png = 0, depth_exr = 0, record = 0;
  double lidar = 0;  // casting the sweep (its boxes are in `labels`, the LiDAR formats' files in `record`)
  std::uint64_t lidar_rays = 0, lidar_points = 0;  // the sweep's rays cast and points kept
};

struct EncodedFrame {
  std::uint64_t frame = 0;
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> files;  // path relative to OUT, bytes
  std::uint64_t annotations = 0;
  EncodeTimings timings;
  std::unique_ptr<FramePlanes> planes;  // EncodeOptions::in_memory only
};

// `amodal`: with outputs: [amodal], each labeled instance's labels from a render of it alone (its
// unoccluded mask); annotations then carry amodal_segmentation, amodal_area and visibility.
// `beyond`: with outputs: [bop], the silhouettes' parts outside the image (truncated instances only).
Result<EncodedFrame> encode_frame(const Scene& scene, const FrameBuffers& buffers, const EncodeOptions& options,
                                  std::span<const InstanceLabel> amodal = {}, std::span<const SilhouetteBeyond> beyond = {});

// The frame record's path, relative to the dataset: records/STEM.json.
std::string record_path(std::uint64_t frame);

// 16 hex digits of the xxHash3-64 of `bytes`: the content hash used in records and manifests.
std::string content_hash(std::span<const std::uint8_t> bytes);
// The same hash of several byte ranges one after another, without joining them.
std::string content_hash(std::span<const std::span<const std::uint8_t>> parts);
// The same hash of a file's bytes, read in 1 MiB pieces (memory stays flat for a large coco.json);
// "" when it cannot be read.
std::string file_content_hash(const std::filesystem::path& path);

}  // namespace synthlabel
