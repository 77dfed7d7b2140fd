// `synthlabel merge SHARD... --out DIR`: joins shard datasets (generate --shard) into one dataset whose
// bytes equal a single-process run of the same config: files, per-frame records, coco.json (annotation
// ids renumbered from 1 in frame order) and manifest.json.
// Refuses, naming the shard and the reason: a shard that is not a complete synthlabel dataset, shards
// made from different configs, seeds, ranges, options or versions, overlapping shards, and gaps.
#pragma once

#include <filesystem>
#include <vector>

#include "core/Error.h"

namespace synthlabel {

struct MergeSummary {
  std::uint64_t frames = 0;
  std::uint64_t annotations = 0;
  std::uint64_t shards = 0;
};

Result<MergeSummary> merge_shards(const std::vector<std::filesystem::path>& shards, const std::filesystem::path& out,
                                  bool overwrite);

}  // namespace synthlabel
