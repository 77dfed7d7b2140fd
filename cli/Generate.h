// The `generate` pipeline: config -> meshes -> renderer -> per frame (sample, render, label, encode,
// write) -> coco.json + manifest.json. Holds no rendering or format logic of its own.
// Order of checks: config, assets and device are all validated before the output folder is touched,
// so a bad config or asset leaves nothing behind.
// Crash safety: manifest.json ("status": "incomplete") is written before the first frame; every file
// is written under a temporary name and renamed into place; a frame's record is written after its
// files. --resume re-checks each frame's record against the files' hashes, renders only the frames
// that are not complete, and rebuilds coco.json and the manifest: the result is byte-identical to an
// uninterrupted run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <memory>

#include <nlohmann/json.hpp>

#include "cli/Pipeline.h"
#include "core/Error.h"
#include "exporters/LabelFormat.h"
#include "lidar/LidarTracer.h"
#include "randomizers/Registry.h"
#include "scenes/SceneAssets.h"

namespace synthlabel {

// Bounds of the command line's numbers: frame indices stay exact in a JSON reader's doubles (2^53),
// and more encoder threads than this only cost memory (each holds a frame's buffers).
inline constexpr std::uint64_t k_max_start_frame = 1'000'000'000'000'000;
inline constexpr unsigned k_max_threads = 256;

struct GenerateOptions {
  std::filesystem::path config;
  std::vector<std::string> overrides;  // KEY.PATH=VALUE, applied to the config in order
  std::filesystem::path out;
  std::optional<std::uint64_t> frames;  // overrides the config's `frames`
  std::uint64_t start = 0;              // first frame index
  std::optional<std::uint64_t> seed;    // overrides the config's `seed`
  std::string resolution;               // "WxH" overrides the config's `resolution`
  std::filesystem::path asset_root;  // if set, assets must lie inside it (untrusted configs)
  std::string device;
  bool validate = false;
  bool overwrite = false;
  bool resume = false;  // continue an interrupted dataset in `out` (same config and options)
  std::string shard;    // "", "K/N" or "auto" (cli/Shard.h); "{shard}" in `out` becomes K
  bool progress = true;
  unsigned threads = 0;  // encoder threads; 0 = hardware threads - 1 (at least 1)
  std::string compression = "fast";  // none | fast | small (see encode_options_for)
  std::string rgb = "png";           // png | jpeg: the RGB files' format (labels are the same)
  int jpeg_quality = 95;             // 1..100, with rgb == "jpeg"
  bool render_only = false;          // bench --render-only: nothing encoded or written (no dataset)
  bool no_formats = false;  // frames in memory (the Python module): the encoder runs no format, so no BOP canvas
};

struct GenerateSummary {
  std::uint64_t frames = 0;       // rendered by this run
  std::uint64_t skipped = 0;      // already complete on disk (--resume)
  std::uint64_t annotations = 0;  // written by this run
  double seconds = 0.0;   // whole command: config, assets, device start-up, frames, coco.json
  double finish_seconds = 0.0;  // coco.json + manifest assembly
  std::string device;
  std::filesystem::path out;  // the output folder written ({shard} expanded)
  std::uint32_t width = 0, height = 0;
  PipelineStats pipeline;
  std::vector<std::string> notes;  // what the randomizers built at start-up (physics shapes) and its cost
  double prepare_seconds = 0;      // their start-up work (Randomizer::prepare)
  std::vector<std::pair<std::string, double>> randomizer_seconds;  // per randomizer (config order): seconds in apply()
};

Result<GenerateSummary> generate(const GenerateOptions& options);

// A run's inputs resolved and loaded, before any device or output folder: the config (overrides and
// run values applied), the randomizers and formats built, the assets loaded and hashed, the encoder's
// options from the outputs and --compression / --rgb (with no_formats: no format in them, amodal
// renders only when the outputs ask). generate() and the Python module start here.
struct PreparedRun {
  SceneSpec spec;
  std::shared_ptr<const RandomizerPipeline> randomizers;
  std::shared_ptr<const FormatSet> formats;
  SceneAssets assets;
  nlohmann::ordered_json inputs;  // the manifest's input files and their hashes
  EncodeOptions encode;
  std::vector<std::string> notes;  // Randomizer::prepare's lines (physics shapes built, fallbacks)
  double prepare_seconds = 0;
};
Result<std::unique_ptr<PreparedRun>> prepare_run(const GenerateOptions& options);

// With `lidar:`: the ray tracer over the meshes (lidar/LidarTracer.h) and a line saying what it built.
struct LidarSetup {
  std::shared_ptr<const LidarTracer> tracer;
  std::string note;
};
Result<LidarSetup> build_lidar(const SceneSpec& spec, const MeshLibrary& meshes);

// Where the config's first sweep is ("" without one): a sweep spans the config's own frames, so a
// range reaching past them is refused (it would repeat the end value).
std::string config_sweep(const SceneSpec& spec);

// The renderer of a prepared run (its assets uploaded) and, when a format the encoder runs needs
// it, BOP's 3x canvas (else null). `opening`: the device open_device_async(options.device,
// options.validate, ...) started, which the renderer takes over (null: it opens its own).
struct RunRenderers {
  std::unique_ptr<Renderer> renderer, canvas;
};
Result<RunRenderers> start_renderers(const PreparedRun& run, const GenerateOptions& options,
                                     std::shared_ptr<vk::DeviceOpening> opening = nullptr);

}  // namespace synthlabel
