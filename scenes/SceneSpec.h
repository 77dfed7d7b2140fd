// SceneSpec: a validated config, the single input of the randomizers. Plain data, no YAML types.
// Conventions: world is right-handed, +Y up, metres; angles in the spec are degrees.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <glm/gtc/quaternion.hpp>
#include <glm/trigonometric.hpp>

#include "scenes/Distribution.h"
#include "scenes/Environment.h"
#include "scenes/Primitives.h"
#include "scenes/Properties.h"
#include "scenes/Scene.h"

namespace synthlabel {

struct CategorySpec {
  std::string name;
  std::string supercategory;
  // A "stuff" category (COCO panoptic's isthing 0): it labels the pixels of unlabeled surfaces
  // (ground, walls, sky) in the semantic, panoptic and Cityscapes outputs, never instances. Stuff
  // categories come after every thing category, so things keep ids 1..T (YOLO's classes).
  bool stuff = false;
  // COCO keypoints: the names every shape of this category declares (empty: none) and the skeleton,
  // pairs of 1-based indices into `keypoints` (COCO's convention). Filled from the shapes' keypoints.
  std::vector<std::string> keypoints;
  std::vector<std::array<std::uint32_t, 2>> skeleton;
};

// Named points on a shape (`keypoints:` of an object or pool entry), projected into every frame.
struct KeypointsSpec {
  std::vector<std::string> names;
  std::vector<glm::dvec3> points;       // as written: the model file's coordinates and units
  std::vector<std::array<std::uint32_t, 2>> skeleton;  // 1-based index pairs; empty: none declared
  double tolerance_m = 0.01;  // occluded when the depth buffer at its pixel is nearer by more than this
};

// Pinhole intrinsics in pixels (OpenCV convention, docs/conventions.md), each fixed or drawn.
struct IntrinsicsSpec {
  ScalarDist fx, fy, cx, cy;
};

// The lens coefficients' config keys in Lens::k's order (OpenCV's distCoeffs), and the fisheye's four
// (cv::fisheye's D, in Lens::k[0..3]).
inline constexpr std::array<const char*, 12> k_lens_coefficients = {"k1", "k2", "p1", "p2", "k3", "k4",
                                                                    "k5", "k6", "s1", "s2", "s3", "s4"};
inline constexpr std::array<const char*, 4> k_fisheye_coefficients = {"k1", "k2", "k3", "k4"};

// camera.lens (docs/camera.md): the model and its coefficients, each fixed or drawn (calibration
// uncertainty), or read from an OpenCV calibration file.
struct LensSpec {
  LensModel model = LensModel::brown_conrady;
  std::array<ScalarDist, 12> k{};  // OpenCV order (Lens::k); unset ones 0
  std::vector<std::pair<double, double>> table;  // radial_table: (theta radians, radius in focal lengths)
  double max_field_deg = 0;  // the image circle's full angle, 0: the model's own
  double oversample = 2.0;   // source samples per output pixel at the image centre
  std::string calibration;   // the file K and the coefficients came from, for the record
  std::uint32_t calibration_width = 0, calibration_height = 0;  // the image size it states, 0: none
  double calibration_k[4] = {0, 0, 0, 0};  // its fx, fy, cx, cy (synthlabel's pixels) at that size
};

// camera.pose: an explicit pose instead of the orbit: position, the point looked at and the up vector
// (drawn per frame), or a fixed world -> camera (OpenCV axes) matrix.
struct PoseSpec {
  Vec3Dist position = constant_vec3(0, 0, 5), look_at = constant_vec3(0, 0, 0), up = constant_vec3(0, 1, 0);
  std::optional<glm::dmat4> world_to_camera;  // OpenCV camera axes
};

// camera.poses: world -> camera (OpenCV axes) per entry of a file; frame f takes entry f mod n
// (`sequential`) or an entry drawn per frame (`random`).
struct PoseFileSpec {
  std::string file;  // as resolved, for messages and the record
  std::vector<glm::dmat4> world_to_camera;
  bool random = false;
};

// camera.rig / camera.stereo: several cameras with fixed poses relative to the drawn camera, all
// seeing the same instant. Dataset frame f is camera f mod n of instant f / n (every draw keyed by the
// instant). Camera 0 is the drawn camera when its pose is the identity.
struct RigCamera {
  std::string name;
  // Its pose in the rig frame (the drawn camera's OpenCV axes): position in metres, XYZ Euler degrees.
  glm::dvec3 position{0.0}, rotation_deg{0.0};
};

// XYZ Euler angles (radians) applied X first, then Y, then Z (extrinsic): R = Rz Ry Rx. The convention
// of objects[].rotation and camera.rig[].rotation_deg.
inline glm::dquat euler_xyz(const glm::dvec3& radians) {
  return glm::angleAxis(radians.z, glm::dvec3(0, 0, 1)) * glm::angleAxis(radians.y, glm::dvec3(0, 1, 0)) *
         glm::angleAxis(radians.x, glm::dvec3(1, 0, 0));
}

// A rig camera's pose as a matrix: camera -> rig.
inline glm::dmat4 camera_to_rig(const RigCamera& c) {
  glm::dmat4 m(glm::mat3_cast(euler_xyz(glm::radians(c.rotation_deg))));
  m[3] = glm::dvec4(c.position, 1.0);
  return m;
}
struct RigSpec {
  std::vector<RigCamera> cameras;
  double baseline_m = 0;  // camera.stereo: the right camera at +X baseline (a rectified pair); 0 for a rig
};

struct CameraSpec {
  ScalarDist fov_y_deg = 50.0;  // vertical field of view (square pixels, centred principal point)
  std::optional<IntrinsicsSpec> intrinsics;  // instead of fov_y_deg: full K
  double near_m = 0.05;
  double far_m = 100.0;
  Vec3Dist target = constant_vec3(0, 0, 0);  // point the camera looks at
  ScalarDist distance_m = 5.0;               // orbit radius around the target
  ScalarDist elevation_deg = 30.0;           // angle above the target's horizontal plane
  ScalarDist azimuth_deg = 0.0;              // around +Y; 0 puts the camera on +Z looking towards -Z
  ScalarDist roll_deg = 0.0;                 // about the viewing axis; positive turns the image content counter-clockwise
  ScalarDist exposure_ev = 0.0;              // exposure compensation in stops: radiance x 2^ev
  bool filmic = false;                       // tone map: false none (clip at 1), true ACES filmic
  ScalarDist orbit_rate_deg = 0.0;           // with a sequence: azimuth degrees per second, per clip
  // With a sequence, each drawn per clip: the orbit's elevation rate (degrees per second), the dolly
  // (metres per second added to the distance), the target's velocity (the camera pans and tilts to
  // follow it, metres per second), and hand-held shake: small smooth turns of the view about the
  // camera's axes (amplitude in degrees, base frequency in Hz; seeded per clip).
  ScalarDist elevation_rate_deg = 0.0, dolly_rate = 0.0;
  Vec3Dist target_velocity = constant_vec3(0, 0, 0);
  // Or a look-at path: keyframes {t, position} (drawn per clip) the target follows, linearly between
  // them and held outside; replaces `target` and `target_velocity`.
  struct TargetKey {
    double t = 0;
    Vec3Dist position = constant_vec3(0, 0, 0);
  };
  std::vector<TargetKey> target_path;
  ScalarDist shake_deg = 0.0, shake_hz = 1.5;
  std::optional<LensSpec> lens;
  std::optional<PoseSpec> pose;
  std::optional<PoseFileSpec> poses;
  std::optional<RigSpec> rig;
  // With a lens: the source view's size (CameraModel's source_size for the distributions' centres),
  // fixed for the run; filled when the spec is loaded.
  std::uint32_t source_width = 0, source_height = 0;
};

struct LightSpec {
  // Where the light comes from, as elevation/azimuth like the camera: for a directional light its
  // direction; for point and spot lights their position, `distance` from `target` that way (a spot
  // aims at `target`).
  LightType type = LightType::directional;
  Vec3Dist target = constant_vec3(0, 0, 0);
  ScalarDist distance_m = 5.0;
  ScalarDist cone_deg = 30.0;  // spot: half-angle of the lit cone
  ScalarDist softness = 0.2;   // spot: fraction of the cone over which light fades out
  ScalarDist elevation_deg = 60.0;
  ScalarDist azimuth_deg = 30.0;
  ScalarDist intensity = 1.0;
  Vec3Dist color = constant_vec3(1, 1, 1);  // linear RGB
  std::optional<ScalarDist> temperature_k;  // colour temperature (1000..40000 K), multiplies `color`
  bool shadows = true;  // directional and spot lights: cast shadows (shadow maps); point lights cannot
  // With a sequence, drawn per clip: degrees per second the light's azimuth and elevation turn (a sun
  // path; point and spot lights circle their target).
  ScalarDist azimuth_rate_deg = 0.0, elevation_rate_deg = 0.0;
};

struct RotationSpec {
  bool uniform_so3 = false;                 // true: uniformly random orientation
  Vec3Dist euler_deg = constant_vec3(0, 0, 0);  // else XYZ Euler angles applied X, then Y, then Z
};

// What a mesh is made of: a primitive, or an asset file with its import options.
struct ShapeSpec {
  std::string name;  // the primitive or the asset's file name
  std::optional<PrimitiveKind> primitive;
  std::filesystem::path asset;  // resolved (absolute or relative to the working directory)
  bool normalize = false;       // assets: centre and scale the mesh to fit the unit cube first
  double unit_scale = 1.0;      // assets: metres per file unit (applied before normalize)
  bool z_up = false;            // assets: the file is Z-up (turned to our +Y up)
  std::string where;            // "file:line:col: objects[i].asset" for asset error messages
  KeypointsSpec keypoints;      // empty names: none
};

// One shape an object can take, when the object draws its shape from a pool.
struct PoolEntry {
  ShapeSpec shape;
  std::uint32_t category_id = 0;  // 0 when the object is unlabeled
  double probability = 0.0;       // of being drawn for one instance (entries sum to 1)
  // The config's pool entry it came from (an asset glob or folder makes several of one); -1 when the
  // object's own asset was the glob or folder.
  std::int64_t source_entry = -1;
};

// A keyframe of an object's path (with a sequence): at time t (seconds into the clip) the object is at
// `position` and, when given, turned by `rotation_deg` (XYZ Euler, as objects[].rotation); each value
// drawn per clip.
struct PathKeySpec {
  double t = 0;
  Vec3Dist position = constant_vec3(0, 0, 0);
  std::optional<Vec3Dist> rotation_deg;
};

struct ObjectSpec {
  std::string name;  // for messages and records; defaults to the primitive or asset name
  ShapeSpec shape;
  bool labeled = true;          // false: rendered and occluding, but id 0 (background) in every label
  // 1-based index into SceneSpec::categories; 0 when unlabeled, or a stuff category for an unlabeled
  // object whose pixels that category labels (semantic, panoptic, Cityscapes).
  std::uint32_t category_id = 0;
  IntDist count = std::int64_t{1};
  Vec3Dist scale = constant_vec3(1, 1, 1);  // per axis; a scalar in YAML sets all three to one draw
  bool uniform_scale = true;                // scale.x drives all three axes
  Vec3Dist position = constant_vec3(0, 0, 0);
  RotationSpec rotation;
  std::optional<Vec3Dist> color;  // linear RGB in [0,1]; unset: the asset's own colour
  // Non-empty: each instance draws its shape and category from these instead (asset pools); `shape`
  // and `category_id` above are then unused.
  std::vector<PoolEntry> pool;
  // With a sequence: each instance's motion, drawn once per clip (docs/config.md, sequence).
  Vec3Dist velocity = constant_vec3(0, 0, 0);              // metres per second, world axes
  Vec3Dist angular_velocity_deg = constant_vec3(0, 0, 0);  // degrees per second about world x, y, z
  // With a sequence: a keyframed path instead of velocities (position interpolated linearly, rotation
  // by slerp, held before the first and after the last key).
  std::vector<PathKeySpec> path;
};

// Clips (`sequence: {length, fps}`): frame f is frame k = f % length of clip c = f / length; the
// scene is drawn once per clip (every draw keyed by c) and moves with time t = k / fps.
struct SequenceSpec {
  std::uint64_t length = 1;
  double fps = 30.0;
  std::uint32_t track_points = 16;  // outputs: [tracks]: surface points tracked per labeled instance
};

// HDR environment maps (scenes/Environment.h): one is drawn per frame; or the built-in analytic sky.
struct EnvironmentSpec {
  std::optional<SkyParams> sky;             // set instead of maps: the analytic sky (the default)
  std::vector<std::filesystem::path> maps;  // resolved paths
  std::vector<std::string> where;           // "file:line:col: environment.maps[i]", for asset errors
  std::vector<double> weights;              // relative; empty: equally likely
  ScalarDist rotation_deg = 0.0;            // about +Y
  ScalarDist intensity = 1.0;               // radiance scale
  bool background = true;                   // seen where no surface is (instead of `background`)
  bool lighting = true;                     // lights the scene
};

// `outputs: [...]`: COCO instances are always written; besides them, options of the dataset's own
// outputs, and label formats by name (plugins, exporters/LabelFormat.h: the names are checked when
// the formats are built, build_formats).
struct OutputsSpec {
  bool polygons = false;  // COCO segmentation as polygons instead of compressed RLE
  bool normals = false;   // surface normals per pixel (normals/STEM.exr)
  bool amodal = false;    // each labeled instance also rendered alone: amodal masks and visibility
  bool flow = false;      // optical flow to the clip's next and previous frame (flow/forward|backward/STEM.exr)
  bool scene_flow = false;  // with flow: the 3D displacement of each pixel's point (flow/scene_forward|scene_backward/STEM.exr)
  // Dense correspondence (exporters/Correspondence.h): each pixel's point in its mesh's own frame
  // (object_coords/STEM.exr), in the labeled instance's normalized object coordinate space
  // (nocs/STEM.exr), in the world (world_position/STEM.exr).
  bool object_coords = false, nocs = false, world_position = false;
  bool disparity = false;  // with camera.stereo: fx B / depth per pixel (disparity/STEM.exr)
  bool undistortion_map = false;  // with camera.lens: cv2.initUndistortRectifyMap's maps (undistortion/STEM.exr)
  bool uv = false, albedo = false;  // texture coordinates and base colour per pixel (uv/, albedo/STEM.exr)
  bool depth_sensor = false;  // a depth camera's measurement of the exact depth (depth_sensor/STEM.exr; DepthSensorSpec)
  std::vector<std::string> formats;       // label formats, as listed (each once)
  std::vector<std::string> format_where;  // "FILE:LINE:COL: outputs[i]" of each
  std::string where;                      // "FILE:LINE:COL" of the outputs: list ("" when absent)
  bool has(std::string_view format) const {
    for (const auto& f : formats) {
      if (f == format) return true;
    }
    return false;
  }
};

// The options in `outputs:` and their flags, in the order the resolved config lists them (after
// "coco", before the formats).
inline constexpr std::pair<const char*, bool OutputsSpec::*> k_output_options[] = {
    {"amodal", &OutputsSpec::amodal}, {"polygons", &OutputsSpec::polygons}, {"normals", &OutputsSpec::normals},
    {"flow", &OutputsSpec::flow}, {"scene_flow", &OutputsSpec::scene_flow}, {"object_coords", &OutputsSpec::object_coords},
    {"nocs", &OutputsSpec::nocs}, {"world_position", &OutputsSpec::world_position}, {"disparity", &OutputsSpec::disparity},
    {"undistortion_map", &OutputsSpec::undistortion_map}, {"depth_sensor", &OutputsSpec::depth_sensor},
    {"uv", &OutputsSpec::uv}, {"albedo", &OutputsSpec::albedo}};

// depth_sensor: (exporters/DepthSensor.h) how a structured-light / stereo depth camera measures the
// exact depth; defaults are Kinect v1's (Nguyen, Izadi, Lovell 2012 for the axial noise).
struct DepthSensorSpec {
  double sigma_a = 0.0012, sigma_b = 0.0019, sigma_c = 0.4;  // axial noise sigma(z) = a + b (z - c)^2, metres
  double min_m = 0.4, max_m = 8.0;                           // measured range; outside, no return
  double max_incidence_deg = 80.0;  // no return where the surface turns further than this from the ray
  double edge_jump_m = 0.05;        // a neighbour this much nearer or farther (or no surface) makes an edge
  double edge_dropout = 0.5;        // chance an edge pixel has no return
  double baseline_m = 0.075;        // disparity quantization: z = fx B / d, d in 1/subpixel pixel steps
  double subpixel = 8.0;            // 0: no quantization
};

// How frames are rasterized (fixed for a run; RendererOptions).
struct RenderSpec {
  std::uint32_t supersampling = 1;     // anti-aliasing of the RGB: 1 (off), 3 or 5 samples per pixel side
  std::uint32_t shadow_map_size = 1024;  // texels per side of each light's shadow map; 0 turns shadows off
};

// Sensor effects on the RGB only (exporters/SensorEffects.h); each value fixed or drawn per frame.
struct SensorSpec {
  Vec3Dist white_balance = constant_vec3(1, 1, 1);
  ScalarDist brightness = 0.0, contrast = 1.0, saturation = 1.0, vignetting = 0.0;
  ScalarDist defocus_px = 0.0, motion_px = 0.0, motion_angle_deg = 0.0;
  ScalarDist shot_photons = 0.0, read_noise = 0.0, gamma = 1.0, jpeg_quality = 0.0;
  // Motion blur from the real motion (with a sequence): seconds the shutter stays open, centred on the
  // frame's time (absent: none), and the sub-frame renders averaged over it.
  std::optional<ScalarDist> shutter_s;
  // A rolling shutter (with a sequence): seconds from the top row's exposure to the bottom row's,
  // centred on the frame's time (absent: a global shutter).
  std::optional<ScalarDist> rolling_shutter_s;
  std::uint32_t shutter_samples = 8;
};

struct SceneSpec {
  std::filesystem::path source;  // the config file
  std::uint64_t seed = 0;
  std::uint64_t frames = 1;
  // The frames a {sweep: [from, to]} spans: the config's own `frames` (not --frames), so frame i
  // depends only on (config, seed, i) whatever range a command renders. sweep_at: where the config's
  // first sweep is (FILE:LINE:COL: KEY), "" when it has none.
  std::uint64_t sweep_frames = 1;
  std::string sweep_at;
  std::uint32_t width = 640;
  std::uint32_t height = 480;
  std::vector<CategorySpec> categories;
  // A stuff category for the pixels no surface covers (sky, background); 0: none (they stay void).
  std::uint32_t background_category = 0;
  // Dataset splits (`splits: {train: 0.8, val: 0.2}`): names and shares (summing to 1), in config
  // order. Frame i's split is drawn from (seed, i) alone, so any range or shard agrees.
  std::vector<std::pair<std::string, double>> splits;
  CameraSpec camera;
  std::vector<LightSpec> lights;
  ScalarDist ambient = 0.15;
  Vec3Dist background = constant_vec3(0.6, 0.7, 0.8);  // linear RGB where no surface is
  std::optional<EnvironmentSpec> environment;
  std::optional<SensorSpec> sensor;
  DepthSensorSpec depth_sensor;  // used with outputs: [depth_sensor]
  RenderSpec render;
  OutputsSpec outputs;
  std::optional<SequenceSpec> sequence;
  std::optional<LidarSpec> lidar;  // `lidar:` (docs/lidar.md)
  std::vector<ObjectSpec> objects;
  // Applied in order to every frame after the objects, camera and lights above are drawn; each is
  // built by name from its entry (randomizers/Registry.h). Documented in docs/randomizers.md.
  std::vector<Properties> randomizers;
};

// Hard limits, checked by the config loader (documented in docs/config.md).
inline constexpr std::uint32_t k_max_image_side = 16384;
inline constexpr std::uint64_t k_max_pixels = 8192ull * 8192ull;  // per frame (readback alone is 12 bytes/pixel, 20 with normals)
inline constexpr std::uint64_t k_max_config_bytes = 4u << 20;
// A config and its includes: files read in all (each include of a file counts, so fan-out is bounded,
// not only depth), and values once YAML aliases are expanded (an alias bomb stops here).
inline constexpr std::size_t k_max_config_documents = 64;
inline constexpr std::uint64_t k_max_config_values = 250'000;
// Every number in a config (and every value drawn from it) lies within +-this, unless its key
// allows less: metres, degrees and the rest stay finite as float32.
inline constexpr double k_max_config_magnitude = 1e9;
inline constexpr std::uint64_t k_max_frames = 100'000'000;
inline constexpr std::int64_t k_max_count_per_object = 10'000;
inline constexpr std::size_t k_max_instances_per_frame = 65'535;  // instance PNG is 16-bit
inline constexpr std::size_t k_max_categories = 255;              // semantic PNG is 8-bit
inline constexpr std::size_t k_max_lights = 4;
inline constexpr std::size_t k_max_randomizers = 64;
inline constexpr std::size_t k_max_environment_maps = 64;
inline constexpr std::size_t k_max_keypoints = 256;  // per shape
inline constexpr std::size_t k_max_asset_set = 1000;  // files one asset glob or folder may bring

// The most labeled instances a frame of `spec` can hold (every object's largest count).
std::size_t max_labeled_instances(const SceneSpec& spec);

}  // namespace synthlabel
