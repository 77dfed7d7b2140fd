// The `generate` pipeline: config -> meshes -> renderer -> per frame (sample, render, label, encode,
// write) -> coco.json + manifest.json. Holds no rendering or format logic of its own.
// Order of checks: config, assets and device are all validated before the output folder is touched,
// so a bad config or asset leaves nothing behind.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/Error.h"

namespace synthlabel {

struct GenerateOptions {
  std::filesystem::path config;
  std::filesystem::path out;
  std::optional<std::uint64_t> frames;  // overrides the config's `frames`
  std::uint64_t start = 0;              // first frame index
  std::optional<std::uint64_t> seed;    // overrides the config's `seed`
  std::string device;
  bool validate = false;
  bool overwrite = false;
  bool progress = true;
};

struct GenerateSummary {
  std::uint64_t frames = 0;
  std::uint64_t annotations = 0;
  double seconds = 0.0;
  std::string device;
};

Result<GenerateSummary> generate(const GenerateOptions& options);

}  // namespace synthlabel
