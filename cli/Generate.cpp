#include "cli/Generate.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string_view>
#include <system_error>

#include "cli/Progress.h"
#include "cli/Shard.h"
#include "core/FileIo.h"
#include "core/Version.h"
#include "exporters/DatasetWriter.h"
#include "exporters/OutputDir.h"
#include "lidar/LidarTracer.h"
#include "renderer/Renderer.h"
#include "randomizers/Registry.h"
#include "scenes/ConfigLoader.h"
#include "scenes/SpecJson.h"

namespace synthlabel {
namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

// What a dataset's bytes depend on. A resumed run must match it exactly; nothing run-specific
// (time, thread count, host) goes into the manifest, so a resumed dataset equals an uninterrupted one.
// The files a config names (meshes, environment maps, textures) with the xxHash3-64 of their bytes,
// so a resume or a merge refuses a dataset made from files that have changed since.
// Each asset also as loaded (vertices, indices, materials and the pixels of every image it brings): a
// model's own references (glTF buffers and images, OBJ material files, textures beside it) are files
// the config does not name, and a change there must refuse a resume too.
static_assert(sizeof(Vertex) == 44 && sizeof(Material) == 60 && sizeof(MeshPart) == 12, "hashed as bytes: no padding");
template <class T>
std::span<const std::uint8_t> bytes_of(const std::vector<T>& v) {
  return {reinterpret_cast<const std::uint8_t*>(v.data()), v.size() * sizeof(T)};
}
std::string loaded_hash(const Mesh& m) {
  std::vector<std::span<const std::uint8_t>> parts = {bytes_of(m.vertices), bytes_of(m.indices), bytes_of(m.materials),
                                                      bytes_of(m.parts)};
  for (const MeshImage& i : m.images) parts.push_back(bytes_of(i.rgba));
  return content_hash(parts);
}

Result<json> input_hashes(const SceneSpec& spec, const RandomizerPipeline& randomizers, const MeshLibrary& meshes) {
  std::set<fs::path> files;
  std::vector<std::pair<const ShapeSpec*, std::uint32_t>> assets;  // every asset shape and its mesh, in config order
  for (std::size_t i = 0; i < spec.objects.size(); ++i) {
    const auto& o = spec.objects[i];
    if (o.pool.empty()) assets.emplace_back(&o.shape, meshes.shape(i).mesh);
    for (std::size_t j = 0; j < o.pool.size(); ++j) assets.emplace_back(&o.pool[j].shape, meshes.shape(i, j).mesh);
  }
  std::erase_if(assets, [](const auto& s) { return s.first->primitive.has_value(); });
  for (const auto& [s, mesh] : assets) files.insert(s->asset);
  if (spec.environment) files.insert(spec.environment->maps.begin(), spec.environment->maps.end());
  files.insert(randomizers.textures.begin(), randomizers.textures.end());
  json out = json::array();
  for (const auto& f : files) {
    auto bytes = read_text_file(f);
    if (!bytes) return make_error(ExitCode::asset, bytes.error().message);
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes->data());
    out.push_back({{"file", f.string()}, {"xxh3", content_hash({data, bytes->size()})}});
  }
  std::set<std::uint32_t> seen;  // each mesh once (shapes with the same file and options share one)
  for (const auto& [s, mesh] : assets) {
    if (mesh >= meshes.size() || !seen.insert(mesh).second) continue;
    out.push_back({{"file", s->asset.string()}, {"as_loaded_xxh3", loaded_hash(meshes[mesh])}});
  }
  return out;
}

json identity(const GenerateOptions& options, const SceneSpec& spec, const json& inputs) {
  json m;
  m["tool"] = "synthlabel";
  m["version"] = std::string(tool_version());
  m["git_revision"] = std::string(git_revision());
  m["config_file"] = options.config.string();
  if (!options.overrides.empty()) m["overrides"] = options.overrides;
  m["seed"] = spec.seed;
  m["frame_range"] = {options.start, options.start + spec.frames};  // [first, last + 1)
  m["compression"] = options.compression;
  m["rgb"] = options.rgb == "jpeg" ? "jpeg, quality " + std::to_string(options.jpeg_quality) : std::string("png");
  m["config"] = to_json(spec);
  m["inputs"] = inputs;
  return m;
}

