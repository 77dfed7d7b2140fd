// The frame pipeline shared by `generate` and `bench`:
//   main thread:   sample scene i -> submit to renderer slot (i mod S) -> collect frame i-S
//   worker pool:   label extraction + PNG/EXR encoding of collected frames, any order
//   commit:        in frame order, by whichever worker holds the next frame
// Output is identical whatever the thread count: each frame's bytes depend only on the frame.
// Memory is bounded: at most threads + 2 frames' buffers exist at once.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "cli/Progress.h"
#include "core/Error.h"
#include "exporters/DatasetWriter.h"
#include "exporters/FrameSink.h"
#include "renderer/Renderer.h"
#include "randomizers/Registry.h"
#include "scenes/Mesh.h"
#include "scenes/SceneSpec.h"

namespace synthlabel {

struct PipelineOptions {
  std::uint64_t first = 0;
  std::uint64_t count = 1;
  // When not empty: the frames to render, in this order (count = its size, `first` unused); the
  // Python module's frames(range(w, n, k)). Flow neighbours outside it are rendered for their planes.
  std::vector<std::uint64_t> frames;
  std::function<bool(std::uint64_t)> already_done;  // resume: frames to skip (may be empty)
  unsigned threads = 0;  // encoder threads; 0 = hardware threads - 1 (at least 1), and one on demand
  EncodeOptions encode;
  // outputs: [bop]: a renderer of 3x the image's width and height (supersampling 1), for the parts of
  // truncated instances' silhouettes outside the image (SilhouetteBeyond); else null.
  Renderer* canvas = nullptr;
  // bench --render-only: frames are sampled, rendered and read back (amodal renders included), then
  // dropped: nothing is encoded or written.
  bool render_only = false;
};

struct PipelineStats {
  unsigned threads = 0;
  std::uint64_t frames = 0, annotations = 0;  // rendered by this run
  std::uint64_t skipped = 0;                  // already complete (resume)
  double wall = 0;        // whole run, seconds
  double sample = 0;      // scene sampling (main thread)
  double flow = 0;        // optical flow from the collected planes (main thread)
  RenderTimings render;   // main thread
  EncodeTimings encode;   // summed over worker threads
  double write = 0;       // file writes, summed
};

// Encoder threads for PipelineOptions::threads = `requested`: itself, or for 0 hardware threads - 1
// (at least 1).
unsigned encoder_threads(unsigned requested);
// And for 0 on a machine of two or more hardware threads, one more that encodes only while frames
// queue up behind those (PipelineStats::threads counts it).
unsigned on_demand_threads(unsigned requested);

Result<PipelineStats> run_pipeline(const SceneSpec& spec, const MeshLibrary& meshes,
                                   const RandomizerPipeline& randomizers, Renderer& renderer, FrameSink& sink,
                                   const PipelineOptions& options, Progress& progress);

}  // namespace synthlabel
