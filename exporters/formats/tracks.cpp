// tracks: TAP-Vid style point tracks (with `sequence:`), one NumPy .npz per clip:
//   tracks/clipNNNNNN.npz   points        float32 [N, T, 2]  x, y of each point at each frame, scaled to
//                                                          [0, 1] by the image's width and height (the
//                                                          continuous pixel coordinates / (W, H): TAP-Vid's
//                                                          convention, tapnet/tapvid/evaluation_datasets.py
//                                                          multiplies them by [width, height])
//                           occluded      bool    [N, T]     True where the point is not seen: outside the
//                                                          image, not in front of the camera, or hidden
//                                                          (the instance PNG's pixel under it holds another
//                                                          id, or the depth there is nearer than the point
//                                                          by more than 0.01 m + 2 % of its depth)
//                           instance_id   int32   [N]        the track (instance) each point belongs to
//                           object_points float32 [N, 3]     the point in its mesh's space (metres)
//                           frames        int64   [T]        the dataset frame of each time step
// N = sequence.track_points per labeled instance of the clip, drawn uniformly (by area) on its mesh's
// surface once per clip; T = the clip's frames in the run. Why .npz: the arrays TAP-Vid's loaders hold
// (its pickles are dicts of these arrays plus the video), readable by numpy.load alone, without
// pickle's code execution; stored entries (no compression) so any zip reader works.
#include <cmath>
#include <cstring>
#include <map>

#include <zlib.h>

#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

// One .npy file (format 1.0): magic, header length, the header dict padded to 64 bytes, the data.
std::string npy(const std::string& descr, const std::string& shape, const std::string& data) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + data;
}

void put16(std::string& s, std::uint32_t v) {
  s += static_cast<char>(v & 0xff);
  s += static_cast<char>((v >> 8) & 0xff);
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xffff);
  put16(s, v >> 16);
}

// A zip archive of stored (uncompressed) entries, as numpy.savez writes them.
std::string zip(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out, central;
  for (const auto& [name, data] : entries) {
    const auto crc = static_cast<std::uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    const auto offset = static_cast<std::uint32_t>(out.size());
    const auto size = static_cast<std::uint32_t>(data.size()), name_len = static_cast<std::uint32_t>(name.size());
    put32(out, 0x04034b50);
    put16(out, 20), put16(out, 0), put16(out, 0), put16(out, 0), put16(out, 0x21);  // version, flags, stored, time, date
    put32(out, crc), put32(out, size), put32(out, size), put16(out, name_len), put16(out, 0);
    out += name;
    out += data;
    put32(central, 0x02014b50);
    put16(central, 20), put16(central, 20), put16(central, 0), put16(central, 0), put16(central, 0), put16(central, 0x21);
    put32(central, crc), put32(central, size), put32(central, size), put16(central, name_len);
    put16(central, 0), put16(central, 0), put16(central, 0), put16(central, 0), put32(central, 0), put32(central, offset);
    central += name;
  }
  const auto central_offset = static_cast<std::uint32_t>(out.size()), central_size = static_cast<std::uint32_t>(central.size());
  out += central;
  const auto n = static_cast<std::uint32_t>(entries.size());
  put32(out, 0x06054b50), put16(out, 0), put16(out, 0), put16(out, n), put16(out, n);
  put32(out, central_size), put32(out, central_offset), put16(out, 0);
  return out;
}

template <class T>
void append(std::string& s, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  s.append(b, sizeof(T));
}

