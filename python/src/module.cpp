// synthlabel._core: the Python module's native part, thin over the C++ pipeline (cli/Generate.h,
// cli/Pipeline.h): no rendering, labeling or format logic of its own. The package around it
// (python/synthlabel/__init__.py) turns what this returns into Frame objects.
//
// A Generator prepares a run as `generate` does (config, randomizers, assets, renderer) and streams
// frames from the same pipeline (frames in flight, encoder threads), with the encoder in memory mode
// (EncodeOptions::in_memory): each frame's planes arrive as the vectors the encoder filled, handed to
// NumPy without a copy (the array owns the vector through a capsule), and its record as JSON text.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "cli/Generate.h"
#include "cli/Merge.h"
#include "cli/Pipeline.h"
#include "cli/Progress.h"
#include "core/Allocator.h"
#include "core/Version.h"
#include "exporters/Checker.h"
#include "exporters/DatasetDiff.h"
#include "exporters/FrameSink.h"
#include "scenes/ConfigLoader.h"
#include "scenes/SpecJson.h"

namespace py = pybind11;
using namespace synthlabel;

namespace {

// An Error crossing into Python: the translator raises the exception class of its exit code.
struct PyError : std::exception {
  Error error;
  explicit PyError(Error e) : error(std::move(e)) {}
  const char* what() const noexcept override { return error.message.c_str(); }
};

template <class T>
T unwrap(Result<T> r) {
  if (!r) throw PyError(r.error());
  return std::move(r).value();
}

// Exception classes by exit code (made in PYBIND11_MODULE below).
std::map<int, PyObject*>& exception_classes() {
  static std::map<int, PyObject*> classes;
  return classes;
}

// Bounded queue between the pipeline's commit (frame order, one call at a time) and the iterator.
class QueueSink final : public FrameSink {
 public:
  explicit QueueSink(std::size_t capacity) : m_capacity(capacity) {}

  Status take(EncodedFrame& frame) override {
    std::unique_lock lock(m_mutex);
    m_space.wait(lock, [&] { return m_queue.size() < m_capacity || m_cancelled; });
    if (m_cancelled) return make_error(ExitCode::internal, "iteration closed");
    ++m_frames;
    m_annotations += frame.annotations;
    m_queue.push_back(std::move(frame));
    m_ready.notify_one();
    return ok_status();
  }
  std::uint64_t frames_taken() const override { return m_frames; }
  std::uint64_t annotations_taken() const override { return m_annotations; }

  // The pipeline has returned.
  void finish(Status status) {
    std::lock_guard lock(m_mutex);
    m_done = true;
    if (!status) m_error = status.error();
    m_ready.notify_all();
  }
  void cancel() {
    std::lock_guard lock(m_mutex);
    m_cancelled = true;
    m_space.notify_all();
  }
  // The next frame; nullopt at the end (throws the run's error). Waits in short steps with the GIL
  // released, so Ctrl-C (a Python signal handler) interrupts it.
  std::optional<EncodedFrame> pop() {
    for (;;) {
      {
        py::gil_scoped_release release;
        std::unique_lock lock(m_mutex);
        if (m_ready.wait_for(lock, std::chrono::milliseconds(100), [&] { return !m_queue.empty() || m_done; })) {
          if (!m_queue.empty()) {
            EncodedFrame f = std::move(m_queue.front());
            m_queue.pop_front();
            m_space.notify_one();
            return f;
          }
          if (m_error) throw PyError(*m_error);
          return std::nullopt;
        }
      }
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    }
  }

