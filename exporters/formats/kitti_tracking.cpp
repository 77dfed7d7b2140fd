// kitti_tracking: KITTI tracking labels (needs `sequence:`), one KITTI sequence per clip, laid out for
// TrackEval's Kitti2DBox with GT_FOLDER = OUT/kitti_tracking and SPLIT_TO_EVAL = training
// (trackeval/datasets/kitti_2d_box.py: the seqmap GT_FOLDER/evaluate_tracking.seqmap.SPLIT, whose rows
// name the sequence (column 0) and its number of timesteps (column 3); labels in
// GT_FOLDER/label_02/SEQ.txt, rows keyed by their 0-based frame (column 0)):
//   kitti_tracking/label_02/SSSS.txt   one line per labeled instance and frame (the 17 columns of the
//       KITTI tracking devkit's readme): frame (index in the clip, from 0), track id (the instance
//       id), then as the kitti format's object lines (type = category name, occluded from the amodal
//       renders, which this format turns on, alpha, box, h w l, x y z, rotation_y), except truncated:
//       an integer level, 0 when the projected 3D box lies inside the image, 1 when at most half of it
//       is outside, 2 beyond (the readme names the levels, not their bounds: these are ours)
//   kitti_tracking/image_02/SSSS/FFFFFF.png   the frames again; kitti_tracking/calib/SSSS.txt (as kitti's)
//   kitti_tracking/evaluate_tracking.seqmap.training   "SSSS empty 000000 NNNNNN" per clip
// SSSS is the clip index, 4 digits (more when needed). TrackEval evaluates the KITTI classes 'Car' and
// 'Pedestrian' only: name the categories so to evaluate there.
#include <cstdio>
#include <map>

#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

std::string seq_name(std::uint64_t clip) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04llu", static_cast<unsigned long long>(clip));
  return buf;
}

class KittiTracking final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& files, json& record) const override {
    if (f.clip == nullptr) return make_error(ExitCode::internal, "kitti_tracking: a frame without a clip");
    json lines = json::array();
    for (const InstanceLabel& l : f.labels) {
      const auto o = kitti_object(f, l);
      if (!o) continue;
      const int level = o->truncation <= 0.0 ? 0 : o->truncation <= 0.5 ? 1 : 2;
      lines.push_back(std::to_string(l.instance_id) + " " + o->type + " " + std::to_string(level) + " " +
                      std::to_string(o->occluded) + " " + o->rest);
    }
    record["kitti_tracking"] = std::move(lines);
    char image[64];
    std::snprintf(image, sizeof image, "kitti_tracking/image_02/%s/%06llu.png", seq_name(f.clip->clip).c_str(),
                  static_cast<unsigned long long>(f.clip->index));
    files.emplace_back(image, std::vector<std::uint8_t>(f.rgb_png.begin(), f.rgb_png.end()));
    return ok_status();
  }

  Status finish(const FinishContext& ctx) const override {
    struct Sequence {
      std::string labels, calib;
      std::uint64_t length = 0;
    };
    std::map<std::uint64_t, Sequence> seqs;
    for (std::uint64_t fr = ctx.first; fr < ctx.first + ctx.count; ++fr) {
      auto rec = ctx.load(fr);
      if (!rec) return rec.error();
      const auto [clip, index] = clip_of(*rec);
      Sequence& s = seqs[clip];
      s.length = std::max(s.length, index + 1);
      const json& k = (*rec)["image"]["camera"]["K"];  // the clip's intrinsics (drawn once per clip)
      s.calib = kitti_calib(k[0][0].get<double>(), k[1][1].get<double>(), k[0][2].get<double>(), k[1][2].get<double>());
      for (const json& line : (*rec)["kitti_tracking"]) s.labels += std::to_string(index) + " " + line.get<std::string>() + "\n";
    }
    std::string seqmap;
    for (const auto& [clip, s] : seqs) {
      const std::string name = seq_name(clip);
      char row[96];
      std::snprintf(row, sizeof row, "%s empty 000000 %06llu\n", name.c_str(), static_cast<unsigned long long>(s.length));
      seqmap += row;
      SL_TRY_STATUS(ctx.put("kitti_tracking/label_02/" + name + ".txt", s.labels));
      SL_TRY_STATUS(ctx.put("kitti_tracking/calib/" + name + ".txt", s.calib));
    }
    return ctx.put("kitti_tracking/evaluate_tracking.seqmap.training", seqmap);
  }
};

std::string refuse(const SceneSpec& spec) { return needs_clips(spec, "kitti_tracking: tracking labels"); }

}  // namespace

void register_kitti_tracking(FormatRegistry& r) {
  r.add({.name = "kitti_tracking",
         .summary = "KITTI tracking labels per clip (label_02, image_02, calib, seqmap), for TrackEval's Kitti2DBox",
         .folders = {"kitti_tracking"},
         .files = {"kitti_tracking/evaluate_tracking.seqmap.training"},
         .needs_png_copy = true,
         .needs_amodal = true,
         .refuse = refuse,
         .make = make_format<KittiTracking>});
}

}  // namespace synthlabel::formats
