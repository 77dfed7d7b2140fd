#include "cli/Shard.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <string_view>

#include "scenes/SceneSpec.h"

namespace synthlabel {
namespace {

std::optional<std::uint64_t> number(const char* s) {
  if (s == nullptr || *s == '\0') return std::nullopt;
  std::uint64_t v = 0;
  const std::string_view text(s);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;  // no sign, no wrap-around
  return v;
}

}  // namespace

Result<std::optional<Shard>> resolve_shard(const std::string& spec) {
  if (spec.empty()) return std::optional<Shard>{};
  Shard s;
  if (spec == "auto") {
    if (const char* id = std::getenv("SLURM_ARRAY_TASK_ID")) {
      const auto task = number(id), count = number(std::getenv("SLURM_ARRAY_TASK_COUNT"));
      const auto min = std::getenv("SLURM_ARRAY_TASK_MIN") ? number(std::getenv("SLURM_ARRAY_TASK_MIN"))
                                                            : std::optional<std::uint64_t>(0);
      if (!task || !count || !min || *task < *min) {
        return make_error(ExitCode::usage, "--shard auto: SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT (and "
                                           "SLURM_ARRAY_TASK_MIN) must be whole numbers; use a contiguous --array");
      }
      s.index = *task - *min;
      s.count = *count;
    } else if (const char* idx = std::getenv("JOB_COMPLETION_INDEX")) {
      const auto index = number(idx), count = number(std::getenv("SYNTHLABEL_SHARD_COUNT"));
      if (!index || !count) {
        return make_error(ExitCode::usage, "--shard auto: in a Kubernetes Indexed Job set SYNTHLABEL_SHARD_COUNT "
                                           "to the job's completions (JOB_COMPLETION_INDEX is set by Kubernetes)");
      }
      s.index = *index;
      s.count = *count;
    } else {
      return make_error(ExitCode::usage, "--shard auto: no job array found (SLURM_ARRAY_TASK_ID or "
                                         "JOB_COMPLETION_INDEX); give --shard K/N");
    }
  } else {
    const auto slash = spec.find('/');
    const auto k = slash == std::string::npos ? std::nullopt : number(spec.substr(0, slash).c_str());
    const auto n = slash == std::string::npos ? std::nullopt : number(spec.substr(slash + 1).c_str());
    if (!k || !n) return make_error(ExitCode::usage, "--shard '" + spec + "': expected K/N (e.g. 0/4) or auto");
    s.index = *k;
    s.count = *n;
  }
  if (s.count > k_max_frames) {
    return make_error(ExitCode::usage, "--shard: " + std::to_string(s.count) + " shards is more than the limit of " +
                                           std::to_string(k_max_frames) + " (one frame each at most)");
  }
  if (s.count == 0 || s.index >= s.count) {
    return make_error(ExitCode::usage, "--shard: index " + std::to_string(s.index) + " is not below the count " +
                                           std::to_string(s.count) + " (indices run from 0)");
  }
  return std::optional<Shard>(s);
}

std::pair<std::uint64_t, std::uint64_t> shard_range(const Shard& s, std::uint64_t start, std::uint64_t frames,
                                                    std::uint64_t clip_length) {
  // Contiguous blocks whose sizes differ by at most one; computed without overflow for frames <= 1e8.
  std::uint64_t a = start + frames * s.index / s.count, b = start + frames * (s.index + 1) / s.count;
  if (clip_length > 1) {  // each boundary moved up to the next clip start (clip c starts at frame c * length)
    const std::uint64_t end = start + frames;
    auto align = [&](std::uint64_t f) { return f == start || f == end ? f : std::min(end, (f + clip_length - 1) / clip_length * clip_length); };
    a = align(a), b = align(b);
  }
  return {a, b};
}

}  // namespace synthlabel