json conventions() {
  return {{"depth", "float32 metres along the camera viewing axis; +inf where no surface"},
          {"instance", "uint16 instance id per pixel, 0 = background or unlabeled surface"},
          {"semantic", "uint8 category id per pixel, 0 = background or unlabeled surface"},
          {"pixel_centre", "pixel (u, v) is sampled at (u + 0.5, v + 0.5); v grows downwards"},
          {"world", "right-handed, +Y up, metres"},
          {"camera", "K and world_to_camera in the OpenCV convention (+X right, +Y down, +Z forward)"},
          {"records", "records/NNNNNN.json: a frame's COCO entries and the xxHash3-64 of each of its files"}};
}

// --resume: the dataset's manifest to continue the dataset in `out`, nothing to start afresh
// (nothing there yet).
Result<std::optional<json>> check_resumable(const fs::path& out, const json& expected) {
  std::error_code ec;
  if (!fs::exists(out, ec) || fs::is_empty(out, ec)) return std::optional<json>();
  const fs::path manifest_path = out / "manifest.json";
  auto text = read_text_file(manifest_path);
  if (!text) {
    return make_error(ExitCode::io, "--resume: '" + out.string() +
                                        "' holds no synthlabel dataset (no readable manifest.json); nothing to resume");
  }
  json found;
  try {
    found = json::parse(*text);
  } catch (const json::exception&) {
    return make_error(ExitCode::io, "--resume: " + manifest_path.string() + " is not valid JSON");
  }
  if (const std::string diff = manifest_difference(expected, found); !diff.empty()) {
    return make_error(ExitCode::usage, "--resume: this command and the dataset in '" + out.string() + "' differ in " +
                                           diff + " (this command first); use the same config and options");
  }
  return std::optional<json>(std::move(found));
}

}  // namespace

std::string config_sweep(const SceneSpec& spec) {
  return spec.randomizers.empty() ? spec.sweep_at : spec.randomizers.front().first_sweep();
}

Result<LidarSetup> build_lidar(const SceneSpec& spec, const MeshLibrary& meshes) {
  const auto t0 = std::chrono::steady_clock::now();
  LidarSetup out;
  SL_TRY_ASSIGN(out.tracer, LidarTracer::create(*spec.lidar, meshes));
  std::size_t triangles = 0;
  for (const Mesh& m : meshes.meshes) triangles += m.indices.size() / 3;
  const double ms = 1e3 * std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  char line[200];
  std::snprintf(line, sizeof line, "lidar: %zu rays a sweep; %zu meshes, %zu triangles, ray structures built in %.1f ms",
                spec.lidar->rays_per_sweep(), meshes.size(), triangles, ms);
  out.note = line;
  return out;
}

Result<std::unique_ptr<PreparedRun>> prepare_run(const GenerateOptions& options) {
  auto spec_r = load_config(options.config, options.overrides, options.asset_root);
  if (!spec_r) return spec_r.error();
  auto run_spec = apply_run_values(std::move(*spec_r), {options.seed, options.frames, options.resolution});
  if (!run_spec) return run_spec.error();
  auto run = std::make_unique<PreparedRun>();
  run->spec = std::move(*run_spec);
  const SceneSpec& spec = run->spec;
  if (options.rgb != "png" && options.rgb != "jpeg") return make_error(ExitCode::usage, "--rgb '" + options.rgb + "': expected png or jpeg");
  if (options.jpeg_quality < 1 || options.jpeg_quality > 100) return make_error(ExitCode::usage, "--jpeg-quality: expected 1 to 100");
  const auto encode = encode_options_for(options.compression);
  if (!encode) {
    return make_error(ExitCode::usage, "--compression '" + options.compression + "': expected none, fast or small");
  }
  SL_TRY_ASSIGN(run->randomizers, build_randomizers(spec));
  SL_TRY_ASSIGN(run->formats, build_formats(spec));
  // A sweep spans the config's own frames: a range reaching past them would repeat its end value.
  if (const std::string sweep = config_sweep(spec); !sweep.empty() && options.start + spec.frames > spec.sweep_frames) {
    return make_error(ExitCode::usage, "frames " + std::to_string(options.start) + ".." +
                                           std::to_string(options.start + spec.frames - 1) + " (--start, --frames): " + sweep +
                                           " is a sweep over the config's " + std::to_string(spec.sweep_frames) + " frames (0.." +
                                           std::to_string(spec.sweep_frames - 1) +
                                           "); render a range inside them, or change frames: in the config");
  }
  // Input hashes are taken before the assets' images move out of the meshes into the textures.
  auto assets = load_scene_assets(spec, texture_files(*run->randomizers), options.asset_root, [&](const SceneAssets& a) -> Status {
    SL_TRY_ASSIGN(run->inputs, input_hashes(spec, *run->randomizers, a.meshes));
    return ok_status();
  });
  if (!assets) return assets.error();
  run->assets = std::move(*assets);
  const auto t_prepare = std::chrono::steady_clock::now();
  SL_TRY_ASSIGN(run->notes, run->randomizers->prepare(run->assets.meshes));
  run->prepare_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_prepare).count();

  run->encode = *encode;
  run->encode.outputs = spec.outputs;
  run->encode.depth_sensor = spec.depth_sensor;
  if (!options.no_formats) {
    run->encode.outputs.amodal = spec.outputs.amodal || run->formats->needs_amodal();  // BOP's masks need the unoccluded renders
    run->encode.formats = run->formats;
  }
  for (const auto& c : spec.categories) run->encode.category_names.push_back(c.name);
  run->encode.background_category = spec.background_category;
  run->encode.rgb_jpeg_quality = options.rgb == "jpeg" ? options.jpeg_quality : 0;
  if (spec.lidar) {  // the LiDAR's structures, one per mesh, built once; sweeps run on the encoder threads
    LidarSetup lidar;
    SL_TRY_ASSIGN(lidar, build_lidar(spec, run->assets.meshes));
    run->notes.push_back(lidar.note);
    run->encode.lidar = [tracer = lidar.tracer](const Scene& scene) { return tracer->sweep(scene); };
  }
  return run;
}

