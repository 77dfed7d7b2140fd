// `synthlabel check`'s content checks of the per-frame files of the label formats (outputs:), each
// read as its own tools read it and compared with the instance PNG (the pixels every label derives
// from) and coco.json's annotations of the frame. Written apart from the writers (exporters/
// formats/*.cpp): the VOC colour map is inverted here, not reused. A format's files are checked when
// its folder exists.
//   voc         SegmentationObject: the palette colour of index k exactly on the k-th annotation's
//               pixels (VOC pairs the k-th <object> with index k), 0 elsewhere; SegmentationClass:
//               the category on instance pixels, 0 elsewhere.
//   cityscapes  instanceIds: category x 1000 + k on instance pixels (k counting the category's
//               instances in annotation order), the semantic PNG's value elsewhere; labelIds: the
//               semantic PNG.
//   kitti       label_2: one line per annotation, left top right bottom = x, y, x + w, y + h.
//   yolo        labels: one line per annotation, class = category - 1, the box within the 6 decimals.
//   bop         depth PNG: round(1000 x the depth EXR) where that is below 65535.5 mm, else 0;
//               scene_gt_info's entry k of the frame against mask_visib/IM_k.png (the pixels of one
//               instance, all of them) and mask/IM_k.png: px_count_visib, bbox_visib as the toolkit's
//               calc_2d_bbox ([x, y, max - min, max - min]), px_count_all >= the in-image mask,
//               px_count_valid <= it, visib_fract = visib / all.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace synthlabel {

struct FrameAnnotation {
  std::uint32_t instance_id = 0;
  std::int64_t category = 0;
  double box[4] = {0, 0, 0, 0};  // x, y, w, h: the tight pixel box
};

struct FrameTruth {
  std::uint64_t frame = 0;
  std::uint32_t width = 0, height = 0;
  std::span<const std::uint16_t> instance;  // instance PNG values
  std::span<const std::uint16_t> semantic;  // semantic PNG values (empty: not read)
  std::span<const float> depth;             // the depth EXR (0 where it holds +inf; empty: not read)
  std::vector<FrameAnnotation> annotations;  // coco.json's, in order
  const nlohmann::json* bop_info = nullptr;   // bop/000000/scene_gt_info.json's list for the frame
};

// Calls `defect` with one line per defect, naming the file, the frame and what is wrong.
void check_format_files(const std::filesystem::path& dir, const FrameTruth& truth,
                        const std::function<void(std::string)>& defect);

}  // namespace synthlabel
