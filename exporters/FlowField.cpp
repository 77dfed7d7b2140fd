#include "exporters/FlowField.h"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <glm/mat4x4.hpp>

#include "scenes/CameraModel.h"

namespace synthlabel {
namespace {

// One instance's motion to the other frame's image: a point (x, y, 1) d of this camera (the ray
// through pixel centre (x, y) in normalised coordinates, at depth d; OpenCV camera frame) lands at
// q = d (x a + y b + c) + t in the other camera's frame premultiplied by its K: at pixel
// (q.x / q.z, q.y / q.z), depth q.z there (K's last row is (0, 0, 1)).
struct Motion {
  glm::dvec3 a, b, c, t;
};

// One direction: the motion of every instance to that frame, that frame's camera and buffers.
struct Side {
  const NeighbourPoses* other = nullptr;  // null: no such frame (no flow anywhere)
  const LabelPlanes* planes = nullptr;
  std::vector<Motion> motion;
  float* out = nullptr;
};

void prepare(const Scene& scene, Side& side) {
  if (side.other == nullptr) return;
  // Relative transforms in double from the matrices each frame rendered with: this camera -> world ->
  // object (this frame) -> world (that frame) -> that camera.
  const glm::dmat4 from_here = glm::inverse(world_to_opencv(scene.camera)), there = world_to_opencv(side.other->camera);
  const Camera& c = side.other->camera;
  glm::dmat4 K(1.0);  // column-major: K[column][row]
  K[0][0] = c.fx, K[1][1] = c.fy, K[2][0] = c.cx, K[2][1] = c.cy;
  side.motion.resize(scene.instances.size());
  for (std::size_t k = 0; k < side.motion.size(); ++k) {
    const glm::dmat4 m =
        K * there * glm::dmat4(side.other->models[k]) * glm::inverse(glm::dmat4(scene.instances[k].model)) * from_here;
    side.motion[k] = {glm::dvec3(m[0]), glm::dvec3(m[1]), glm::dvec3(m[2]), glm::dvec3(m[3])};
  }
}

// Both directions in one sweep over the frame's planes (each pixel's depth, instance and id read once).
void flow_both(const Scene& scene, const FrameBuffers& fb, Side (&sides)[2]) {
  const std::uint32_t w = fb.width, h = fb.height;
  const Camera& here = scene.camera;
  std::vector<double> column(w);  // the pixel centres' normalised x
  for (std::uint32_t x = 0; x < w; ++x) column[x] = (x + 0.5 - here.cx) / here.fx;
  const double tolerance_m = k_flow_tolerance_m, tolerance_rel = k_flow_tolerance_rel;
  // Plain pointers: the stores to the flow cannot alias them, so nothing is reloaded per pixel.
  const float* const depth = fb.depth.data();
  const std::uint32_t* const index = fb.instance_index.data();
  const std::uint32_t* const ids = fb.instance_id.data();
  const std::size_t instances = scene.instances.size();
  const double wd = w, hd = h;
  std::vector<glm::dvec3> row_terms[2];  // per side and instance: y b + c for this row
  for (int i = 0; i < 2; ++i) row_terms[i].resize(instances);
  for (std::uint32_t y = 0; y < h; ++y) {
    const double ny = (y + 0.5 - here.cy) / here.fy;
    for (int i = 0; i < 2; ++i) {
      for (std::size_t k = 0; k < sides[i].motion.size(); ++k) row_terms[i][k] = ny * sides[i].motion[k].b + sides[i].motion[k].c;
    }
    const std::size_t row = std::size_t{y} * w;
    for (std::uint32_t x = 0; x < w; ++x) {
      const std::size_t p = row + x;
      const std::uint32_t k = index[p];
      const double d = depth[p];
      const std::uint32_t id = ids[p];
      for (int i = 0; i < 2; ++i) {
        const Side& side = sides[i];
        float* o = side.out + 4 * p;
        // No flow (no such frame, no surface here, or the point behind that camera): (0, 0, -1, 0).
        float du = 0.0f, dv = 0.0f, status = -1.0f, z = 0.0f;
        if (side.other != nullptr && k < instances) {
          const Motion& m = side.motion[k];
          const glm::dvec3 q = d * (column[x] * m.a + row_terms[i][k]) + m.t;
          if (q.z > 0.0) {
            const double inv = 1.0 / q.z;
            const double u = q.x * inv, v = q.y * inv;
            // Without branches (edges make them unpredictable): outside the frame reads pixel 0, counts 0.
            const bool inside = (u >= 0.0) & (v >= 0.0) & (u < wd) & (v < hd);
            const std::size_t at = inside ? static_cast<std::size_t>(v) * w + static_cast<std::size_t>(u) : 0;
            const bool seen = inside & (side.planes->ids[at] == id) &
                              (std::abs(double(side.planes->depth[at]) - q.z) <= tolerance_m + tolerance_rel * q.z);
            du = static_cast<float>(u - (x + 0.5));
            dv = static_cast<float>(v - (y + 0.5));
            status = seen ? 1.0f : 0.0f;
            z = static_cast<float>(q.z);
          }
        }
        o[0] = du;
        o[1] = dv;
        o[2] = status;
        o[3] = z;
      }
    }
  }
}

// Through a lens: the same flow, per pixel without the pinhole's folding of K into the motion. The
// point is the label sample's ray (label_ray) at the pixel's depth; the instance's rigid motion
// (this camera -> world -> object -> world there -> that camera) moves it; that camera's lens projects
// it (NaN where the lens does not image it: status 0, outside the frame).
void flow_lens(const Scene& scene, const FrameBuffers& fb, Side (&sides)[2]) {
  const std::uint32_t w = fb.width, h = fb.height;
  const Camera& here = scene.camera;
  const std::vector<glm::dvec3>& rays = label_rays(here);
  const glm::dmat4 from_here = glm::inverse(world_to_opencv(here));
  for (Side& side : sides) {
    if (side.other == nullptr) {
      for (std::size_t p = 0; p < std::size_t{w} * h; ++p) side.out[4 * p] = side.out[4 * p + 1] = side.out[4 * p + 3] = 0.0f, side.out[4 * p + 2] = -1.0f;
      continue;
    }
    const Camera& there_cam = side.other->camera;
    const glm::dmat4 there = world_to_opencv(there_cam);
    std::vector<glm::dmat4> moves(scene.instances.size());
    for (std::size_t k = 0; k < moves.size(); ++k) {
      moves[k] = there * glm::dmat4(side.other->models[k]) * glm::inverse(glm::dmat4(scene.instances[k].model)) * from_here;
    }
    for (std::uint32_t y = 0; y < h; ++y) {
      for (std::uint32_t x = 0; x < w; ++x) {
        const std::size_t p = std::size_t{y} * w + x;
        float* o = side.out + 4 * p;
        o[0] = o[1] = o[3] = 0.0f, o[2] = -1.0f;
        const std::uint32_t k = fb.instance_index[p];
        const double d = fb.depth[p];
        if (k >= moves.size() || !std::isfinite(d) || rays[p].z == 0.0) continue;
        const glm::dvec3 q(moves[k] * glm::dvec4(rays[p] * d, 1.0));
        if (!(q.z > 0.0)) continue;
        const glm::dvec2 uv = project(there_cam, q);
        o[3] = static_cast<float>(q.z);
        o[2] = 0.0f;
        if (!std::isfinite(uv.x) || !std::isfinite(uv.y)) continue;  // beyond that lens's field: not seen
        o[0] = static_cast<float>(uv.x - (x + 0.5));
        o[1] = static_cast<float>(uv.y - (y + 0.5));
        const bool inside = uv.x >= 0.0 && uv.y >= 0.0 && uv.x < double(w) && uv.y < double(h);
        if (!inside) continue;
        const std::size_t at = static_cast<std::size_t>(uv.y) * w + static_cast<std::size_t>(uv.x);
        const bool seen = side.planes->ids[at] == fb.instance_id[p] &&
                          std::abs(double(side.planes->depth[at]) - q.z) <= k_flow_tolerance_m + k_flow_tolerance_rel * q.z;
        o[2] = seen ? 1.0f : 0.0f;
      }
    }
  }
}

}  // namespace

Status compute_flow(const Scene& scene, FrameBuffers& fb, const LabelPlanes* previous, const LabelPlanes* next) {
  const std::size_t pixels = std::size_t{fb.width} * fb.height;
  const std::string frame = "frame " + std::to_string(scene.frame);
  if (fb.depth.size() != pixels || fb.instance_id.size() != pixels || fb.instance_index.size() != pixels) {
    return make_error(ExitCode::internal, frame + ": flow needs the depth, id and instance-index planes");
  }
  const std::pair<const std::optional<NeighbourPoses>*, const LabelPlanes*> sides[2] = {{&scene.next, next},
                                                                                        {&scene.previous, previous}};
  for (const auto& [poses, planes] : sides) {
    if (!*poses) continue;
    if (planes == nullptr || planes->frame != (*poses)->frame || planes->width != fb.width || planes->height != fb.height ||
        planes->depth.size() != pixels || planes->ids.size() != pixels) {
      return make_error(ExitCode::internal, frame + ": flow without frame " + std::to_string((*poses)->frame) + "'s buffers");
    }
    if ((*poses)->models.size() != scene.instances.size()) {
      return make_error(ExitCode::internal, frame + ": the poses of frame " + std::to_string((*poses)->frame) +
                                                " do not match its instances");
    }
  }
  fb.flow_forward.resize(pixels * 4);
  fb.flow_backward.resize(pixels * 4);
  Side both[2];
  both[0] = {scene.next ? &*scene.next : nullptr, next, {}, fb.flow_forward.data()};
  both[1] = {scene.previous ? &*scene.previous : nullptr, previous, {}, fb.flow_backward.data()};
  if (scene.camera.lens.model != LensModel::pinhole) {
    flow_lens(scene, fb, both);
    return ok_status();
  }
  for (Side& side : both) prepare(scene, side);
  flow_both(scene, fb, both);
  return ok_status();
}

}  // namespace synthlabel
