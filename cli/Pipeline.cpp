#include "cli/Pipeline.h"

#include "core/Srgb.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include "exporters/FlowField.h"
#include "exporters/Labels.h"
#include "randomizers/FrameSampler.h"

namespace synthlabel {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Job {
  std::uint64_t seq = 0;  // position among the frames this run renders: commit order
  // Flow: a clip neighbour of a frame of this run that this run does not render (a range's or a
  // resumed run's edge), rendered only for its depth and ids; not encoded.
  bool neighbour_only = false;
  Scene scene;
  std::unique_ptr<FrameBuffers> buffers;
  std::vector<InstanceLabel> amodal;  // outputs: [amodal]: each labeled instance's unoccluded mask
  std::vector<SilhouetteBeyond> beyond;  // outputs: [bop]: truncated silhouettes outside the image
};

// The silhouettes of `indices` (instances of `scene`) outside the image, rendered alone by `canvas`
// (3W x 3H) with the principal point moved by (W, H), so canvas pixel (u + W, v + H) samples the ray
// of image pixel (u, v); only canvas pixels outside the middle W x H block are counted.
Status silhouettes_beyond(Renderer& canvas, const Scene& scene, std::span<const std::size_t> indices,
                          std::vector<SilhouetteBeyond>& out) {
  if (indices.empty()) return ok_status();
  Scene big = scene;
  const std::uint32_t w = scene.camera.width, h = scene.camera.height;
  big.camera.width = 3 * w;
  big.camera.height = 3 * h;
  big.camera.cx += w;
  big.camera.cy += h;
  std::vector<std::uint32_t> ids;
  std::vector<PixelBox> boxes;
  SL_TRY_STATUS(canvas.render_alone(big, indices, ids, boxes));
  const std::size_t plane = std::size_t{big.camera.width} * big.camera.height;
  for (std::size_t j = 0; j < indices.size(); ++j) {
    SilhouetteBeyond s;
    s.instance_id = scene.instances[indices[j]].instance_id;
    const PixelBox& b = boxes[j];
    for (std::uint32_t v = b.y; v < b.y + b.h; ++v) {
      for (std::uint32_t u = b.x; u < b.x + b.w; ++u) {
        if (ids[j * plane + std::size_t{v} * big.camera.width + u] != s.instance_id) continue;
        if (u >= w && u < 2 * w && v >= h && v < 2 * h) continue;  // inside the image: from the exact render
        const std::int64_t x = std::int64_t{u} - w, y = std::int64_t{v} - h;
        if (s.pixels++ == 0) s.x0 = s.x1 = x, s.y0 = s.y1 = y;
        s.x0 = std::min(s.x0, x), s.x1 = std::max(s.x1, x), s.y0 = std::min(s.y0, y), s.y1 = std::max(s.y1, y);
      }
    }
    if (s.pixels > 0) out.push_back(s);
  }
  return ok_status();
}

// Shared state of one run; every member below `mutex` is guarded by it.
class Shared {
 public:
  Shared(FrameSink& sink, const EncodeOptions& encode, Progress& progress)
      : m_sink(sink), m_encode(encode), m_progress(progress) {}

  // A frame found complete on disk (resume): counts towards progress, nothing to do.
  void note_skipped() {
    std::lock_guard lock(m_mutex);
    ++m_skipped;
    m_progress.update(m_skipped + m_next_commit);
  }

  void add_buffers(std::size_t n) {
    std::lock_guard lock(m_mutex);
    for (std::size_t i = 0; i < n; ++i) m_free.push_back(std::make_unique<FrameBuffers>());
  }

