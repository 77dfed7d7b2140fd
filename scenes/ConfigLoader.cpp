#include "scenes/ConfigLoader.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include "core/FileIo.h"
#include "core/Text.h"
#include "scenes/CameraModel.h"
#include "scenes/SceneAssets.h"
#include "scenes/config/Schema.h"

namespace synthlabel {
namespace {

std::string num(double v) {
  std::ostringstream o;
  o << std::setprecision(6) << v;
  return o.str();
}

// camera.lens: the nominal lens (each coefficient's centre) checked, and the source view's size fixed
// for the run from it (scenes/CameraModel.h).
Status size_lens_source(SceneSpec& spec) {
  CameraSpec& cs = spec.camera;
  if (!cs.lens) return ok_status();
  const LensSpec& ls = *cs.lens;
  const std::string where = spec.source.string() + ": camera.lens: ";
  if (!ls.calibration.empty()) {
    // A calibration holds for its image size; at another size of the same shape K scales with it
    // (pixel edges scale exactly in synthlabel's coordinates; the coefficients act on normalized
    // coordinates and stay).
    double sx = 1, sy = 1;
    if (ls.calibration_width != 0 && ls.calibration_height != 0) {
      sx = double(spec.width) / ls.calibration_width, sy = double(spec.height) / ls.calibration_height;
      if (std::abs(sx / sy - 1.0) > 1e-9) {
        return make_error(ExitCode::usage, where + ls.calibration + " is a calibration of " + std::to_string(ls.calibration_width) + "x" +
                                               std::to_string(ls.calibration_height) + " images; the frames are " + std::to_string(spec.width) +
                                               "x" + std::to_string(spec.height) + ", another shape (set resolution: [" +
                                               std::to_string(ls.calibration_width) + ", " + std::to_string(ls.calibration_height) +
                                               "] or a multiple of it)");
      }
    }
    cs.intrinsics = IntrinsicsSpec{ls.calibration_k[0] * sx, ls.calibration_k[1] * sy, ls.calibration_k[2] * sx, ls.calibration_k[3] * sy};
  }
  if (spec.outputs.scene_flow) {
    return make_error(ExitCode::usage, where + "scene flow through a distorted lens is not built yet (its destinations are "
                                           "unprojected with K alone): leave scene_flow out of outputs, or the lens");
  }
  if (spec.outputs.disparity) {
    return make_error(ExitCode::usage, where + "rectified disparity is built for pinhole pairs: leave disparity out of outputs with a lens");
  }
  for (const char* f : {"bop", "kitti", "kitti_tracking", "kitti_flow"}) {
    if (spec.outputs.has(f)) {
      return make_error(ExitCode::usage, where + "the " + std::string(f) + " format describes a pinhole camera (K or P alone; its tools "
                                             "project with it): leave it out of outputs with a lens");
    }
  }
  Camera cam;
  cam.width = spec.width;
  cam.height = spec.height;
  if (cs.intrinsics) {
    cam.fx = centre(cs.intrinsics->fx), cam.fy = centre(cs.intrinsics->fy), cam.cx = centre(cs.intrinsics->cx), cam.cy = centre(cs.intrinsics->cy);
  } else {
    cam.fy = cam.fx = 0.5 * spec.height / std::tan(0.5 * centre(cs.fov_y_deg) * 3.14159265358979323846 / 180.0);
    cam.cx = 0.5 * spec.width, cam.cy = 0.5 * spec.height;
  }
  std::array<double, 12> k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = centre(ls.k[i]);
  if (const std::string why = make_lens(ls, k, cam.lens); !why.empty()) return make_error(ExitCode::usage, where + why);
  if (ls.max_field_deg == 0) {
    // Without an image circle every pixel must see a ray of the lens's field: checked along the
    // image's edges (the field's extremes for a radial lens).
    std::vector<std::pair<double, double>> edge;
    for (std::uint32_t x = 0; x <= spec.width; ++x) edge.emplace_back(x, 0.0), edge.emplace_back(x, spec.height);
    for (std::uint32_t y = 0; y <= spec.height; ++y) edge.emplace_back(0.0, y), edge.emplace_back(spec.width, y);
    for (const auto& [u, v] : edge) {
      glm::dvec3 ray;
      if (!pixel_ray(cam, u, v, ray)) {
        return make_error(ExitCode::usage, where + "the image reaches beyond the lens's field (the pixel edge at (" + num(u) + ", " + num(v) +
                                               ") sees no ray: the model folds back there, or the field passes " +
                                               num(k_max_source_field_deg) + " degrees); set max_field_deg: pixels beyond the image circle see nothing");
      }
    }
  }
  const auto [w, h] = source_size(cam, ls.oversample);
  const std::uint64_t ss = spec.render.supersampling, limit = 8192;
  if (std::uint64_t{w} * ss > limit || std::uint64_t{h} * ss > limit) {
    return make_error(ExitCode::usage, where + "the undistorted view this lens needs is " + std::to_string(w) + "x" + std::to_string(h) +
                                           " pixels at oversample " + num(ls.oversample) + " (x" + std::to_string(ss) +
                                           " supersampling); at most " + std::to_string(limit) +
                                           " a side: lower oversample or render.supersampling, or narrow max_field_deg");
  }
  cs.source_width = w;
  cs.source_height = h;
  return ok_status();
}

}  // namespace

Result<SceneSpec> parse_config(std::string_view text, const std::filesystem::path& display_name,
                               const std::filesystem::path& base_dir, const std::vector<std::string>& overrides,
                               const std::filesystem::path& asset_root) {
  auto doc = std::make_shared<config::Document>(display_name.string(), base_dir);
  if (!asset_root.empty()) {
    auto root = resolve_asset_root(asset_root);
    if (!root) return root.error();
    doc->confine_includes({*root, base_dir});
  }
  try {
    YAML::Node root = YAML::Load(std::string(text));
    doc->charge(root, display_name.string());
    std::vector<std::string> stack = {display_name.lexically_normal().string()};
    root = doc->load_with_includes(root, base_dir, stack);
    for (const auto& o : overrides) doc->apply_override(root, o);
    SceneSpec spec = config::parse_scene(std::make_shared<config::Reader>(doc), root);
    spec.source = display_name;
    SL_TRY_STATUS(size_lens_source(spec));
    return spec;
  } catch (const ConfigError& f) {
    return make_error(ExitCode::usage, f.message);
  } catch (const YAML::DeepRecursion& e) {
    std::string msg = display_name.string();
    if (!e.mark.is_null()) msg += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return make_error(ExitCode::usage, msg + ": YAML nested more than " + std::to_string(e.depth() - 1) +
                                           " levels deep; a scene config needs a handful");
  } catch (const YAML::Exception& e) {
    // Syntax errors: yaml-cpp's mark is 0-based.
    std::string msg = display_name.string();
    if (!e.mark.is_null()) msg += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return make_error(ExitCode::usage, msg + ": YAML syntax error: " + e.msg);
  }
}

Result<SceneSpec> load_config(const std::filesystem::path& path, const std::vector<std::string>& overrides,
                              const std::filesystem::path& asset_root) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return make_error(ExitCode::usage, path.string() + ": not a regular file (a config is a YAML file)");
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > k_max_config_bytes) {
    return make_error(ExitCode::usage, path.string() + ": the config is " + std::to_string(size) +
                                           " bytes; the limit is " + std::to_string(k_max_config_bytes));
  }
  auto text = read_text_file(path);
  if (!text) return make_error(ExitCode::usage, text.error().message);
  return parse_config(*text, path, path.parent_path(), overrides, asset_root);
}

