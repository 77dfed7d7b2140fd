// synthlabel command line. Wires options to the pipeline; every failure becomes one line on stderr
// ("synthlabel: error: ...") and a documented exit code (README.md, "Exit codes").
#include <CLI/CLI.hpp>

#include <csignal>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>

#include <unistd.h>

#include <filesystem>

#include "cli/Bench.h"
#include "cli/CheckLidarMeshes.h"
#include "cli/Generate.h"
#include "cli/Merge.h"
#include "cli/MultiDevice.h"
#include "core/Allocator.h"
#include "core/FileIo.h"
#include "core/Text.h"
#include "core/Version.h"
#include "exporters/Checker.h"
#include "exporters/DatasetDiff.h"
#include "exporters/LabelFormat.h"
#include "renderer/Renderer.h"
#include "randomizers/Registry.h"
#include "scenes/ConfigLoader.h"
#include "scenes/ConfigSchema.h"
#include "scenes/SpecJson.h"

namespace {

int fail(const synthlabel::Error& e) {
  // Always one line, whatever a library or a file put into the message (newlines, NUL bytes).
  const std::string line = "synthlabel: error: " + synthlabel::one_line(e.message) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  return static_cast<int>(e.code);
}

// A whole number in decimal digits from lo to hi: no sign, exponent or wrap-around ("-1", "1e23" and
// 2^64 are refused, not turned into 2^64-1).
CLI::Validator whole_number(std::uint64_t lo, std::uint64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& s) -> std::string {
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) {
          return "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got '" + s + "'";
        }
        return {};
      },
      "UINT");
}

