// render_bench CONFIG [FRAMES] [SLOTS]: renders FRAMES frames of CONFIG (no encoding, no files) with
// SLOTS frames in flight and prints ms/frame for sampling, submit, wait and readback copy.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "core/Allocator.h"
#include "randomizers/FrameSampler.h"
#include "renderer/Renderer.h"
#include "scenes/ConfigLoader.h"

int main(int argc, char** argv) {
  using namespace synthlabel;
  tune_allocator_for_frames();
  if (argc < 2) {
    std::fprintf(stderr, "usage: render_bench CONFIG [FRAMES] [SLOTS]\n");
    return 2;
  }
  const std::uint64_t frames = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 200;
  auto spec = load_config(argv[1]);
  if (!spec) return std::fprintf(stderr, "%s\n", spec.error().message.c_str()), 2;
  auto randomizers = build_randomizers(*spec);
  if (!randomizers) return std::fprintf(stderr, "%s\n", randomizers.error().message.c_str()), 2;
  auto assets = load_scene_assets(*spec, texture_files(**randomizers));
  if (!assets) return std::fprintf(stderr, "%s\n", assets.error().message.c_str()), 3;
  RendererOptions o = renderer_options_for(*spec);
  o.frames_in_flight = argc > 3 ? static_cast<std::uint32_t>(std::strtoul(argv[3], nullptr, 10)) : 3;
  auto r = create_renderer(o);
  if (!r) return std::fprintf(stderr, "%s\n", r.error().message.c_str()), 5;
  if (auto s = (*r)->upload(*assets); !s) return std::fprintf(stderr, "%s\n", s.error().message.c_str()), 5;
  FrameBuffers fb;
  const std::uint32_t slots = (*r)->slots();
  std::vector<bool> pending(slots, false);
  const auto t0 = std::chrono::steady_clock::now();
  double sample_s = 0;
  for (std::uint64_t i = 0; i < frames + slots; ++i) {
    const auto slot = static_cast<std::uint32_t>(i % slots);
    if (pending[slot]) {
      if (auto s = (*r)->collect(slot, fb); !s) return std::fprintf(stderr, "%s\n", s.error().message.c_str()), 5;
      pending[slot] = false;
    }
    if (i < frames) {
      const auto ts = std::chrono::steady_clock::now();
      const Scene scene = sample_frame(*spec, assets->meshes, **randomizers, i);
      sample_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - ts).count();
      if (auto s = (*r)->submit(slot, scene); !s) return std::fprintf(stderr, "%s\n", s.error().message.c_str()), 5;
      pending[slot] = true;
    }
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto t = (*r)->timings();
  const double n = static_cast<double>(frames);
  std::printf("render_bench: %s %ux%u, %llu frames, %u slots, %s\n", argv[1], o.width, o.height,
              static_cast<unsigned long long>(frames), slots, (*r)->device().name.c_str());
  std::printf("  ms/frame: sample %.3f  submit %.3f  wait %.3f  copy %.3f  wall %.3f  (%.1f frames/s)\n",
              1e3 * sample_s / n, 1e3 * t.submit / n, 1e3 * t.wait / n, 1e3 * t.copy / n, 1e3 * wall / n, n / wall);
  return 0;
}
