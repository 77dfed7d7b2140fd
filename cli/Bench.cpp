#include "cli/Bench.h"

#include <sys/resource.h>

#include <cstdio>

namespace synthlabel {

double peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // Linux reports KiB
}

std::string bench_report(const GenerateOptions& options, const GenerateSummary& s) {
  const PipelineStats& p = s.pipeline;
  const double n = p.frames ? static_cast<double>(p.frames) : 1.0;
  std::string out;
  char line[256];
  auto row = [&](const char* stage, double seconds, const char* where) {
    std::snprintf(line, sizeof line, "  %-28s %9.3f %9.3f   %s\n", stage, seconds, 1000.0 * seconds / n, where);
    out += line;
  };
  std::snprintf(line, sizeof line, "synthlabel bench: %s, %ux%u, %llu frames, %u encoder threads, device %s%s\n",
                options.config.string().c_str(), s.width, s.height, static_cast<unsigned long long>(p.frames),
                p.threads, s.device.c_str(), options.render_only ? " (render only: nothing encoded or written)" : "");
  out += line;
  out += "  stage                          total s  ms/frame   thread\n";
  row("scene sampling", p.sample, "main");
  for (const auto& [type, seconds] : s.randomizer_seconds) {
    // Only the randomizers that cost something worth a row (physics_drop's simulation).
    if (seconds < 0.01 * p.sample || seconds <= 0) continue;
    const std::string name = "  of which " + type;
    row(name.c_str(), seconds, "main");
  }
  row("render: record + submit", p.render.submit, "main");
  row("render: wait for device", p.render.wait, "main (device busy or idle)");
  row("readback copy", p.render.copy, "main");
  if (p.render.remap > 0) row("lens remap (source -> output)", p.render.remap, "main");
  if (p.flow > 0) row("optical flow (from the planes)", p.flow, "main");
  row("label extraction (RLE, boxes)", p.encode.labels, "workers, summed");
  row("encode RGB PNG", p.encode.rgb_png, "workers, summed");
  row("encode instance PNG", p.encode.instance_png, "workers, summed");
  row("encode semantic PNG", p.encode.semantic_png, "workers, summed");
  row("encode depth EXR", p.encode.depth_exr, "workers, summed");
  if (p.encode.lidar_rays > 0) row("LiDAR sweep (Embree rays)", p.encode.lidar, "workers, summed");
  row("per-frame record JSON", p.encode.record, "workers, summed");
  row("write files", p.write, "workers, summed");
  row("coco.json + manifest", s.finish_seconds, "main, once");
  row("frames wall time", p.wall, "");
  std::snprintf(line, sizeof line,
                "  throughput: %.1f frames/s (frames only), %.1f frames/s end to end incl. start-up (%.2f s)\n",
                p.wall > 0 ? n / p.wall : 0.0, s.seconds > 0 ? n / s.seconds : 0.0, s.seconds);
  out += line;
  if (p.encode.lidar_rays > 0) {
    std::snprintf(line, sizeof line,
                  "  lidar: %.0f rays a sweep, %.0f points a sweep; %.2f M rays/s per thread (cast, re-posing moving instances "
                  "included), %.2f ms a sweep\n",
                  double(p.encode.lidar_rays) / n, double(p.encode.lidar_points) / n,
                  p.encode.lidar > 0 ? 1e-6 * double(p.encode.lidar_rays) / p.encode.lidar : 0.0, 1e3 * p.encode.lidar / n);
    out += line;
  }
  for (const std::string& note : s.notes) out += "  " + note + "\n";
  if (!s.notes.empty()) {
    std::snprintf(line, sizeof line, "  start-up work of the randomizers (shapes above): %.3f s, once per run\n", s.prepare_seconds);
    out += line;
  }
  std::snprintf(line, sizeof line, "  peak RSS: %.1f MiB\n", peak_rss_mib());
  out += line;
  return out;
}

}  // namespace synthlabel
