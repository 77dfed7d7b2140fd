#include "cli/Generate.h"

#include <chrono>
#include <cstdio>

#include "cli/Progress.h"
#include "core/Version.h"
#include "exporters/DatasetWriter.h"
#include "renderer/Renderer.h"
#include "scenes/ConfigLoader.h"
#include "scenes/SpecJson.h"

namespace synthlabel {

Result<GenerateSummary> generate(const GenerateOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  auto spec_r = load_config(options.config);
  if (!spec_r) return spec_r.error();
  SceneSpec& spec = *spec_r;
  if (options.seed) spec.seed = *options.seed;
  if (options.frames) {
    if (*options.frames == 0 || *options.frames > k_max_frames) {
      return make_error(ExitCode::usage, "--frames must be from 1 to " + std::to_string(k_max_frames));
    }
    spec.frames = *options.frames;
  }
  if (!options.resolution.empty()) {
    unsigned long w = 0, h = 0;
    char x = 0, extra = 0;
    if (std::sscanf(options.resolution.c_str(), "%lu%c%lu%c", &w, &x, &h, &extra) != 3 || x != 'x' || w == 0 ||
        h == 0 || w > k_max_image_side || h > k_max_image_side) {
      return make_error(ExitCode::usage, "--resolution '" + options.resolution + "': expected WIDTHxHEIGHT, each 1 to " +
                                             std::to_string(k_max_image_side));
    }
    spec.width = static_cast<std::uint32_t>(w);
    spec.height = static_cast<std::uint32_t>(h);
  }
  auto meshes = load_meshes(spec);
  if (!meshes) return meshes.error();

  RendererOptions ropts;
  ropts.width = spec.width;
  ropts.height = spec.height;
  ropts.device = options.device;
  ropts.validate = options.validate;
  auto renderer = create_renderer(ropts);
  if (!renderer) return renderer.error();
  SL_TRY_STATUS((*renderer)->upload_meshes(*meshes));

  const auto encode = encode_options_for(options.compression);
  if (!encode) {
    return make_error(ExitCode::usage, "--compression '" + options.compression + "': expected none, fast or small");
  }
  SL_TRY_STATUS(prepare_output_dir(options.out, options.overwrite));
  DatasetWriter writer(options.out);
  PipelineOptions popts;
  popts.first = options.start;
  popts.count = spec.frames;
  popts.threads = options.threads;
  popts.encode = *encode;
  Progress progress(spec.frames, options.progress);
  auto stats = run_pipeline(spec, *meshes, **renderer, writer, popts, progress);
  progress.finish();
  if (!stats) return stats.error();

  nlohmann::ordered_json manifest;
  manifest["tool"] = "synthlabel";
  manifest["version"] = std::string(tool_version());
  manifest["git_revision"] = std::string(git_revision());
  manifest["config_file"] = options.config.string();
  manifest["seed"] = spec.seed;
  manifest["frame_range"] = {options.start, options.start + spec.frames};  // [first, last + 1)
  manifest["compression"] = options.compression;
  manifest["conventions"] = {
      {"depth", "float32 metres along the camera viewing axis; +inf where no surface"},
      {"instance", "uint16 instance id per pixel, 0 = background or unlabeled surface"},
      {"semantic", "uint8 category id per pixel, 0 = background or unlabeled surface"},
      {"pixel_centre", "pixel (u, v) is sampled at (u + 0.5, v + 0.5); v grows downwards"},
      {"world", "right-handed, +Y up, metres"},
      {"camera", "K and world_to_camera in the OpenCV convention (+X right, +Y down, +Z forward)"}};
  manifest["config"] = to_json(spec);
  const auto t_finish = std::chrono::steady_clock::now();
  SL_TRY_STATUS(writer.finish(spec, options.start, spec.frames, manifest));

  GenerateSummary summary;
  summary.finish_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_finish).count();
  summary.pipeline = *stats;
  summary.width = spec.width;
  summary.height = spec.height;
  summary.frames = writer.frames_written();
  summary.annotations = writer.annotations_written();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  summary.device = (*renderer)->device().name;
  return summary;
}

}  // namespace synthlabel
