#include "randomizers/FrameSampler.h"

#include "core/Srgb.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include <glm/ext/matrix_transform.hpp>
#include <glm/gtc/quaternion.hpp>

#include "randomizers/LidarPose.h"
#include "randomizers/Registry.h"
#include "randomizers/Rng.h"
#include "randomizers/Sample.h"
#include "scenes/CameraModel.h"

namespace synthlabel {
namespace {

// An index drawn by inverse CDF on one uniform draw from `probability(i)`, i < count, which sum to 1;
// by rounding, the last index with a chance takes what is left.
template <class Probability>
std::size_t pick_by_probability(std::size_t count, const Probability& probability, Rng& rng) {
  const double u = rng.uniform01();
  double acc = 0.0;
  std::size_t pick = count - 1;
  for (std::size_t i = 0; i < count; ++i) {
    acc += probability(i);
    if (u < acc && probability(i) > 0) {
      pick = i;
      break;
    }
  }
  while (probability(pick) <= 0 && pick > 0) --pick;
  return pick;
}

glm::dvec3 direction_from_angles(double elevation_deg, double azimuth_deg) {
  const double el = glm::radians(elevation_deg), az = glm::radians(azimuth_deg);
  return {std::cos(el) * std::sin(az), std::sin(el), std::cos(el) * std::cos(az)};
}

}  // namespace

void set_pose(Camera& cam, const glm::dmat4& world_to_camera_cv, double roll) {
  const glm::dmat4 cv_to_gl(glm::dvec4(1, 0, 0, 0), glm::dvec4(0, -1, 0, 0), glm::dvec4(0, 0, -1, 0), glm::dvec4(0, 0, 0, 1));
  const glm::dmat4 view = glm::rotate(glm::dmat4(1.0), glm::radians(roll), glm::dvec3(0.0, 0.0, 1.0)) * cv_to_gl * world_to_camera_cv;
  const glm::dmat4 inv = glm::inverse(view);
  const glm::dvec3 pos(inv[3]);
  cam.view = glm::mat4(view);
  cam.position = glm::vec3(pos);
  cam.target = glm::vec3(pos + glm::dvec3(inv * glm::dvec4(0, 0, -1, 0)));  // 1 m ahead
  cam.orbit_target = glm::dvec3(cam.target);
  cam.roll_deg = roll;
  cam.distance_m = cam.elevation_deg = cam.azimuth_deg = 0;
  cam.explicit_pose = true;
}

Camera sample_camera(const SceneSpec& spec, const Rng& rng, const FrameIndex& at, std::optional<std::uint64_t> frame) {
  const std::uint64_t output_frame = frame.value_or(at.frame);
  const CameraSpec& cs = spec.camera;
  Rng r_fov = rng.fork("fov"), r_target = rng.fork("target"), r_dist = rng.fork("distance"),
      r_el = rng.fork("elevation"), r_az = rng.fork("azimuth"), r_roll = rng.fork("roll");
  Camera cam;
  cam.width = spec.width;
  cam.height = spec.height;
  double fov_deg = 0;
  if (cs.intrinsics) {
    Rng r_fx = r_fov.fork("fx"), r_fy = r_fov.fork("fy"), r_cx = r_fov.fork("cx"), r_cy = r_fov.fork("cy");
    cam.fx = sample(cs.intrinsics->fx, r_fx, at);
    cam.fy = sample(cs.intrinsics->fy, r_fy, at);
    cam.cx = sample(cs.intrinsics->cx, r_cx, at);
    cam.cy = sample(cs.intrinsics->cy, r_cy, at);
    fov_deg = glm::degrees(2.0 * std::atan(0.5 * static_cast<double>(spec.height) / cam.fy));
  } else {
    fov_deg = sample(cs.fov_y_deg, r_fov, at);
    cam.fy = 0.5 * static_cast<double>(spec.height) / std::tan(0.5 * glm::radians(fov_deg));
    cam.fx = cam.fy;  // square pixels
    cam.cx = 0.5 * static_cast<double>(spec.width);
    cam.cy = 0.5 * static_cast<double>(spec.height);
  }
  cam.fov_y_rad = static_cast<float>(glm::radians(fov_deg));
  cam.near_m = static_cast<float>(cs.near_m);
  cam.far_m = static_cast<float>(cs.far_m);
  const glm::dvec3 target = sample(cs.target, r_target, at);
  const double dist = sample(cs.distance_m, r_dist, at);
  const double el = sample(cs.elevation_deg, r_el, at);
  const double az = sample(cs.azimuth_deg, r_az, at);
  // Roll turns the camera about its viewing axis: a positive roll turns the image content
  // counter-clockwise (what was on the right of the image moves up).
  const double roll = sample(cs.roll_deg, r_roll, at);
  if (cs.pose || cs.poses) {
    // Streams of their own ("pose", "poses"): the orbit's draws above are made and unused, so every
    // other draw stays as it was.
    glm::dmat4 w2c(1.0);
    if (cs.poses) {
      const auto n = static_cast<std::int64_t>(cs.poses->world_to_camera.size());
      Rng r_pick = rng.fork("poses");
      cam.pose_index = cs.poses->random ? r_pick.integer(0, n - 1) : static_cast<std::int64_t>(output_frame % static_cast<std::uint64_t>(n));
      w2c = cs.poses->world_to_camera[static_cast<std::size_t>(cam.pose_index)];
    } else if (cs.pose->world_to_camera) {
      w2c = *cs.pose->world_to_camera;
    } else {
      Rng r_pose = rng.fork("pose");
      Rng r_p = r_pose.fork("position"), r_l = r_pose.fork("look_at"), r_u = r_pose.fork("up");
      const glm::dvec3 pos = sample(cs.pose->position, r_p, at), look = sample(cs.pose->look_at, r_l, at);
      glm::dvec3 up = sample(cs.pose->up, r_u, at);
      const glm::dvec3 forward = look - pos;
      // Looking along `up` leaves the image's orientation undefined: another up (world +Z, else +X).
      if (glm::length(glm::cross(forward, up)) <= 1e-9 * glm::length(forward) * glm::length(up)) {
        up = std::abs(glm::normalize(forward).z) < 0.9 ? glm::dvec3(0, 0, 1) : glm::dvec3(1, 0, 0);
      }
      if (glm::length(forward) <= 0.0) up = glm::dvec3(0, 1, 0);
      const glm::dmat4 gl = glm::lookAtRH(pos, glm::length(forward) > 0.0 ? look : pos + glm::dvec3(0, 0, -1), up);
      w2c = glm::dmat4(glm::dvec4(1, 0, 0, 0), glm::dvec4(0, -1, 0, 0), glm::dvec4(0, 0, -1, 0), glm::dvec4(0, 0, 0, 1)) * gl;
    }
    set_pose(cam, w2c, roll);
  } else {
    set_orbit(cam, target, dist, el, az, roll);
  }
  Rng r_exposure = rng.fork("exposure");
  cam.exposure_ev = sample(cs.exposure_ev, r_exposure, at);
  cam.filmic = cs.filmic;
  cam.fov_y_deg = fov_deg;
  if (cs.lens) {  // a stream of its own, one sub-stream per coefficient
    const Rng r_lens = rng.fork("lens");
    std::array<double, 12> k{};
    for (std::size_t i = 0; i < k.size(); ++i) {
      Rng r_k = r_lens.fork(k_lens_coefficients[i]);
      k[i] = sample(cs.lens->k[i], r_k, at);
    }
    static_cast<void>(make_lens(*cs.lens, k, cam.lens));  // the nominal lens was checked at load
    fit_source(cam, cs.lens->oversample, cs.source_width, cs.source_height);
  }
  if (spec.sequence) {  // streams of their own: adding them leaves every other draw as it was
    Rng r_rate = rng.fork("orbit_rate");
    cam.orbit_rate_deg = sample(cs.orbit_rate_deg, r_rate, at);
    Rng r_elr = rng.fork("elevation_rate"), r_dolly = rng.fork("dolly_rate"), r_tv = rng.fork("target_velocity"),
        r_shake = rng.fork("shake"), r_hz = rng.fork("shake_hz"), r_phase = rng.fork("shake_phase");
    cam.elevation_rate_deg = sample(cs.elevation_rate_deg, r_elr, at);
    cam.dolly_rate = sample(cs.dolly_rate, r_dolly, at);
    cam.target_velocity = sample(cs.target_velocity, r_tv, at);
    cam.shake_deg = sample(cs.shake_deg, r_shake, at);
    cam.shake_hz = sample(cs.shake_hz, r_hz, at);
    const Rng r_path = rng.fork("target_path");
    for (std::size_t i = 0; i < cs.target_path.size(); ++i) {
      Rng rk = r_path.fork("position[" + std::to_string(i) + "]");
      cam.target_path.emplace_back(cs.target_path[i].t, sample(cs.target_path[i].position, rk, at));
    }
    // The look-at path replaces the drawn target from the clip's first frame on.
    if (!cam.target_path.empty()) set_orbit(cam, target_on_path(cam.target_path, 0.0), dist, el, az, roll);
    for (double& p : cam.shake_phase) p = r_phase.uniform(0.0, 2.0 * glm::pi<double>());
  }
  return cam;
}

namespace {

// Where time t falls on keyframes at increasing times time_of(keys[k]): the key i at or before t (the
// first before them) and how far towards key i + 1 (0 when t is held at key i: before the first key,
// on one, or after the last).
template <class Key, class TimeOf>
std::pair<std::size_t, double> key_segment(const std::vector<Key>& keys, double t, TimeOf time_of) {
  std::size_t i = 0;
  while (i + 1 < keys.size() && time_of(keys[i + 1]) <= t) ++i;
  if (i + 1 < keys.size() && t > time_of(keys[i])) return {i, (t - time_of(keys[i])) / (time_of(keys[i + 1]) - time_of(keys[i]))};
  return {i, 0.0};
}

}  // namespace

glm::dvec3 target_on_path(const std::vector<std::pair<double, glm::dvec3>>& keys, double t) {
  const auto [i, a] = key_segment(keys, t, [](const auto& k) { return k.first; });
  return a > 0.0 ? glm::mix(keys[i].second, keys[i + 1].second, a) : keys[i].second;
}

void set_orbit(Camera& cam, const glm::dvec3& target, double dist, double el, double az, double roll) {
  const glm::dvec3 pos = target + dist * direction_from_angles(el, az);
  // Looking straight down or up, world +Y cannot be the up vector: use the azimuth's horizontal
  // direction instead so the image keeps a defined orientation.
  glm::dvec3 up{0.0, 1.0, 0.0};
  if (std::abs(el) > 89.999) {
    const double a = glm::radians(az);
    up = glm::dvec3(-std::sin(a), 0.0, -std::cos(a)) * (el > 0 ? 1.0 : -1.0);
  }
  cam.position = glm::vec3(pos);
  cam.target = glm::vec3(target);
  cam.orbit_target = target;
  cam.view = glm::mat4(glm::rotate(glm::dmat4(1.0), glm::radians(roll), glm::dvec3(0.0, 0.0, 1.0)) *
                       glm::lookAtRH(pos, target, up));
  cam.roll_deg = roll;
  cam.distance_m = dist;
  cam.elevation_deg = el;
  cam.azimuth_deg = az;
}

namespace {

// An instance on its keyframed path at time t: the position interpolated linearly between the keys
// around t, the rotation by slerp (shortest arc), both held before the first key and after the last.
void pose_on_path(Instance& inst, double t) {
  const auto& keys = inst.path;
  const auto [i, a] = key_segment(keys, t, [](const Instance::PathKey& k) { return k.t; });
  glm::dvec3 p = keys[i].position;
  glm::dquat q = keys[i].rotation;
  if (a > 0.0) {
    p = glm::mix(keys[i].position, keys[i + 1].position, a);
    q = glm::slerp(keys[i].rotation, keys[i + 1].rotation, a);
  }
  inst.position = glm::vec3(p);
  if (inst.path_rotates) inst.rotation = glm::quat(q);
  update_model(inst);
}

}  // namespace

bool has_motion(const Instance& inst) {
  return !inst.path.empty() || inst.velocity != glm::dvec3(0.0) || inst.angular_velocity_deg != glm::dvec3(0.0);
}

void move_instance(Instance& inst, double t) {
  if (!inst.path.empty()) {
    pose_on_path(inst, t);
    return;
  }
  const glm::dvec3 w = glm::radians(inst.angular_velocity_deg);
  const double angle = glm::length(w) * t;
  if (t == 0.0 || (inst.velocity == glm::dvec3(0.0) && angle == 0.0)) return;
  inst.position = glm::vec3(glm::dvec3(inst.position) + inst.velocity * t);
  if (angle != 0.0) {
    // A constant angular velocity about a world axis: the rotation grows by angle |w| t about w.
    inst.rotation = glm::quat(glm::angleAxis(angle, glm::normalize(w)) * glm::dquat(inst.rotation));
  }
  update_model(inst);
}

void apply_motion(Scene& scene, double t) {
  // Keyframed paths (and physics_drop's simulated ones) set the pose at every time, the clip's first
  // frame included (after the randomizers, as the other motion).
  for (Instance& inst : scene.instances) move_instance(inst, t);
  if (t == 0.0) return;  // the clip's first frame: the scene as drawn
  Camera& cam = scene.camera;
  if (cam.orbit_rate_deg != 0.0 || cam.elevation_rate_deg != 0.0 || cam.dolly_rate != 0.0 || cam.target_velocity != glm::dvec3(0.0) ||
      !cam.target_path.empty()) {
    const glm::dvec3 target = cam.target_path.empty() ? cam.orbit_target + cam.target_velocity * t : target_on_path(cam.target_path, t);
    set_orbit(cam, target, std::max(1e-3, cam.distance_m + cam.dolly_rate * t),
              std::clamp(cam.elevation_deg + cam.elevation_rate_deg * t, -90.0, 90.0), cam.azimuth_deg + cam.orbit_rate_deg * t,
              cam.roll_deg);
  }
  if (cam.shake_deg > 0.0) {
    // Hand-held shake: per camera axis three sines (base frequency x 1, 1.7, 2.9; weights 0.6, 0.3,
    // 0.1) with the clip's phases, less their value at t = 0 (the clip's first frame is as drawn).
    constexpr double k_ratio[3] = {1.0, 1.7, 2.9}, k_weight[3] = {0.6, 0.3, 0.1};
    glm::dvec3 turn(0.0);  // yaw (about the camera's +Y), pitch (+X), roll (+Z), degrees
    for (int axis = 0; axis < 3; ++axis) {
      for (int j = 0; j < 3; ++j) {
        const double phase = cam.shake_phase[static_cast<std::size_t>(3 * axis + j)];
        turn[axis] += cam.shake_deg * k_weight[j] *
                      (std::sin(2.0 * glm::pi<double>() * cam.shake_hz * k_ratio[j] * t + phase) - std::sin(phase));
      }
    }
    cam.shake_now_deg = turn;
    const glm::dmat4 r = glm::rotate(glm::dmat4(1.0), glm::radians(turn.z), glm::dvec3(0, 0, 1)) *
                         glm::rotate(glm::dmat4(1.0), glm::radians(turn.y), glm::dvec3(1, 0, 0)) *
                         glm::rotate(glm::dmat4(1.0), glm::radians(turn.x), glm::dvec3(0, 1, 0));
    cam.view = glm::mat4(r * glm::dmat4(cam.view));  // turned about the camera's own axes, position kept
  }
  for (Light& l : scene.lights) {
    if (l.azimuth_rate_deg == 0.0 && l.elevation_rate_deg == 0.0) continue;
    l.elevation_deg = std::clamp(l.elevation_deg + l.elevation_rate_deg * t, -90.0, 90.0);
    l.azimuth_deg += l.azimuth_rate_deg * t;
    const glm::dvec3 dir = direction_from_angles(l.elevation_deg, l.azimuth_deg);
    l.to_light = glm::vec3(dir);
    if (l.type != LightType::directional) {
      const glm::dvec3 pos = l.target + l.distance_m * dir;
      l.position = glm::vec3(pos);
      l.direction = glm::vec3(glm::normalize(l.target - pos));
    }
  }
}

std::vector<glm::dvec3> sample_surface_points(const Mesh& mesh, std::uint32_t n, Rng& rng) {
  std::vector<glm::dvec3> points;
  std::vector<double> cumulative;  // triangle areas, summed
  double total = 0;
  for (std::size_t t = 0; t + 2 < mesh.indices.size(); t += 3) {
    const auto at = [&](std::size_t i) { return glm::dvec3(mesh.vertices[mesh.indices[t + i]].position); };
    total += 0.5 * glm::length(glm::cross(at(1) - at(0), at(2) - at(0)));
    cumulative.push_back(total);
  }
  if (total <= 0) return points;
  for (std::uint32_t i = 0; i < n; ++i) {
    const double pick = rng.uniform(0.0, total);
    const std::size_t t = 3 * static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), pick) - cumulative.begin());
    const std::size_t tri = std::min(t, mesh.indices.size() - 3);
    // Uniform on the triangle: (1 - sqrt(a), sqrt(a) (1 - b), sqrt(a) b).
    const double a = std::sqrt(rng.uniform01()), b = rng.uniform01();
    const glm::dvec3 p0(mesh.vertices[mesh.indices[tri]].position), p1(mesh.vertices[mesh.indices[tri + 1]].position),
        p2(mesh.vertices[mesh.indices[tri + 2]].position);
    points.push_back((1 - a) * p0 + a * (1 - b) * p1 + a * b * p2);
  }
  return points;
}

