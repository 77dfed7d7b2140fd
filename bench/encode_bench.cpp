// encode_bench CONFIG [FRAMES]: renders FRAMES frames once, then times encode_frame on them
// (single thread) and prints ms/frame per encoder and output bytes per frame.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "exporters/DatasetWriter.h"
#include "core/Allocator.h"
#include "randomizers/FrameSampler.h"
#include "renderer/Renderer.h"
#include "scenes/ConfigLoader.h"

int main(int argc, char** argv) {
  using namespace synthlabel;
  tune_allocator_for_frames();
  if (argc < 2) {
    std::fprintf(stderr, "usage: encode_bench CONFIG [FRAMES]\n");
    return 2;
  }
  const std::uint64_t frames = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 50;
  auto spec = load_config(argv[1]);
  if (!spec) return std::fprintf(stderr, "%s\n", spec.error().message.c_str()), 2;
  auto randomizers = build_randomizers(*spec);
  if (!randomizers) return std::fprintf(stderr, "%s\n", randomizers.error().message.c_str()), 2;
  auto assets = load_scene_assets(*spec, texture_files(**randomizers));
  if (!assets) return std::fprintf(stderr, "%s\n", assets.error().message.c_str()), 3;
  auto r = create_renderer(renderer_options_for(*spec));
  if (!r || !(*r)->upload(*assets)) return 5;
  std::vector<Scene> scenes;
  std::vector<FrameBuffers> buffers(frames);
  for (std::uint64_t i = 0; i < frames; ++i) {
    scenes.push_back(sample_frame(*spec, assets->meshes, **randomizers, i));
    if (!(*r)->render(scenes.back(), buffers[i])) return 5;
  }
  EncodeTimings sum;
  std::size_t bytes[5] = {0, 0, 0, 0, 0};
  const EncodeOptions options;
  for (std::uint64_t i = 0; i < frames; ++i) {
    auto e = encode_frame(scenes[i], buffers[i], options);
    if (!e) return std::fprintf(stderr, "%s\n", e.error().message.c_str()), 1;
    sum.labels += e->timings.labels;
    sum.rgb_png += e->timings.rgb_png;
    sum.instance_png += e->timings.instance_png;
    sum.semantic_png += e->timings.semantic_png;
    sum.depth_exr += e->timings.depth_exr;
    sum.record += e->timings.record;
    for (std::size_t k = 0; k < 5 && k < e->files.size(); ++k) bytes[k] += e->files[k].second.size();
  }
  const double n = static_cast<double>(frames);
  std::printf("encode_bench: %s %ux%u, %llu frames, 1 thread\n", argv[1], spec->width, spec->height,
              static_cast<unsigned long long>(frames));
  std::printf("  ms/frame: labels %.3f  rgb %.3f  instance %.3f  semantic %.3f  depth %.3f  record %.3f\n",
              1e3 * sum.labels / n, 1e3 * sum.rgb_png / n, 1e3 * sum.instance_png / n, 1e3 * sum.semantic_png / n,
              1e3 * sum.depth_exr / n, 1e3 * sum.record / n);
  auto kib = [&](std::size_t k) { return static_cast<double>(bytes[k]) / 1024.0 / n; };
  std::printf("  KiB/frame: rgb %.1f  instance %.1f  semantic %.1f  depth %.1f  record %.1f\n", kib(0), kib(1), kib(2), kib(3), kib(4));
  return 0;
}
