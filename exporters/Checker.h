// `synthlabel check DATASET`: proves a dataset sound from its files alone, with readers written for
// the purpose (not the writers' code paths): coco.json parsed as JSON, RLE decoded with the
// pycocotools algorithm, PNGs read with libpng as stored.
//
// Checks, each defect one line naming the file, the entry and what is wrong:
// - integrity: every file a frame record (records/NNNNNN.json) names hashes to the xxHash3-64 the
//   record holds (every format's per-frame files: altered, rescaled, swapped or missing files), and
//   every record to manifest.json's frame_record_hashes;
// - yolo_seg: each polygon filled as Ultralytics fills it (OpenCV fillPoly) covers its instance; the
//   worst IoU with the mask is reported;
// - the other formats' per-frame files against the instance and semantic PNGs and the depth EXR
//   (VOC object/class PNGs, Cityscapes ids, KITTI and YOLO boxes, BOP depth: exporters/CheckFormats.h);
// - stuff categories (isthing 0): only where no instance is in the semantic PNG, and panoptic's stuff
//   segments equal to those pixels;
// - manifest.json and coco.json exist and parse; categories, images and annotations are lists;
// - ids (categories, images, annotations) are unique and start at 1; names of categories unique;
// - every file coco.json or a record names lies inside the dataset (relative, no "..", no symlink
//   leading out: path_inside); one outside is a defect and is never opened;
// - every image's files exist and have the image's size; every annotation's image_id and
//   category_id exist (no dangling references);
// - boxes lie inside their image and have positive size; areas are positive;
// - every RLE decodes to exactly width x height pixels and equals the instance PNG's mask of its
//   instance_id; its area is that mask's pixel count; its bbox that mask's tight box;
// - every instance in an instance PNG has an annotation, and the semantic PNG holds each instance's
//   category (0 where the instance id is 0);
// - flow (outputs: [flow]): each vector against an independent reprojection of the depth by the
//   recorded poses, and its status against the destination frame (exporters/CheckFlow.h);
// - clips: track ids unique per frame, one object per track, and MOT and YouTube-VIS files equal to
//   the COCO annotations (exporters/CheckTemporal.h);
// - LiDAR sweeps (lidar:): .bin, .label, PCD, PLY and the range image agree point for point, 3D box
//   counts recomputed, static instances' points inside their boxes (exporters/CheckLidar.h);
// - other formats present (outputs:): panoptic.json's categories and every segment (category, area,
//   box) equal coco.json's, yolo/data.yaml names every category.
// Then statistics: images, instances per category, box sizes (COCO's small < 32^2 <= medium < 96^2
// <= large, in pixels of area), instances per image.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/Error.h"
#include "exporters/Png.h"
#include "exporters/CheckFlow.h"
#include "exporters/CheckLidar.h"
#include "exporters/CheckTemporal.h"

namespace synthlabel {

struct CheckStats {
  std::size_t images = 0, annotations = 0;
  std::vector<std::string> category_names;      // by category id - 1
  std::vector<std::size_t> per_category;        // instances of each category
  std::size_t small = 0, medium = 0, large = 0;  // boxes by area (COCO thresholds)
  std::size_t min_per_image = 0, max_per_image = 0;
  std::vector<double> box_sides;                 // sqrt(area) of every box, for the report's histogram
  std::vector<double> visibility;                // of every annotation that has one (outputs: [amodal])
  // yolo_seg: the polygons checked and the worst IoU of OpenCV's fill of a polygon with its mask
  // (-1 when none).
  std::size_t yolo_seg_polygons = 0;
  double yolo_seg_worst_iou = -1;
  FlowCheckStats flow;  // outputs: [flow] (exporters/CheckFlow.h)
  TemporalCheckStats temporal;  // clips: track ids, MOT, YouTube-VIS (exporters/CheckTemporal.h)
  LidarCheckStats lidar;        // lidar: sweeps (exporters/CheckLidar.h)
};

struct CheckResult {
  std::vector<std::string> defects;  // empty: the dataset is sound
  CheckStats stats;
};

// Checks the dataset in `dir`. Fails (ExitCode::usage) only when `dir` is not a folder; everything
// wrong inside it is a defect in the result.
Result<CheckResult> check_dataset(const std::filesystem::path& dir);

// The `index`-th image of the dataset in `dir` at full size, drawn as the report draws its thumbnails
// (masks tinted, boxes outlined, keypoints), as PNG bytes; `instances` gets its annotation count.
Result<std::vector<std::uint8_t>> frame_overlay_png(const std::filesystem::path& dir, std::size_t index, std::size_t& instances);

// A frame of the dataset in `dir` drawn as the report draws it (masks tinted, boxes outlined,
// keypoints) from its COCO image entry and annotations, at most `max_width` pixels wide, as PNG bytes;
// empty when its images cannot be read. (synthlabel diff's report draws both datasets' frames so.)
std::vector<std::uint8_t> draw_frame_png(const std::filesystem::path& dir, const nlohmann::json& image, const nlohmann::json& annotations,
                                         std::uint32_t max_width);
// A frame's RGB file as 8-bit values: a PNG as stored (3 channels), a JPEG (--rgb jpeg) decoded (RGBA).
Result<PngData> read_frame_rgb(const std::filesystem::path& path);

// Writes an HTML page: the verdict and defects, the statistics as bar charts, and a contact sheet of
// up to `frames` frames with every annotation's mask tinted and its box drawn (images embedded).
Status write_check_report(const std::filesystem::path& dir, const CheckResult& result, const std::filesystem::path& html,
                          std::size_t frames = 12);

}  // namespace synthlabel
