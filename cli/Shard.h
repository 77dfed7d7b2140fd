// Shards: one dataset's frames split into N contiguous blocks, block K rendered by one process.
// `--shard K/N` names the block; `--shard auto` reads it from the job engine:
//   Slurm job arrays:          SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN if set), SLURM_ARRAY_TASK_COUNT
//   Kubernetes Indexed Jobs:   JOB_COMPLETION_INDEX, and SYNTHLABEL_SHARD_COUNT (set it to .spec.completions)
// so the same command line works under both. "{shard}" in --out is replaced by K.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/Error.h"

namespace synthlabel {

struct Shard {
  std::uint64_t index = 0, count = 1;
};

// "" -> no shard; "K/N" or "auto" -> the shard, or a usage error saying what was expected.
Result<std::optional<Shard>> resolve_shard(const std::string& spec);

// Frames [first, end) of the dataset range [start, start + frames) that shard `s` renders. With
// clips (`clip_length` > 1) the blocks split on clip boundaries (a block may then be empty); every
// frame depends only on (config, seed, frame), so any split gives the same bytes.
std::pair<std::uint64_t, std::uint64_t> shard_range(const Shard& s, std::uint64_t start, std::uint64_t frames,
                                                    std::uint64_t clip_length = 1);

}  // namespace synthlabel