NeighbourPoses neighbour_poses(const Scene& other) {
  NeighbourPoses n;
  n.frame = other.frame;
  n.camera = other.camera;
  for (const Instance& inst : other.instances) {
    n.models.push_back(inst.model);
    n.positions.push_back(inst.position);
    n.scales.push_back(inst.scale);
    n.rotations.push_back(inst.rotation);
  }
  return n;
}

ClipNeighbours clip_neighbours(const SceneSpec& spec, std::uint64_t frame) {
  if (!spec.sequence) return {};
  const std::uint64_t index = frame % spec.sequence->length;  // the frame's place in its clip (ClipTime::index)
  return {index > 0, index + 1 < spec.sequence->length};
}

Status add_neighbours(Scene& scene, const SceneSpec& spec, const std::function<const Scene&(std::uint64_t)>& sample) {
  scene.previous.reset();
  scene.next.reset();
  if (!scene.clip || !spec.sequence) return ok_status();
  auto take = [&](std::uint64_t frame) -> Result<NeighbourPoses> {
    const Scene& other = sample(frame);
    bool same = other.instances.size() == scene.instances.size();
    for (std::size_t k = 0; same && k < other.instances.size(); ++k) {
      same = other.instances[k].instance_id == scene.instances[k].instance_id &&
             other.instances[k].mesh_index == scene.instances[k].mesh_index;
    }
    if (!same) {
      return make_error(ExitCode::internal, "frame " + std::to_string(frame) + " does not hold the instances of frame " +
                                                std::to_string(scene.frame) + " of the same clip");
    }
    return neighbour_poses(other);
  };
  const ClipNeighbours has = clip_neighbours(spec, scene.frame);
  if (has.previous) SL_TRY_ASSIGN(scene.previous, take(scene.frame - 1));
  if (has.next) SL_TRY_ASSIGN(scene.next, take(scene.frame + 1));
  return ok_status();
}

