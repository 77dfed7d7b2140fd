// coco: COCO instances, always written (listing `coco` in outputs: changes nothing). At the end of a
// run, from the frame records (whose "image" and "annotations" are already in COCO form):
//   coco.json                         every image and annotation (ids from 1 in frame order)
//   coco_keypoints.json               with keypoints: only the categories with keypoints, as COCO's
//                                     person_keypoints files are (COCOeval's keypoint mode needs
//                                     num_keypoints on every annotation)
//   coco_keypoints/category_ID.json   per keypoint category: pycocotools' COCOeval takes one
//                                     kpt_oks_sigmas vector for every category (cocoeval.py computeOks),
//                                     so categories with different keypoint counts are evaluated apart
//   coco_SPLIT.json                   with splits: that split's frames only
// Each streams the records twice (images, then annotations), so memory stays flat in the number of
// frames. The manifest gets coco_hash (and coco_keypoints_hash), which resume and merge compare.
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/FileIo.h"
#include "core/Version.h"
#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

namespace fs = std::filesystem;

std::string to_text(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// With keypoints: the COCO keypoints file of one keypoint category, relative to the dataset.
std::string keypoint_category_file(std::uint64_t category_id) {
  return "coco_keypoints/category_" + std::to_string(category_id) + ".json";
}

class Coco final : public LabelFormat {
 public:
  Status encode(const FrameLabels& /*frame*/, FrameFiles& /*files*/, json& /*record*/) const override { return ok_status(); }

  Status finish(const FinishContext& ctx) const override {
    const SceneSpec& spec = ctx.spec;
    const std::uint64_t first = ctx.first, count = ctx.count;
    const auto& load = ctx.load;
    const json info = {{"description", "synthlabel dataset"},
                       {"version", std::string(tool_version())},
                       {"git_revision", std::string(git_revision())},
                       {"seed", spec.seed}};
    // The COCO files: coco.json, and with keypoints coco_keypoints.json holding only the categories
    // with keypoints, as COCO's person_keypoints files are (COCOeval's keypoint mode needs
    // num_keypoints on every annotation), and coco_keypoints/category_ID.json per keypoint category:
    // pycocotools' COCOeval takes one kpt_oks_sigmas vector for every category (cocoeval.py
    // computeOks), so categories with different keypoint counts are evaluated one file at a time.
    // Each: every image, the annotations of the categories it keeps (ids from 1 in frame order), those
    // categories with their keypoint names and skeleton. All are written in the same two passes over
    // the records.
    struct CocoFile {
      std::string rel;  // path relative to the dataset
      std::unique_ptr<AtomicFileWriter> file;
      std::function<bool(std::uint64_t)> keep;  // category id -> in this file
      std::uint64_t next_id = 1;
      std::string split = {};     // only this split's frames ("" all)
      std::uint64_t images = 0;
    };
    std::vector<CocoFile> files;
    files.push_back({"coco.json", std::make_unique<AtomicFileWriter>(ctx.out / "coco.json"), [](std::uint64_t) { return true; }});
    bool any_keypoints = false;
    for (const auto& c : spec.categories) any_keypoints = any_keypoints || !c.keypoints.empty();
    if (any_keypoints) {
      files.push_back({"coco_keypoints.json", std::make_unique<AtomicFileWriter>(ctx.out / "coco_keypoints.json"), [&](std::uint64_t id) {
                         return id >= 1 && id <= spec.categories.size() && !spec.categories[id - 1].keypoints.empty();
                       }});
      std::error_code ec;
      fs::create_directories(ctx.out / "coco_keypoints", ec);
      if (ec) return io_error(ctx.out / "coco_keypoints", "create folder", ec);
      for (std::uint64_t id = 1; id <= spec.categories.size(); ++id) {
        if (spec.categories[id - 1].keypoints.empty()) continue;
        files.push_back({keypoint_category_file(id), std::make_unique<AtomicFileWriter>(ctx.out / keypoint_category_file(id)),
                         [id](std::uint64_t c) { return c == id; }});
      }
    }
    // With splits: coco_SPLIT.json per split, its frames only (ids from 1 in each, as in every file).
    for (const auto& [name, share] : spec.splits) {
      files.push_back({"coco_" + name + ".json", std::make_unique<AtomicFileWriter>(ctx.out / ("coco_" + name + ".json")),
                       [](std::uint64_t) { return true; }, 1, name, 0});
    }
    auto split_of = [](const json& rec) {
      return rec.contains("image") && rec["image"].contains("split") && rec["image"]["split"].is_string()
                 ? rec["image"]["split"].get<std::string>()
                 : std::string();
    };
    // A frame's annotations as the second pass writes them: category id, and the record's fields with
    // the closing brace. Kept from the first pass while they are small (64 MiB of text in all), so that
    // a record is parsed once, not twice; beyond that the second pass reads the records again, and
    // memory stays flat in the number of frames.
    struct FrameAnnotations {
      std::string split;
      std::vector<std::pair<std::uint64_t, std::string>> fields;
    };
    auto annotations_of = [&](const json& rec) {
      FrameAnnotations fa{split_of(rec), {}};
      for (const auto& a : rec["annotations"]) {
        if (!a.contains("category_id") || !a["category_id"].is_number_unsigned()) continue;
        fa.fields.emplace_back(a["category_id"].get<std::uint64_t>(), to_text(a).substr(1));
      }
      return fa;
    };
    std::size_t k_kept_bytes = std::size_t{64} << 20;
    if (const char* test = std::getenv("SYNTHLABEL_TEST_COCO_KEEP_BYTES")) k_kept_bytes = std::strtoull(test, nullptr, 10);
    std::vector<FrameAnnotations> kept;
    std::size_t kept_bytes = 0;
    bool keeping = true;
    for (CocoFile& out : files) out.file->write("{\"info\":" + to_text(info) + ",\"licenses\":[],\"images\":[");
    for (std::uint64_t f = first; f < first + count; ++f) {
      auto rec = load(f);
      if (!rec) return rec.error();
      const std::string image = to_text((*rec)["image"]), split = split_of(*rec);
      for (CocoFile& out : files) {
        if (!out.split.empty() && out.split != split) continue;
        if (out.images++ > 0) out.file->write(",");
        out.file->write(image);
      }
      if (keeping) {
        kept.push_back(annotations_of(*rec));
        for (const auto& a : kept.back().fields) kept_bytes += a.second.size();
        if (kept_bytes > k_kept_bytes) keeping = false, kept = {};
      }
    }
    for (CocoFile& out : files) out.file->write("],\"annotations\":[");
    for (std::uint64_t f = first; f < first + count; ++f) {
      FrameAnnotations read_again;
      if (!keeping) {
        auto rec = load(f);
        if (!rec) return rec.error();
        read_again = annotations_of(*rec);
      }
      const FrameAnnotations& frame = keeping ? kept[f - first] : read_again;
      const std::string& split = frame.split;
      for (const auto& [category, fields] : frame.fields) {
        for (CocoFile& out : files) {
          if (!out.split.empty() && out.split != split) continue;
          if (!out.keep(category)) continue;
          out.file->write(out.next_id == 1 ? "{\"id\":" : ",{\"id\":");
          out.file->write(std::to_string(out.next_id) + "," + fields);
          ++out.next_id;
        }
      }
    }
    for (CocoFile& out : files) {
      json cats = json::array();
      for (std::size_t i = 0; i < spec.categories.size(); ++i) {
        if (!out.keep(i + 1)) continue;
        cats.push_back(coco_category(spec.categories[i], i + 1));
      }
      out.file->write("],\"categories\":" + to_text(cats) + "}");
      SL_TRY_STATUS(out.file->commit());
    }
    for (const CocoFile& f : files) SL_TRY_STATUS(ctx.written(f.rel));
    (*ctx.manifest)["coco_hash"] = ctx.hash_of("coco.json");
    if (any_keypoints) (*ctx.manifest)["coco_keypoints_hash"] = ctx.hash_of("coco_keypoints.json");
    ctx.count_annotations(files.front().next_id - 1);
    return ok_status();
  }
};

}  // namespace

void register_coco(FormatRegistry& r) {
  r.add({.name = "coco",
         .summary = "COCO instances: coco.json (RLE or polygons), keypoint files, coco_SPLIT.json; always written",
         .folders = {"coco_keypoints"},
         .files = {"coco.json", "coco_keypoints.json"},
         .always = true,
         .make = make_format<Coco>});
}

}  // namespace synthlabel::formats
