#include "exporters/DatasetWriter.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <charconv>
#include <cstdlib>
#include <cstdio>
#include <system_error>

#include "core/FileIo.h"
#include "core/Version.h"
#include "exporters/Labels.h"
#include "exporters/Polygons.h"
#include "exporters/Rle.h"
#include "exporters/SensorEffects.h"
#include "scenes/Texture.h"

namespace synthlabel {
namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

// Every JSON we write: compact (or indented), and never throwing on a string that is not UTF-8.
std::string to_text(const json& j, int indent = -1) { return j.dump(indent, ' ', false, json::error_handler_t::replace); }

std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

namespace {

std::string shorten(const json& j) {
  std::string s = to_text(j);
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

// The first place `a` and `b` differ, down to the leaf ("config.camera.fov_deg (40 vs 45)"), so the two
// values shown are never the same truncated text; an array element with a "file" is named by it.
std::string first_difference(const std::string& path, const json& a, const json& b) {
  if (a == b) return "";
  if (a.is_object() && b.is_object()) {
    for (const auto& [key, value] : a.items()) {
      const std::string at = path.empty() ? key : path + "." + key;
      if (!b.contains(key)) return at + " (" + shorten(value) + " vs missing)";
      if (std::string d = first_difference(at, value, b[key]); !d.empty()) return d;
    }
    for (const auto& [key, value] : b.items()) {
      if (!a.contains(key)) return (path.empty() ? key : path + "." + key) + " (missing vs " + shorten(value) + ")";
    }
  }
  if (a.is_array() && b.is_array() && a.size() == b.size()) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      const bool named = a[i].is_object() && a[i].contains("file") && a[i]["file"].is_string();
      const std::string at = path + "[" + (named ? a[i]["file"].get<std::string>() : std::to_string(i)) + "]";
      if (std::string d = first_difference(at, a[i], b[i]); !d.empty()) return d;
    }
  }
  return path + " (" + shorten(a) + " vs " + shorten(b) + ")";
}

// A path as compared: its file name only. The folder it was reached through (relative or absolute,
// another working directory, another cluster node) is recorded but not compared: the files' content
// is, through "inputs".
json file_name_of(const json& path) {
  return path.is_string() ? json(std::filesystem::path(path.get<std::string>()).filename().string()) : path;
}

// The identity as compared: no config_file; config asset and map paths by file name; inputs keyed
// and sorted by file name (then kind), so their order does not follow the paths either.
json comparable(json m) {
  m.erase("config_file");
  if (m.contains("config") && m["config"].is_object()) {
    json& c = m["config"];
    auto shapes = [](json& o) {
      if (o.is_object() && o.contains("asset")) o["asset"] = file_name_of(o["asset"]);
    };
    if (c.contains("objects") && c["objects"].is_array()) {
      for (json& o : c["objects"]) {
        shapes(o);
        if (o.is_object() && o.contains("pool") && o["pool"].is_array()) {
          for (json& e : o["pool"]) shapes(e);
        }
      }
    }
    if (c.contains("environment") && c["environment"].is_object() && c["environment"].contains("maps") &&
        c["environment"]["maps"].is_array()) {
      for (json& p : c["environment"]["maps"]) p = file_name_of(p);
    }
  }
  if (m.contains("inputs") && m["inputs"].is_array()) {
    std::map<std::string, json> sorted;  // "NAME (KIND)" -> hash
    for (const json& e : m["inputs"]) {
      if (!e.is_object() || !e.contains("file")) continue;
      const std::string name = file_name_of(e["file"]).get<std::string>();
      for (const auto& [kind, hash] : e.items()) {
        if (kind != "file") sorted[name + " (" + kind + ")"] = hash;
      }
    }
    json inputs = json::object();
    for (auto& [key, hash] : sorted) inputs[key] = std::move(hash);
    m["inputs"] = std::move(inputs);
  }
  return m;
}

}  // namespace

std::string manifest_difference(const json& expected_in, const json& found_in) {
  const json expected = comparable(expected_in), found = comparable(found_in);
  for (const auto& [key, value] : expected.items()) {
    if (!found.contains(key)) return key + " (" + shorten(value) + " vs missing)";
    if (std::string d = first_difference(key, value, found[key]); !d.empty()) return d;
  }
  return "";
}


