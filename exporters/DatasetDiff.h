// `synthlabel diff A B`: what differs between two datasets, frame by frame (matched by frame index),
// and whether it stays within thresholds (regression datasets in CI).
//
// - Frames whose record hashes (manifest.json's frame_record_hashes) are equal are identical: every
//   file of the frame has the same xxHash3-64 (records hold them). Nothing is decoded for them.
// - Other frames: each file compared by its recorded hash; only files that differ are decoded.
//   RGB: PSNR, mean and max absolute difference (8-bit levels). Depth: max absolute and relative
//   difference. Labels: per instance (matched by instance id, which is also the track id in clips;
//   instances left on one side only then paired by best mask IoU above 0.5)
//   mask IoU from the instance PNGs, area change, box shift, category change, instances that appear
//   or disappear, keypoints moved. Flow (both with outputs: [flow]): end-point error.
// - Dataset level: frames only in A or only in B, categories renamed, added or removed (coco.json),
//   the resolved configs key by key, the input files' hashes, synthlabel versions and git revisions
//   (noted, never a failure by themselves).
// Thresholds turn differences into failures (ExitCode::differs); the defaults demand equal labels
// and pixels.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/Error.h"

namespace synthlabel {

struct DiffThresholds {
  double min_iou = 1.0;         // every instance in both: mask IoU at least this
  double max_rgb_mean = 0.0;    // mean absolute RGB difference of a frame, 8-bit levels
  double max_depth = 0.0;       // max absolute depth difference, metres (where both are finite)
  double max_keypoint_shift = 0.0;  // pixels, keypoints labeled on both sides
  double max_flow_epe = 0.0;    // mean end-point error of a flow file, pixels (where both have flow)
  bool allow_appear = false;    // instances present in one dataset only
  bool strict_config = false;   // config or input differences alone are a failure
};

struct InstanceDiff {
  std::uint32_t instance_id = 0;
  std::uint32_t matched_id = 0;  // B's id when it differs: paired by best mask IoU (> 0.5), ids not matching
  std::uint32_t category_a = 0, category_b = 0;  // 0: absent on that side
  std::uint64_t area_a = 0, area_b = 0, intersection = 0;
  double iou = 1.0;
  double box_shift = 0;  // largest change of x, y, w or h, pixels
  double keypoint_shift = 0;  // largest move of a keypoint labeled on both sides, pixels
};

struct FrameDiff {
  std::string stem;
  std::vector<std::string> files_differing;  // relative paths whose hashes differ (or that one side lacks)
  bool rgb_compared = false;
  double rgb_psnr = 0, rgb_mean = 0, rgb_max = 0;
  bool depth_compared = false;
  double depth_max_abs = 0, depth_max_rel = 0;
  bool flow_compared = false;
  double flow_epe_mean = 0, flow_epe_max = 0;  // over both directions, pixels where both have flow
  std::vector<InstanceDiff> instances;  // every instance whose mask, box, category or keypoints changed
  double worst_iou = 1.0;
};

struct DiffResult {
  std::uint64_t frames_a = 0, frames_b = 0, identical = 0;
  std::vector<std::string> only_in_a, only_in_b;  // frame stems
  std::vector<FrameDiff> frames;                  // frames in both that differ, in frame order
  std::vector<std::string> notes;                 // versions, revisions, config keys, inputs, categories
  std::vector<std::string> failures;              // beyond the thresholds: empty = within them
  // Per category name (coco.json): {"a": {instances, area_mean, area_median} or null, "b": ...}.
  nlohmann::ordered_json categories;
  nlohmann::ordered_json to_json() const;
};

// Compares the datasets in `a` and `b` with `threads` decoding threads (0: hardware threads).
// ExitCode::usage when either is not a folder with a readable synthlabel manifest.json.
Result<DiffResult> diff_datasets(const std::filesystem::path& a, const std::filesystem::path& b,
                                 const DiffThresholds& thresholds, unsigned threads = 0);

// An HTML page of the comparison: the verdict, the failures and notes, a per-category table (instances
// and areas in A and B, from their coco.json), and the `frames` frames that differ most (lowest IoU,
// then largest RGB difference) side by side: A and B with masks and boxes drawn, and a difference image
// (red where the instance ids differ, grey levels 4x the RGB difference elsewhere). Images embedded.
Status write_diff_report(const std::filesystem::path& a, const std::filesystem::path& b, const DiffResult& result,
                         const std::filesystem::path& html, std::size_t frames = 8);

}  // namespace synthlabel
