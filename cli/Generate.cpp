#include "cli/Generate.h"

#include <chrono>

#include "cli/Progress.h"
#include "core/Version.h"
#include "exporters/DatasetWriter.h"
#include "randomizers/FrameSampler.h"
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

  SL_TRY_STATUS(prepare_output_dir(options.out, options.overwrite));
  DatasetWriter writer(options.out);
  const EncodeOptions encode_options;
  FrameBuffers buffers;
  Progress progress(spec.frames, options.progress);
  for (std::uint64_t i = 0; i < spec.frames; ++i) {
    const std::uint64_t frame = options.start + i;
    const Scene scene = sample_frame(spec, *meshes, frame);
    SL_TRY_STATUS((*renderer)->render(scene, buffers));
    auto encoded = encode_frame(scene, buffers, encode_options);
    if (!encoded) return encoded.error();
    SL_TRY_STATUS(writer.commit(std::move(encoded).value()));
    progress.update(i + 1);
  }
  progress.finish();

  nlohmann::ordered_json manifest;
  manifest["tool"] = "synthlabel";
  manifest["version"] = std::string(tool_version());
  manifest["git_revision"] = std::string(git_revision());
  manifest["config_file"] = options.config.string();
  manifest["seed"] = spec.seed;
  manifest["frame_range"] = {options.start, options.start + spec.frames};  // [first, last + 1)
  manifest["conventions"] = {
      {"depth", "float32 metres along the camera viewing axis; +inf where no surface"},
      {"instance", "uint16 instance id per pixel, 0 = background or unlabeled surface"},
      {"semantic", "uint8 category id per pixel, 0 = background or unlabeled surface"},
      {"pixel_centre", "pixel (u, v) is sampled at (u + 0.5, v + 0.5); v grows downwards"},
      {"world", "right-handed, +Y up, metres"},
      {"camera", "K and world_to_camera in the OpenCV convention (+X right, +Y down, +Z forward)"}};
  manifest["config"] = to_json(spec);
  SL_TRY_STATUS(writer.finish(spec, std::move(manifest)));

  GenerateSummary summary;
  summary.frames = writer.frames_written();
  summary.annotations = writer.annotations_written();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  summary.device = (*renderer)->device().name;
  return summary;
}

}  // namespace synthlabel