// Prints a comparison (synthlabel diff, generate --golden), writes its JSON when asked; the exit code.
int print_diff(const synthlabel::DiffResult& d, const std::filesystem::path& diff_a, const std::filesystem::path& diff_b,
               const std::filesystem::path& diff_json) {
  using namespace synthlabel;
  std::printf("synthlabel diff: %s vs %s: %llu frames in A, %llu in B: %llu identical (by hash), %zu differ, %zu only in A, %zu only in B\n",
              diff_a.string().c_str(), diff_b.string().c_str(), static_cast<unsigned long long>(d.frames_a),
              static_cast<unsigned long long>(d.frames_b), static_cast<unsigned long long>(d.identical), d.frames.size(),
              d.only_in_a.size(), d.only_in_b.size());
  for (const auto& n : d.notes) std::printf("  note: %s\n", one_line(n).c_str());
  for (const FrameDiff& f : d.frames) {
    std::printf("  frame %s: %zu file(s) differ", f.stem.c_str(), f.files_differing.size());
    if (f.rgb_compared) std::printf("; RGB mean %.4f max %.0f", f.rgb_mean, f.rgb_max);
    if (f.depth_compared) std::printf("; depth max %.6g m", f.depth_max_abs);
    if (f.flow_compared) std::printf("; flow EPE mean %.4g px", f.flow_epe_mean);
    if (!f.instances.empty()) std::printf("; %zu instance(s) changed, worst IoU %.4f", f.instances.size(), f.worst_iou);
    std::printf("\n");
  }
  if (!diff_json.empty()) {
    const std::string text = d.to_json().dump(1) + "\n";
    if (auto s = write_file_atomic(diff_json, text); !s) return fail(s.error());
  }
  for (const auto& f : d.failures) std::fprintf(stderr, "synthlabel: differs: %s\n", one_line(f).c_str());
  if (!d.failures.empty()) {
    std::fprintf(stderr, "synthlabel: error: %zu difference(s) beyond the thresholds\n", d.failures.size());
    return static_cast<int>(ExitCode::differs);
  }
  std::printf("  within the thresholds\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace synthlabel;
  tune_allocator_for_frames();
  // A file-size limit (ulimit -f) must surface as a write error naming the file (exit 4), not a kill.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{
      "synthlabel: labeled training data from YAML scene configs.\n"
      "Renders randomized scenes headlessly with Vulkan (a GPU, or the lavapipe CPU renderer) and writes\n"
      "RGB, depth, instance and semantic masks and a COCO dataset whose labels match the pixels exactly.\n\n"
      "Example:\n"
      "  synthlabel generate configs/quickstart.yaml --out out/quickstart --frames 20\n",
      "synthlabel"};
  app.set_version_flag("--version", std::string(tool_version()) + " (" + std::string(git_revision()) + ")");
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 internal error, 2 usage or config error, 3 asset error, 4 output (I/O) error,\n"
      "5 Vulkan device error, 6 defects found (check), 7 datasets differ beyond the thresholds (diff).\nRun 'synthlabel COMMAND --help' for a command's options.");

  GenerateOptions gen;
  std::uint64_t frames = 0, seed = 0;
  bool quiet = false;
  auto* g = app.add_subcommand("generate", "Render a dataset from a scene config");
  g->description(
      "Render a dataset from a scene config.\n\n"
      "Writes OUT/rgb/*.png, OUT/instance/*.png (16-bit ids, 0 = background), OUT/semantic/*.png (8-bit\n"
      "category ids), OUT/depth/*.exr (float32 metres along the viewing axis, +inf = no surface),\n"
      "OUT/records/*.json (per frame: COCO entries, every sampled value, file hashes), OUT/coco.json\n"
      "(COCO instances with compressed RLE) and OUT/manifest.json.\n"
      "Frame i depends only on (seed, i) and the config: any frame range reproduces the same frames.\n\n"
      "Example:\n"
      "  synthlabel generate configs/quickstart.yaml --out out/qs --frames 100 --seed 7\n"
      "  synthlabel generate configs/quickstart.yaml 'camera.distance={uniform: [3, 4]}' --out out/near");
  g->add_option("config", gen.config, "Scene config (YAML); see docs/config.md")->required()->check(CLI::ExistingFile);
  g->add_option("overrides", gen.overrides,
                "KEY.PATH=VALUE changes to the config, applied in order: camera.distance=4, "
                "objects[1].count={range: [1, 3]}, seed=7 (the value is YAML)");
  g->add_option("--out,-o", gen.out, "Output folder; must be missing or empty (see --overwrite)")->required();
  auto* frames_opt = g->add_option("--frames,-n", frames, "Number of frames (default: the config's 'frames')")
                         ->check(whole_number(1, k_max_frames));
  g->add_option("--resolution,-r", gen.resolution, "WIDTHxHEIGHT, e.g. 1920x1080 (default: the config's)");
  g->add_option("--start", gen.start, "First frame index (default 0): renders frames START..START+N-1")
      ->check(whole_number(0, k_max_start_frame));
  auto* seed_opt = g->add_option("--seed,-s", seed, "Random seed (default: the config's 'seed')")
                       ->check(whole_number(0, UINT64_MAX));
  g->add_option("--device,-d", gen.device,
                "Vulkan device by index or name substring (see 'synthlabel devices'); default: a discrete GPU, "
                "else any GPU, else the CPU (lavapipe)");
  g->add_flag("--validate", gen.validate,
              "Enable the Khronos validation layer; any validation message fails the run (exit 5)");
  auto* overwrite_opt =
      g->add_flag("--overwrite", gen.overwrite, "Replace a previous synthlabel dataset in --out (others are refused)");
  g->add_flag("--resume", gen.resume,
              "Finish an interrupted run in --out (same config and options): completed frames are verified "
              "by their hashes and kept, the rest rendered; the result equals an uninterrupted run")
      ->excludes(overwrite_opt);
  g->add_flag("--quiet,-q", quiet, "No progress output");
  std::filesystem::path golden;
  g->add_option("--golden", golden,
                "After writing, compare the dataset with this accepted one (synthlabel diff, default thresholds: equal labels\n"
                "and pixels); exit 7 when they differ. For CI jobs that must fail on any change");
  g->add_option("--shard", gen.shard,
                "Render one block of the frames: K/N (K from 0), or auto (from SLURM_ARRAY_TASK_ID/COUNT, or "
                "JOB_COMPLETION_INDEX + SYNTHLABEL_SHARD_COUNT); {shard} in --out becomes K. Join with 'merge'");
  std::string devices;
  g->add_option("--devices", devices,
                "Render on several devices in parallel: all (every GPU) or a list of indices/names like 0,1; "
                "one process per device, merged into --out");
  g->add_option("--asset-root", gen.asset_root,
                "Refuse assets outside this folder (symlinks and .. resolved): for configs you did not write");
  g->add_option("--threads,-j", gen.threads,
                "Encoder threads, at most 256 (default: hardware threads - 1, and one more while frames queue up for the encoders); output is identical for any value")
      ->check(whole_number(0, k_max_threads));
  g->add_option("--compression", gen.compression,
                "File compression: fast (default: zlib level 1, the RGB libdeflate level 2), small (zlib level 9), none (largest, fastest); "
                "pixels are identical")
      ->check(CLI::IsMember({"none", "fast", "small"}));
  g->add_option("--rgb", gen.rgb, "RGB file format: png (default, lossless) or jpeg (rgb/NNNNNN.jpg, smaller; labels identical)")
      ->check(CLI::IsMember({"png", "jpeg"}));
  g->add_option("--jpeg-quality", gen.jpeg_quality, "JPEG quality with --rgb jpeg, 1..100 (default 95)")->check(CLI::Range(1, 100));

  GenerateOptions bench;
  std::uint64_t bench_frames = 0;
  bool keep = false;
  std::string bench_out;
  auto* b = app.add_subcommand("bench", "Measure the pipeline: frames/s, time per stage, peak memory");
  b->description(
      "Runs the generate pipeline on CONFIG and prints frames/s, the time spent in each stage (scene\n"
      "sampling, render, readback, label extraction, each encoder, file writes, coco.json) and the peak\n"
      "resident memory. Writes into a temporary folder that is removed afterwards (see --out, --keep).\n\n"
      "Examples:\n"
      "  synthlabel bench configs/quickstart.yaml --frames 500 --threads 2\n"
      "  synthlabel bench configs/quickstart.yaml --json > figures.json       # for scripts\n"
      "  bench/compare.sh OLD/synthlabel NEW/synthlabel configs/quickstart.yaml  # two builds, alternately");
  b->add_option("config", bench.config, "Scene config (YAML)")->required()->check(CLI::ExistingFile);
  b->add_option("overrides", bench.overrides, "KEY.PATH=VALUE changes to the config");
  b->add_option("--frames,-n", bench_frames, "Frames to render (default 200)")->default_val(200)->check(whole_number(1, k_max_frames));
  b->add_option("--resolution,-r", bench.resolution, "WIDTHxHEIGHT (default: the config's)");
  b->add_option("--threads,-j", bench.threads, "Encoder threads, at most 256 (default: hardware threads - 1, and one more while frames queue up for the encoders)")
      ->check(whole_number(0, k_max_threads));
  b->add_option("--compression", bench.compression, "none, fast (default) or small")
      ->check(CLI::IsMember({"none", "fast", "small"}));
  b->add_option("--device,-d", bench.device, "Vulkan device by index or name substring");
  b->add_option("--out,-o", bench_out, "Write the dataset here instead of a temporary folder (kept)");
  b->add_flag("--render-only", bench.render_only,
              "Sample, render and read back only (nothing encoded or written): the renderer's own cost, e.g. of "
              "outputs: [flow]");
  b->add_flag("--keep", keep, "Keep the temporary dataset and print its path");
  bool bench_as_json = false;
  b->add_flag("--json", bench_as_json, "Print the figures as one JSON object instead of the table (for scripts: bench/compare.sh)");

  std::vector<std::filesystem::path> merge_in;
  std::filesystem::path merge_out;
  bool merge_overwrite = false;
  auto* m = app.add_subcommand("merge", "Join shard datasets into one, identical to a single run");
  m->description(
      "Joins datasets written by 'generate --shard K/N' into one dataset whose bytes equal a single-process\n"
      "run of the same config. Checks that the shards come from the same config, seed, options and version,\n"
      "are complete, and cover the frame range without gaps or overlap.\n\n"
      "Example:\n"
      "  synthlabel merge out/shard-0 out/shard-1 out/shard-2 out/shard-3 --out out/all");
  m->add_option("shards", merge_in, "Shard dataset folders")->required()->check(CLI::ExistingDirectory);
  m->add_option("--out,-o", merge_out, "Output folder; must be missing or empty")->required();
  m->add_flag("--overwrite", merge_overwrite, "Replace a previous synthlabel dataset in --out");

  std::filesystem::path validate_config, validate_root;
  auto* v = app.add_subcommand("validate", "Check a config (and its assets) without rendering; print it resolved");
  v->description(
      "Loads CONFIG and every asset it names, reports the first problem as FILE:LINE:COL: KEY: what was\n"
      "expected (exit 2 or 3), or prints the resolved config as JSON (defaults filled in, asset paths\n"
      "resolved): exactly what generate would record in manifest.json.\n\n"
      "Example:\n"
      "  synthlabel validate configs/quickstart.yaml");
  std::vector<std::string> validate_overrides;
  v->add_option("config", validate_config, "Scene config (YAML)")->required()->check(CLI::ExistingFile);
  v->add_option("overrides", validate_overrides, "KEY.PATH=VALUE changes to the config, as generate takes them");
  v->add_option("--asset-root", validate_root, "Refuse assets outside this folder");

  std::filesystem::path check_dir, check_report, check_config, check_root;
  auto* ck = app.add_subcommand("check", "Prove a dataset sound: integrity, labels against pixels, statistics");
  ck->description(
      "Reads DATASET's files with readers of its own and reports every defect on one line each:\n"
      "ids unique and from 1, no dangling image or category ids, boxes inside the image with positive\n"
      "size, positive areas, RLE (or polygons) equal to the instance PNG's mask (area and tight box\n"
      "too), every instance annotated, the semantic PNG holding each instance's category, keypoints\n"
      "well formed and coco_keypoints.json consistent, normals unit length exactly where depth is\n"
      "finite, the other formats' category tables; LiDAR sweeps: .bin, .label, PCD, PLY and range image agree\n"
      "point for point and each 3D box's counts hold (with --config: every point on the mesh it names).\n"
      "Then prints statistics.\n"
      "Exit 0: sound; 6: defects found; 2: not a folder.\n\n"
      "Examples:\n"
      "  synthlabel check out/quickstart\n"
      "  synthlabel check out/quickstart --report out/quickstart-report.html   # plots and a contact sheet\n"
      "  synthlabel check out/street --config configs/lidar_street.yaml          # LiDAR points against the meshes");
  ck->add_option("dataset", check_dir, "Dataset folder (what generate or merge wrote)")->required();
  ck->add_option("--report", check_report, "Also write an HTML page: statistics, plots, frames with masks and boxes");
  ck->add_option("--config", check_config,
                 "LiDAR datasets: the config they were made from; every point is then tested against the meshes (within 0.1 mm of the surface it names)");
  ck->add_option("--asset-root", check_root, "With --config: the config's includes and assets must lie inside this folder (as generate --asset-root)");

  std::filesystem::path diff_a, diff_b, diff_json, diff_report;
  DiffThresholds diff_t;
  auto* df = app.add_subcommand("diff", "Compare two datasets frame by frame: what changed, how much, within thresholds or not");
  df->description(
      "Compares dataset B with dataset A frame by frame (by frame index). Frames whose records hash\n"
      "the same are identical without decoding anything; in the others only the files that differ are\n"
      "decoded: RGB (PSNR, mean and max difference), depth (max absolute and relative difference),\n"
      "labels per instance id (mask IoU, area, box shift, category, appeared or disappeared). Also\n"
      "frames missing on either side, categories renamed, the resolved configs key by key, the input\n"
      "files' hashes and the synthlabel versions (noted). Prints one line per failure and a summary.\n"
      "Exit 0: within the thresholds (default: equal labels and pixels); 7: beyond them; 2: not datasets.\n\n"
      "Examples:\n"
      "  synthlabel diff golden/ out/ --json diff.json\n"
      "  synthlabel diff golden/ out/ --min-iou 0.99 --max-rgb-mean 1 --allow-appear");
  df->add_option("a", diff_a, "The reference dataset (e.g. the last accepted one)")->required();
  df->add_option("b", diff_b, "The dataset to compare with it")->required();
  df->add_option("--json", diff_json, "Also write the whole comparison as JSON to this file");
  df->add_option("--report", diff_report, "Also write an HTML page: verdict, per-category table, the frames that differ most side by side");
  df->add_option("--min-iou", diff_t.min_iou, "Lowest mask IoU accepted for an instance in both (default 1: equal masks)")
      ->check(CLI::Range(0.0, 1.0));
  df->add_option("--max-rgb-mean", diff_t.max_rgb_mean, "Largest mean absolute RGB difference of a frame, 8-bit levels (default 0)")
      ->check(CLI::Range(0.0, 255.0));
  df->add_option("--max-depth", diff_t.max_depth, "Largest depth difference, metres (default 0)")->check(CLI::Range(0.0, 1e9));
  df->add_option("--max-keypoint-shift", diff_t.max_keypoint_shift, "Largest move of a keypoint labeled on both sides, pixels (default 0)")
      ->check(CLI::Range(0.0, 1e9));
  df->add_option("--max-flow-epe", diff_t.max_flow_epe, "Largest mean flow end-point error of a frame, pixels (default 0)")
      ->check(CLI::Range(0.0, 1e9));
  df->add_flag("--allow-appear", diff_t.allow_appear, "Instances present on one side only are no failure");
  df->add_flag("--strict-config", diff_t.strict_config, "A config or input-file difference alone is a failure");

  auto* d = app.add_subcommand("devices", "List the Vulkan devices that can render, with their --device index");

  auto* rz = app.add_subcommand("randomizers", "List the randomizers a config's randomizers: list can name");
  std::string randomizer_name;
  rz->add_option("name", randomizer_name, "One randomizer: its parameters, defaults and ranges");
  rz->description(
      "Each entry of a config's randomizers: list is {type: NAME, ...parameters}; they run in order on\n"
      "every frame after the camera, lights and objects are drawn. 'synthlabel randomizers NAME' lists one's\n"
      "parameters with their defaults and ranges; docs/randomizers.md describes each.\n\n"
      "Example:\n"
      "  randomizers:\n"
      "    - {type: place_on_surface, on: table, min_distance: 0.1}\n"
      "    - {type: material, hue_deg: {uniform: [0, 360]}, roughness: {uniform: [0.2, 0.9]}}");

  GenerateOptions pv;
  std::uint64_t preview_frame = 0;
  std::filesystem::path preview_out = "preview.png";
  bool preview_overwrite = false;
  auto* pr = app.add_subcommand("preview", "Render one frame with its masks, boxes and keypoints drawn into a PNG");
  pr->description(
      "Renders frame N of CONFIG (as generate would: same pixels, same labels) into a temporary dataset\n"
      "and writes it to --out at full size with each instance's mask tinted, its box outlined and its\n"
      "keypoints marked, as check --report draws them: a quick look at a config before a long run.\n\n"
      "Example:\n"
      "  synthlabel preview configs/quickstart.yaml --frame 3 --out preview.png");
  pr->add_option("config", pv.config, "Scene config (YAML)")->required()->check(CLI::ExistingFile);
  pr->add_option("overrides", pv.overrides, "KEY.PATH=VALUE changes to the config");
  pr->add_option("--frame", preview_frame, "Frame index (default 0)")->check(whole_number(0, k_max_start_frame));
  pr->add_option("--out,-o", preview_out, "PNG file to write (default preview.png); an existing file is refused");
  pr->add_flag("--overwrite", preview_overwrite, "Replace --out if it exists");
  pr->add_option("--resolution,-r", pv.resolution, "WIDTHxHEIGHT (default: the config's)");
  pr->add_option("--device,-d", pv.device, "Vulkan device by index or name substring");
  pr->add_option("--asset-root", pv.asset_root, "Open nothing outside this folder");

  auto* sc = app.add_subcommand("schema", "Print the JSON Schema of a config (docs/config.schema.json)");
  sc->description(
      "Prints the JSON Schema (draft 2020-12) of a scene config, made from the table the loader checks\n"
      "keys against, so the two agree on every key. Editors with a YAML language server complete keys\n"
      "and flag unknown ones with it: add  # yaml-language-server: $schema=PATH/config.schema.json  at\n"
      "the top of a config. Ranges and cross-key rules stay the loader's: synthlabel validate CONFIG.\n\n"
      "Example:\n"
      "  synthlabel schema > config.schema.json");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line like every other error; CLI11's own text says what was wrong.
    std::string what = e.what();
    for (char& c : what) c = c == '\n' ? ' ' : c;
    while (!what.empty() && what.back() == ' ') what.pop_back();
    std::fprintf(stderr, "synthlabel: error: %s (see 'synthlabel --help')\n", what.c_str());
    return static_cast<int>(ExitCode::usage);
  }

  if (g->parsed()) {
    if (!golden.empty()) {  // before rendering: a golden dataset that cannot be read fails at once
      std::error_code ec;
      if (!std::filesystem::is_regular_file(golden / "manifest.json", ec)) {
        return fail(make_error(ExitCode::usage, "--golden: '" + golden.string() + "' holds no synthlabel dataset (no manifest.json)"));
      }
    }
    if (*frames_opt) gen.frames = frames;
    if (*seed_opt) gen.seed = seed;
    gen.progress = !quiet;
    Result<GenerateSummary> r = make_error(ExitCode::internal, "not run");
    if (!devices.empty()) {
      if (!gen.shard.empty()) return fail(make_error(ExitCode::usage, "--devices and --shard cannot be combined"));
      auto list = resolve_devices(devices);
      if (!list) return fail(list.error());
      if (list->size() == 1) {
        gen.device = list->front();
        r = generate(gen);
      } else {
        std::error_code ec;
        const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
        r = generate_on_devices(gen, *list, ec ? std::string(argv[0]) : self.string());
      }
    } else {
      r = generate(gen);
    }
    if (!r) return fail(r.error());
    std::string kept;
    if (r->skipped) kept = " (" + std::to_string(r->skipped) + " complete frames kept)";
    std::printf("synthlabel: wrote %llu frames, %llu annotations to %s in %.2f s (%.1f frames/s) on %s%s\n",
                static_cast<unsigned long long>(r->frames), static_cast<unsigned long long>(r->annotations),
                r->out.string().c_str(), r->seconds,
                r->seconds > 0 ? static_cast<double>(r->frames) / r->seconds : 0.0, r->device.c_str(), kept.c_str());
    if (!golden.empty()) {  // --golden: the dataset just written against the accepted one, strictly
      auto compared = diff_datasets(golden, r->out, DiffThresholds{});
      if (!compared) return fail(compared.error());
      return print_diff(*compared, golden, r->out, {});
    }
    return 0;
  }
  if (b->parsed()) {
    namespace fs = std::filesystem;
    bench.frames = bench_frames;
    bench.progress = false;
    const bool temporary = bench_out.empty();
    if (temporary) {  // a fresh folder of its own, so removing it afterwards removes nothing else
      auto folder = make_temp_folder("synthlabel-bench");
      if (!folder) return fail(folder.error());
      bench.out = *folder;
      bench.overwrite = false;
    } else {
      bench.out = bench_out;
    }
    auto r = generate(bench);
    if (temporary && !keep) {
      std::error_code ec;
      fs::remove_all(bench.out, ec);
    }
    if (!r) return fail(r.error());
    if (bench_as_json) {
      nlohmann::ordered_json j = bench_json(bench, *r);
      if (temporary && keep) j["kept"] = bench.out.string();
      std::printf("%s\n", j.dump(2).c_str());
      return 0;
    }
    std::fputs(bench_report(bench, *r).c_str(), stdout);
    if (temporary && keep) std::printf("  dataset kept in %s\n", bench.out.c_str());
    return 0;
  }
  if (v->parsed()) {
    auto spec = load_config(validate_config, validate_overrides, validate_root);
    if (!spec) return fail(spec.error());
    auto randomizers = build_randomizers(*spec);
    if (!randomizers) return fail(randomizers.error());
    if (auto formats = build_formats(*spec); !formats) return fail(formats.error());
    auto assets = load_scene_assets(*spec, texture_files(**randomizers), validate_root);
    if (!assets) return fail(assets.error());
    const auto t_prepare = std::chrono::steady_clock::now();
    auto notes = (*randomizers)->prepare(assets->meshes);
    if (!notes) return fail(notes.error());
    if (spec->lidar) {  // the ray tracer's structures, built as generate builds them
      auto lidar = build_lidar(*spec, assets->meshes);
      if (!lidar) return fail(lidar.error());
      std::fprintf(stderr, "synthlabel validate: %s\n", lidar->note.c_str());
    }
    for (const std::string& note : *notes) std::fprintf(stderr, "synthlabel validate: %s\n", note.c_str());
    if (!notes->empty()) {
      std::fprintf(stderr, "synthlabel validate: start-up work of the randomizers: %.3f s\n",
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t_prepare).count());
    }
    std::printf("%s\n", to_json(*spec).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
    return 0;
  }
  if (m->parsed()) {
    auto r = merge_shards(merge_in, merge_out, merge_overwrite);
    if (!r) return fail(r.error());
    std::printf("synthlabel: merged %llu shards, %llu frames into %s\n", static_cast<unsigned long long>(r->shards),
                static_cast<unsigned long long>(r->frames), merge_out.string().c_str());
    return 0;
  }
  if (df->parsed()) {
    auto r = diff_datasets(diff_a, diff_b, diff_t);
    if (!r) return fail(r.error());
    if (!diff_report.empty()) {
      if (auto s = write_diff_report(diff_a, diff_b, *r, diff_report); !s) return fail(s.error());
      std::printf("  report: %s\n", diff_report.string().c_str());
    }
    return print_diff(*r, diff_a, diff_b, diff_json);
  }
  if (ck->parsed()) {
    auto r = check_dataset(check_dir);
    if (!r) return fail(r.error());
    if (!check_config.empty()) {
      if (auto s = check_lidar_meshes(check_dir, check_config, check_root, r->defects, r->stats.lidar); !s) return fail(s.error());
    }
    const CheckStats& st = r->stats;
    std::printf("synthlabel check: %s: %zu images, %zu instances (%zu..%zu per image)\n", check_dir.string().c_str(),
                st.images, st.annotations, st.min_per_image, st.max_per_image);
    for (std::size_t i = 0; i < st.category_names.size(); ++i) {
      std::printf("  %-20s %zu\n", st.category_names[i].c_str(), st.per_category[i]);
    }
    std::printf("  boxes: %zu small, %zu medium, %zu large (COCO area thresholds 32^2, 96^2)\n", st.small, st.medium, st.large);
    if (!st.visibility.empty()) {
      std::size_t bins[4] = {0, 0, 0, 0};  // < 0.25, < 0.5, < 0.99, >= 0.99
      for (double vis : st.visibility) bins[vis < 0.25 ? 0 : vis < 0.5 ? 1 : vis < 0.99 ? 2 : 3]++;
      std::printf("  visibility: %zu under 25%%, %zu 25-50%%, %zu 50-99%%, %zu fully visible\n", bins[0], bins[1], bins[2], bins[3]);
    }
    if (st.temporal.clips > 0) {
      std::printf("  clips: %zu clips, %zu tracks; %zu MOT rows and %zu YouTube-VIS masks equal to the COCO annotations\n",
                  st.temporal.clips, st.temporal.tracks, st.temporal.mot_rows, st.temporal.vis_masks);
    }
    if (st.flow.files > 0) {
      std::printf("  flow: %zu files, %zu vectors reprojected from depth and the recorded poses (worst difference %.2e px; "
                  "at most 1e-3 allowed), %zu statuses checked against the destination frame (%zu on a tolerance or pixel "
                  "edge skipped)\n",
                  st.flow.files, st.flow.pixels, st.flow.worst_px, st.flow.visibility, st.flow.undecidable);
    }
    if (st.lidar.sweeps > 0) {
      const LidarCheckStats& l = st.lidar;
      std::printf("  lidar: %zu sweeps, %zu points; %zu point files agree point for point; %zu 3D boxes recounted (%zu points of "
                  "static instances, all inside their boxes; %zu points of other surfaces inside boxes; %zu points of moving "
                  "instances outside their box at the sweep's start)\n",
                  l.sweeps, l.points, l.files, l.boxes, l.box_instance_points, l.others_inside, l.moving_outside);
      if (l.mesh_worst_m >= 0) {
        std::printf("  lidar meshes: %zu points within %.3g mm of the surface they name (at most 0.1 mm allowed)\n", l.mesh_points,
                    1e3 * l.mesh_worst_m);
      } else {
        std::printf("  lidar meshes: not tested (add --config CONFIG to test every point against the meshes)\n");
      }
    }
    if (st.yolo_seg_polygons > 0) {
      std::printf("  yolo_seg: worst IoU of OpenCV's fill with the mask %.4f (%zu polygons; 1 = exact)\n", st.yolo_seg_worst_iou,
                  st.yolo_seg_polygons);
    }
    if (!check_report.empty()) {
      if (auto s = write_check_report(check_dir, *r, check_report); !s) return fail(s.error());
      std::printf("  report: %s\n", check_report.string().c_str());
    }
    for (const auto& defect : r->defects) std::fprintf(stderr, "synthlabel: defect: %s\n", one_line(defect).c_str());
    if (!r->defects.empty()) {
      std::fprintf(stderr, "synthlabel: error: %zu defect(s) in %s\n", r->defects.size(), check_dir.string().c_str());
      return static_cast<int>(ExitCode::defects);
    }
    std::printf("  sound: no defect found\n");
    return 0;
  }
  if (pr->parsed()) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!preview_overwrite && fs::exists(fs::symlink_status(preview_out, ec))) {
      return fail(make_error(ExitCode::io, "preview: '" + preview_out.string() + "' exists; choose another --out or pass --overwrite"));
    }
    auto tmp = make_temp_folder("synthlabel-preview");
    if (!tmp) return fail(tmp.error());
    pv.out = *tmp / "dataset";
    pv.start = preview_frame;
    pv.frames = 1;
    pv.progress = false;
    pv.threads = 1;
    auto r = generate(pv);
    Result<std::vector<std::uint8_t>> png = make_error(ExitCode::internal, "not run");
    std::size_t instances = 0;
    if (r) png = frame_overlay_png(pv.out, 0, instances);
    if (png) {
      if (auto s = write_file_atomic(preview_out, *png); !s) png = s.error();
    }
    fs::remove_all(*tmp, ec);  // ours: made for this run above
    if (!r) return fail(r.error());
    if (!png) return fail(png.error());
    std::printf("synthlabel: frame %llu (%zu instances, %ux%u) drawn into %s\n", static_cast<unsigned long long>(preview_frame),
                instances, r->width, r->height, preview_out.string().c_str());
    return 0;
  }
  if (sc->parsed()) {
    std::printf("%s\n", config_json_schema(selectable_formats()).dump(2).c_str());
    return 0;
  }
  if (rz->parsed()) {
    if (randomizer_name.empty()) {
      for (const auto& e : randomizer_registry().entries()) std::printf("%-18s %s\n", e.name.c_str(), e.summary.c_str());
      std::printf("\n'synthlabel randomizers NAME' lists one's parameters, defaults and ranges.\n");
      return 0;
    }
    std::vector<std::string_view> names;
    for (const auto& e : randomizer_registry().entries()) {
      names.push_back(e.name);
      if (e.name != randomizer_name) continue;
      std::string needs;
      const auto params = describe_randomizer(e, needs);
      std::printf("%s: %s\n\n  {type: %s, ...}\n\n", e.name.c_str(), e.summary.c_str(), e.name.c_str());
      std::printf("  %-20s %-26s %-22s %s\n", "parameter", "default", "range", "takes");
      for (const auto& p : params) {
        std::printf("  %-20s %-26s %-22s %s\n", p.key.c_str(), p.fallback.empty() ? "-" : p.fallback.c_str(),
                    p.range.empty() ? "-" : p.range.c_str(), p.kind.c_str());
      }
      if (!needs.empty()) std::printf("\n  without parameters: %s\n", one_line(needs).c_str());
      std::printf("\nMore in docs/randomizers.md.\n");
      return 0;
    }
    return fail(make_error(ExitCode::usage, "randomizers: unknown randomizer '" + randomizer_name + "'" + suggest(randomizer_name, names)));
  }
  if (d->parsed()) {
    auto devs = list_devices();
    if (!devs) return fail(devs.error());
    if (devs->empty()) std::printf("no Vulkan device can render here (install mesa-vulkan-drivers for lavapipe)\n");
    for (const auto& dev : *devs) {
      std::printf("%u  %-40s %-10s Vulkan %s\n", dev.index, dev.name.c_str(), dev.type.c_str(), dev.api_version.c_str());
    }
    return 0;
  }
  return 0;
}
