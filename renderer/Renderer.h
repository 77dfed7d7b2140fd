// The renderer interface: render(Scene) -> FrameBuffers. One backend today (renderer/vulkan/); this
// header carries no Vulkan types so scenes, exporters and the CLI never see them.
//
// FrameBuffers are written by ONE rasterization pass, one sample per pixel at the pixel centre:
// - rgba:        RGBA8, sRGB-encoded colour, row-major, top row first (alpha is always 255).
// - depth:       float32 metres along the camera's viewing axis (camera-space -z), NOT the distance to
//                the camera centre; +infinity where no surface covers the pixel centre.
// - instance_id: uint32, the Instance::instance_id of the surface at the pixel centre; 0 where no
//                labeled surface is (background, or an object with labeled: false). Surfaces of a
//                stuff category carry ids above every thing's (scenes/Scene.h); label writers map
//                them to 0 in instance outputs.
// - normals:     (with RendererOptions::normals) the surface's unit normal in the OpenCV camera frame.
// So: instance_id != 0 implies depth is finite; depth == +inf implies instance_id == 0. Pixels of
// unlabeled surfaces (e.g. the ground) have finite depth and id 0.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/Error.h"
#include "scenes/CameraModel.h"
#include "scenes/Environment.h"
#include "scenes/Mesh.h"
#include "scenes/SceneAssets.h"
#include "scenes/SceneSpec.h"
#include "scenes/Texture.h"
#include "scenes/Scene.h"

namespace synthlabel {

namespace vk {
class DeviceOpening;  // renderer/vulkan/Bootstrap.h
}

struct FrameBuffers {
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> rgba;
  std::vector<float> depth;
  std::vector<std::uint32_t> instance_id;
  // With RendererOptions::normals: per pixel x, y, z of the unit surface normal at the pixel centre
  // (the shading normal: interpolated vertex normal, normal map applied, turned towards the camera)
  // in the OpenCV camera frame (+X right, +Y down, +Z forward); (0, 0, 0) where no surface. Stored
  // as half floats on the device. Else empty.
  std::vector<float> normals;
  // With RendererOptions::flow: per pixel the index in Scene::instances of the instance whose surface
  // is at the pixel centre (labeled or not: the ground, distractors), 0xffffffff where no surface.
  // Else empty.
  std::vector<std::uint32_t> instance_index;
  // With RendererOptions::surface: per pixel the surface's texture coordinates (u, v; NaN where no
  // surface) and albedo (the base colour before lighting: material colour x vertex colour x base-colour
  // texture, linear RGB, stored as half floats; 0 where no surface), from the same sample as the labels.
  std::vector<float> uv, albedo;
  // Not the renderer's: filled from the planes above and the clip neighbours' depth and ids by
  // compute_flow (exporters/FlowField.h), 4 floats a pixel (du, dv, status, depth there) of the flow
  // to the clip's next frame (forward) and previous frame (backward).
  std::vector<float> flow_forward, flow_backward;
};

struct DeviceInfo {
  std::uint32_t index = 0;  // position in the Vulkan enumeration, usable with --device
  std::string name;
  std::string type;  // "discrete", "integrated", "virtual", "cpu", "other"
  std::string api_version;  // Vulkan version the device supports, e.g. "1.3.230"
};

struct RendererOptions {
  std::uint32_t width = 640, height = 480;
  std::uint32_t frames_in_flight = 3;  // ring of frame slots (at least 1)
  std::string device;     // "" = automatic (discrete GPU, else any GPU, else CPU/lavapipe); else name substring or index
  bool validate = false;  // Khronos validation layer on; any message it reports becomes an error
  // Anti-aliasing of the RGB by supersampling: 1 (off), 3 or 5 samples per pixel side. The frame is
  // rasterized at supersampling x the size; a pixel's colour is the mean of its s x s samples (linear
  // light), its depth and id are those of the middle sample, whose centre is the pixel's centre
  // (docs/conventions.md).
  std::uint32_t supersampling = 1;
  // Side of each shadow map in texels (directional and spot lights with Light::shadows); 0: no shadows.
  std::uint32_t shadow_map_size = 1024;
  // The main pass draws instances front to back (FrameSetup.h's order_front_to_back): hidden surfaces
  // are mostly not shaded. Only exact depth ties can fall otherwise than in config order (the one
  // drawn first keeps the pixel); false draws in config order (tests compare the two).
  bool front_to_back = true;
  // The main pass skips the faces of closed meshes turned away from the camera (scenes/MeshClosure.h)
  // where the mesh lies wholly beyond the near plane: a facing one is nearer at every pixel, or on the
  // outline ties with it, same instance. false draws every face (tests compare the two).
  bool cull_hidden_faces = true;
  // Where the device has VK_EXT_extended_dynamic_state, one mesh pipeline for every facing, the
  // culling set per draw; false (or a device without it): a pipeline per facing (tests compare the two).
  bool dynamic_cull = true;
  // Read the normals back into FrameBuffers::normals (they are rasterized either way).
  bool normals = false;
  // Rasterize and read back the instance-index plane (FrameBuffers::instance_index), which the flow
  // is computed from.
  bool flow = false;
  // Rasterize and read back uv and albedo (FrameBuffers::uv, ::albedo); needs normals and flow on too.
  bool surface = false;
  // Test hook: the (N+1)-th submit fails as a lost device would (VK_ERROR_DEVICE_LOST), through the
  // same error path. The CLI sets it from SYNTHLABEL_FAULT_DEVICE_LOST_AFTER.
  std::optional<std::uint64_t> fault_device_lost_after;
  // Scenes carry a lens (camera.lens): width x height is the source view's size; the renderer draws
  // each scene's source view and returns the planes remapped to the camera's size (LensRemap.h).
  bool lens = false;
  // A device already being opened (open_device_async): the renderer takes it over when `device`,
  // `validate` and `dynamic_cull` are the ones it was opened with, and only the first renderer does;
  // otherwise it opens its own.
  std::shared_ptr<vk::DeviceOpening> opening;
};

// Cumulative seconds the calling thread spent in the renderer (for the bench).
struct RenderTimings {
  double submit = 0;  // recording command buffers and queueing them
  double wait = 0;    // waiting in collect() for the device to finish a frame
  double copy = 0;    // copying the read-back buffers into FrameBuffers
  double remap = 0;   // with a lens: remapping the source view to the output (renderer/LensRemap.h)
};

class Renderer {
 public:
  virtual ~Renderer() = default;
  Renderer() = default;
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  // Uploads the mesh library once; Instance::mesh_index refers into it.
  virtual Status upload_meshes(std::span<const Mesh> meshes) = 0;
  // Uploads the environment maps once (all k_environment_width x _height); Scene::environment.map
  // refers into them. Without any, a scene must not use one.
  virtual Status upload_environments(std::span<const EnvironmentMap> maps) = 0;
  // Uploads the textures once (all k_texture_side square); Instance::texture refers into them.
  virtual Status upload_textures(std::span<const Texture> textures) = 0;
  // Everything a run draws from, once, in the order the backend needs: meshes, environment maps,
  // textures (scenes/SceneAssets.h).
  Status upload(const SceneAssets& assets) {
    SL_TRY_STATUS(upload_meshes(assets.meshes));
    SL_TRY_STATUS(upload_environments(assets.environments));
    return upload_textures(assets.textures);
  }
  // Frames in flight: submit(slot, scene) records and queues a frame and returns at once;
  // collect(slot, out) waits for it and copies its buffers into `out` (resized as needed: reuse it).
  // Each slot in [0, slots()) holds one frame between submit and collect; submitting to a slot that
  // was not collected is an error.
  virtual std::uint32_t slots() const = 0;
  virtual Status submit(std::uint32_t slot, const Scene& scene) = 0;
  virtual Status collect(std::uint32_t slot, FrameBuffers& out) = 0;