glm::dvec3 kelvin_to_linear_rgb(double kelvin) {
  // Tanner Helland's fit of blackbody colour (sRGB, 1000-40000 K), normalized so the largest channel
  // is 1, then decoded to linear RGB for the shader.
  const double t = std::clamp(kelvin, 1000.0, 40000.0) / 100.0;
  double r = 0, g = 0, b = 0;
  if (t <= 66) {
    r = 255;
    g = 99.4708025861 * std::log(t) - 161.1195681661;
  } else {
    r = 329.698727446 * std::pow(t - 60, -0.1332047592);
    g = 288.1221695283 * std::pow(t - 60, -0.0755148492);
  }
  if (t >= 66) {
    b = 255;
  } else if (t <= 19) {
    b = 0;
  } else {
    b = 138.5177312231 * std::log(t - 10) - 305.0447927307;
  }
  glm::dvec3 srgb = glm::clamp(glm::dvec3(r, g, b) / 255.0, 0.0, 1.0);
  glm::dvec3 lin(srgb_to_linear(srgb.x), srgb_to_linear(srgb.y), srgb_to_linear(srgb.z));
  return lin / std::max({lin.x, lin.y, lin.z});
}

Scene sample_frame(const SceneSpec& spec, const MeshLibrary& meshes, const RandomizerPipeline& randomizers,
                   std::uint64_t output_frame, double time_offset_s) {
  Scene scene;
  scene.frame = output_frame;
  // Every draw is keyed by `frame`: the frame itself, or with a sequence its clip (so the clip's
  // frames share one draw and differ only by the motion at their time).
  std::uint64_t frame = output_frame;
  // A rig: frame f is camera f mod n of instant f / n; every draw is keyed by the instant.
  const std::uint64_t rig_size = spec.camera.rig ? spec.camera.rig->cameras.size() : 1;
  if (rig_size > 1 || spec.camera.rig) frame = output_frame / rig_size;
  if (spec.sequence) {
    const SequenceSpec& sq = *spec.sequence;
    scene.clip = ClipTime{output_frame / sq.length, output_frame % sq.length,
                          static_cast<double>(output_frame % sq.length) / sq.fps};
    frame = scene.clip->clip;
  }
  // (A sweep runs over the instants of a rig.)
  const FrameIndex at{frame, std::max<std::uint64_t>(1, spec.sweep_frames / rig_size)};
  if (!spec.splits.empty()) {  // from (seed, frame) alone, in a stream of its own
    Rng r(spec.seed, frame, "split");
    scene.split = spec.splits[pick_by_probability(spec.splits.size(), [&](std::size_t i) { return spec.splits[i].second; }, r)].first;
  }
  scene.camera = sample_camera(spec, Rng(spec.seed, frame, "camera"), at, output_frame);
  if (spec.outputs.depth_sensor) scene.depth_sensor_key = Rng(spec.seed, output_frame, "depth_sensor").next_u64();

  for (std::size_t i = 0; i < spec.lights.size(); ++i) {
    const LightSpec& ls = spec.lights[i];
    Rng rng(spec.seed, frame, "lights[" + std::to_string(i) + "]");
    Rng r_el = rng.fork("elevation"), r_az = rng.fork("azimuth"), r_int = rng.fork("intensity"),
        r_col = rng.fork("color"), r_temp = rng.fork("temperature");
    const double el = sample(ls.elevation_deg, r_el, at);
    const double az = sample(ls.azimuth_deg, r_az, at);
    Light l;
    l.type = ls.type;
    l.shadows = ls.shadows;
    l.to_light = glm::vec3(direction_from_angles(el, az));
    l.elevation_deg = el;
    l.azimuth_deg = az;
    if (ls.type != LightType::directional) {
      // New streams, so adding these keys leaves a directional light's draws as they were.
      Rng r_target = rng.fork("target"), r_dist = rng.fork("distance"), r_cone = rng.fork("cone"),
          r_soft = rng.fork("softness");
      const glm::dvec3 target = sample(ls.target, r_target, at);
      l.distance_m = sample(ls.distance_m, r_dist, at);
      const glm::dvec3 pos = target + l.distance_m * direction_from_angles(el, az);
      l.position = glm::vec3(pos);
      l.direction = glm::vec3(glm::normalize(target - pos));
      if (ls.type == LightType::spot) {
        l.cone_deg = sample(ls.cone_deg, r_cone, at);
        l.softness = sample(ls.softness, r_soft, at);
        l.cos_outer = static_cast<float>(std::cos(glm::radians(l.cone_deg)));
        l.cos_inner = static_cast<float>(std::cos(glm::radians(l.cone_deg * (1.0 - l.softness))));
      }
    }
    l.intensity = static_cast<float>(sample(ls.intensity, r_int, at));
    glm::dvec3 color = sample(ls.color, r_col, at);
    if (ls.temperature_k) {
      l.temperature_k = sample(*ls.temperature_k, r_temp, at);
      color *= kelvin_to_linear_rgb(l.temperature_k);
    }
    l.color = glm::vec3(color) * l.intensity;
    if (spec.sequence) {  // streams of their own
      Rng r_azr = rng.fork("azimuth_rate"), r_elr = rng.fork("elevation_rate");
      l.azimuth_rate_deg = sample(ls.azimuth_rate_deg, r_azr, at);
      l.elevation_rate_deg = sample(ls.elevation_rate_deg, r_elr, at);
      if (ls.type != LightType::directional) l.target = glm::dvec3(l.position) - l.distance_m * direction_from_angles(el, az);
    }
    scene.lights.push_back(l);
  }
  {
    Rng r(spec.seed, frame, "ambient");
    scene.ambient = static_cast<float>(sample(spec.ambient, r, at));
    Rng b(spec.seed, frame, "background");
    scene.background = glm::vec3(sample(spec.background, b, at));
  }
  if (spec.sensor) {
    const SensorSpec& ss = *spec.sensor;
    const Rng base(spec.seed, frame, "sensor");
    auto draw = [&](const ScalarDist& d, const char* name) {
      Rng r = base.fork(name);
      return sample(d, r, at);
    };
    SensorState& s = scene.sensor;
    s.enabled = true;
    Rng r_wb = base.fork("white_balance");
    s.white_balance = sample(ss.white_balance, r_wb, at);
    s.brightness = draw(ss.brightness, "brightness");
    s.contrast = draw(ss.contrast, "contrast");
    s.saturation = draw(ss.saturation, "saturation");
    s.vignetting = draw(ss.vignetting, "vignetting");
    s.defocus_px = draw(ss.defocus_px, "defocus");
    s.motion_px = draw(ss.motion_px, "motion");
    s.motion_angle_deg = draw(ss.motion_angle_deg, "motion_angle");
    s.shot_photons = draw(ss.shot_photons, "shot_photons");
    s.read_noise = draw(ss.read_noise, "read_noise");
    s.gamma = draw(ss.gamma, "gamma");
    s.jpeg_quality = draw(ss.jpeg_quality, "jpeg_quality");
    if (ss.shutter_s && scene.clip) {  // its own stream: every other draw as it was
      s.shutter_s = draw(*ss.shutter_s, "shutter");
      s.shutter_samples = ss.shutter_samples;
    }
    if (ss.rolling_shutter_s && scene.clip) {
      s.rolling_shutter_s = draw(*ss.rolling_shutter_s, "rolling_shutter");
      s.shutter_samples = ss.shutter_samples;
    }
    // Noise is per frame, also within a clip (the output frame's own stream).
    s.noise_key = Rng(spec.seed, output_frame, "sensor").fork("noise").next_u64();
  }
  if (spec.environment) {
    const EnvironmentSpec& es = *spec.environment;
    const Rng base(spec.seed, frame, "environment");
    Rng r_map = base.fork("map"), r_rot = base.fork("rotation"), r_int = base.fork("intensity");
    std::size_t pick = 0;
    if (es.maps.size() > 1) {
      Choice c;
      for (std::size_t i = 0; i < es.maps.size(); ++i) c.values.push_back(static_cast<double>(i));
      c.weights = es.weights;
      pick = static_cast<std::size_t>(sample(ScalarDist{c}, r_map, at));
    }
    scene.environment.map = static_cast<std::int32_t>(pick);
    scene.environment.name = es.sky ? "sky" : es.maps[pick].filename().string();
    scene.environment.rotation_deg = sample(es.rotation_deg, r_rot, at);
    scene.environment.intensity = sample(es.intensity, r_int, at);
    scene.environment.background = es.background;
    scene.environment.lighting = es.lighting;
  }

  std::uint32_t next_id = 1;
  for (std::size_t oi = 0; oi < spec.objects.size(); ++oi) {
    const ObjectSpec& os = spec.objects[oi];
    const Rng base(spec.seed, frame, "objects[" + std::to_string(oi) + "]");
    Rng r_count = base.fork("count");
    const std::int64_t count = sample(os.count, r_count, at);
    for (std::int64_t j = 0; j < count; ++j) {
      const Rng r = base.fork("instance[" + std::to_string(j) + "]");
      Rng r_pos = r.fork("position"), r_rot = r.fork("rotation"), r_scale = r.fork("scale"), r_col = r.fork("color");
      Instance inst;
      inst.object_index = static_cast<std::uint32_t>(oi);
      const ShapeMesh* shape = &meshes.shape(oi);
      const KeypointsSpec* keypoints = &os.shape.keypoints;
      std::uint32_t category_id = os.category_id;
      if (!os.pool.empty()) {
        Rng r_pool = r.fork("pool");
        const std::size_t pick = pick_by_probability(os.pool.size(), [&](std::size_t e) { return os.pool[e].probability; }, r_pool);
        shape = &meshes.shape(oi, pick);
        inst.pool_entry = static_cast<std::int32_t>(pick);
        category_id = os.pool[pick].category_id;
        keypoints = &os.pool[pick].shape.keypoints;
      }
      inst.mesh_index = shape->mesh;
      if (spec.sequence) {  // streams of their own: adding them leaves every other draw as it was
        Rng r_vel = r.fork("velocity"), r_ang = r.fork("angular_velocity");
        inst.velocity = sample(os.velocity, r_vel, at);
        inst.angular_velocity_deg = sample(os.angular_velocity_deg, r_ang, at);
        const Rng r_path = r.fork("path");
        for (std::size_t i = 0; i < os.path.size(); ++i) {
          const PathKeySpec& ks = os.path[i];
          Rng rk_pos = r_path.fork("position[" + std::to_string(i) + "]"), rk_rot = r_path.fork("rotation[" + std::to_string(i) + "]");
          Instance::PathKey key;
          key.t = ks.t;
          key.position = sample(ks.position, rk_pos, at);
          if (ks.rotation_deg) {
            const glm::dvec3 e = glm::radians(sample(*ks.rotation_deg, rk_rot, at));
            key.rotation = euler_xyz(e);
            inst.path_rotates = true;
          }
          inst.path.push_back(key);
        }
      }
      if (os.labeled) {
        inst.keypoints = shape->keypoints;
        inst.keypoint_tolerance_m = keypoints->tolerance_m;
      }
      inst.position = glm::vec3(sample(os.position, r_pos, at));
      glm::dquat q;
      if (os.rotation.uniform_so3) {
        q = sample_uniform_rotation(r_rot);
      } else {
        const glm::dvec3 e = glm::radians(sample(os.rotation.euler_deg, r_rot, at));
        q = euler_xyz(e);  // applied X first, then Y, then Z (extrinsic): R = Rz Ry Rx
      }
      inst.rotation = glm::quat(q);
      if (os.uniform_scale) {
        inst.scale = glm::vec3(static_cast<float>(sample(os.scale[0], r_scale, at)));
      } else {
        inst.scale = glm::vec3(sample(os.scale, r_scale, at));
      }
      inst.color = os.color ? glm::vec3(sample(*os.color, r_col, at)) : meshes[inst.mesh_index].base_color;
      inst.texture = meshes[inst.mesh_index].texture;  // the asset's own texture (multiplies the colour)
      // Without a configured colour an asset keeps all its own materials (every part's maps).
      inst.asset_materials = !os.color && !meshes[inst.mesh_index].parts.empty();
      update_model(inst);
      if (os.labeled) {
        inst.instance_id = next_id++;
        inst.category_id = category_id;
      } else if (category_id != 0) {  // a stuff surface: numbered after the things (RandomizerPipeline::apply)
        inst.category_id = category_id;
        inst.stuff = true;
      }
      scene.instances.push_back(inst);
    }
  }
  randomizers.apply(scene, FrameContext{spec, meshes, at});
  if (spec.camera.rig) {
    // The drawn camera is the rig's frame; this view's camera sits at its pose in it (K and lens shared).
    const RigSpec& rig = *spec.camera.rig;
    const auto r = static_cast<std::size_t>(output_frame % rig_size);
    Camera& cam = scene.camera;
    const glm::dmat4 world_to_rig = world_to_opencv(cam);
    const double roll = cam.roll_deg;
    const Camera drawn = cam;
    const glm::dmat4 to_rig = camera_to_rig(rig.cameras[r]);
    set_pose(cam, glm::inverse(to_rig) * world_to_rig, 0.0);
    cam.roll_deg = roll;
    if (!drawn.explicit_pose) {  // the orbit as drawn stays in the record (the rig's frame)
      cam.explicit_pose = false;
      cam.distance_m = drawn.distance_m, cam.elevation_deg = drawn.elevation_deg, cam.azimuth_deg = drawn.azimuth_deg;
      cam.target = drawn.target, cam.orbit_target = drawn.orbit_target;
    }
    cam.rig_camera = static_cast<std::int64_t>(r);
    cam.rig_name = rig.cameras[r].name;
    cam.rig_instant = frame;
    cam.camera_to_rig = to_rig;
    cam.stereo_baseline_m = rig.baseline_m;
  }
  if (scene.clip && spec.outputs.has("tracks")) {
    for (std::size_t k = 0; k < scene.instances.size(); ++k) {
      Instance& inst = scene.instances[k];
      if (inst.instance_id == 0 || inst.stuff || inst.mesh_index >= meshes.size()) continue;
      Rng r(spec.seed, frame, "tracks/" + std::to_string(k));  // per clip: the clip's frames share the points
      inst.track_points = sample_surface_points(meshes[inst.mesh_index], spec.sequence->track_points, r);
    }
  }
  // A LiDAR sweeping through a clip places everything at each beam's time: it keeps the clip as drawn.
  if (scene.clip && spec.lidar) scene.clip_start = std::make_shared<const Scene>(scene);
  if (scene.clip) apply_motion(scene, scene.clip->time_s + time_offset_s);
  scene.lidar = draw_lidar(spec, scene.camera, frame, at, output_frame, scene.clip ? scene.clip->time_s + time_offset_s : 0.0);
  if (scene.collisions_recorded && scene.clip) {
    // This frame's collision events: those of the steps ending in (t - 1/fps, t].
    const double t = scene.clip->time_s, t0 = t - 1.0 / spec.sequence->fps;
    std::erase_if(scene.collisions, [&](const CollisionEvent& e) { return !(e.time_s > t0 && e.time_s <= t); });
  }
  compute_geometry(scene, meshes);
  return scene;
}

