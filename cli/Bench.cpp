#include "cli/Bench.h"

#include <sys/resource.h>

#include <cstdio>

#include "core/Version.h"

namespace synthlabel {

double peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // Linux reports KiB
}

namespace {

// One stage of the table: its JSON key, its label, its seconds over the run and where it runs.
struct Stage {
  std::string key, label;
  double seconds;
  std::string thread;
};

std::vector<Stage> stages_of(const GenerateSummary& s) {
  const PipelineStats& p = s.pipeline;
  std::vector<Stage> rows;
  rows.push_back({"scene_sampling", "scene sampling", p.sample, "main"});
  for (const auto& [type, seconds] : s.randomizer_seconds) {
    // Only the randomizers that cost something worth a row (physics_drop's simulation).
    if (seconds < 0.01 * p.sample || seconds <= 0) continue;
    rows.push_back({"randomizer_" + type, "  of which " + type, seconds, "main"});
  }
  rows.push_back({"render_submit", "render: record + submit", p.render.submit, "main"});
  rows.push_back({"render_wait", "render: wait for device", p.render.wait, "main (device busy or idle)"});
  rows.push_back({"readback_copy", "readback copy", p.render.copy, "main"});
  if (p.render.remap > 0) rows.push_back({"lens_remap", "lens remap (source -> output)", p.render.remap, "main"});
  if (p.flow > 0) rows.push_back({"optical_flow", "optical flow (from the planes)", p.flow, "main"});
  rows.push_back({"label_extraction", "label planes, RLE, boxes", p.encode.labels, "workers, summed"});
  rows.push_back({"encode_rgb_png", "encode RGB PNG", p.encode.rgb_png, "workers, summed"});
  rows.push_back({"encode_instance_png", "encode instance PNG", p.encode.instance_png, "workers, summed"});
  rows.push_back({"encode_semantic_png", "encode semantic PNG", p.encode.semantic_png, "workers, summed"});
  rows.push_back({"encode_depth_exr", "encode depth EXR", p.encode.depth_exr, "workers, summed"});
  if (p.encode.lidar_rays > 0) rows.push_back({"lidar_sweep", "LiDAR sweep (Embree rays)", p.encode.lidar, "workers, summed"});
  rows.push_back({"record_json", "per-frame record JSON", p.encode.record, "workers, summed"});
  rows.push_back({"write_files", "write files", p.write, "workers, summed"});
  rows.push_back({"finish", "coco.json + manifest", s.finish_seconds, "main, once"});
  rows.push_back({"frames_wall", "frames wall time", p.wall, ""});
  return rows;
}

}  // namespace

std::string bench_report(const GenerateOptions& options, const GenerateSummary& s) {
  const PipelineStats& p = s.pipeline;
  const double n = p.frames ? static_cast<double>(p.frames) : 1.0;
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "synthlabel bench: %s, %ux%u, %llu frames, %u encoder threads, device %s%s\n",
                options.config.string().c_str(), s.width, s.height, static_cast<unsigned long long>(p.frames),
                p.threads, s.device.c_str(), options.render_only ? " (render only: nothing encoded or written)" : "");
  out += line;
  out += "  stage                          total s  ms/frame   thread\n";
  for (const Stage& st : stages_of(s)) {
    std::snprintf(line, sizeof line, "  %-28s %9.3f %9.3f   %s\n", st.label.c_str(), st.seconds, 1000.0 * st.seconds / n, st.thread.c_str());
    out += line;
  }
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

nlohmann::ordered_json bench_json(const GenerateOptions& options, const GenerateSummary& s) {
  const PipelineStats& p = s.pipeline;
  const double n = p.frames ? static_cast<double>(p.frames) : 1.0;
  nlohmann::ordered_json j;
  j["tool"] = "synthlabel bench";
  j["version"] = std::string(tool_version());
  j["git_revision"] = std::string(git_revision());
  j["config"] = options.config.string();
  j["width"] = s.width;
  j["height"] = s.height;
  j["frames"] = p.frames;
  j["threads"] = p.threads;
  j["device"] = s.device;
  j["render_only"] = options.render_only;
  j["compression"] = options.compression;
  nlohmann::ordered_json stages = nlohmann::ordered_json::object();
  for (const Stage& st : stages_of(s)) {
    stages[st.key] = {{"seconds", st.seconds}, {"ms_per_frame", 1000.0 * st.seconds / n}, {"thread", st.thread}};
  }
  j["stages"] = std::move(stages);
  j["frames_per_second"] = p.wall > 0 ? n / p.wall : 0.0;
  j["end_to_end_frames_per_second"] = s.seconds > 0 ? n / s.seconds : 0.0;
  j["seconds"] = s.seconds;
  if (p.encode.lidar_rays > 0) {
    j["lidar"] = {{"rays_per_sweep", double(p.encode.lidar_rays) / n},
                  {"points_per_sweep", double(p.encode.lidar_points) / n},
                  {"rays_per_second_per_thread", p.encode.lidar > 0 ? double(p.encode.lidar_rays) / p.encode.lidar : 0.0},
                  {"ms_per_sweep", 1e3 * p.encode.lidar / n}};
  }
  j["notes"] = s.notes;
  j["peak_rss_mib"] = peak_rss_mib();
  return j;
}

}  // namespace synthlabel
