// sample_frame: the randomizers' one entry point. A pure function of (spec, meshes, frame index):
// no global RNG, no clock. Stream names used (see Rng.h): "camera/...", "lights[i]/...",
// "ambient", "background", "objects[i]/count", "objects[i]/instance[j]/{position,rotation,scale,color}",
// and "randomizers/TYPE#K" for the K-th randomizer of a type (so adding a randomizer of another type
// leaves every other draw unchanged).
//
// Camera: orbits `target` at `distance`; elevation is the angle above the horizontal plane through the
// target, azimuth turns about +Y, 0 degrees putting the camera on the +Z side. Labeled instances get
// instance ids 1..N in config order (object by object, instance by instance); unlabeled ones get 0.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include <glm/vec3.hpp>

#include "core/Error.h"
#include "randomizers/Registry.h"
#include "randomizers/Rng.h"
#include "randomizers/Sample.h"
#include "scenes/Mesh.h"
#include "scenes/SceneAssets.h"
#include "scenes/Scene.h"
#include "scenes/SceneSpec.h"

namespace synthlabel {

// Fills every labeled instance's InstanceGeometry (pose, 3D box, projected corners, amodal box,
// truncation) from its mesh and the scene's camera (scenes/CameraModel.h). sample_frame calls it last.
void compute_geometry(Scene& scene, std::span<const Mesh> meshes);

// Frame `frame`: the base draw (camera, lights, objects from the spec, each shape's mesh from
// `meshes`), then `randomizers` in order, then (with a sequence) apply_motion at the frame's time,
// then compute_geometry. With a sequence every draw is keyed by the frame's clip. `time_offset_s`
// (with a sequence): the motion applied at the frame's time plus this (motion blur's sub-frames); the
// scene's ClipTime stays the frame's.
Scene sample_frame(const SceneSpec& spec, const MeshLibrary& meshes, const RandomizerPipeline& randomizers,
                   std::uint64_t frame, double time_offset_s = 0.0);

// `n` points drawn uniformly on `mesh`'s surface (by area), in mesh space.
std::vector<glm::dvec3> sample_surface_points(const Mesh& mesh, std::uint32_t n, Rng& rng);

// Frame `other`'s poses, as a neighbour of a frame of the same clip (Scene::previous, ::next).
NeighbourPoses neighbour_poses(const Scene& other);

// Whether frame `frame` has a previous and a next frame in its clip (with a sequence; not at the
// clip's ends: frame f's neighbours depend only on f, never on how many frames the run has).
struct ClipNeighbours {
  bool previous = false, next = false;
};
ClipNeighbours clip_neighbours(const SceneSpec& spec, std::uint64_t frame);

// The clip's previous and next frame of `scene` (clip_neighbours), sampled by `sample` (which
// must return sample_frame's scene for a frame: callers may cache). Fails when a neighbour's
// instances are not the scene's (ids and order).
Status add_neighbours(Scene& scene, const SceneSpec& spec, const std::function<const Scene&(std::uint64_t)>& sample);

// The camera drawn from spec.camera with `rng` (the base draw uses Rng(seed, frame, "camera");
// keep_in_view draws again from its own streams): its pose (orbit, camera.pose, or entry `frame` mod n
// of camera.poses; `frame` defaults to at.frame), K, and lens with its source view fitted.
Camera sample_camera(const SceneSpec& spec, const Rng& rng, const FrameIndex& at, std::optional<std::uint64_t> frame = std::nullopt);

// An explicit pose: world -> camera in OpenCV axes, then `roll` degrees about the viewing axis.
void set_pose(Camera& cam, const glm::dmat4& world_to_camera_cv, double roll);

// The look-at target at time t on a keyframed path ((t, position) keys, increasing t): linear between
// the keys around t, held before the first and after the last.
glm::dvec3 target_on_path(const std::vector<std::pair<double, glm::dvec3>>& keys, double t);

// Places `cam` on its orbit: `dist` from `target` at elevation `el` and azimuth `az` (degrees),
// looking at the target, rolled by `roll` degrees; records the orbit in the camera.
void set_orbit(Camera& cam, const glm::dvec3& target, double dist, double el, double az, double roll);

// A sequence's motion at time `t` (seconds into the clip): the camera turned by its orbit rate, each
// instance moved by its velocity and turned by its angular velocity (about world axes through its
// origin). t = 0 leaves the scene as drawn. Applied after the randomizers, which act once per clip.
void apply_motion(Scene& scene, double t);

// One instance's part of apply_motion: its pose at time t (path, or velocity and angular velocity).
void move_instance(Instance& inst, double t);
// Whether move_instance moves it at all: a path, a velocity or an angular velocity.
bool has_motion(const Instance& inst);

// Linear-RGB colour of a blackbody at `kelvin` (clamped to 1000..40000), largest channel 1.
glm::dvec3 kelvin_to_linear_rgb(double kelvin);

}  // namespace synthlabel