std::vector<std::string> dataset_folders(bool with_frame_folders) {
  std::vector<std::string> out;
  if (with_frame_folders) out.assign(std::begin(k_dataset_folders), std::end(k_dataset_folders));
  out.insert(out.end(), std::begin(k_optional_folders), std::end(k_optional_folders));
  for (const FormatInfo& f : format_registry().all()) out.insert(out.end(), f.folders.begin(), f.folders.end());
  return out;
}

std::vector<std::string> dataset_files() {
  std::vector<std::string> out(std::begin(k_dataset_files), std::end(k_dataset_files));
  for (const FormatInfo& f : format_registry().all()) out.insert(out.end(), f.files.begin(), f.files.end());
  return out;
}

namespace {

// A complete frame as found in dataset `dir`: its record text and each file it lists with its bytes,
// every file read once and checked against the record's hash. Nothing when anything is missing,
// damaged or shaped unlike what we write.
struct VerifiedFrame {
  std::string record;
  std::vector<std::pair<std::string, std::string>> files;  // path relative to the dataset, bytes
};

std::optional<VerifiedFrame> read_verified_frame(const fs::path& dir, std::uint64_t frame) {
  auto text = read_text_file(dir / record_path(frame));
  if (!text) return std::nullopt;
  try {
    const json rec = json::parse(*text);
    const json& files = rec.at("files");
    if (!files.is_object() || files.empty() || !rec.contains("image") || !rec.contains("annotations")) {
      return std::nullopt;
    }
    VerifiedFrame out;
    for (const auto& [rel, hash] : files.items()) {
      // Paths come from a file on disk: only accept the shapes we write ("folder/NNNNNN.ext").
      if (rel.find("..") != std::string::npos || rel.empty() || rel.front() == '/') return std::nullopt;
      auto bytes = read_text_file(dir / rel);
      if (!bytes || content_hash(as_bytes(*bytes)) != hash.get<std::string>()) return std::nullopt;
      out.files.emplace_back(rel, std::move(bytes).value());
    }
    out.record = std::move(text).value();
    return out;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

bool DatasetWriter::frame_is_complete(std::uint64_t frame, const std::string& record_hash) const {
  const auto found = read_verified_frame(m_out, frame);
  return found && (record_hash.empty() || content_hash(as_bytes(found->record)) == record_hash);
}

Result<std::uint64_t> DatasetWriter::remove_temp_files() const {
  std::uint64_t removed = 0;
  std::error_code ec;
  std::vector<fs::path> dirs = {m_out};
  for (const char* f : k_dataset_folders) dirs.push_back(m_out / f);
  for (const std::string& f : dataset_folders(false)) {  // nested folders (voc/Annotations, yolo/labels, ...)
    if (!fs::is_directory(m_out / f, ec)) continue;
    dirs.push_back(m_out / f);
    for (const auto& e : fs::recursive_directory_iterator(m_out / f, ec)) {
      if (e.is_directory(ec)) dirs.push_back(e.path());
    }
  }
  for (const auto& dir : dirs) {
    if (!fs::is_directory(dir, ec)) continue;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.is_regular_file(ec) && e.path().filename().string().find(".tmp.") != std::string::npos) {
        fs::remove(e.path(), ec);
        if (ec) return io_error(e.path(), "remove", ec);
        ++removed;
      }
    }
    if (ec) return io_error(dir, "list", ec);
  }
  return removed;
}

Status DatasetWriter::write_manifest(const json& manifest) const {
  return write_file_atomic(m_out / "manifest.json", to_text(manifest, 2) + "\n");
}

Status DatasetWriter::ensure_parent(const std::string& rel) {
  const fs::path parent = (m_out / rel).parent_path();
  if (m_made.count(parent.string())) return ok_status();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) return io_error(parent, "create folder", ec);
  m_made.insert(parent.string());
  return ok_status();
}

