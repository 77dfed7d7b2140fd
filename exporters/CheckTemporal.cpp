#include "exporters/CheckTemporal.h"

#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "core/FileIo.h"
#include "exporters/FrameEncoder.h"
#include "exporters/RleDecode.h"

namespace synthlabel {
namespace {

using json = nlohmann::json;

// A file's text, "" when it cannot be read (what is missing is reported by the other checks).
std::string read_file(const std::filesystem::path& p) {
  auto text = read_text_file(p);
  return text ? std::move(text).value() : std::string();
}

struct Ann {
  std::uint64_t track = 0, category = 0;
  std::vector<std::int64_t> counts;  // decoded RLE
  std::vector<double> bbox;
  double area = 0;
  double visibility = -1;  // -1: none
  bool claimed = false;    // matched by a VIS track's frame
  bool mot = false;        // matched by a MOT row
};

using Key = std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>;  // video, frame index, track

class TemporalChecker {
 public:
  TemporalChecker(const std::filesystem::path& dir, std::vector<std::string>& defects, TemporalCheckStats& stats)
      : m_dir(dir), m_defects(defects), m_stats(stats) {}

  void run(const json& coco) {
    std::map<std::int64_t, std::pair<std::uint64_t, std::uint64_t>> video_of;  // image id -> video, frame index
    std::map<std::int64_t, std::uint64_t> frame_of;                              // image id -> dataset frame
    for (const json& im : coco["images"]) {
      if (!im.is_object() || !im.contains("video_id")) continue;
      const auto id = im.value("id", std::int64_t{0});
      video_of[id] = {im.value("video_id", std::uint64_t{0}), im.value("frame_index", std::uint64_t{0})};
      frame_of[id] = im.value("frame", std::uint64_t{0});
    }
    if (video_of.empty()) return;
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::set<std::uint64_t>> categories;  // (video, track) -> categories
    for (const json& a : coco["annotations"]) {
      if (!a.is_object()) continue;
      const auto it = video_of.find(a.value("image_id", std::int64_t{0}));
      if (it == video_of.end()) continue;
      const std::string at = "coco.json: annotation " + a.value("id", json()).dump();
      if (!a.contains("track_id") || !a["track_id"].is_number_unsigned()) {
        defect(at + ": no track_id in a clip");
        continue;
      }
      Ann ann;
      ann.track = a["track_id"].get<std::uint64_t>();
      ann.category = a.value("category_id", std::uint64_t{0});
      if (a.value("instance_id", std::uint64_t{0}) != ann.track) defect(at + ": track_id is not its instance_id");
      if (a.contains("segmentation") && a["segmentation"].is_object() && a["segmentation"].value("counts", json()).is_string()) {
        decode_rle(a["segmentation"]["counts"].get<std::string>(), ann.counts);
      }
      if (a.contains("bbox") && a["bbox"].is_array()) {
        for (const json& v : a["bbox"]) ann.bbox.push_back(v.is_number() ? v.get<double>() : -1.0);
      }
      ann.area = a.value("area", 0.0);
      if (a.contains("visibility") && a["visibility"].is_number()) ann.visibility = a["visibility"].get<double>();
      const auto [video, index] = it->second;
      const std::uint64_t track = ann.track;
      categories[{video, track}].insert(ann.category);
      if (!m_anns.emplace(Key{video, index, track}, std::move(ann)).second) {
        defect(at + ": track " + std::to_string(track) + " twice in frame " + std::to_string(index) + " of video " + std::to_string(video));
      }
      m_frames[{video, index}] = frame_of[it->first];
    }
    for (const auto& [track, cats] : categories) {
      if (cats.size() > 1) defect("coco.json: track " + std::to_string(track.second) + " of video " + std::to_string(track.first) + " changes category");
    }
    m_stats.tracks = categories.size();
    std::set<std::uint64_t> videos;
    for (const auto& [id, v] : video_of) videos.insert(v.first);
    m_stats.clips = videos.size();
    check_identity();
    check_mot();
    check_vis();
  }

 private:
  void defect(std::string s) {
    if (m_defects.size() < 10000) m_defects.push_back(std::move(s));
  }

  // A track is one object of the config for its clip: its record entry (object, pool entry) is the same
  // in every frame.
  void check_identity() {
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::string> identity;
    std::map<std::uint64_t, json> records;  // by dataset frame, read once
    for (const auto& [key, ann] : m_anns) {
      const auto [video, index, track] = key;
      const std::uint64_t frame = m_frames[{video, index}];
      if (!records.count(frame)) {
        records[frame] = json::parse(read_file(m_dir / record_path(frame)), nullptr, false);
      }
      const json& rec = records[frame];
      if (rec.is_discarded() || !rec.contains("params")) continue;  // reported by the integrity check
      std::string who;
      for (const json& inst : rec["params"].value("instances", json::array())) {
        if (inst.value("instance_id", std::uint64_t{0}) == track) who = inst.value("object", json()).dump() + "/" + inst.value("pool_entry", json()).dump();
      }
      auto [it, fresh] = identity.emplace(std::pair{video, track}, who);
      if (!fresh && it->second != who) {
        defect("records: track " + std::to_string(track) + " of video " + std::to_string(video) + " is another object at frame " + std::to_string(frame));
      }
    }
  }