Result<RunRenderers> start_renderers(const PreparedRun& run, const GenerateOptions& options,
                                     std::shared_ptr<vk::DeviceOpening> opening) {
  const SceneSpec& spec = run.spec;
  RendererOptions ropts = renderer_options_for(spec);
  ropts.device = options.device;
  ropts.validate = options.validate;
  ropts.opening = std::move(opening);
  if (const char* f = std::getenv("SYNTHLABEL_FAULT_DEVICE_LOST_AFTER")) ropts.fault_device_lost_after = std::strtoull(f, nullptr, 10);
  RunRenderers out;
  SL_TRY_ASSIGN(out.renderer, create_renderer(ropts));
  // A GPU container whose Vulkan driver was not mounted renders on lavapipe, many times slower: say so.
  if (const char* nv = std::getenv("NVIDIA_VISIBLE_DEVICES");
      out.renderer->device().type == "cpu" && nv != nullptr && *nv != '\0' && std::string_view(nv) != "void" &&
      std::string_view(nv) != "none") {
    std::fprintf(stderr,
                 "synthlabel: warning: rendering on the CPU (%s) although NVIDIA_VISIBLE_DEVICES=%s: no NVIDIA Vulkan "
                 "driver is visible; in a container set NVIDIA_DRIVER_CAPABILITIES to include graphics\n",
                 out.renderer->device().name.c_str(), nv);
  }
  SL_TRY_STATUS(out.renderer->upload(run.assets));
  // BOP counts whole silhouettes, also outside the image: a second renderer of 3x the size draws the
  // truncated instances alone: ids only, so one sample per pixel, no shadows or normals, and only the
  // meshes uploaded (render_alone samples no texture or environment map).
  if (run.encode.formats && run.encode.formats->needs_beyond()) {
    RendererOptions copts = ropts;
    copts.width = 3 * spec.width;
    copts.height = 3 * spec.height;
    copts.supersampling = 1;
    copts.normals = false;
    copts.shadow_map_size = 0;
    copts.frames_in_flight = 1;
    SL_TRY_ASSIGN(out.canvas, create_renderer(copts));
    SL_TRY_STATUS(out.canvas->upload_meshes(run.assets.meshes));
  }
  return out;
}