 private:
  const std::size_t m_capacity;
  std::mutex m_mutex;
  std::condition_variable m_ready, m_space;
  std::deque<EncodedFrame> m_queue;
  std::uint64_t m_frames = 0, m_annotations = 0;
  bool m_done = false, m_cancelled = false;
  std::optional<Error> m_error;
};

template <class T>
py::array to_array(std::vector<T>&& v, std::vector<py::ssize_t> shape) {
  auto* owned = new std::vector<T>(std::move(v));
  py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(std::move(shape), owned->data(), owner);
}

// The LiDAR points as a NumPy structured array, the pcd format's fields (scenes/Lidar.h's LidarPoint).
py::dtype lidar_dtype() {
  py::list names, formats, offsets;
  auto field = [&](const char* name, const char* format, std::size_t offset) {
    names.append(name), formats.append(format), offsets.append(offset);
  };
  field("x", "<f4", offsetof(LidarPoint, x)), field("y", "<f4", offsetof(LidarPoint, y)), field("z", "<f4", offsetof(LidarPoint, z));
  field("intensity", "<f4", offsetof(LidarPoint, intensity)), field("range", "<f4", offsetof(LidarPoint, range));
  field("noise", "<f4", offsetof(LidarPoint, noise)), field("time", "<f4", offsetof(LidarPoint, time));
  field("ring", "<u2", offsetof(LidarPoint, ring)), field("column", "<u4", offsetof(LidarPoint, column));
  field("instance", "<u4", offsetof(LidarPoint, instance)), field("semantic", "<u4", offsetof(LidarPoint, semantic));
  field("surface", "<u4", offsetof(LidarPoint, surface));
  py::dict d;
  d["names"] = names, d["formats"] = formats, d["offsets"] = offsets, d["itemsize"] = sizeof(LidarPoint);
  return py::dtype::from_args(d);
}

// One frame as (index, {name: array}, record JSON text).
py::tuple frame_to_python(EncodedFrame&& f) {
  if (!f.planes || f.files.empty()) throw PyError(make_error(ExitCode::internal, "a frame without planes or record"));
  FramePlanes& p = *f.planes;
  const auto h = static_cast<py::ssize_t>(p.height), w = static_cast<py::ssize_t>(p.width);
  py::dict arrays;
  arrays["rgb"] = to_array(std::move(p.rgb), {h, w, 3});
  arrays["depth"] = to_array(std::move(p.depth), {h, w});
  arrays["instance"] = to_array(std::move(p.instance), {h, w});
  arrays["semantic"] = to_array(std::move(p.semantic), {h, w});
  const std::pair<const char*, std::vector<float>*> optional[] = {{"normals", &p.normals},
                                                                  {"flow_forward", &p.flow_forward},
                                                                  {"flow_backward", &p.flow_backward},
                                                                  {"scene_flow_forward", &p.scene_flow_forward},
                                                                  {"scene_flow_backward", &p.scene_flow_backward},
                                                                  {"object_coords", &p.object_coords},
                                                                  {"nocs", &p.nocs},
                                                                  {"world_position", &p.world_position},
                                                                  {"undistortion_map", &p.undistortion_map},
                                                                  {"uv", &p.uv},
                                                                  {"albedo", &p.albedo}};
  if (!p.disparity.empty()) arrays["disparity"] = to_array(std::move(p.disparity), {h, w});
  if (!p.depth_sensor.empty()) arrays["depth_sensor"] = to_array(std::move(p.depth_sensor), {h, w});
  for (const auto& [name, plane] : optional) {
    if (!plane->empty()) arrays[name] = to_array(std::move(*plane), {h, w, 3});
  }
  if (p.lidar) {
    auto* owned = new std::vector<LidarPoint>(std::move(*p.lidar));
    py::capsule owner(owned, [](void* q) { delete static_cast<std::vector<LidarPoint>*>(q); });
    arrays["lidar"] = py::array(lidar_dtype(), {static_cast<py::ssize_t>(owned->size())},
                                {static_cast<py::ssize_t>(sizeof(LidarPoint))}, owned->data(), owner);
  }
  const std::vector<std::uint8_t>& record = f.files.back().second;  // records/NNNNNN.json
  return py::make_tuple(f.frame, arrays, py::str(reinterpret_cast<const char*>(record.data()), record.size()));
}

struct Prepared {
  std::unique_ptr<PreparedRun> run;
  RunRenderers renderers;
  unsigned threads = 0;
  std::atomic<bool> busy{false};
};

// One iteration over a list of frames: the pipeline on its own thread, frames through a QueueSink.
class FrameStream {
 public:
  FrameStream(std::shared_ptr<Prepared> prepared, std::vector<std::uint64_t> frames)
      : m_prepared(std::move(prepared)), m_frames(frames.size()) {
    if (m_prepared->busy.exchange(true)) {
      throw PyError(make_error(ExitCode::usage,
                               "this Generator is already iterating (one frames() at a time, it has one renderer): finish "
                               "or close() the other iteration, or make a second Generator"));
    }
    const unsigned threads = encoder_threads(m_prepared->threads);
    m_sink = std::make_unique<QueueSink>(threads + 2);
    m_progress = std::make_unique<Progress>(frames.size(), false);
    PipelineOptions options;
    options.count = frames.size();  // (an empty list renders nothing)
    options.frames = std::move(frames);
    options.threads = threads;
    options.encode = m_prepared->run->encode;
    try {
      m_thread = std::thread([this, options = std::move(options)] {
        const PreparedRun& run = *m_prepared->run;
        auto stats = run_pipeline(run.spec, run.assets.meshes, *run.randomizers, *m_prepared->renderers.renderer, *m_sink,
                                  options, *m_progress);
        m_sink->finish(stats ? ok_status() : Status(stats.error()));
      });
    } catch (const std::system_error& e) {
      m_prepared->busy = false;
      throw PyError(make_error(ExitCode::usage, std::string("cannot start the frame thread: ") + e.what()));
    }
  }
  ~FrameStream() { close(); }
  FrameStream(const FrameStream&) = delete;
  FrameStream& operator=(const FrameStream&) = delete;