  // Producer side. Returns null once the run has failed.
  std::unique_ptr<FrameBuffers> take_buffer() {
    std::unique_lock lock(m_mutex);
    m_space.wait(lock, [&] { return !m_free.empty() || m_error; });
    if (m_error) return nullptr;
    auto b = std::move(m_free.back());
    m_free.pop_back();
    return b;
  }
  // render_only: a collected frame's buffers back to the pool, unencoded.
  void give_back(std::unique_ptr<FrameBuffers> b) {
    {
      std::lock_guard lock(m_mutex);
      m_free.push_back(std::move(b));
    }
    m_space.notify_one();
  }
  void push(Job job) {
    {
      std::lock_guard lock(m_mutex);
      m_jobs.push_back(std::move(job));
    }
    m_work.notify_all();  // all: a worker on demand may wake to find too short a queue
  }
  void close() {
    {
      std::lock_guard lock(m_mutex);
      m_closed = true;
    }
    m_work.notify_all();
  }
  void fail(Error e) {
    {
      std::lock_guard lock(m_mutex);
      if (!m_error) m_error = std::move(e);
    }
    m_work.notify_all();
    m_space.notify_all();
  }
  std::optional<Error> error() {
    std::lock_guard lock(m_mutex);
    return m_error;
  }

  // Worker loop: takes a frame once `backlog` frames wait (1; 2 for the worker on demand, which so
  // encodes only while frames queue up behind the other encoders).
  void work(std::size_t backlog) {
    EncodeTimings local;
    double write_seconds = 0;
    for (;;) {
      Job job;
      {
        std::unique_lock lock(m_mutex);
        m_work.wait(lock, [&] { return m_jobs.size() >= backlog || m_closed || m_error; });
        if (m_error || m_jobs.size() < backlog) break;  // (closed: the others finish the queue)
        job = std::move(m_jobs.front());
        m_jobs.pop_front();
      }
      auto encoded = encode_frame(job.scene, *job.buffers, m_encode, job.amodal, job.beyond);
      {
        std::lock_guard lock(m_mutex);
        m_free.push_back(std::move(job.buffers));
      }
      m_space.notify_one();
      if (!encoded) {
        fail(encoded.error());
        break;
      }
      add(local, encoded->timings);
      if (auto s = commit_in_order(job.seq, std::move(encoded).value(), write_seconds); !s) {
        fail(s.error());
        break;
      }
    }
    std::lock_guard lock(m_mutex);
    add(m_timings, local);
    m_write_seconds += write_seconds;
  }

  EncodeTimings timings() const { return m_timings; }
  double write_seconds() const { return m_write_seconds; }

 private:
  static void add(EncodeTimings& a, const EncodeTimings& b) {
    a.labels += b.labels;
    a.rgb_png += b.rgb_png;
    a.instance_png += b.instance_png;
    a.semantic_png += b.semantic_png;
    a.depth_exr += b.depth_exr;
    a.record += b.record;
    a.lidar += b.lidar;
    a.lidar_rays += b.lidar_rays;
    a.lidar_points += b.lidar_points;
  }

  // Parks the frame; the worker that holds the next frame in order writes every frame it can.
  Status commit_in_order(std::uint64_t seq, EncodedFrame frame, double& write_seconds) {
    std::unique_lock lock(m_mutex);
    m_ready.emplace(seq, std::move(frame));
    if (m_committing) return ok_status();
    m_committing = true;
    while (!m_ready.empty() && m_ready.begin()->first == m_next_commit && !m_error) {
      EncodedFrame next = std::move(m_ready.begin()->second);
      m_ready.erase(m_ready.begin());
      lock.unlock();
      const auto t0 = Clock::now();
      const Status s = m_sink.take(next);
      write_seconds += since(t0);
      lock.lock();
      if (!s) {
        m_committing = false;
        return s;
      }
      ++m_next_commit;
      m_progress.update(m_skipped + m_next_commit);
    }
    m_committing = false;
    return ok_status();
  }

