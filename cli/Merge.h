// `synthlabel merge SHARD... --out DIR`: joins shard datasets (generate --shard) into one dataset whose
// bytes equal a single-process run of the same config: files, per-frame records, coco.json (annotation
// ids renumbered from 1 in frame order) and manifest.json.
// Refuses, naming the shard and the reason: a shard that is not a complete synthlabel dataset, shards
// made from different configs, seeds, ranges, options or versions, overlapping shards, and gaps.
#pragma once

#include <filesystem>
#include <vector>

#include "core/Error.h"
#include "exporters/OutputDir.h"

namespace synthlabel {

struct MergeSummary {
  std::uint64_t frames = 0;
  std::uint64_t annotations = 0;
  std::uint64_t shards = 0;
};

// `held`: the caller has already prepared and locked `out` (generate --devices); else merge does.
// Every frame record is checked against its shard manifest's frame_record_hashes. A merge refused
// part-way removes what it wrote. `out` may not be, hold or lie inside a shard (ExitCode::usage).
Result<MergeSummary> merge_shards(const std::vector<std::filesystem::path>& shards, const std::filesystem::path& out,
                                  bool overwrite, const OutputLock* held = nullptr);

}  // namespace synthlabel
