// mot: MOT Challenge 2D box tracking ground truth, one sequence per clip (needs `sequence:`), laid out
// for TrackEval's MotChallenge2DBox with GT_FOLDER = OUT/mot, BENCHMARK = synthlabel, SPLIT_TO_EVAL = all
// (trackeval/datasets/mot_challenge_2d_box.py: GT_LOC_FORMAT '{gt_folder}/{seq}/gt/gt.txt' under
// GT_FOLDER/BENCHMARK-SPLIT, the seqmap GT_FOLDER/seqmaps/BENCHMARK-SPLIT.txt, seqinfo.ini's
// [Sequence] seqLength):
//   mot/synthlabel-all/CLIP/img1/KKKKKK.png   the frame again, KKKKKK = frame index in the clip + 1
//   mot/synthlabel-all/CLIP/gt/gt.txt         one line per visible labeled instance and frame:
//       frame,id,bb_left,bb_top,bb_width,bb_height,1,class,visibility
//     frame: index in the clip + 1 (TrackEval reads timestep t from the rows whose frame is t + 1);
//     id: the track id (the instance id, kept through the clip); the box: the tight pixel box,
//     left/top 1-based as MOT's own gt files are; 1: "consider" (TrackEval drops rows marked 0);
//     class: the category id (TrackEval's MOT evaluation scores class 1 only, as its pedestrian:
//     other categories are kept for preprocessing); visibility: visible / unoccluded pixels, from the
//     instance rendered alone (this format turns the amodal renders on), 6 decimals.
//   mot/synthlabel-all/CLIP/seqinfo.ini      name, imDir, frameRate, seqLength, imWidth, imHeight, imExt
//   mot/seqmaps/synthlabel-all.txt           "name", then one clip a line
// CLIP is "clip" + the clip index, 6 digits. Lines are in frame order, then id order.
#include <cstdio>
#include <map>

#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

constexpr const char* k_root = "mot/synthlabel-all/";

std::string frame_name(std::uint64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06llu", static_cast<unsigned long long>(index + 1));
  return buf;
}

class Mot final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& files, json& record) const override {
    if (f.clip == nullptr) return make_error(ExitCode::internal, "mot: a frame without a clip");
    json rows = json::array();
    for (const InstanceLabel& l : f.labels) {
      double visibility = -1.0;  // unknown (no unoccluded render of it: never with this format)
      for (const InstanceLabel& a : f.amodal) {
        if (a.instance_id == l.instance_id && a.area > 0) visibility = double(l.area) / double(a.area);
      }
      rows.push_back({l.instance_id, l.x + 1, l.y + 1, l.w, l.h, category_of(f, l.instance_id), fixed6(visibility)});
    }
    record["mot"] = std::move(rows);
    files.emplace_back(std::string(k_root) + clip_folder(f.clip->clip) + "/img1/" + frame_name(f.clip->index) + std::string(f.rgb_ext),
                       std::vector<std::uint8_t>(f.rgb_image.begin(), f.rgb_image.end()));
    return ok_status();
  }

  Status finish(const FinishContext& ctx) const override {
    struct Clip {
      std::string gt;
      std::uint64_t length = 0;
      std::uint64_t width = 0, height = 0;
      std::string ext;
    };
    std::map<std::uint64_t, Clip> clips;
    for (std::uint64_t fr = ctx.first; fr < ctx.first + ctx.count; ++fr) {
      auto rec = ctx.load(fr);
      if (!rec) return rec.error();
      const auto [clip, index] = clip_of(*rec);
      Clip& c = clips[clip];
      c.length = std::max(c.length, index + 1);
      const json& image = (*rec)["image"];
      c.width = image["width"].get<std::uint64_t>();
      c.height = image["height"].get<std::uint64_t>();
      const std::string file = image["file_name"].get<std::string>();
      c.ext = file.substr(file.rfind('.'));
      for (const json& r : (*rec)["mot"]) {
        c.gt += std::to_string(index + 1);
        for (std::size_t k = 0; k < 6; ++k) {
          c.gt += ',';
          c.gt += std::to_string(r[k].get<std::uint64_t>());
          if (k == 4) c.gt += ",1";  // after the box: "consider"
        }
        c.gt += ',';
        c.gt += r[6].get<std::string>();
        c.gt += '\n';
      }
    }
    std::string seqmap = "name\n";
    for (const auto& [id, c] : clips) {
      const std::string name = clip_folder(id), dir = std::string(k_root) + name;
      seqmap += name + "\n";
      SL_TRY_STATUS(ctx.put(dir + "/gt/gt.txt", c.gt));
      char fps[32];
      std::snprintf(fps, sizeof fps, "%g", ctx.spec.sequence ? ctx.spec.sequence->fps : 0.0);
      SL_TRY_STATUS(ctx.put(dir + "/seqinfo.ini", "[Sequence]\nname=" + name + "\nimDir=img1\nframeRate=" + fps +
                                                      "\nseqLength=" + std::to_string(c.length) + "\nimWidth=" +
                                                      std::to_string(c.width) + "\nimHeight=" + std::to_string(c.height) +
                                                      "\nimExt=" + c.ext + "\n"));
    }
    return ctx.put("mot/seqmaps/synthlabel-all.txt", seqmap);
  }
};

std::string refuse(const SceneSpec& spec) { return needs_clips(spec, "mot: tracking ground truth"); }

}  // namespace

void register_mot(FormatRegistry& r) {
  r.add({.name = "mot",
         .summary = "MOT Challenge tracking ground truth per clip (gt.txt, seqinfo.ini, img1/, seqmap), for TrackEval",
         .folders = {"mot"},
         .files = {"mot/seqmaps/synthlabel-all.txt"},
         .needs_amodal = true,
         .refuse = refuse,
         .make = make_format<Mot>});
}

}  // namespace synthlabel::formats