  py::object next() {
    if (!m_thread.joinable()) throw py::stop_iteration();
    std::optional<EncodedFrame> f;
    try {
      f = m_sink->pop();
    } catch (...) {
      close();
      throw;
    }
    if (!f) {
      close();
      throw py::stop_iteration();
    }
    return frame_to_python(std::move(*f));
  }
  void close() {
    if (!m_thread.joinable()) return;
    m_sink->cancel();
    {
      py::gil_scoped_release release;
      m_thread.join();
    }
    m_prepared->busy = false;
  }
  std::size_t size() const { return m_frames; }

 private:
  std::shared_ptr<Prepared> m_prepared;
  std::size_t m_frames;
  std::unique_ptr<QueueSink> m_sink;
  std::unique_ptr<Progress> m_progress;
  std::thread m_thread;
};

GenerateOptions run_options(const std::filesystem::path& config, const std::vector<std::string>& overrides,
                            std::optional<std::uint64_t> seed, std::optional<std::uint64_t> frames, const std::string& resolution,
                            const std::filesystem::path& asset_root) {
  GenerateOptions o;
  o.config = config;
  o.overrides = overrides;
  o.seed = seed;
  o.frames = frames;
  o.resolution = resolution;
  o.asset_root = asset_root;
  return o;
}

class Generator {
 public:
  Generator(const std::filesystem::path& config, const std::vector<std::string>& overrides, std::optional<std::uint64_t> seed,
            std::optional<std::uint64_t> frames, const std::string& resolution, const std::string& device, unsigned threads,
            bool validate, const std::filesystem::path& asset_root)
      : m_prepared(std::make_shared<Prepared>()) {
    if (threads > k_max_threads) throw PyError(make_error(ExitCode::usage, "threads: at most " + std::to_string(k_max_threads)));
    GenerateOptions o = run_options(config, overrides, seed, frames, resolution, asset_root);
    o.device = device;
    o.validate = validate;
    o.no_formats = true;
    py::gil_scoped_release release;
    // The device opens while the config and assets load (drivers left as the environment has them:
    // other threads of the interpreter may be reading it).
    auto opening = open_device_async(o.device, o.validate, false);
    m_prepared->run = unwrap(prepare_run(o));
    PreparedRun& run = *m_prepared->run;
    run.encode.in_memory = true;  // arrays and COCO labels here; format files are generate()'s (no_formats)
    m_prepared->renderers = unwrap(start_renderers(run, o, std::move(opening)));
    m_prepared->threads = threads;
  }

  std::unique_ptr<FrameStream> stream(std::vector<std::uint64_t> frames) {
    // A sweep spans the config's own frames (as generate refuses ranges past them).
    const SceneSpec& s = spec();
    const std::string sweep = config_sweep(s);
    for (std::uint64_t f : frames) {
      if (f > k_max_start_frame) {
        throw PyError(make_error(ExitCode::usage, "frame " + std::to_string(f) + ": frame indices go from 0 to " +
                                                      std::to_string(k_max_start_frame)));
      }
      if (!sweep.empty() && f >= s.sweep_frames) {
        throw PyError(make_error(ExitCode::usage, "frame " + std::to_string(f) + ": " + sweep + " is a sweep over the config's " +
                                                      std::to_string(s.sweep_frames) + " frames (0.." +
                                                      std::to_string(s.sweep_frames - 1) + "); ask for frames inside them"));
      }
    }
    return std::make_unique<FrameStream>(m_prepared, std::move(frames));
  }

  const SceneSpec& spec() const { return m_prepared->run->spec; }
  std::string config_json() const { return to_json(spec()).dump(); }
  std::string categories_json() const {
    nlohmann::ordered_json cats = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < spec().categories.size(); ++i) cats.push_back(coco_category(spec().categories[i], i + 1));
    return cats.dump();
  }
  std::string device() const { return m_prepared->renderers.renderer->device().name; }