  // For each of `indices` (into scene.instances), the instance-id buffer of `scene` with only that
  // instance in it (no other object, no light): its unoccluded (amodal) mask, rasterized exactly as
  // in the full frame, so its visible pixels there are a subset. `ids` receives one width x height
  // plane per index, in order, and `boxes` for each the pixels that hold its mask: the instance
  // covers no pixel outside its box, and the plane's values outside it are unspecified (read them
  // as 0). Batched into few submissions; waits for the result; any slot may be in flight meanwhile.
  virtual Status render_alone(const Scene& scene, std::span<const std::size_t> indices, std::vector<std::uint32_t>& ids,
                              std::vector<PixelBox>& boxes) = 0;

  // The colour plane alone of `scene` (RGBA8 sRGB, as FrameBuffers::rgba), rendered exactly as a
  // frame: motion blur's sub-frames. Waits for the result; any slot may be in flight meanwhile.
  virtual Status render_color(const Scene& scene, std::vector<std::uint8_t>& rgba) = 0;

  // One frame, start to finish (slot 0).
  Status render(const Scene& scene, FrameBuffers& out) {
    SL_TRY_STATUS(submit(0, scene));
    return collect(0, out);
  }
  virtual const DeviceInfo& device() const = 0;
  virtual RenderTimings timings() const = 0;
};

// The options a spec asks for: frame size, supersampling, shadow-map size, normals read back. (Device,
// validation and frames in flight are the caller's.)
RendererOptions renderer_options_for(const SceneSpec& spec);

Result<std::unique_ptr<Renderer>> create_renderer(const RendererOptions& options);
// Starts opening the Vulkan device a renderer with these `device` and `validate` settings would open
// (instance, drivers, device), on a thread of its own, for RendererOptions::opening: the drivers load
// while the caller reads its config and assets. Errors wait for the renderer that takes it.
// `limit_drivers`: on a machine without a GPU, load lavapipe's driver alone (vk::load_only_lavapipe_
// without_gpu: it sets an environment variable, so only where no other thread may read the
// environment, as in the command line; the Python module does not).
std::shared_ptr<vk::DeviceOpening> open_device_async(const std::string& device, bool validate, bool limit_drivers);
Result<std::vector<DeviceInfo>> list_devices();

// Whether --device PREFERENCE names `d`: digits are its index, anything else a case-insensitive
// substring of its name. (--device and --devices choose by this one rule.)
bool device_matches(const DeviceInfo& d, std::string_view preference);
// "0: NAME, 1: NAME", for messages naming what is available.
std::string device_listing(std::span<const DeviceInfo> devices);

}  // namespace synthlabel