  void check_mot() {
    const std::filesystem::path root = m_dir / "mot" / "synthlabel-all";
    std::error_code ec;
    if (!std::filesystem::is_directory(root, ec)) return;
    std::set<std::uint64_t> seen_videos;
    for (const auto& e : std::filesystem::directory_iterator(root, ec)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("clip", 0) != 0) continue;
      const std::uint64_t video = std::stoull(name.substr(4)) + 1;
      seen_videos.insert(video);
      const std::string rel = "mot/synthlabel-all/" + name + "/gt/gt.txt";
      std::istringstream text(read_file(m_dir / rel));
      std::string line;
      std::size_t row = 0;
      while (std::getline(text, line)) {
        ++row;
        double v[9];
        if (std::sscanf(line.c_str(), "%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) != 9) {
          defect(rel + ":" + std::to_string(row) + ": not 9 comma-separated numbers");
          continue;
        }
        ++m_stats.mot_rows;
        const auto it = m_anns.find(Key{video, static_cast<std::uint64_t>(v[0]) - 1, static_cast<std::uint64_t>(v[1])});
        if (it == m_anns.end()) {
          defect(rel + ":" + std::to_string(row) + ": no COCO annotation of track " + std::to_string(static_cast<long long>(v[1])) + " in that frame");
          continue;
        }
        Ann& a = it->second;
        a.mot = true;
        const bool box = a.bbox.size() == 4 && a.bbox[0] == v[2] - 1 && a.bbox[1] == v[3] - 1 && a.bbox[2] == v[4] && a.bbox[3] == v[5];
        const bool vis_ok = a.visibility < 0 ? v[8] == -1 : std::abs(a.visibility - v[8]) <= 1e-6;
        if (!box || v[6] != 1 || v[7] != double(a.category) || !vis_ok) {
          defect(rel + ":" + std::to_string(row) + ": differs from the COCO annotation (box with 1-based left/top, class, visibility)");
        }
      }
    }
    for (const auto& [key, a] : m_anns) {
      if (seen_videos.count(std::get<0>(key)) && !a.mot) {
        defect("mot: no gt.txt row for track " + std::to_string(std::get<2>(key)) + " in frame " + std::to_string(std::get<1>(key) + 1) +
               " of clip " + std::to_string(std::get<0>(key) - 1));
        break;
      }
    }
  }

  void check_vis() {
    const std::filesystem::path file = m_dir / "vis" / "youtube_vis_all" / "instances.json";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) return;
    const json vis = json::parse(read_file(file), nullptr, false);
    if (vis.is_discarded() || !vis.contains("annotations")) return defect("vis/youtube_vis_all/instances.json: not a YouTube-VIS file");
    std::set<std::uint64_t> videos;
    for (const json& t : vis["annotations"]) {
      const auto video = t.value("video_id", std::uint64_t{0});
      videos.insert(video);
      const json& segs = t.value("segmentations", json::array());
      std::set<std::uint64_t> tracks;
      for (std::size_t k = 0; k < segs.size(); ++k) {
        if (segs[k].is_null()) continue;
        ++m_stats.vis_masks;
        std::vector<std::int64_t> counts;
        for (const json& c : segs[k].value("counts", json::array())) counts.push_back(c.is_number() ? c.get<std::int64_t>() : -1);
        const Ann* match = nullptr;
        for (auto it = m_anns.lower_bound(Key{video, k, 0}); it != m_anns.end() && std::get<0>(it->first) == video && std::get<1>(it->first) == k; ++it) {
          if (it->second.counts == counts && !it->second.claimed) match = &it->second;
        }
        const std::string at = "vis/youtube_vis_all/instances.json: track " + t.value("id", json()).dump() + " frame " + std::to_string(k);
        if (match == nullptr) {
          defect(at + ": its mask is no COCO annotation's of that frame");
          continue;
        }
        const_cast<Ann*>(match)->claimed = true;
        tracks.insert(match->track);
        std::vector<double> box;
        for (const json& b : t["bboxes"][k]) box.push_back(b.is_number() ? b.get<double>() : -1.0);
        if (box != match->bbox || t["areas"][k].get<double>() != match->area || t.value("category_id", std::uint64_t{0}) != match->category) {
          defect(at + ": box, area or category differ from COCO's");
        }
      }
      if (tracks.size() > 1) defect("vis/youtube_vis_all/instances.json: track " + t.value("id", json()).dump() + " joins several COCO tracks");
    }
    for (const auto& [key, a] : m_anns) {
      if (videos.count(std::get<0>(key)) && !a.claimed) {
        defect("vis: track " + std::to_string(std::get<2>(key)) + " of video " + std::to_string(std::get<0>(key)) + " frame " +
               std::to_string(std::get<1>(key)) + " is in no YouTube-VIS track");
        break;
      }
    }
  }

  std::filesystem::path m_dir;
  std::vector<std::string>& m_defects;
  TemporalCheckStats& m_stats;
  std::map<Key, Ann> m_anns;
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::uint64_t> m_frames;  // (video, index) -> dataset frame
};

}  // namespace

void check_temporal(const std::filesystem::path& dir, const json& coco, std::vector<std::string>& defects, TemporalCheckStats& stats) {
  if (!coco.is_object() || !coco.contains("images") || !coco.contains("annotations")) return;
  TemporalChecker(dir, defects, stats).run(coco);
}

}  // namespace synthlabel