class Tracks final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles&, json& record) const override {
    if (f.clip == nullptr) return make_error(ExitCode::internal, "tracks: a frame without a clip");
    json tracks = json::array();
    for (const Instance& inst : f.instances) {
      if (inst.instance_id == 0 || inst.stuff || inst.track_points.empty()) continue;
      json points = json::array();
      for (std::size_t k = 0; k < inst.track_points.size(); ++k) {
        const glm::dvec3 p = k < inst.geometry.tracks.size() ? inst.geometry.tracks[k] : glm::dvec3(std::nan(""));
        const bool inside = std::isfinite(p.x) && std::isfinite(p.y) && p.z > 0 && p.x >= 0 && p.y >= 0 && p.x < f.width && p.y < f.height;
        bool seen = false;
        if (inside) {
          const std::size_t px = static_cast<std::size_t>(p.x) + static_cast<std::size_t>(p.y) * f.width;
          seen = f.ids[px] == inst.instance_id && double(f.depth[px]) >= p.z - (0.01 + 0.02 * p.z);
        }
        const glm::dvec3& m = inst.track_points[k];
        points.push_back({std::isfinite(p.x) ? p.x / f.width : -1.0, std::isfinite(p.y) ? p.y / f.height : -1.0, !seen,
                          m.x, m.y, m.z});
      }
      tracks.push_back({{"instance_id", inst.instance_id}, {"points", std::move(points)}});
    }
    record["tracks"] = std::move(tracks);
    return ok_status();
  }

  Status finish(const FinishContext& ctx) const override {
    // Clip by clip (a clip's frames are consecutive): one clip's tracks in memory at a time.
    struct Clip {
      std::uint64_t id = 0;
      std::vector<std::uint64_t> frames;
      std::vector<json> steps;  // each frame's tracks
    };
    Clip clip;
    for (std::uint64_t fr = ctx.first; fr < ctx.first + ctx.count; ++fr) {
      auto rec = ctx.load(fr);
      if (!rec) return rec.error();
      const std::uint64_t id = clip_of(*rec).clip;
      if (!clip.frames.empty() && id != clip.id) {
        SL_TRY_STATUS(write_clip(ctx, clip.id, clip.frames, clip.steps));
        clip = Clip{};
      }
      clip.id = id;
      clip.frames.push_back(fr);
      clip.steps.push_back(std::move((*rec)["tracks"]));
    }
    if (!clip.frames.empty()) SL_TRY_STATUS(write_clip(ctx, clip.id, clip.frames, clip.steps));
    return ok_status();
  }

 private:
  static Status write_clip(const FinishContext& ctx, std::uint64_t id, const std::vector<std::uint64_t>& frame_list,
                           const std::vector<json>& steps_of) {
    // The clip's points: the first frame's instances (the same in every frame of the clip).
    const json& first = steps_of.front();
    std::size_t n = 0;
    for (const json& t : first) n += t["points"].size();
    const std::size_t steps = frame_list.size();
    std::string points, occluded, ids, object, frames;
    for (std::size_t i = 0; i < first.size(); ++i) {
      for (std::size_t k = 0; k < first[i]["points"].size(); ++k) {
        append(ids, static_cast<std::int32_t>(first[i]["instance_id"].get<std::uint32_t>()));
        for (std::size_t a = 3; a < 6; ++a) append(object, static_cast<float>(first[i]["points"][k][a].get<double>()));
        for (std::size_t t = 0; t < steps; ++t) {
          const json& tr = steps_of[t];
          if (i >= tr.size() || tr[i]["instance_id"] != first[i]["instance_id"] || k >= tr[i]["points"].size()) {
            return make_error(ExitCode::internal, "tracks: clip " + std::to_string(id) + " changes its instances");
          }
          const json& p = tr[i]["points"][k];
          append(points, static_cast<float>(p[0].get<double>()));
          append(points, static_cast<float>(p[1].get<double>()));
          occluded += static_cast<char>(p[2].get<bool>() ? 1 : 0);
        }
      }
    }
    for (std::uint64_t fr : frame_list) append(frames, static_cast<std::int64_t>(fr));
    const std::string nt = "(" + std::to_string(n) + ", " + std::to_string(steps);
    const std::string archive = zip({{"points.npy", npy("<f4", nt + ", 2)", points)},
                                     {"occluded.npy", npy("|b1", nt + ")", occluded)},
                                     {"instance_id.npy", npy("<i4", "(" + std::to_string(n) + ",)", ids)},
                                     {"object_points.npy", npy("<f4", "(" + std::to_string(n) + ", 3)", object)},
                                     {"frames.npy", npy("<i8", "(" + std::to_string(steps) + ",)", frames)}});
    return ctx.put("tracks/" + clip_folder(id) + ".npz", archive);
  }
};

}  // namespace

void register_tracks(FormatRegistry& r) {
  r.add({.name = "tracks",
         .summary = "TAP-Vid style point tracks per clip (tracks/clipNNNNNN.npz: points, occluded, instance_id)",
         .folders = {"tracks"},
         .refuse = [](const SceneSpec& spec) { return needs_clips(spec, "tracks: point tracks"); },
         .make = make_format<Tracks>});
}

}  // namespace synthlabel::formats
