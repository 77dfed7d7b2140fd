#include "cli/Merge.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/FileIo.h"
#include "exporters/DatasetWriter.h"
#include "exporters/OutputDir.h"
#include "scenes/SceneSpec.h"

namespace synthlabel {
namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

struct Part {
  fs::path dir;
  json manifest;
  json record_hashes;  // frame stem -> the record's hash, from the shard's finished manifest
  std::uint64_t first = 0, end = 0;  // frames [first, end)
};

// What a finished manifest adds to the identity, recomputed by merge.
constexpr const char* k_per_dataset_keys[] = {"shard", "coco_hash", "coco_keypoints_hash", "file_hashes", "frame_record_hashes"};

// The manifest minus what differs between shards of one dataset.
json identity_of(json m) {
  for (const char* k : k_per_dataset_keys) m.erase(k);
  m.erase("status");
  return m;
}

}  // namespace

Result<MergeSummary> merge_shards(const std::vector<fs::path>& shards, const fs::path& out, bool overwrite,
                                  const OutputLock* held) {
  if (shards.empty()) return make_error(ExitCode::usage, "merge: no shards given");
  if (auto s = check_not_an_input(out, shards, "--out"); !s) return make_error(ExitCode::usage, "merge: " + s.error().message);
  std::vector<Part> parts;
  for (const auto& dir : shards) {
    Part p;
    p.dir = dir;
    auto text = read_text_file(dir / "manifest.json");
    if (!text) return make_error(ExitCode::io, "merge: '" + dir.string() + "' is not a synthlabel dataset (no manifest.json)");
    const auto damaged = [&dir](const std::string& why) {
      return make_error(ExitCode::io, "merge: " + (dir / "manifest.json").string() + " is damaged: " + why);
    };
    try {
      p.manifest = json::parse(*text);
      const auto status = p.manifest.find("status");
      if (status == p.manifest.end() || !status->is_string() || status->get_ref<const std::string&>() != "complete") {
        return make_error(ExitCode::usage, "merge: shard '" + dir.string() +
                                               "' is incomplete; finish it with generate --resume first");
      }
      const json& range = p.manifest.contains("shard") ? p.manifest["shard"]["frames"] : p.manifest["frame_range"];
      p.first = range.at(0).get<std::uint64_t>();
      p.end = range.at(1).get<std::uint64_t>();
      p.record_hashes = p.manifest.at("frame_record_hashes");
      if (!p.record_hashes.is_object()) return damaged("frame_record_hashes is not an object");
      for (std::uint64_t f = p.first; f < p.end; ++f) (void)p.record_hashes.at(frame_stem(f)).get<std::string>();
    } catch (const json::exception& e) {
      return damaged(e.what());
    }
    parts.push_back(std::move(p));
  }
  const json ident = identity_of(parts.front().manifest);
  for (const Part& p : parts) {
    if (const std::string diff = manifest_difference(ident, identity_of(p.manifest)); !diff.empty()) {
      return make_error(ExitCode::usage, "merge: shards '" + parts.front().dir.string() + "' and '" + p.dir.string() +
                                             "' come from different runs: " + diff);
    }
  }
  std::sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) { return a.first < b.first; });
  std::uint64_t start = 0, end = 0;
  try {
    start = ident.at("frame_range").at(0).get<std::uint64_t>();
    end = ident.at("frame_range").at(1).get<std::uint64_t>();
  } catch (const json::exception& e) {
    return make_error(ExitCode::io, "merge: manifest has no frame_range: " + std::string(e.what()));
  }
  std::uint64_t next = start;
  for (const Part& p : parts) {
    if (p.first > next) {
      return make_error(ExitCode::usage, "merge: frames " + std::to_string(next) + ".." + std::to_string(p.first - 1) +
                                             " are missing: no shard given holds them");
    }
    if (p.first < next) {
      return make_error(ExitCode::usage, "merge: shard '" + p.dir.string() + "' overlaps another: frame " +
                                             std::to_string(p.first) + " is held twice");
    }
    next = p.end;
  }
  if (next != end) {
    return make_error(ExitCode::usage, "merge: frames " + std::to_string(next) + ".." + std::to_string(end - 1) +
                                           " are missing: no shard given holds them");
  }

  // The categories and seed for coco.json come from the recorded config.
  SceneSpec spec;
  try {
    spec.seed = ident.at("seed").get<std::uint64_t>();
    for (const auto& c : ident.at("config").at("categories")) {
      CategorySpec cat;
      cat.name = c.at("name").get<std::string>();
      cat.supercategory = c.at("supercategory").get<std::string>();
      cat.stuff = c.contains("stuff") && c.at("stuff").get<bool>();
      if (c.contains("keypoints")) {
        for (const auto& name : c.at("keypoints")) cat.keypoints.push_back(name.get<std::string>());
        for (const auto& e : c.at("skeleton")) cat.skeleton.push_back({e.at(0).get<std::uint32_t>(), e.at(1).get<std::uint32_t>()});
      }
      spec.categories.push_back(std::move(cat));
    }
    // The splits, for coco_SPLIT.json (each frame's own split is in its record).
    if (ident.at("config").contains("splits")) {
      for (const auto& [name, share] : ident.at("config").at("splits").items()) spec.splits.emplace_back(name, share.get<double>());
    }
    // Clips, for the video formats' files (mot, vis).
    if (ident.at("config").contains("sequence")) {
      const auto& sq = ident.at("config").at("sequence");
      spec.sequence = SequenceSpec{sq.at("length").get<std::uint64_t>(), sq.at("fps").get<double>()};
      if (sq.contains("track_points")) spec.sequence->track_points = sq.at("track_points").get<std::uint32_t>();
    }
    // The label formats whose dataset-level files (panoptic.json, data.yaml, ...) merge rewrites.
    if (ident.at("config").contains("outputs")) {
      for (const auto& f : ident.at("config").at("outputs")) {
        const std::string name = f.get<std::string>();
        bool option = name == "coco";
        for (const auto& [option_name, flag] : k_output_options) {
          if (name == option_name) spec.outputs.*flag = option = true;  // (formats may need one: kitti_flow needs flow)
        }
        if (!option) spec.outputs.formats.push_back(name);
      }
    }
  } catch (const json::exception& e) {
    return make_error(ExitCode::io, "merge: manifest config is damaged: " + std::string(e.what()));
  }
  OutputLock lock;
  if (held == nullptr) {
    auto l = prepare_output_dir(out, overwrite);
    if (!l) return l.error();
    lock = std::move(*l);
  }
  DatasetWriter writer(out);
  // Same shape as generate's manifest: identity, then status and conventions.
  json manifest = parts.front().manifest;
  for (const char* k : k_per_dataset_keys) manifest.erase(k);
  manifest["status"] = "incomplete";
  auto write = [&]() -> Status {
    SL_TRY_STATUS(writer.write_manifest(manifest));
    for (const Part& p : parts) {
      for (std::uint64_t f = p.first; f < p.end; ++f) {
        SL_TRY_STATUS(writer.adopt_frame(p.dir, f, p.record_hashes.at(frame_stem(f)).get<std::string>()));
      }
    }
    auto formats = build_formats(spec);
    if (!formats) return make_error(ExitCode::io, "merge: the shards' recorded outputs: " + formats.error().message);
    return writer.finish(spec, **formats, start, end - start, manifest);
  };
  if (auto s = write(); !s) {
    // A refused merge leaves no half dataset: what it wrote goes (its own manifest accounts for it),
    // and the folder too if it made it (a held folder is its caller's).
    if (held == nullptr) lock.abandon();
    else (void)remove_dataset_files(out);
    return make_error(s.error().code, "merge: " + s.error().message + "; nothing merged");
  }
  return MergeSummary{writer.frames_written(), writer.dataset_annotations(), parts.size()};
}

}  // namespace synthlabel
