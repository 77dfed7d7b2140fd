// Label formats beyond COCO instances, written natively from the same buffers (the instance-id
// buffer and the instance -> category map of the frame), selected by the config's `outputs:`.
// Per frame (paths relative to the dataset; STEM = frame_stem):
//   panoptic    panoptic/STEM.png: RGB, segment id = R + 256 G + 256^2 B; the segment id of a pixel
//               is its instance id for things, stuff category id x 65536 for a stuff surface's or
//               the background category's pixels (one segment per stuff category), 0 = void.
//               panoptic.json (at the end): COCO panoptic (images, annotations with file_name
//               relative to panoptic/ and segments_info, categories with isthing 1 or 0).
//   cityscapes  cityscapes/STEM_gtFine_labelIds.png (8-bit category id of every pixel, stuff too;
//               0 = unlabeled), cityscapes/STEM_gtFine_instanceIds.png (16-bit: category id x 1000 + k
//               for things, k = 0, 1, ... per category in instance-id order; the category id alone
//               elsewhere, as Cityscapes writes classes without instances),
//               cityscapes/STEM_gtFine_color.png (RGB, the category's colour from the VOC colour map).
//   voc         voc/SegmentationClass/STEM.png (palette: category id, 0 background),
//               voc/SegmentationObject/STEM.png (palette: k for the XML's k-th object, at most 255),
//               voc/Annotations/STEM.xml (objects with their category name and tight box, 1-based
//               inclusive pixel corners as VOC has them); voc/ImageSets/Segmentation/all.txt and
//               voc/labels.txt (index -> name) at the end.
//   kitti       kitti/image_2/STEM.png (the RGB frame again), kitti/label_2/STEM.txt (KITTI object
//               labels: type truncated occluded alpha left top right bottom h w l x y z rotation_y;
//               occluded from visibility when outputs has amodal: 0 (>= 0.99), 1 (>= 0.5), 2 (> 0),
//               else 3 = unknown), kitti/calib/STEM.txt (P0..P3 = K [I | 0], R0_rect = I,
//               Tr_velo_to_cam = [I | 0]: the camera frame is the reference frame).
//   bop         bop/000000/ (one BOP scene): rgb/IM.png (the frame again), depth/IM.png (16-bit
//               millimetres, depth_scale 1; 0 = no surface or beyond 65.535 m), mask/IM_GT.png (the
//               unoccluded mask inside the image, from the render alone), mask_visib/IM_GT.png; at the
//               end scene_camera.json, scene_gt.json (cam_R_m2c, cam_t_m2c in mm, obj_id = category
//               id), scene_gt_info.json (bbox_obj, bbox_visib, px_count_all/valid/visib, visib_fract).
//               IM is the frame index (6 digits), GT the object's index in the frame's list: every
//               labeled instance with unoccluded pixels in the image, in instance-id order. Listing
//               bop turns on amodal.
//   yolo        yolo/images/STEM.png (the RGB frame again) and yolo/labels/STEM.txt: one line
//               "class cx cy w h" per instance, class = category id - 1, box centre and size
//               normalized by the image size; yolo/data.yaml (at the end) for Ultralytics.
//   yolo_seg    yolo_seg/images/STEM.png, yolo_seg/labels/STEM.txt: one line "class x1 y1 x2 y2 ..." per
//               instance, one polygon through its mask's pixel centres as OpenCV's fillPoly (which
//               Ultralytics fills it with) reads it (exporters/FillPolygon.h), normalized by the image
//               size; yolo_seg/data.yaml.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/Error.h"
#include "exporters/Labels.h"
#include "exporters/Polygons.h"
#include "scenes/SceneSpec.h"

namespace synthlabel {

struct FrameLabels {
  std::string stem;
  std::uint32_t width = 0, height = 0;
  std::span<const std::uint32_t> ids;            // row-major instance ids
  std::span<const std::uint32_t> category_of;    // instance id -> category id (index 0: 0)
  std::span<const InstanceLabel> labels;         // visible instances, increasing id
  std::span<const std::uint8_t> rgb_png;         // the encoded frame, for formats that carry a copy
  std::span<const std::string> category_names;   // by category id - 1
  std::span<const Instance> instances;           // the frame's instances (geometry, for KITTI)
  std::span<const InstanceLabel> amodal;         // outputs: [amodal]: unoccluded labels (visibility)
  const Camera* camera = nullptr;
  std::span<const float> depth;                  // metres along the viewing axis, +inf: none
  std::uint64_t frame = 0;
  // With outputs: [polygons]: each label's boundary loops (exporters/Polygons.h), in the order of
  // `labels`.
  std::span<const std::vector<PolygonLoop>> loops;
  // With outputs: [bop]: the unoccluded silhouettes' parts outside the image (only instances whose
  // projection leaves it are listed; the others have none).
  std::span<const SilhouetteBeyond> beyond;
  // Category per pixel (things, stuff surfaces, the background category): the semantic PNG's values.
  std::span<const std::uint8_t> semantic;
  // The RGB file as written (rgb/NNNNNN + rgb_ext), for formats that take any image (YOLO); rgb_png
  // above is always a PNG (KITTI and BOP copies), the same bytes when the RGB is a PNG.
  std::span<const std::uint8_t> rgb_image = {};
  std::string_view rgb_ext = ".png";
};

// Appends the selected formats' files for one frame to `files`; what the end-of-run files need
// goes into `record` (the frame record).
Status encode_formats(const OutputsSpec& outputs, const FrameLabels& frame,
                      std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& files, nlohmann::ordered_json& record);

// The formats' dataset-level files (panoptic.json, data.yaml, VOC lists, BOP scene files), from the
// frame records `load(frame)` returns, frames [first, first + count). Returns each file written (path
// relative to `out`) with its content hash, for the manifest.
Result<std::vector<std::pair<std::string, std::string>>> finish_formats(
    const OutputsSpec& outputs, const std::filesystem::path& out, const SceneSpec& spec, std::uint64_t first, std::uint64_t count,
    const std::function<Result<nlohmann::ordered_json>(std::uint64_t)>& load);

// The folders and files the formats write, for --overwrite and the temp-file sweep.
// Optional folders a dataset may hold (removed by --overwrite, searched for temporary files); the
// last holds the per-category COCO keypoint files.
inline constexpr const char* k_format_folders[] = {"normals", "panoptic", "cityscapes", "voc",           "yolo",
                                                   "yolo_seg", "kitti",   "bop",        "coco_keypoints"};
// Every dataset-level file a format writes (finish_formats), for exporters/OutputDir.h.
inline constexpr const char* k_format_files[] = {"panoptic.json",
                                                 "voc/ImageSets/Segmentation/all.txt",
                                                 "voc/labels.txt",
                                                 "bop/000000/scene_camera.json",
                                                 "bop/000000/scene_gt.json",
                                                 "bop/000000/scene_gt_info.json",
                                                 "yolo/data.yaml",
                                                 "yolo_seg/data.yaml"};

// The Pascal VOC colour map (index -> RGB).
std::array<std::uint8_t, 3> voc_colour(std::uint32_t index);

}  // namespace synthlabel
