// `generate --devices all|LIST`: several GPUs in one machine. Runs one child `synthlabel generate` per
// device, each rendering one shard (--shard i/n --device d_i) into OUT.parts/, then merges the shards
// into OUT and removes OUT.parts: the dataset is byte-identical to a single-device run.
#pragma once

#include <string>

#include "cli/Generate.h"

namespace synthlabel {

// Devices named by `devices`: "all" = every GPU (or the CPU device when there is no GPU); otherwise a
// comma-separated list of indices or name substrings, as --device takes.
Result<std::vector<std::string>> resolve_devices(const std::string& devices);

// Runs the children and the merge. `self` is this executable.
Result<GenerateSummary> generate_on_devices(const GenerateOptions& options, const std::vector<std::string>& devices,
                                            const std::string& self);

}  // namespace synthlabel
