// keep_in_view: draws the camera again (from the config's camera distributions) until the chosen
// objects are inside the image, so no frame is wasted on a view that misses them.
//
//   - type: keep_in_view
//     objects: [part]        # default: every labeled object
//     require: box           # box: every corner of each object's oriented bounding box in view;
//                            # centre: each object's origin in view
//     margin_px: 10          # that far inside the image border
//     max_attempts: 50       # camera draws; when none succeeds the first camera is kept
//
// Attempt 0 is the camera already drawn, so a config whose views always succeed renders exactly as
// without this randomizer. The record says which attempt was kept and whether it succeeded. Points
// project with the pinhole model of docs/conventions.md: u = cx + fx X/Z, v = cy + fy Y/Z in the
// OpenCV camera frame.
#include <cmath>

#include <glm/mat4x4.hpp>

#include "randomizers/FrameSampler.h"
#include "randomizers/Geometry.h"
#include "randomizers/Randomizer.h"
#include "scenes/CameraModel.h"

namespace synthlabel {
namespace {

class KeepInView final : public Randomizer {
 public:
  KeepInView(const Properties& p, const SceneSpec& spec) {
    m_chosen = select_objects(p, spec, "objects", false);
    if (!p.has("objects")) {
      for (std::size_t i = 0; i < spec.objects.size(); ++i) m_chosen[i] = spec.objects[i].labeled;
    }
    m_box = p.choice("require", "box", {"box", "centre"}) == "box";
    m_margin = p.number("margin_px", 0.0, 0.0, 1e6);
    m_attempts = p.integer("max_attempts", 50, 1, 10000);
  }

  void apply(Scene& scene, Rng& rng, const FrameContext& ctx, nlohmann::ordered_json& record) const override {
    std::int64_t attempt = 0;
    bool ok = in_view(scene, scene.camera, ctx);
    const Camera first = scene.camera;
    while (!ok && attempt + 1 < m_attempts) {
      ++attempt;
      scene.camera = sample_camera(ctx.spec, rng.fork("attempt[" + std::to_string(attempt) + "]"), ctx.at);
      ok = in_view(scene, scene.camera, ctx);
    }
    if (!ok) scene.camera = first;
    record["attempt"] = ok ? attempt : 0;
    record["in_view"] = ok;
  }

 private:
  bool visible(const Camera& cam, const glm::dvec3& world) const {
    const glm::dvec3 c = to_opencv(cam, world);
    if (!(c.z > static_cast<double>(cam.near_m))) return false;
    const glm::dvec2 uv = project(cam, c);
    return uv.x >= m_margin && uv.y >= m_margin && uv.x <= static_cast<double>(cam.width) - m_margin &&
           uv.y <= static_cast<double>(cam.height) - m_margin;
  }

  bool in_view(const Scene& scene, const Camera& cam, const FrameContext& ctx) const {
    for (const auto& inst : scene.instances) {
      if (!m_chosen[inst.object_index]) continue;
      if (!m_box) {
        if (!visible(cam, glm::dvec3(inst.position))) return false;
        continue;
      }
      for (const auto& corner : obb_corners(instance_obb(inst, ctx.meshes[inst.mesh_index]))) {
        if (!visible(cam, corner)) return false;
      }
    }
    return true;
  }

  std::vector<bool> m_chosen;
  bool m_box = true;
  double m_margin = 0.0;
  std::int64_t m_attempts = 50;
};

std::unique_ptr<Randomizer> make(const Properties& p, BuildContext& ctx) {
  const SceneSpec& spec = ctx.spec; return std::make_unique<KeepInView>(p, spec); }

}  // namespace

void register_keep_in_view(RandomizerRegistry& r) {
  r.add({"keep_in_view", "draw the camera again until the chosen objects are inside the image", make});
}

}  // namespace synthlabel
