// `synthlabel bench`: runs the generate pipeline on a config and prints frames/s, the time of each
// stage and the peak resident memory. Numbers only: nothing is asserted.
#pragma once

#include <string>

#include "cli/Generate.h"

namespace synthlabel {

// Formats the per-stage table for a finished run.
std::string bench_report(const GenerateOptions& options, const GenerateSummary& summary);
// Peak resident set size of this process so far, in MiB (getrusage).
double peak_rss_mib();

}  // namespace synthlabel