  FrameSink& m_sink;
  const EncodeOptions& m_encode;
  std::mutex m_mutex;
  std::condition_variable m_work, m_space;
  std::deque<Job> m_jobs;
  std::vector<std::unique_ptr<FrameBuffers>> m_free;
  std::map<std::uint64_t, EncodedFrame> m_ready;
  std::uint64_t m_next_commit = 0;
  std::uint64_t m_skipped = 0;
  bool m_committing = false;
  bool m_closed = false;
  std::optional<Error> m_error;
  Progress& m_progress;
  EncodeTimings m_timings;
  double m_write_seconds = 0;
};

// What in `scene` holds a NaN or infinity ("" when nothing does): the records would carry null.
std::string not_finite(const Scene& scene) {
  const auto finite = [](const glm::mat4& m) {
    for (int c = 0; c < 4; ++c) {
      for (int r = 0; r < 4; ++r) {
        if (!std::isfinite(m[c][r])) return false;
      }
    }
    return true;
  };
  const Camera& cam = scene.camera;
  if (!finite(cam.view) || !std::isfinite(cam.fx) || !std::isfinite(cam.fy) || !std::isfinite(cam.cx) || !std::isfinite(cam.cy)) {
    return "camera pose";
  }
  for (const Instance& inst : scene.instances) {
    if (!finite(inst.model)) return "pose of instance " + std::to_string(inst.instance_id);
  }
  for (const Light& l : scene.lights) {
    if (!std::isfinite(l.position.x + l.position.y + l.position.z + l.color.r + l.color.g + l.color.b)) return "light";
  }
  return {};
}

// Exposure from the real motion (sensor.shutter_s, rolling_shutter_s): `shutter_samples` (n) renders
// of the scene at the sub-frame times t + (r + s) ((i + 0.5) / n - 0.5), spread over the readout time r
// plus the shutter time s around the frame's time t, averaged in linear light. Row y is exposed over
// [t_y - w / 2, t_y + w / 2] with t_y = t + r ((y + 0.5) / H - 0.5) and w = max(s, (r + s) / n): each
// sub-frame counts with the overlap of that window and its own share of time. With a global shutter
// (r = 0) every row takes every sub-frame alike: the plain mean. Only `rgba` changes: the labels stay
// the frame's own render's, the middle of the exposure (docs/conventions.md).
Status expose_motion(const SceneSpec& spec, const MeshLibrary& meshes, const RandomizerPipeline& randomizers, Renderer& renderer,
                     const Scene& scene, std::uint32_t width, std::uint32_t height, std::vector<std::uint8_t>& rgba) {
  const std::uint32_t n = scene.sensor.shutter_samples;
  const double s = scene.sensor.shutter_s, r = scene.sensor.rolling_shutter_s, span = r + s;
  const std::array<double, 256>& k_linear = srgb8_to_linear();
  if (rgba.size() != std::size_t{width} * height * 4) return make_error(ExitCode::internal, "motion blur: a frame of another size");
  // Weight of sub-frame i for row y (rows alike without a rolling shutter).
  const double step = span / n, window = std::max(s, step);
  auto weight = [&](std::uint32_t i, std::uint32_t y) {
    if (r == 0.0) return 1.0;
    const double ti = span * ((i + 0.5) / n - 0.5), ty = r * ((y + 0.5) / height - 0.5);
    return std::max(0.0, std::min(ti + step / 2, ty + window / 2) - std::max(ti - step / 2, ty - window / 2));
  };
  std::vector<double> sum(rgba.size(), 0.0), total(height, 0.0);
  std::vector<std::uint8_t> sub;
  for (std::uint32_t i = 0; i < n; ++i) {
    const Scene at = sample_frame(spec, meshes, randomizers, scene.frame, span * ((i + 0.5) / n - 0.5));
    SL_TRY_STATUS(renderer.render_color(at, sub));
    if (sub.size() != rgba.size()) return make_error(ExitCode::internal, "motion blur: a sub-frame of another size");
    for (std::uint32_t y = 0; y < height; ++y) {
      const double wy = weight(i, y);
      total[y] += wy;
      if (wy == 0.0) continue;
      const std::size_t row = std::size_t{y} * width * 4;
      for (std::size_t k = row; k < row + std::size_t{width} * 4; ++k) sum[k] += wy * k_linear[sub[k]];
    }
  }
  for (std::uint32_t y = 0; y < height; ++y) {
    const std::size_t row = std::size_t{y} * width * 4;
    for (std::size_t k = row; k < row + std::size_t{width} * 4; ++k) rgba[k] = (k % 4 == 3) ? 255 : static_cast<std::uint8_t>(std::lround(linear_to_srgb(sum[k] / total[y]) * 255.0));
  }
  return ok_status();
}

}  // namespace

