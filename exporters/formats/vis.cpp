// vis: YouTube-VIS style video instance segmentation (needs `sequence:`), laid out for TrackEval's
// YouTubeVIS with GT_FOLDER = OUT/vis/ and SPLIT_TO_EVAL = all (trackeval/datasets/youtube_vis.py: the
// one .json in GT_FOLDER + "youtube_vis_" + SPLIT; a video's sequence name is the folder of its first
// file name, its length the number of file names; each track's per-frame `segmentations` go through
// pycocotools' frPyObjects with the track's height and width, so they are uncompressed RLE — a
// {"size", "counts": [ints]} object, column-major, zeros first — and its `areas` give the track area):
//   vis/youtube_vis_all/instances.json
//     videos:      [{id: clip + 1, width, height, length, file_names: ["clipNNNNNN/KKKKKK.png", ...]}]
//     annotations: one per track (an instance of a clip): {id (1.. over the dataset), video_id,
//                  category_id, iscrowd: 0, height, width, length, segmentations, bboxes, areas}, each
//                  list one entry per frame of the clip, null where the instance shows no pixel
//     categories:  the thing categories {id, name, supercategory}
//   vis/JPEGImages/clipNNNNNN/KKKKKK.png   the frames again (KKKKKK: index in the clip, from 0)
// Written at the end clip by clip (one clip's records in memory at a time).
#include <cstdio>
#include <map>
#include <memory>

#include "core/FileIo.h"
#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

std::string image_name(std::uint64_t clip, std::uint64_t index, std::string_view ext) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s/%06llu", clip_folder(clip).c_str(), static_cast<unsigned long long>(index));
  return buf + std::string(ext);
}

class Vis final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& files, json& record) const override {
    if (f.clip == nullptr) return make_error(ExitCode::internal, "vis: a frame without a clip");
    json tracks = json::array();
    for (const InstanceLabel& l : f.labels) {
      tracks.push_back({{"id", l.instance_id}, {"category_id", category_of(f, l.instance_id)}, {"counts", l.rle_counts},
                        {"bbox", {l.x, l.y, l.w, l.h}}, {"area", l.area}});
    }
    record["vis"] = std::move(tracks);
    files.emplace_back("vis/JPEGImages/" + image_name(f.clip->clip, f.clip->index, f.rgb_ext), std::vector<std::uint8_t>(f.rgb_image.begin(), f.rgb_image.end()));
    return ok_status();
  }

  Status finish(const FinishContext& ctx) const override {
    struct Clip {
      std::uint64_t first = 0, length = 0, width = 0, height = 0;  // frames [first, first + length) here
      json file_names = json::array();
    };
    std::map<std::uint64_t, Clip> clips;  // in clip order
    for (std::uint64_t fr = ctx.first; fr < ctx.first + ctx.count; ++fr) {
      auto rec = ctx.load(fr);
      if (!rec) return rec.error();
      const auto [clip, index] = clip_of(*rec);
      const json& image = (*rec)["image"];
      Clip& c = clips[clip];
      if (c.length == 0) c.first = fr;
      ++c.length;
      c.width = image["width"].get<std::uint64_t>();
      c.height = image["height"].get<std::uint64_t>();
      const std::string file = image["file_name"].get<std::string>();
      c.file_names.push_back(image_name(clip, index, file.substr(file.rfind('.'))));
    }
    const std::string rel = "vis/youtube_vis_all/instances.json";
    std::error_code ec;
    std::filesystem::create_directories(ctx.out / "vis/youtube_vis_all", ec);
    if (ec) return io_error(ctx.out / "vis/youtube_vis_all", "create folder", ec);
    AtomicFileWriter out(ctx.out / rel);
    out.write("{\"videos\":[");
    bool first = true;
    for (const auto& [id, c] : clips) {
      const json video = {{"id", id + 1}, {"width", c.width}, {"height", c.height}, {"length", c.length}, {"file_names", c.file_names}};
      if (!first) out.write(",");
      out.write(video.dump());
      first = false;
    }
    out.write("],\"annotations\":[");
    std::uint64_t next_id = 1;
    for (const auto& [clip, c] : clips) {
      // The clip's tracks in instance-id order, each a list over the clip's frames.
      std::map<std::uint64_t, json> tracks;
      for (std::uint64_t k = 0; k < c.length; ++k) {
        auto rec = ctx.load(c.first + k);
        if (!rec) return rec.error();
        for (const json& t : (*rec)["vis"]) {
          json& track = tracks[t["id"].get<std::uint64_t>()];
          if (track.is_null()) {
            track = {{"video_id", clip + 1}, {"category_id", t["category_id"]}, {"iscrowd", 0}, {"height", c.height},
                     {"width", c.width}, {"length", c.length}, {"segmentations", json(c.length, nullptr)},
                     {"bboxes", json(c.length, nullptr)}, {"areas", json(c.length, nullptr)}};
          }
          track["segmentations"][k] = {{"size", {c.height, c.width}}, {"counts", t["counts"]}};
          track["bboxes"][k] = t["bbox"];
          track["areas"][k] = t["area"];
        }
      }
      for (auto& [instance, track] : tracks) {
        json a = {{"id", next_id++}};
        for (auto& [key, value] : track.items()) a[key] = std::move(value);
        if (next_id > 2) out.write(",");
        out.write(a.dump());
      }
    }
    json categories = json::array();
    for (std::size_t i = 0; i < ctx.spec.categories.size(); ++i) {
      const CategorySpec& c = ctx.spec.categories[i];
      if (!c.stuff) categories.push_back({{"id", i + 1}, {"name", c.name}, {"supercategory", c.supercategory}});
    }
    out.write("],\"categories\":" + categories.dump() + "}\n");
    SL_TRY_STATUS(out.commit());
    return ctx.written(rel);
  }
};

std::string refuse(const SceneSpec& spec) { return needs_clips(spec, "vis: video instance segmentation"); }

}  // namespace

void register_vis(FormatRegistry& r) {
  r.add({.name = "vis",
         .summary = "YouTube-VIS video instance segmentation: per-track, per-frame RLE, boxes and areas, for TrackEval",
         .folders = {"vis"},
         .files = {"vis/youtube_vis_all/instances.json"},
         .refuse = refuse,
         .make = make_format<Vis>});
}

}  // namespace synthlabel::formats
