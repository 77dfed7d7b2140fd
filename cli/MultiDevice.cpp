#include "cli/MultiDevice.h"

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <cstdio>
#include <system_error>
#include <thread>

#include "cli/Merge.h"
#include "exporters/OutputDir.h"
#include "renderer/Renderer.h"
#include "scenes/ConfigLoader.h"

extern char** environ;

namespace synthlabel {

Result<std::vector<std::string>> resolve_devices(const std::string& devices) {
  std::vector<std::string> out;
  if (devices == "all") {
    auto all = list_devices();
    if (!all) return all.error();
    for (const auto& d : *all) {
      if (d.type != "cpu") out.push_back(std::to_string(d.index));
    }
    if (out.empty() && !all->empty()) out.push_back(std::to_string(all->front().index));
    if (out.empty()) return make_error(ExitCode::device, "--devices all: no Vulkan device can render here");
    return out;
  }
  // Each item must name a device now, before any process starts or any folder is made (exit 5).
  auto all = list_devices();
  if (!all) return all.error();
  std::size_t from = 0;
  while (from <= devices.size()) {
    const auto comma = devices.find(',', from);
    const std::string item = devices.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
    if (item.empty()) return make_error(ExitCode::usage, "--devices '" + devices + "': expected all or a list like 0,1");
    if (std::none_of(all->begin(), all->end(), [&](const DeviceInfo& d) { return device_matches(d, item); })) {
      return make_error(ExitCode::device, "--devices: '" + item + "' matches no device (available: " + device_listing(*all) + ")");
    }
    out.push_back(item);
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  return out;
}

namespace {

namespace fs = std::filesystem;

// OUT.parts may hold only what an earlier run of the same command left: shard-K folders, each empty
// or a synthlabel dataset. Anything else is the user's, and the clean-up would be in its way.
Status check_parts_folder(const fs::path& parts, std::size_t n) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(parts, ec))) return ok_status();
  const auto refuse = [&](const std::string& what) {
    return make_error(ExitCode::io, "--devices: '" + parts.string() + "' holds " + what +
                                        ", which synthlabel did not write there; move it away (--devices keeps its "
                                        "per-device parts in that folder)");
  };
  if (!fs::is_directory(fs::symlink_status(parts, ec))) return refuse("a file");
  for (const auto& e : fs::directory_iterator(parts, ec)) {
    const std::string name = e.path().filename().string();
    bool shard = false;
    for (std::size_t i = 0; i < n; ++i) shard = shard || name == "shard-" + std::to_string(i);
    if (!shard || !e.is_directory(ec) || e.is_symlink(ec)) return refuse("'" + name + "'");
    if (!fs::is_empty(e.path(), ec) && !fs::exists(e.path() / "manifest.json", ec)) {
      return refuse("'" + name + "' (not a synthlabel dataset)");
    }
  }
  if (ec) return make_error(ExitCode::io, "--devices: cannot list '" + parts.string() + "': " + ec.message());
  return ok_status();
}

// A child's stderr, read on its own thread: warnings go on to ours (each distinct line once over all
// children), its "synthlabel: error: " line is kept for the parent's single error message.
class ChildErrors {
 public:
  void read(int fd, std::size_t child) {
    std::string pending;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      pending.append(buf, static_cast<std::size_t>(n));
      for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
        line(pending.substr(0, nl), child);
        pending.erase(0, nl + 1);
      }
    }
    if (!pending.empty()) line(pending, child);
    ::close(fd);
  }
  // One line: the first child's error, and each different one after it.
  std::string summary() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    std::string out;
    std::set<std::string> seen;
    for (const auto& [child, message] : m_errors) {
      if (!seen.insert(message).second) continue;
      out += (out.empty() ? "" : "; ") + ("device " + std::to_string(child) + ": ") + message;
    }
    return out;
  }

 private:
  void line(const std::string& text, std::size_t child) {
    static const std::string k_error = "synthlabel: error: ";
    std::lock_guard<std::mutex> lock(m_mutex);
    if (text.rfind(k_error, 0) == 0) {
      m_errors.emplace(child, text.substr(k_error.size()));
    } else if (m_printed.insert(text).second) {
      std::fprintf(stderr, "%s\n", text.c_str());
    }
  }
  mutable std::mutex m_mutex;
  std::set<std::string> m_printed;
  std::map<std::size_t, std::string> m_errors;
};

}  // namespace

