#include "exporters/OutputDir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <string_view>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/FileIo.h"
#include "exporters/DatasetWriter.h"

namespace synthlabel {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// 'PATH' (appended piece by piece: GCC 12 warns falsely on "'" + string).
std::string quoted(const fs::path& p) {
  std::string s(1, '\'');
  s += p.string();
  s += '\'';
  return s;
}


// The folders a dataset's frame files live in (top level of the dataset).
bool is_our_folder(std::string_view top) {
  for (const std::string& f : dataset_folders()) {
    if (top == f) return true;
  }
  return false;
}

// What a manifest proves synthlabel wrote.
struct Ownership {
  std::uint64_t first = 0, end = 0;  // frames [first, end)
  std::set<std::string, std::less<>> listed;
};

Result<Ownership> read_ownership(const fs::path& dir) {
  const fs::path path = dir / "manifest.json";
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(path, ec))) {
    return make_error(ExitCode::io, quoted(dir) + " holds no synthlabel dataset (no manifest.json)");
  }
  auto text = read_text_file(path);
  if (!text) return text.error();
  Ownership own;
  try {
    const json m = json::parse(*text);
    if (!m.is_object() || !m.contains("tool") || m["tool"] != "synthlabel") {
      return make_error(ExitCode::io, quoted(path) + " is not a synthlabel manifest (no \"tool\": \"synthlabel\")");
    }
    const json& range = m.contains("shard") ? m.at("shard").at("frames") : m.at("frame_range");
    own.first = range.at(0).get<std::uint64_t>();
    own.end = range.at(1).get<std::uint64_t>();
    if (own.end < own.first) throw std::out_of_range("frame range");
    if (m.contains("file_hashes")) {
      for (const auto& [rel, hash] : m.at("file_hashes").items()) own.listed.insert(rel);
    }
    if (m.contains("config") && m["config"].is_object() && m["config"].contains("splits") && m["config"]["splits"].is_object()) {
      for (const auto& [name, share] : m["config"]["splits"].items()) {
        if (name.find('/') != std::string::npos) continue;  // written by finish():
        own.listed.insert("coco_" + name + ".json");
        own.listed.insert("yolo/" + name + ".txt");
        own.listed.insert("yolo_seg/" + name + ".txt");
      }
    }
  } catch (const std::exception&) {
    return make_error(ExitCode::io, quoted(path) + " is not a synthlabel manifest (damaged: no frame range)");
  }
  for (const std::string& f : dataset_files()) own.listed.insert(f);
  return own;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// True when `rel` (relative to the dataset, '/'-separated) is a file the manifest accounts for.
bool owned(std::string rel, const Ownership& own) {
  // An unfinished temporary "NAME.tmp.PID.N" is ours when NAME is.
  if (const auto t = rel.find(".tmp."); t != std::string::npos) {
    const std::string_view rest = std::string_view(rel).substr(t + 5);
    const auto dot = rest.find('.');
    if (dot == std::string_view::npos || !all_digits(rest.substr(0, dot)) || !all_digits(rest.substr(dot + 1))) return false;
    rel.resize(t);
  }
  if (rel.find("..") != std::string::npos) return false;
  if (own.listed.count(rel)) return true;
  const auto slash = rel.find('/');
  if (slash == std::string::npos || !is_our_folder(std::string_view(rel).substr(0, slash))) return false;
  const std::string_view name = std::string_view(rel).substr(rel.rfind('/') + 1);
  if (rel.rfind("coco_keypoints/category_", 0) == 0 && name.size() > 14 && name.substr(name.size() - 5) == ".json" &&
      all_digits(name.substr(9, name.size() - 14))) {
    return true;
  }
  std::size_t digits = 0;
  while (digits < name.size() && name[digits] >= '0' && name[digits] <= '9') ++digits;
  if (digits == 0 || digits > 19 || digits == name.size() || (name[digits] != '.' && name[digits] != '_')) return false;
  const std::uint64_t frame = std::stoull(std::string(name.substr(0, digits)));
  return frame >= own.first && frame < own.end && frame_stem(frame) == name.substr(0, digits);
}

bool inside(const fs::path& a, const fs::path& b) {  // a is b or lies inside b (both canonical)
  auto ai = a.begin(), bi = b.begin();
  for (; bi != b.end() && !bi->empty(); ++ai, ++bi) {
    if (ai == a.end() || *ai != *bi) return false;
  }
  return true;
}

}  // namespace

OutputLock::~OutputLock() {
  if (m_fd >= 0) ::close(m_fd);  // closing the descriptor releases the flock
}

OutputLock::OutputLock(OutputLock&& o) noexcept : m_fd(o.m_fd), m_dir(std::move(o.m_dir)), m_created(o.m_created) { o.m_fd = -1; }

