// Scene: one frame's fully sampled content, plain data the renderer draws and the exporters label.
//
// Camera conventions (also in docs/conventions.md):
// - `view` maps world to camera space, OpenGL style: +X right, +Y up, camera looks down -Z.
// - Depth written by the renderer is metres along the viewing axis (-z in camera space), not the
//   Euclidean distance to the camera centre.
// - Pixel (u, v) has its centre at (u + 0.5, v + 0.5); v grows downwards; the rasterizer samples at
//   the centre. Intrinsics K follow OpenCV: u = fx * X/Z + cx, v = fy * Y/Z + cy with the OpenCV
//   camera frame (+X right, +Y down, +Z forward) and (cx, cy) = (width/2, height/2) in the continuous
//   coordinates where pixel (0,0) spans [0,1)x[0,1).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <memory>

#include <nlohmann/json.hpp>

#include <glm/gtc/quaternion.hpp>
#include <glm/mat3x3.hpp>
#include <glm/mat4x4.hpp>
#include <glm/vec2.hpp>
#include <glm/vec3.hpp>

#include "scenes/Lidar.h"

namespace synthlabel {

// A lens (scenes/CameraModel.h, docs/camera.md): how a ray in the OpenCV camera frame lands in the
// image beyond the pinhole. The frame is rendered as an undistorted pinhole `source` view that covers
// the lens's field and remapped (renderer/LensRemap.h).
enum class LensModel : std::uint8_t { pinhole = 0, brown_conrady = 1, fisheye = 2, radial_table = 3 };

struct Lens {
  LensModel model = LensModel::pinhole;
  // brown_conrady: OpenCV's order k1 k2 p1 p2 k3 k4 k5 k6 s1 s2 s3 s4; fisheye (Kannala-Brandt, OpenCV's
  // cv::fisheye): k1 k2 k3 k4 in the first four.
  std::array<double, 12> k{};
  // radial_table: (field angle theta in radians, distorted radius in focal lengths), both increasing,
  // linear between entries; (0, 0) first.
  std::vector<std::pair<double, double>> table;
  // The largest angle between a ray and the optical axis the lens images (radians): the config's
  // max_field_deg / 2, further limited to where the model is monotonic. Pixels whose ray would lie
  // beyond it are outside the image circle: they see nothing.
  double max_theta = 0;
  // The undistorted pinhole view rendered for the frame (pixels of that view), and a bound on how far
  // (in output pixels) the source sample a label is read from lies from the exact ray of the output
  // pixel's centre.
  std::uint32_t source_width = 0, source_height = 0;
  double source_fx = 0, source_fy = 0, source_cx = 0, source_cy = 0;
  double ray_error_px = 0;
};

struct Camera {
  std::uint32_t width = 0, height = 0;
  float fov_y_rad = 0.0f;
  float near_m = 0.05f, far_m = 100.0f;
  glm::vec3 position{0.0f};
  glm::vec3 target{0.0f};
  glm::mat4 view{1.0f};        // world -> camera (OpenGL axes)
  double fx = 0, fy = 0, cx = 0, cy = 0;
  // The sampled orbit, kept for the per-frame record.
  double fov_y_deg = 0, distance_m = 0, elevation_deg = 0, azimuth_deg = 0, roll_deg = 0;
  double exposure_ev = 0;  // radiance x 2^ev before the tone map
  // With a sequence: the orbit's target (as drawn) and its turn rate, degrees of azimuth per second.
  glm::dvec3 orbit_target{0.0};
  double orbit_rate_deg = 0;
  double elevation_rate_deg = 0, dolly_rate = 0;  // degrees per second, metres per second
  glm::dvec3 target_velocity{0.0};               // metres per second
  std::vector<std::pair<double, glm::dvec3>> target_path;  // (t, target) keys as drawn, when given
  double shake_deg = 0, shake_hz = 0;            // hand-held shake (0: none)
  std::array<double, 9> shake_phase{};           // per axis (yaw, pitch, roll) three phases, radians
  glm::dvec3 shake_now_deg{0.0};                 // the shake's turns at this frame (for the record)
  bool filmic = false;     // ACES filmic tone map (else values above 1 clip)
  Lens lens;               // pinhole unless the config has camera.lens
  // The pose came from camera.pose or camera.poses (not the orbit): `target` is then a point 1 m
  // ahead, and the orbit fields above are 0.
  bool explicit_pose = false;
  std::int64_t pose_index = -1;  // camera.poses: which entry of the file
  // camera.rig / camera.stereo: this view's camera in the rig, the instant it sees, its pose in the rig
  // frame, and (stereo) the pair's baseline.
  std::int64_t rig_camera = -1;
  std::string rig_name;
  std::uint64_t rig_instant = 0;
  glm::dmat4 camera_to_rig{1.0};
  double stereo_baseline_m = 0;
};

enum class LightType : std::uint32_t { directional = 0, point = 1, spot = 2 };

// A light. Directional: parallel rays arriving from `to_light`. Point and spot: at `position`, with
// inverse-square falloff (intensity 1 at 1 m gives the irradiance of a directional light of
// intensity 1); a spot lights the cone around `direction`, full inside `inner`, fading to none at
// `outer` (half-angles).
struct Light {
  LightType type = LightType::directional;
  glm::vec3 to_light{0.0f, 1.0f, 0.0f};  // unit vector from the surface towards the light (directional)
  glm::vec3 position{0.0f};              // world, metres (point, spot)
  glm::vec3 direction{0.0f, -1.0f, 0.0f};  // unit axis of a spot's cone, pointing away from the light
  float cos_inner = 1.0f, cos_outer = 0.0f;  // spot cone, cosines of the half-angles
  glm::vec3 color{1.0f};                 // linear RGB, already multiplied by intensity
  float intensity = 1.0f;
  bool shadows = true;  // directional and spot lights cast shadows (shadow maps); point lights never do
  // Sampled values, for the record.
  double elevation_deg = 0, azimuth_deg = 0;  // direction (directional) or position around the target
  double distance_m = 0;                      // point, spot: from the target
  double cone_deg = 0, softness = 0;          // spot
  double temperature_k = 0;                   // sampled colour temperature, 0 when none
  // With a sequence: its turn rates (degrees per second) and, for point and spot lights, the target
  // they circle.
  double azimuth_rate_deg = 0, elevation_rate_deg = 0;
  glm::dvec3 target{0.0};
};

// What an instance's geometry projects to, from its mesh and the frame's camera (not from pixels):
// computed after the randomizers, in the OpenCV camera frame (+X right, +Y down, +Z forward, metres).
struct InstanceGeometry {
  bool valid = false;
  glm::dmat3 rotation{1.0};   // object -> camera (no scale)
  glm::dvec3 translation{0};  // the object origin in the camera frame
  glm::dvec3 box_size{0};     // the mesh's axis-aligned box in object space, times the scale (metres)
  glm::dvec3 box_centre{0};   // that box's centre in the camera frame
  glm::dvec3 bounds_min{0}, bounds_max{0};  // the mesh's axis-aligned box in mesh space (as loaded)
  std::array<glm::dvec2, 8> corners_px{};  // its corners projected (corner k: x hi if k&1, y if k&2, z if k&4)
  double amodal[4] = {0, 0, 0, 0};  // [x, y, w, h] of every projected vertex in front of the camera (may leave the image)
  double truncation = 0;            // share of that box outside the image, 0..1
  bool behind_camera = false;       // some vertices lie behind the near plane (amodal box then covers the rest)
  // The instance's keypoints: (u, v) projected in continuous pixel coordinates (NaN when not in front
  // of the camera) and z, their depth along the viewing axis in metres (the depth buffer's quantity).
  std::vector<glm::dvec3> keypoints;
  // outputs: [tracks]: the instance's track points, (u, v, z) as keypoints above.
  std::vector<glm::dvec3> tracks;
};

struct Instance {
  std::uint32_t mesh_index = 0;
  glm::mat4 model{1.0f};  // object -> world
  glm::vec3 color{0.7f};  // linear RGB
  float roughness = 0.5f;  // 0 mirror-like .. 1 matte
  float metallic = 0.0f;   // 0 dielectric .. 1 metal (specular tinted by `color`, no diffuse)
  std::int32_t texture = -1;  // index into the uploaded textures, multiplying `color`; -1: none
  // true: an asset drawn with its own materials (each part's, Mesh::materials), `color`, `roughness`,
  // `metallic` and `texture` unused; false: one material, the fields above, for the whole mesh.
  bool asset_materials = false;
  // Value in the instance buffer; 0 = unlabeled. Things are numbered 1..n; surfaces of a stuff
  // category follow them (n+1, ...) and are never instances: the label writers map them to 0 in
  // every instance output and to their category in the semantic ones.
  std::uint32_t instance_id = 0;
  // With a sequence: the motion drawn for its clip (world axes; position and rotation are at t = 0
  // until apply_motion moves them to the frame's time).
  glm::dvec3 velocity{0.0};              // metres per second
  glm::dvec3 angular_velocity_deg{0.0};  // degrees per second about world x, y, z
  // Or a keyframed path (ObjectSpec::path as drawn for the clip): times, positions, rotations (when
  // `path_rotates`). apply_motion puts the instance where the path is at the frame's time.
  struct PathKey {
    double t = 0;
    glm::dvec3 position{0.0};
    glm::dquat rotation{1.0, 0.0, 0.0, 0.0};
  };
  std::vector<PathKey> path;
  bool path_rotates = false;
  bool physics_path = false;  // the path is a physics simulation's (physics_drop, motion: physics): not written out key by key
  std::uint32_t category_id = 0;  // 0 for unlabeled objects; a stuff category for stuff surfaces
  bool stuff = false;             // a surface of a stuff category (ObjectSpec unlabeled with a category)
  std::uint32_t object_index = 0;  // which ObjectSpec it came from
  std::int32_t pool_entry = -1;    // which entry of that object's pool, -1 without a pool
  // Sampled values, kept for the per-frame record.
  glm::vec3 position{0.0f};
  glm::vec3 scale{1.0f};
  glm::quat rotation{1.0f, 0.0f, 0.0f, 0.0f};  // (w, x, y, z), object -> world
  // Labeled instances of a shape with keypoints: them in mesh space (KeypointsSpec::mesh_points), and
  // the depth difference beyond which one counts as occluded.
  std::vector<glm::dvec3> keypoints;
  double keypoint_tolerance_m = 0.01;
  // outputs: [tracks] (with a sequence): surface points in mesh space, drawn once per clip.
  std::vector<glm::dvec3> track_points;
  InstanceGeometry geometry;  // labeled instances, filled by sample_frame
};

// The frame's environment map (scenes/Environment.h), when the config has one.
struct EnvironmentState {
  std::int32_t map = -1;  // index into the maps uploaded to the renderer; -1: none
  std::string name;       // the map's file name, for the record
  double rotation_deg = 0;  // about +Y
  double intensity = 1;     // scales its radiance
  bool background = false;  // seen where no surface is (else the background colour)
  bool lighting = false;    // lights the scene (diffuse irradiance and a rough specular term)
};

// The frame's sensor effects (exporters/SensorEffects.h), drawn per frame; neutral values do nothing.
struct SensorState {
  bool enabled = false;
  glm::dvec3 white_balance{1.0};  // per-channel gains, linear
  double brightness = 0.0;        // added, linear
  double contrast = 1.0;          // about mid-grey 0.18, linear
  double saturation = 1.0;        // 0 grey .. 1 unchanged .. >1 more saturated
  double vignetting = 0.0;        // 0 none .. 1: corners darkened to cos^4 of the field angle
  double defocus_px = 0.0;        // disk blur radius
  double motion_px = 0.0;         // motion blur length
  double motion_angle_deg = 0.0;  // its direction in the image, 0 = along +u, counter-clockwise
  double shot_photons = 0.0;      // Poisson shot noise: photons at full scale (0: none)
  double read_noise = 0.0;        // Gaussian noise stddev, in linear [0, 1] units
  double gamma = 1.0;             // applied to the encoded values: v^(1/gamma)
  double jpeg_quality = 0.0;      // 1..100: JPEG-style compression; 0: none
  double shutter_s = 0.0;         // with a sequence: exposure time, the RGB averaged over it (0: none)
  double rolling_shutter_s = 0.0; // with a sequence: readout time from the top row to the bottom (0: global)
  std::uint32_t shutter_samples = 0;  // sub-frame renders averaged
  std::uint64_t noise_key = 0;    // keyed per frame: the noise pattern
};

// A frame's place in its clip (SceneSpec::sequence): clip c holds frames c*length .. c*length+length-1.
struct ClipTime {
  std::uint64_t clip = 0;   // c; also the key of every draw of the frame
  std::uint64_t index = 0;  // k = frame - c * length
  double time_s = 0;        // k / fps
};

// Where everything is at another frame of the clip (the previous or the next), for the flow labels
// (outputs: flow): that frame's camera and, per instance of this frame (same order, same ids), its
// object -> world matrix there. Filled from that frame's own sample_frame, so the values are the very
// floats that frame renders with.
struct NeighbourPoses {
  std::uint64_t frame = 0;
  Camera camera;
  std::vector<glm::mat4> models;
  // Per instance, the sampled pose there (for the record).
  std::vector<glm::vec3> positions, scales;
  std::vector<glm::quat> rotations;
};

// A contact onset in a physics clip (physics_drop, motion: physics): two bodies that began to push on
// each other in one simulation step.
struct CollisionEvent {
  double time_s = 0;               // seconds into the clip (the end of the step)
  std::int64_t index_a = -1, index_b = -1;  // indices into Scene::instances
  double impulse = 0;              // N s, normal impulse summed over the step's contact points
  glm::dvec3 position{0.0};        // world, metres
  glm::dvec3 normal{0.0};          // world, unit, from b towards a
  glm::dvec2 image{0.0};           // the position projected into the frame (pixels; NaN behind the camera)
  double depth = 0;                // and its depth along the viewing axis
};

struct Scene {
  std::uint64_t frame = 0;
  std::optional<ClipTime> clip;  // with a sequence
  // With flow: the clip's previous and next frame (absent at the clip's first and last frame).
  std::optional<NeighbourPoses> previous, next;
  std::string split;  // its dataset split (SceneSpec::splits), "" without splits
  Camera camera;
  std::vector<Light> lights;
  float ambient = 0.15f;
  glm::vec3 background{0.6f, 0.7f, 0.8f};
  EnvironmentState environment;
  std::int32_t background_image = -1;  // texture layer stretched over the whole frame where no surface is; -1: none
  SensorState sensor;
  std::uint64_t depth_sensor_key = 0;  // outputs: [depth_sensor]: the key of its noise (exporters/DepthSensor.h)
  std::vector<Instance> instances;  // labeled instances have ids 1..N in this order
  // What each randomizer of the config drew beyond the fields above (attempts, dropped instances,
  // chosen modes), one object per randomizer in config order; written to the per-frame record.
  nlohmann::ordered_json randomizer_records = nlohmann::ordered_json::array();
  // With physics motion: the clip's collision events; sample_frame keeps those of this frame (in
  // (t - 1/fps, t]) and projects them. `collisions_recorded`: the record lists them (even none).
  std::vector<CollisionEvent> collisions;
  bool collisions_recorded = false;
  // With `lidar:`: the sensor's pose; with a sequence also the scene as drawn for the clip (before
  // the motion), so a sweep can place everything at each beam's own time (lidar/LidarTracer.h).
  LidarState lidar;
  std::shared_ptr<const Scene> clip_start;
};

}  // namespace synthlabel