Result<GenerateSummary> generate_on_devices(const GenerateOptions& options, const std::vector<std::string>& devices,
                                            const std::string& self) {
  const auto t0 = std::chrono::steady_clock::now();
  if (!options.shard.empty()) return make_error(ExitCode::usage, "--devices and --shard cannot be combined");
  fs::path parts = options.out;
  parts += ".parts";
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const auto n = devices.size();
  // A config error is reported once, here, before anything is touched.
  if (auto spec = load_config(options.config, options.overrides, options.asset_root); !spec) return spec.error();
  SL_TRY_STATUS(check_parts_folder(parts, n));
  // OUT is checked, cleared (--overwrite) and locked before any device starts, and held to the end.
  auto lock = prepare_output_dir(options.out, options.overwrite, {parts});
  if (!lock) return lock.error();
  // Hardware threads shared out, one per device left to its renderer (at least 1: never 0 - 1).
  const unsigned per_device_threads = hw / n > 1 ? static_cast<unsigned>(hw / n - 1) : 1u;
  std::vector<pid_t> children;
  std::vector<std::thread> readers;
  ChildErrors errors;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::string> args = {self, "generate", options.config.string(), "--out", (parts / "shard-{shard}").string(),
                                     "--shard", std::to_string(i) + "/" + std::to_string(n), "--device", devices[i],
                                     "--start", std::to_string(options.start), "--compression", options.compression,
                                     "--threads", std::to_string(options.threads ? options.threads : per_device_threads),
                                     "--quiet", "--resume"};  // rerunning the same command continues the parts
    args.insert(args.begin() + 3, options.overrides.begin(), options.overrides.end());  // after CONFIG
    if (options.frames) args.insert(args.end(), {"--frames", std::to_string(*options.frames)});
    if (options.seed) args.insert(args.end(), {"--seed", std::to_string(*options.seed)});
    if (!options.resolution.empty()) args.insert(args.end(), {"--resolution", options.resolution});
    if (!options.asset_root.empty()) args.insert(args.end(), {"--asset-root", options.asset_root.string()});
    if (options.validate) args.emplace_back("--validate");
    if (options.rgb != "png") args.insert(args.end(), {"--rgb", options.rgb, "--jpeg-quality", std::to_string(options.jpeg_quality)});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return make_error(ExitCode::internal, "--devices: cannot create a pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);  // dup2 clears close-on-exec on fd 2
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    if (spawned != 0) {
      ::close(pipe_fds[0]);
      for (auto& t : readers) t.join();
      return make_error(ExitCode::internal, "--devices: cannot start " + self);
    }
    children.push_back(pid);
    readers.emplace_back([&errors, fd = pipe_fds[0], i] { errors.read(fd, i); });
  }
  int worst = 0;
  for (pid_t pid : children) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : static_cast<int>(ExitCode::internal);
    worst = std::max(worst, code);
  }
  for (auto& t : readers) t.join();
  if (worst != 0) {
    lock->abandon();  // nothing written there yet: the folder goes if made above
    std::string what = errors.summary();
    if (what.empty()) what = "a device's part failed";
    return make_error(static_cast<ExitCode>(worst), "--devices: " + what + " (run the same command again to resume)");
  }
  std::vector<fs::path> shards;
  for (std::size_t i = 0; i < n; ++i) shards.push_back(parts / ("shard-" + std::to_string(i)));
  auto merged = merge_shards(shards, options.out, options.overwrite, &*lock);
  if (!merged) return merged.error();
  // Only what the parts' own manifests account for goes; the folders too once empty.
  std::error_code ec;
  for (const auto& shard : shards) {
    if (remove_dataset_files(shard)) fs::remove(shard, ec);
  }
  fs::remove(parts, ec);
  GenerateSummary summary;
  summary.frames = merged->frames;
  summary.annotations = merged->annotations;
  summary.out = options.out;
  summary.device = std::to_string(n) + " devices";
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace synthlabel
