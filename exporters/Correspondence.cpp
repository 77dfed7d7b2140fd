#include "exporters/Correspondence.h"

#include <cmath>
#include <limits>
#include <optional>

#include "scenes/CameraModel.h"

namespace synthlabel {

Result<CorrespondencePlanes> compute_correspondence(const Scene& scene, const FrameBuffers& fb, bool object_coords, bool nocs,
                                                    bool world_position) {
  const std::size_t n = std::size_t{fb.width} * fb.height;
  if (fb.depth.size() != n || fb.instance_index.size() != n) {
    return make_error(ExitCode::internal, "correspondence outputs without the renderer's instance plane");
  }
  CorrespondencePlanes out;
  constexpr float k_nan = std::numeric_limits<float>::quiet_NaN();
  if (object_coords) out.object_coords.assign(3 * n, k_nan);
  if (nocs) out.nocs.assign(3 * n, k_nan);
  if (world_position) out.world_position.assign(3 * n, k_nan);
  const Camera& cam = scene.camera;
  const glm::dmat4 camera_to_world = glm::inverse(world_to_opencv(cam));
  // Per instance: world -> mesh, and the NOCS box (centre, 1 / diagonal) of labeled things.
  struct Frame {
    glm::dmat4 to_mesh{1.0};
    glm::dvec3 centre{0.0};
    double inv_diagonal = 0;  // 0: no NOCS
  };
  std::vector<Frame> frames(scene.instances.size());
  for (std::size_t k = 0; k < frames.size(); ++k) {
    const Instance& inst = scene.instances[k];
    frames[k].to_mesh = glm::inverse(glm::dmat4(inst.model));
    const InstanceGeometry& g = inst.geometry;
    const double diagonal = glm::length(g.bounds_max - g.bounds_min);
    if (inst.instance_id != 0 && !inst.stuff && g.valid && diagonal > 0) {
      frames[k].centre = 0.5 * (g.bounds_min + g.bounds_max);
      frames[k].inv_diagonal = 1.0 / diagonal;
    }
  }
  const bool lens = cam.lens.model != LensModel::pinhole;
  // With a lens, each pixel's ray is that of the source sample its labels (and its depth) come from
  // (label_rays), so the point is the very surface point that sample saw.
  const std::vector<glm::dvec3>* rays = lens ? &label_rays(cam) : nullptr;
  for (std::uint32_t y = 0; y < fb.height; ++y) {
    for (std::uint32_t x = 0; x < fb.width; ++x) {
      const std::size_t p = std::size_t{y} * fb.width + x;
      const std::uint32_t k = fb.instance_index[p];
      const double d = fb.depth[p];
      if (k >= frames.size() || !std::isfinite(d)) continue;
      // The OpenCV camera-frame direction of the pixel centre's ray, scaled to depth d along +Z.
      const glm::dvec3 ray = lens ? (*rays)[p] : glm::dvec3((x + 0.5 - cam.cx) / cam.fx, (y + 0.5 - cam.cy) / cam.fy, 1.0);
      if (ray.z == 0.0) continue;
      const glm::dvec4 world = camera_to_world * glm::dvec4(ray * d, 1.0);
      const auto put = [&](std::vector<float>& plane, const glm::dvec3& v) {
        plane[3 * p] = static_cast<float>(v.x), plane[3 * p + 1] = static_cast<float>(v.y), plane[3 * p + 2] = static_cast<float>(v.z);
      };
      if (world_position) put(out.world_position, glm::dvec3(world));
      if (object_coords || nocs) {
        const glm::dvec3 mesh(frames[k].to_mesh * world);
        if (object_coords) put(out.object_coords, mesh);
        if (nocs && frames[k].inv_diagonal > 0) put(out.nocs, (mesh - frames[k].centre) * frames[k].inv_diagonal + 0.5);
      }
    }
  }
  return out;
}

}  // namespace synthlabel
