#include "randomizers/LidarPose.h"

#include <glm/gtc/matrix_transform.hpp>
#include <glm/trigonometric.hpp>

#include "randomizers/FrameSampler.h"
#include "randomizers/Rng.h"
#include "scenes/CameraModel.h"

namespace synthlabel {

glm::dmat4 lidar_to_world_at(const LidarState& s, const Camera& camera, double t) {
  if (s.mount == LidarMount::camera) return glm::inverse(world_to_opencv(camera)) * s.lidar_to_camera;
  // Level in the world: z = world +Y; x = (cos yaw, 0, -sin yaw), turning counter-clockwise seen from
  // above; y = z cross x.
  const double yaw = glm::radians(s.yaw_deg);
  const glm::dvec3 x(std::cos(yaw), 0.0, -std::sin(yaw)), z(0.0, 1.0, 0.0);
  glm::dmat4 m(glm::dvec4(x, 0.0), glm::dvec4(glm::cross(z, x), 0.0), glm::dvec4(z, 0.0), glm::dvec4(s.start_position + s.velocity * t, 1.0));
  return m;
}

glm::dmat4 lidar_to_world_in_clip(const Scene& scene, double t) {
  if (!scene.clip || !scene.clip_start || t == scene.clip->time_s) return scene.lidar.lidar_to_world;
  if (scene.lidar.mount != LidarMount::camera) return lidar_to_world_at(scene.lidar, scene.camera, t);
  Scene moved;  // the camera alone, moved from the clip as drawn
  moved.camera = scene.clip_start->camera;
  apply_motion(moved, t);
  return lidar_to_world_at(scene.lidar, moved.camera, t);
}

LidarState draw_lidar(const SceneSpec& spec, const Camera& camera, std::uint64_t key_frame, const FrameIndex& at,
                      std::uint64_t output_frame, double t) {
  LidarState s;
  if (!spec.lidar) return s;
  const LidarSpec& l = *spec.lidar;
  s.present = true;
  s.mount = l.mount;
  s.ego_compensated = l.ego_compensated;
  Rng rng(spec.seed, key_frame, "lidar");
  Rng r_pos = rng.fork("position"), r_yaw = rng.fork("yaw"), r_vel = rng.fork("velocity");
  const glm::dvec3 position = sample(l.position, r_pos, at);
  if (l.mount == LidarMount::camera) {
    glm::dmat4 m(lidar_axes_in_camera() * glm::mat3_cast(euler_xyz(glm::radians(l.rotation_deg))));
    m[3] = glm::dvec4(position, 1.0);
    s.lidar_to_camera = m;
  } else {
    s.start_position = position;
    s.yaw_deg = sample(l.yaw_deg, r_yaw, at);
    if (spec.sequence) s.velocity = sample(l.velocity, r_vel, at);
  }
  s.lidar_to_world = lidar_to_world_at(s, camera, t);
  s.pattern_time_s = static_cast<double>(output_frame) * l.sweep_s;
  s.noise_key = Rng(spec.seed, output_frame, "lidar/noise").next_u64();
  return s;
}

}  // namespace synthlabel
