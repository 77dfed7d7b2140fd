// `synthlabel bench`: runs the generate pipeline on a config and prints frames/s, the time of each
// stage and the peak resident memory. Numbers only: nothing is asserted.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/Generate.h"

namespace synthlabel {

// Formats the per-stage table for a finished run.
std::string bench_report(const GenerateOptions& options, const GenerateSummary& summary);
// The same figures as JSON (`bench --json`), for scripts comparing builds (bench/compare.sh): the run
// (config, size, frames, threads, device), each stage's seconds and ms/frame under a stable key,
// frames/s, the LiDAR's rays, peak RSS.
nlohmann::ordered_json bench_json(const GenerateOptions& options, const GenerateSummary& summary);
// Peak resident set size of this process so far, in MiB (getrusage).
double peak_rss_mib();

}  // namespace synthlabel