Result<SceneSpec> apply_run_values(SceneSpec spec, const RunValues& values) {
  if (values.seed) spec.seed = *values.seed;
  if (values.frames) {
    if (*values.frames == 0 || *values.frames > k_max_frames) {
      return make_error(ExitCode::usage, "--frames must be from 1 to " + std::to_string(k_max_frames));
    }
    spec.frames = *values.frames;
  }
  if (!values.resolution.empty()) {
    unsigned long w = 0, h = 0;
    char x = 0, extra = 0;
    if (std::sscanf(values.resolution.c_str(), "%lu%c%lu%c", &w, &x, &h, &extra) != 3 || x != 'x' || w == 0 || h == 0 ||
        w > k_max_image_side || h > k_max_image_side || std::uint64_t{w} * h > k_max_pixels) {
      return make_error(ExitCode::usage, "--resolution '" + values.resolution + "': expected WIDTHxHEIGHT, each 1 to " +
                                             std::to_string(k_max_image_side) + ", at most " + std::to_string(k_max_pixels) +
                                             " pixels");
    }
    spec.width = static_cast<std::uint32_t>(w);
    spec.height = static_cast<std::uint32_t>(h);
    SL_TRY_STATUS(size_lens_source(spec));
  }
  return spec;
}

}  // namespace synthlabel
