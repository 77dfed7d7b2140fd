#include "cli/MultiDevice.h"

#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <system_error>
#include <thread>

#include "cli/Merge.h"
#include "renderer/Renderer.h"

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
  std::size_t from = 0;
  while (from <= devices.size()) {
    const auto comma = devices.find(',', from);
    const std::string item = devices.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
    if (item.empty()) return make_error(ExitCode::usage, "--devices '" + devices + "': expected all or a list like 0,1");
    out.push_back(item);
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  return out;
}

Result<GenerateSummary> generate_on_devices(const GenerateOptions& options, const std::vector<std::string>& devices,
                                            const std::string& self) {
  namespace fs = std::filesystem;
  const auto t0 = std::chrono::steady_clock::now();
  if (!options.shard.empty()) return make_error(ExitCode::usage, "--devices and --shard cannot be combined");
  fs::path parts = options.out;
  parts += ".parts";
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const auto n = devices.size();
  std::vector<pid_t> children;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::string> args = {self, "generate", options.config.string(), "--out", (parts / "shard-{shard}").string(),
                                     "--shard", std::to_string(i) + "/" + std::to_string(n), "--device", devices[i],
                                     "--start", std::to_string(options.start), "--compression", options.compression,
                                     "--threads", std::to_string(options.threads ? options.threads
                                                                                 : std::max<unsigned>(1, static_cast<unsigned>(hw / n) - 1)),
                                     "--quiet", "--resume"};  // rerunning the same command continues the parts
    args.insert(args.begin() + 3, options.overrides.begin(), options.overrides.end());  // after CONFIG
    if (options.frames) args.insert(args.end(), {"--frames", std::to_string(*options.frames)});
    if (options.seed) args.insert(args.end(), {"--seed", std::to_string(*options.seed)});
    if (!options.resolution.empty()) args.insert(args.end(), {"--resolution", options.resolution});
    if (!options.asset_root.empty()) args.insert(args.end(), {"--asset-root", options.asset_root.string()});
    if (options.validate) args.emplace_back("--validate");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
      return make_error(ExitCode::internal, "--devices: cannot start " + self);
    }
    children.push_back(pid);
  }
  int worst = 0;
  for (pid_t pid : children) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : static_cast<int>(ExitCode::internal);
    worst = std::max(worst, code);
  }
  if (worst != 0) {
    return make_error(static_cast<ExitCode>(worst), "--devices: a device's part failed (its error is above); "
                                                    "run the same command again to resume");
  }
  std::vector<fs::path> shards;
  for (std::size_t i = 0; i < n; ++i) shards.push_back(parts / ("shard-" + std::to_string(i)));
  auto merged = merge_shards(shards, options.out, options.overwrite);
  if (!merged) return merged.error();
  std::error_code ec;
  fs::remove_all(parts, ec);
  GenerateSummary summary;
  summary.frames = merged->frames;
  summary.annotations = merged->annotations;
  summary.out = options.out;
  summary.device = std::to_string(n) + " devices";
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace synthlabel