void compute_geometry(Scene& scene, std::span<const Mesh> meshes) {
  const Camera& cam = scene.camera;
  // OpenGL camera (looks down -Z, +Y up) -> OpenCV camera (+Z forward, +Y down): scenes/CameraModel.h.
  const glm::dmat4 view = glm::dmat4(cam.view);
  auto to_cv = [&](const glm::dvec3& world) { return to_opencv(cam, world); };
  for (CollisionEvent& e : scene.collisions) {
    const glm::dvec3 c = to_cv(e.position);
    e.depth = c.z;
    e.image = c.z > 1e-9 ? project(cam, c) : glm::dvec2(std::nan(""));
  }
  const glm::dmat3 gl_to_cv(1, 0, 0, 0, -1, 0, 0, 0, -1);
  for (Instance& inst : scene.instances) {
    if (inst.instance_id == 0 || inst.mesh_index >= meshes.size()) continue;
    const Mesh& mesh = meshes[inst.mesh_index];
    InstanceGeometry& g = inst.geometry;
    const glm::dmat4 model = glm::dmat4(inst.model);
    g.rotation = gl_to_cv * glm::dmat3(view) * glm::mat3_cast(glm::dquat(inst.rotation));
    g.translation = to_cv(glm::dvec3(inst.position));
    const glm::dvec3 lo(mesh.bounds_min), hi(mesh.bounds_max);
    g.box_size = (hi - lo) * glm::dvec3(inst.scale);
    g.bounds_min = lo, g.bounds_max = hi;
    g.box_centre = to_cv(glm::dvec3(model * glm::dvec4(0.5 * (lo + hi), 1.0)));
    const auto corners = box_corners(lo, hi);
    for (std::size_t k = 0; k < corners.size(); ++k) {
      const glm::dvec3 c = to_cv(glm::dvec3(model * glm::dvec4(corners[k], 1.0)));
      g.corners_px[k] = c.z > 1e-9 ? project(cam, c) : glm::dvec2(std::nan(""));
    }
    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    for (const Vertex& v : mesh.vertices) {
      const glm::dvec3 c = to_cv(glm::dvec3(model * glm::dvec4(glm::dvec3(v.position), 1.0)));
      if (c.z < double(cam.near_m)) {
        g.behind_camera = true;
        continue;
      }
      const glm::dvec2 p = project(cam, c);
      x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
    }
    if (x1 < x0) continue;  // entirely behind the camera
    g.amodal[0] = x0, g.amodal[1] = y0, g.amodal[2] = x1 - x0, g.amodal[3] = y1 - y0;
    const double area = (x1 - x0) * (y1 - y0);
    const double iw = std::max(0.0, std::min(x1, double(cam.width)) - std::max(x0, 0.0));
    const double ih = std::max(0.0, std::min(y1, double(cam.height)) - std::max(y0, 0.0));
    g.truncation = area > 0 ? std::clamp(1.0 - iw * ih / area, 0.0, 1.0) : 0.0;
    g.valid = true;
    g.tracks.clear();
    for (const glm::dvec3& k : inst.track_points) {
      const glm::dvec3 c = to_cv(glm::dvec3(model * glm::dvec4(k, 1.0)));
      const glm::dvec2 p = c.z > 1e-9 ? project(cam, c) : glm::dvec2(std::nan(""));
      g.tracks.emplace_back(p.x, p.y, c.z);
    }
    g.keypoints.clear();
    for (const glm::dvec3& k : inst.keypoints) {
      const glm::dvec3 c = to_cv(glm::dvec3(model * glm::dvec4(k, 1.0)));
      const glm::dvec2 p = c.z > 1e-9 ? project(cam, c) : glm::dvec2(std::nan(""));
      g.keypoints.emplace_back(p.x, p.y, c.z);
    }
  }
}

}  // namespace synthlabel