Result<GenerateSummary> generate(const GenerateOptions& requested) {
  const auto t0 = std::chrono::steady_clock::now();
  GenerateOptions options = requested;
  auto shard = resolve_shard(options.shard);
  if (!shard) return shard.error();
  if (*shard) {
    // "{shard}" -> K. (Built piece by piece: GCC 12 warns falsely on std::string::replace here.)
    const std::string in = options.out.string(), k = std::to_string((*shard)->index), key = "{shard}";
    std::string out;
    std::size_t from = 0;
    for (auto pos = in.find(key); pos != std::string::npos; pos = in.find(key, from)) {
      out += in.substr(from, pos - from) + k;
      from = pos + key.size();
    }
    options.out = out + in.substr(from);
  }
  if (options.start > k_max_start_frame) {
    return make_error(ExitCode::usage, "--start must be from 0 to " + std::to_string(k_max_start_frame));
  }
  // The Vulkan loader and drivers load on a thread of their own while the config and the assets do
  // (lavapipe brings LLVM: tens of milliseconds of a short run's start-up, docs/performance.md).
  std::shared_ptr<vk::DeviceOpening> opening = open_device_async(options.device, options.validate, true);
  auto prepared = prepare_run(options);
  if (!prepared) return prepared.error();
  PreparedRun& run = **prepared;
  const SceneSpec& spec = run.spec;
  const json& inputs = run.inputs;

  // The dataset's whole range; a shard renders one block of it and says which in its manifest.
  std::uint64_t first = options.start, count = spec.frames;
  json ident = identity(options, spec, inputs);
  if (*shard) {
    const auto [a, b] = shard_range(**shard, options.start, spec.frames, spec.sequence ? spec.sequence->length : 1);
    first = a;
    count = b - a;
    ident["shard"] = {{"index", (*shard)->index}, {"count", (*shard)->count}, {"frames", {a, b}}};
  }
  bool resuming = false;
  OutputLock lock;  // held until the dataset is finished (or the process ends)
  json record_hashes;  // a finished dataset's frame_record_hashes: a kept frame's record must match
  if (options.resume) {
    std::error_code ec;
    if (fs::is_directory(options.out, ec)) {
      auto l = lock_output_dir(options.out);
      if (!l) return l.error();
      lock = std::move(*l);
    }
    auto r = check_resumable(options.out, ident);
    if (!r) return r.error();
    resuming = r->has_value();
    if (resuming && (*r)->contains("frame_record_hashes") && (**r)["frame_record_hashes"].is_object()) {
      record_hashes = (**r)["frame_record_hashes"];
    }
  }

  auto renderers = start_renderers(run, options, std::move(opening));
  if (!renderers) return renderers.error();
  std::unique_ptr<Renderer>& renderer = renderers->renderer;

  DatasetWriter writer(options.out);
  json manifest = ident;
  manifest["status"] = "incomplete";
  manifest["conventions"] = conventions();
  if (resuming) {
    auto removed = writer.remove_temp_files();
    if (!removed) return removed.error();
  } else {
    auto l = prepare_output_dir(options.out, options.overwrite);
    if (!l) return l.error();
    lock = std::move(*l);
    // Written first: an interrupted dataset is recognizable (for --resume and --overwrite).
    SL_TRY_STATUS(writer.write_manifest(manifest));
  }

  PipelineOptions popts;
  popts.first = first;
  popts.count = count;
  popts.threads = options.threads;
  popts.render_only = options.render_only;
  popts.encode = run.encode;
  popts.canvas = renderers->canvas.get();
  if (resuming) {
    popts.already_done = [&writer, &record_hashes](std::uint64_t f) {
      // A frame whose record differs from the finished manifest's hash for it is rendered again.
      const auto h = record_hashes.find(frame_stem(f));
      return writer.frame_is_complete(f, h != record_hashes.end() && h->is_string() ? h->get<std::string>() : std::string());
    };
  }
  Progress progress(count, options.progress);
  auto stats = run_pipeline(spec, run.assets.meshes, *run.randomizers, *renderer, writer, popts, progress);
  progress.finish();
  if (!stats) {
    // Refused before any frame was written (a drawn pose that is not finite, too many threads): leave
    // nothing behind, as for any config error. Frames already written stay for --resume.
    if (!resuming && writer.frames_written() == 0) lock.abandon();
    return stats.error();
  }

  const auto t_finish = std::chrono::steady_clock::now();
  if (!options.render_only) SL_TRY_STATUS(writer.finish(spec, *run.formats, first, count, std::move(manifest)));

  GenerateSummary summary;
  summary.finish_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_finish).count();
  summary.pipeline = *stats;
  summary.width = spec.width;
  summary.height = spec.height;
  summary.frames = stats->frames;
  summary.skipped = stats->skipped;
  summary.annotations = stats->annotations;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  summary.device = renderer->device().name;
  summary.notes = run.notes;
  summary.prepare_seconds = run.prepare_seconds;
  {
    const std::vector<double> secs = run.randomizers->seconds();
    for (std::size_t i = 0; i < secs.size(); ++i) summary.randomizer_seconds.emplace_back(run.randomizers->steps[i].type, secs[i]);
  }
  summary.out = options.out;
  return summary;
}

}  // namespace synthlabel