Status DatasetWriter::ensure_dirs() {
  if (m_dirs_made) return ok_status();
  for (const char* f : k_dataset_folders) {
    std::error_code ec;
    fs::create_directories(m_out / f, ec);
    if (ec) return io_error(m_out / f, "create folder", ec);
  }
  m_dirs_made = true;
  return ok_status();
}

Status DatasetWriter::adopt_frame(const fs::path& other, std::uint64_t frame, const std::string& record_hash) {
  const auto found = read_verified_frame(other, frame);  // each file read once: checked, then copied
  if (!found) {
    return make_error(ExitCode::io, other.string() + ": frame " + std::to_string(frame) +
                                        " is missing or damaged (its files do not match its record's hashes)");
  }
  if (content_hash(as_bytes(found->record)) != record_hash) {
    return make_error(ExitCode::io, (other / record_path(frame)).string() +
                                        " differs from the hash its manifest.json holds for it (frame_record_hashes): "
                                        "the record was edited after the shard was finished");
  }
  SL_TRY_STATUS(ensure_dirs());
  for (const auto& [rel, bytes] : found->files) {
    SL_TRY_STATUS(ensure_parent(rel));
    SL_TRY_STATUS(write_file_atomic(m_out / rel, bytes));
  }
  SL_TRY_STATUS(write_file_atomic(m_out / record_path(frame), found->record));  // last, as in commit()
  ++m_frames;
  return ok_status();
}

Status DatasetWriter::commit(const EncodedFrame& frame) {
  SL_TRY_STATUS(ensure_dirs());
  for (const auto& [rel, bytes] : frame.files) {
    SL_TRY_STATUS(ensure_parent(rel));
    SL_TRY_STATUS(write_file_atomic(m_out / rel, bytes));
  }
  m_annotations += frame.annotations;
  ++m_frames;
  return ok_status();
}

Status DatasetWriter::finish(const SceneSpec& spec, const FormatSet& formats, std::uint64_t first, std::uint64_t count,
                             json manifest) {

  // Streams the per-frame records twice (images, then annotations) so that no more than one frame's
  // labels is in memory, whatever the dataset's size.
  json frame_hashes = json::object();
  auto load = [&](std::uint64_t frame) -> Result<json> {
    auto text = read_text_file(m_out / record_path(frame));
    if (!text) return make_error(ExitCode::io, text.error().message);
    frame_hashes[frame_stem(frame)] = content_hash(as_bytes(*text));
    try {
      return json::parse(*text);
    } catch (const json::exception& e) {
      return make_error(ExitCode::io, (m_out / record_path(frame)).string() + ": unreadable record: " + e.what());
    }
  };
  // The formats' dataset-level files, COCO first (the registry's order), each hashed for the
  // manifest so check can prove them unaltered (frame files are hashed in their records).
  json file_hashes = json::object();
  auto record_hash = [&](const std::string& rel, std::string hash) { file_hashes[rel] = std::move(hash); };
  manifest["status"] = "complete";
  FinishContext ctx{spec, first, count, load, [&](const std::string& rel, const std::string& text) -> Status {
                      SL_TRY_STATUS(ensure_parent(rel));
                      SL_TRY_STATUS(write_file_atomic(m_out / rel, text));
                      record_hash(rel, content_hash(as_bytes(text)));
                      return ok_status();
                    }};
  ctx.out = m_out;
  ctx.written = [&](const std::string& rel) -> Status {
    std::string hash = file_content_hash(m_out / rel);  // in pieces: coco.json can be large
    if (hash.empty()) return make_error(ExitCode::io, (m_out / rel).string() + ": cannot read back what was written");
    record_hash(rel, std::move(hash));
    return ok_status();
  };
  ctx.hash_of = [&](const std::string& rel) {
    const auto it = file_hashes.find(rel);
    return it != file_hashes.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  ctx.manifest = &manifest;
  ctx.count_annotations = [this](std::uint64_t n) { m_dataset_annotations = n; };
  SL_TRY_STATUS(formats.finish(ctx));
  manifest["file_hashes"] = std::move(file_hashes);
  manifest["frame_record_hashes"] = std::move(frame_hashes);
  return write_manifest(manifest);
}

}  // namespace synthlabel