 private:
  std::shared_ptr<Prepared> m_prepared;
};

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "synthlabel's native part; use the synthlabel package, not this module.";
  tune_allocator_for_frames();

  // Exception classes: synthlabel.Error and one subclass per exit code (README.md, "Exit codes").
  PyObject* base = PyErr_NewExceptionWithDoc("synthlabel.Error",
                                             "A synthlabel failure; exit_code is the CLI's exit code for it (README.md).",
                                             PyExc_Exception, nullptr);
  py::setattr(base, "exit_code", py::int_(1));
  m.attr("Error") = py::handle(base);
  const struct {
    const char* name;
    const char* doc;
    ExitCode code;
  } kinds[] = {{"InternalError", "A bug: an invariant did not hold (exit code 1).", ExitCode::internal},
               {"ConfigError", "A bad config, override or argument; the message names file:line:col and key (exit code 2).",
                ExitCode::usage},
               {"AssetError", "An asset file is missing, unreadable or malformed (exit code 3).", ExitCode::asset},
               {"OutputError", "The output could not be written: exists, permissions, disk full (exit code 4).", ExitCode::io},
               {"DeviceError", "No usable Vulkan device, a validation error, device lost, out of memory (exit code 5).",
                ExitCode::device},
               {"DefectsError", "synthlabel check found defects in a dataset (exit code 6).", ExitCode::defects},
               {"DiffersError", "synthlabel diff: the datasets differ beyond the thresholds (exit code 7).", ExitCode::differs}};
  for (const auto& k : kinds) {
    const std::string qualified = std::string("synthlabel.") + k.name;
    PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), k.doc, base, nullptr);
    py::setattr(cls, "exit_code", py::int_(static_cast<int>(k.code)));
    m.attr(k.name) = py::handle(cls);
    exception_classes()[static_cast<int>(k.code)] = cls;
  }
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const PyError& e) {
      auto& classes = exception_classes();
      const auto it = classes.find(static_cast<int>(e.error.code));
      PyErr_SetString(it != classes.end() ? it->second : classes.at(1), e.error.message.c_str());
    }
  });

  m.attr("__version__") = std::string(tool_version());
  m.attr("git_revision") = std::string(git_revision());

  m.def(
      "load_config",
      [](const std::filesystem::path& path, const std::vector<std::string>& overrides, const std::filesystem::path& asset_root) {
        SceneSpec spec;
        {
          py::gil_scoped_release release;
          spec = unwrap(load_config(path, overrides, asset_root));
        }
        return to_json(spec).dump();
      },
      py::arg("path"), py::arg("overrides") = std::vector<std::string>{}, py::arg("asset_root") = std::filesystem::path(),
      "The resolved config (JSON text), or the ConfigError load_config raises.");

  py::class_<FrameStream>(m, "FrameStream")
      .def("__iter__", [](FrameStream& s) -> FrameStream& { return s; })
      .def("__next__", &FrameStream::next)
      .def("__len__", &FrameStream::size)
      .def("close", &FrameStream::close);

  py::class_<Generator>(m, "Generator")
      .def(py::init<const std::filesystem::path&, const std::vector<std::string>&, std::optional<std::uint64_t>,
                    std::optional<std::uint64_t>, const std::string&, const std::string&, unsigned, bool,
                    const std::filesystem::path&>(),
           py::arg("config"), py::arg("overrides") = std::vector<std::string>{}, py::arg("seed") = std::nullopt,
           py::arg("frames") = std::nullopt, py::arg("resolution") = "", py::arg("device") = "", py::arg("threads") = 0u,
           py::arg("validate") = false, py::arg("asset_root") = std::filesystem::path())
      .def("stream", &Generator::stream, py::arg("frames"), py::keep_alive<0, 1>())
      .def_property_readonly("width", [](const Generator& g) { return g.spec().width; })
      .def_property_readonly("height", [](const Generator& g) { return g.spec().height; })
      .def_property_readonly("frame_count", [](const Generator& g) { return g.spec().frames; })
      .def_property_readonly("seed", [](const Generator& g) { return g.spec().seed; })
      .def_property_readonly("config_json", &Generator::config_json)
      .def_property_readonly("categories_json", &Generator::categories_json)
      .def_property_readonly("device", &Generator::device);

  m.def(
      "generate",
      [](const std::filesystem::path& config, const std::filesystem::path& out, const std::vector<std::string>& overrides,
         std::optional<std::uint64_t> frames, std::uint64_t start, std::optional<std::uint64_t> seed, const std::string& resolution,
         bool overwrite, bool resume, const std::string& shard, unsigned threads, const std::string& compression,
         const std::string& rgb, int jpeg_quality, const std::string& device, bool validate, bool progress,
         const std::filesystem::path& asset_root) {
        GenerateOptions o = run_options(config, overrides, seed, frames, resolution, asset_root);
        o.out = out;
        o.start = start;
        o.overwrite = overwrite;
        o.resume = resume;
        o.shard = shard;
        o.threads = threads;
        o.compression = compression;
        o.rgb = rgb;
        o.jpeg_quality = jpeg_quality;
        o.device = device;
        o.validate = validate;
        o.progress = progress;
        if (threads > k_max_threads) throw PyError(make_error(ExitCode::usage, "threads: at most " + std::to_string(k_max_threads)));
        GenerateSummary s;
        {
          py::gil_scoped_release release;
          s = unwrap(generate(o));
        }
        py::dict d;
        d["out"] = s.out;
        d["frames"] = s.frames;
        d["skipped"] = s.skipped;
        d["annotations"] = s.annotations;
        d["seconds"] = s.seconds;
        d["device"] = s.device;
        return d;
      },
      py::arg("config"), py::arg("out"), py::arg("overrides") = std::vector<std::string>{}, py::arg("frames") = std::nullopt,
      py::arg("start") = 0, py::arg("seed") = std::nullopt, py::arg("resolution") = "", py::arg("overwrite") = false,
      py::arg("resume") = false, py::arg("shard") = "", py::arg("threads") = 0u, py::arg("compression") = "fast",
      py::arg("rgb") = "png", py::arg("jpeg_quality") = 95, py::arg("device") = "", py::arg("validate") = false,
      py::arg("progress") = false, py::arg("asset_root") = std::filesystem::path());

  m.def(
      "check",
      [](const std::filesystem::path& dataset, const std::filesystem::path& report) {
        CheckResult r;
        {
          py::gil_scoped_release release;
          r = unwrap(check_dataset(dataset));
          if (!report.empty()) {
            if (auto s = write_check_report(dataset, r, report); !s) throw PyError(s.error());
          }
        }
        py::dict d;
        d["ok"] = r.defects.empty();
        d["defects"] = r.defects;
        d["images"] = r.stats.images;
        d["annotations"] = r.stats.annotations;
        py::dict per_category;
        for (std::size_t i = 0; i < r.stats.category_names.size() && i < r.stats.per_category.size(); ++i) {
          per_category[py::str(r.stats.category_names[i])] = r.stats.per_category[i];
        }
        d["per_category"] = per_category;
        return d;
      },
      py::arg("dataset"), py::arg("report") = std::filesystem::path());

  m.def(
      "diff",
      [](const std::filesystem::path& a, const std::filesystem::path& b, double min_iou, double max_rgb_mean, double max_depth,
         bool allow_appear, bool strict_config, const std::filesystem::path& report) {
        DiffThresholds t;
        t.min_iou = min_iou;
        t.max_rgb_mean = max_rgb_mean;
        t.max_depth = max_depth;
        t.allow_appear = allow_appear;
        t.strict_config = strict_config;
        std::string text;
        {
          py::gil_scoped_release release;
          const DiffResult r = unwrap(diff_datasets(a, b, t));
          if (!report.empty()) {
            if (auto s = write_diff_report(a, b, r, report); !s) throw PyError(s.error());
          }
          text = r.to_json().dump();
        }
        return text;
      },
      py::arg("a"), py::arg("b"), py::arg("min_iou") = 1.0, py::arg("max_rgb_mean") = 0.0, py::arg("max_depth") = 0.0,
      py::arg("allow_appear") = false, py::arg("strict_config") = false, py::arg("report") = std::filesystem::path());

  m.def(
      "merge",
      [](const std::vector<std::filesystem::path>& shards, const std::filesystem::path& out, bool overwrite) {
        MergeSummary s;
        {
          py::gil_scoped_release release;
          s = unwrap(merge_shards(shards, out, overwrite));
        }
        py::dict d;
        d["frames"] = s.frames;
        d["annotations"] = s.annotations;
        d["shards"] = s.shards;
        return d;
      },
      py::arg("shards"), py::arg("out"), py::arg("overwrite") = false);
}