unsigned encoder_threads(unsigned requested) {
  // Default: leave one hardware thread to the main thread and the renderer (on lavapipe the renderer
  // is CPU work too). Measured on 2 cores: 1 encoder thread 73 frames/s, 2 threads 68 frames/s.
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  return requested ? requested : std::max(1u, hw - 1);
}

unsigned on_demand_threads(unsigned requested) {
  // With the default count, the hardware thread left to the renderer also encodes, but only while
  // frames queue up behind the other encoders: where encoding is the bottleneck (sensor effects on a
  // light render) it helps (clutter_with_distractors on 2 cores: 14.7 -> 17.5 frames/s), where the
  // render is, it stays asleep instead of taking the renderer's core.
  return requested == 0 && std::thread::hardware_concurrency() > 1 ? 1u : 0u;
}

Result<PipelineStats> run_pipeline(const SceneSpec& spec, const MeshLibrary& meshes,
                                   const RandomizerPipeline& randomizers, Renderer& renderer, FrameSink& sink,
                                   const PipelineOptions& options, Progress& progress) {
  const auto t_start = Clock::now();
  PipelineStats stats;
  const unsigned steady = encoder_threads(options.threads);
  stats.threads = steady + on_demand_threads(options.threads);
  Shared shared(sink, options.encode, progress);
  shared.add_buffers(stats.threads + 2);
  std::vector<std::thread> workers;
  for (unsigned i = 0; i < stats.threads; ++i) {
    try {
      workers.emplace_back([&shared, backlog = std::size_t{i < steady ? 1u : 2u}] { shared.work(backlog); });
    } catch (const std::system_error& e) {  // e.g. a thread or address-space limit
      shared.close();
      for (auto& w : workers) w.join();
      return make_error(ExitCode::usage, "--threads " + std::to_string(stats.threads) + ": cannot start all encoder threads (" +
                                             e.what() + "); give fewer --threads");
    }
  }

  const std::uint32_t slots = renderer.slots();
  std::vector<std::optional<Job>> in_flight(slots);
  std::uint64_t rendered = 0;  // render_only: frames collected
  const bool flow = spec.outputs.flow;
  // Flow: the depth and ids of the frames collected last (a frame's flow reads its clip neighbours'),
  // and the frames collected but waiting for the next one's.
  std::deque<LabelPlanes> planes;
  std::deque<Job> waiting;
  // A finished frame: to the workers (or, render_only, its buffers back to the pool).
  auto deliver = [&](Job job) {
    if (options.render_only) {
      ++rendered;
      shared.give_back(std::move(job.buffers));
    } else {
      shared.push(std::move(job));
    }
  };
  // Computes the flow of every waiting frame whose neighbours' planes are here, in order.
  auto finish_waiting = [&]() -> Status {
    while (!waiting.empty()) {
      Job& job = waiting.front();
      auto find = [&](const std::optional<NeighbourPoses>& n) -> const LabelPlanes* {
        if (!n) return nullptr;
        for (const LabelPlanes& p : planes) {
          if (p.frame == n->frame) return &p;
        }
        return nullptr;
      };
      const LabelPlanes *previous = find(job.scene.previous), *next = find(job.scene.next);
      if ((job.scene.previous && previous == nullptr) || (job.scene.next && next == nullptr)) break;
      const auto t0 = Clock::now();
      SL_TRY_STATUS(compute_flow(job.scene, *job.buffers, previous, next));
      stats.flow += since(t0);
      deliver(std::move(job));
      waiting.pop_front();
    }
    return ok_status();
  };
  // Collects the frame in `slot` and hands it on.
  auto hand_off = [&](std::uint32_t slot) -> Status {
    auto buffers = shared.take_buffer();
    if (!buffers) return ok_status();  // run already failed; its error is reported below
    SL_TRY_STATUS(renderer.collect(slot, *buffers));
    Job job = std::move(*in_flight[slot]);
    in_flight[slot].reset();
    if (flow) {
      // Frames arrive in order: a frame's neighbours are among the last three. The oldest's storage
      // is reused (no fresh pages a frame).
      const auto t0 = Clock::now();
      LabelPlanes p;
      if (planes.size() == 3) {
        p = std::move(planes.front());
        planes.pop_front();
      }
      p.frame = job.scene.frame;
      p.width = buffers->width;
      p.height = buffers->height;
      p.depth.assign(buffers->depth.begin(), buffers->depth.end());
      p.ids.assign(buffers->instance_id.begin(), buffers->instance_id.end());
      planes.push_back(std::move(p));
      stats.flow += since(t0);
    }
    if (job.neighbour_only) {
      shared.give_back(std::move(buffers));
      return finish_waiting();
    }
    const SensorState& sensor = job.scene.sensor;
    if ((sensor.shutter_s > 0 || sensor.rolling_shutter_s > 0) && job.scene.clip) {
      SL_TRY_STATUS(expose_motion(spec, meshes, randomizers, renderer, job.scene, buffers->width, buffers->height, buffers->rgba));
    }
    if (options.encode.outputs.amodal) {
      // Each labeled instance rendered alone: its unoccluded mask, for amodal masks and visibility.
      std::vector<std::size_t> labeled;
      for (std::size_t k = 0; k < job.scene.instances.size(); ++k) {
        if (job.scene.instances[k].instance_id != 0 && !job.scene.instances[k].stuff) labeled.push_back(k);
      }
      std::vector<std::uint32_t> ids;
      std::vector<PixelBox> boxes;
      SL_TRY_STATUS(renderer.render_alone(job.scene, labeled, ids, boxes));
      const std::size_t plane = std::size_t{buffers->width} * buffers->height;
      for (std::size_t j = 0; j < labeled.size(); ++j) {
        const std::uint32_t id = job.scene.instances[labeled[j]].instance_id;
        const PixelBox& b = boxes[j];
        auto label = extract_instance_label_in_box(std::span<const std::uint32_t>(ids).subspan(j * plane, plane), buffers->width,
                                                   buffers->height, id, b.x, b.y, b.w, b.h);
        if (label.area > 0) job.amodal.push_back(std::move(label));
      }
      if (options.canvas != nullptr) {  // BOP: whole silhouettes of the instances whose projection leaves the image
        std::vector<std::size_t> cut;
        for (std::size_t k : labeled) {
          const Instance& inst = job.scene.instances[k];
          if (!inst.geometry.valid || inst.geometry.behind_camera || inst.geometry.truncation > 0) cut.push_back(k);
        }
        SL_TRY_STATUS(silhouettes_beyond(*options.canvas, job.scene, cut, job.beyond));
      }
    }
    job.buffers = std::move(buffers);
    if (!flow) {
      deliver(std::move(job));
      return ok_status();
    }
    waiting.push_back(std::move(job));
    return finish_waiting();
  };
  // The frames sampled last, by frame: with flow each frame needs its clip neighbours' poses, which
  // are the scenes of the frames before and after it.
  std::deque<Scene> recent;
  const std::function<const Scene&(std::uint64_t)> sample = [&](std::uint64_t frame) -> const Scene& {
    for (const Scene& s : recent) {
      if (s.frame == frame) return s;
    }
    if (recent.size() == 3) recent.pop_front();
    recent.push_back(sample_frame(spec, meshes, randomizers, frame));
    return recent.back();
  };
  std::uint64_t seq = 0;      // submissions so far (slot order)
  std::uint64_t commits = 0;  // frames of this run submitted so far (commit order)
  std::optional<std::uint64_t> last_submitted;
  // Samples and submits `frame` (or its neighbour-only render), collecting the slot's previous frame first.
  auto submit = [&](std::uint64_t frame, bool neighbour_only) -> Status {
    const auto slot = static_cast<std::uint32_t>(seq % slots);
    if (in_flight[slot]) SL_TRY_STATUS(hand_off(slot));
    const auto t0 = Clock::now();
    Job job;
    job.neighbour_only = neighbour_only;
    job.scene = sample(frame);
    if (flow && !neighbour_only) SL_TRY_STATUS(add_neighbours(job.scene, spec, sample));
    stats.sample += since(t0);
    if (const std::string bad = not_finite(job.scene); !bad.empty()) {
      return make_error(ExitCode::usage, "frame " + std::to_string(frame) + ": the drawn " + bad +
                                             " is not finite (values too large for float32); narrow the config's ranges");
    }
    SL_TRY_STATUS(renderer.submit(slot, job.scene));
    if (!neighbour_only) job.seq = commits++;
    in_flight[slot] = std::move(job);
    ++seq;
    last_submitted = frame;
    return ok_status();
  };
  // Resume: whether a frame of the range is complete on disk (asked once a frame).
  std::optional<std::pair<std::uint64_t, bool>> done_memo;
  auto done = [&](std::uint64_t frame) {
    if (!options.already_done) return false;
    if (!done_memo || done_memo->first != frame) done_memo = std::pair{frame, options.already_done(frame)};
    return done_memo->second;
  };
  Status produced = ok_status();
  const std::uint64_t count = options.frames.empty() ? options.count : options.frames.size();
  auto frame_at = [&](std::uint64_t i) { return options.frames.empty() ? options.first + i : options.frames[i]; };
  for (std::uint64_t i = 0; i < count && produced.ok() && !shared.error(); ++i) {
    const std::uint64_t frame = frame_at(i);
    if (done(frame)) {  // resume: complete on disk
      ++stats.skipped;
      shared.note_skipped();
      continue;
    }
    // Flow: a frame's clip neighbours are rendered too when this run does not render them (their
    // depth and ids decide where its flow is visible).
    const ClipNeighbours has = flow ? clip_neighbours(spec, frame) : ClipNeighbours{};
    if (has.previous && last_submitted != frame - 1) {
      produced = submit(frame - 1, true);
      if (!produced) break;
    }
    produced = submit(frame, false);
    if (!produced) break;
    if (has.next && (i + 1 == count || frame_at(i + 1) != frame + 1 || done(frame + 1))) produced = submit(frame + 1, true);
  }
  // Drain the ring in submission order.
  for (std::uint64_t k = 0; k < slots && produced.ok(); ++k) {
    const auto slot = static_cast<std::uint32_t>((seq + k) % slots);
    if (in_flight[slot]) produced = hand_off(slot);
  }
  if (produced.ok() && !waiting.empty() && !shared.error()) {
    produced = make_error(ExitCode::internal, "frame " + std::to_string(waiting.front().scene.frame) + ": its flow's neighbours never came");
  }
  // A failed or stopped run leaves no frame in flight: the renderer may run again (the Python module
  // after an iteration closed early).
  FrameBuffers scratch;
  for (std::uint32_t slot = 0; slot < slots; ++slot) {
    if (in_flight[slot]) static_cast<void>(renderer.collect(slot, scratch));
  }
  // The frames handed to the encoders were rendered whole: they are written even when the producer
  // failed after them (a lost device, say), so a resume has fewer to redo.
  shared.close();
  for (auto& w : workers) w.join();
  if (auto e = shared.error()) return *e;
  if (!produced) return produced.error();

  stats.frames = options.render_only ? rendered : sink.frames_taken();
  stats.annotations = sink.annotations_taken();
  stats.render = renderer.timings();
  stats.encode = shared.timings();
  stats.write = shared.write_seconds();
  stats.wall = since(t_start);
  return stats;
}

}  // namespace synthlabel
