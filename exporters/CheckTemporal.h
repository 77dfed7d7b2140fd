// The checker's temporal checks (datasets with clips: COCO images with video_id and frame_index):
// - track ids: every annotation of a clip has a track_id, its instance id (docs/config.md "sequence");
//   a track is one object for its whole clip (the same config object, pool entry and category in every
//   frame's record) and appears at most once per frame;
// - mot (mot/synthlabel-all/clipNNNNNN/gt/gt.txt): every row is the COCO annotation of that clip, frame
//   and track (box with MOT's 1-based left/top, class = category id, visibility = COCO's), and every
//   annotation of the clip has its row;
// - vis (vis/youtube_vis_all/instances.json): each track's per-frame mask (uncompressed RLE), box and
//   area equal one COCO annotation of that clip and frame, all of one track id, and every annotation
//   of the clip belongs to exactly one track's frame.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace synthlabel {

struct TemporalCheckStats {
  std::size_t clips = 0, tracks = 0;  // clips and tracks (clip, track id) seen in coco.json
  std::size_t mot_rows = 0;           // gt.txt rows compared
  std::size_t vis_masks = 0;          // YouTube-VIS per-frame masks compared
};

void check_temporal(const std::filesystem::path& dir, const nlohmann::json& coco, std::vector<std::string>& defects,
                    TemporalCheckStats& stats);

}  // namespace synthlabel