OutputLock& OutputLock::operator=(OutputLock&& o) noexcept {
  if (this != &o) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = o.m_fd;
    m_dir = std::move(o.m_dir);
    m_created = o.m_created;
    o.m_fd = -1;
  }
  return *this;
}

void OutputLock::abandon() const {
  if (m_dir.empty()) return;
  (void)remove_dataset_files(m_dir);
  std::error_code ec;
  if (m_created) fs::remove(m_dir, ec);  // only when empty
}

namespace {

// The folder opened and flock'ed; the descriptor holds the lock.
Result<int> open_locked(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error(dir, "open output folder", std::error_code(errno, std::generic_category()));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return make_error(ExitCode::io, "output folder " + quoted(dir) +
                                          " is being written by another synthlabel process; wait for it or choose another --out");
    }
    return io_error(dir, "lock output folder", std::error_code(err, std::generic_category()));
  }
  return fd;
}

}  // namespace

Result<OutputLock> lock_output_dir(const fs::path& dir) {
  auto fd = open_locked(dir);
  if (!fd) return fd.error();
  return OutputLock(*fd, dir, false);
}

Status check_not_an_input(const fs::path& out, const std::vector<fs::path>& inputs, const std::string& what) {
  std::error_code ec;
  const fs::path o = fs::weakly_canonical(fs::absolute(out, ec), ec);
  for (const auto& in : inputs) {
    const fs::path i = fs::weakly_canonical(fs::absolute(in, ec), ec);
    if (inside(o, i) || inside(i, o)) {
      return make_error(ExitCode::usage, what + " " + quoted(out) + " is also an input of this command (" + quoted(in) +
                                             "); choose another " + what);
    }
  }
  return ok_status();
}

Result<RemovedFiles> remove_dataset_files(const fs::path& dir) {
  auto own = read_ownership(dir);
  if (!own) return own.error();
  RemovedFiles result;
  std::vector<fs::path> files, folders;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path rel = it->path().lexically_relative(dir);
    const std::string r = rel.generic_string();
    const auto st = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_directory(st)) {
      if (is_our_folder(rel.begin()->string())) {
        folders.push_back(it->path());
      } else {
        it.disable_recursion_pending();  // not ours: nothing below it is
        ++result.kept;
        if (result.first_kept.empty()) result.first_kept = r + "/";
      }
      continue;
    }
    if ((fs::is_regular_file(st) || fs::is_symlink(st)) && r != "manifest.json" && owned(r, *own)) {
      files.push_back(it->path());
    } else if (r != "manifest.json") {
      ++result.kept;
      if (result.first_kept.empty()) result.first_kept = r;
    }
  }
  if (ec) return io_error(dir, "list", ec);
  for (const auto& f : files) {
    if (!fs::remove(f, ec) && ec) return io_error(f, "remove", ec);
    ++result.removed;
  }
  // Deepest first, so a folder is empty once its subfolders are gone; a folder still holding
  // something that is not ours stays.
  std::sort(folders.begin(), folders.end(), [](const fs::path& a, const fs::path& b) {
    return std::distance(a.begin(), a.end()) > std::distance(b.begin(), b.end());
  });
  for (const auto& f : folders) {
    if (fs::is_empty(f, ec) && !ec) fs::remove(f, ec);
  }
  // The manifest last: an interrupted removal still leaves the folder recognizably ours.
  if (!fs::remove(dir / "manifest.json", ec) && ec) return io_error(dir / "manifest.json", "remove", ec);
  ++result.removed;
  return result;
}

Result<OutputLock> prepare_output_dir(const fs::path& out, bool overwrite, const std::vector<fs::path>& inputs) {
  SL_TRY_STATUS(check_not_an_input(out, inputs, "--out"));
  std::error_code ec;
  const auto status = fs::status(out, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) return io_error(out, "inspect", ec);
  const bool created = !fs::exists(status);
  if (created) {
    fs::create_directories(out, ec);
    if (ec) return io_error(out, "create output folder", ec);
  } else if (!fs::is_directory(status)) {
    return make_error(ExitCode::io, "output " + quoted(out) + " exists and is not a folder");
  }
  auto fd = open_locked(out);  // before looking inside: nobody else changes it from here on
  if (!fd) return fd.error();
  OutputLock lock(*fd, out, created);
  const bool empty = fs::is_empty(out, ec);
  if (ec) return io_error(out, "read output folder", ec);
  if (empty) return lock;
  if (!overwrite) {
    return make_error(ExitCode::io, "output folder " + quoted(out) +
                                        " is not empty; choose another --out or pass --overwrite to replace a "
                                        "previous synthlabel dataset there");
  }
  if (auto own = read_ownership(out); !own) {
    return make_error(ExitCode::io, "--overwrite: " + own.error().message + "; refusing to delete anything in it");
  }
  auto removed = remove_dataset_files(out);
  if (!removed) return removed.error();
  return lock;
}

}  // namespace synthlabel
