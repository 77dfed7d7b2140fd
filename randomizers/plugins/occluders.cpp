// occluders: moves objects into the line of sight, between the camera and the point it looks at,
// so they hide part of the labeled objects behind them.
//
//   - type: occluders
//     objects: [slab]                  # required: which objects act as occluders (usually labeled: false)
//     between: {uniform: [0.3, 0.7]}   # where on the camera-to-target segment: 0 camera, 1 target
//     offset: {uniform: [0, 0.3]}      # metres off the line of sight, in a random direction across the view
//
// Runs on the camera drawn so far, so list it after keep_in_view if both are used. An occluder that
// is itself labeled keeps its labels: it is just an object in the way.
#include <cmath>

#include "randomizers/Randomizer.h"

namespace synthlabel {
namespace {

class Occluders final : public Randomizer {
 public:
  Occluders(const Properties& p, const SceneSpec& spec) {
    if (!p.has("objects")) p.fail("objects", "missing: name the objects that act as occluders");
    m_chosen = select_objects(p, spec, "objects", false);
    m_between = p.scalar("between", Uniform{0.3, 0.7}, 0.0, 1.0);
    m_offset = p.scalar("offset", Uniform{0.0, 0.3}, 0.0, 1e6);
  }

  void apply(Scene& scene, Rng& rng, const FrameContext& ctx, nlohmann::ordered_json& record) const override {
    const glm::dvec3 eye(scene.camera.position), target(scene.camera.target);
    // Camera right and up in world space: rows of the view matrix's rotation.
    const glm::dmat4 view(scene.camera.view);
    const glm::dvec3 right(view[0][0], view[1][0], view[2][0]), up(view[0][1], view[1][1], view[2][1]);
    nlohmann::ordered_json moved = nlohmann::ordered_json::array();
    for (std::size_t k = 0; k < scene.instances.size(); ++k) {
      Instance& inst = scene.instances[k];
      if (!m_chosen[inst.object_index]) continue;
      Rng r = rng.fork("instance[" + std::to_string(k) + "]");
      Rng r_t = r.fork("between"), r_o = r.fork("offset"), r_a = r.fork("direction");
      const double t = sample(m_between, r_t, ctx.at), off = sample(m_offset, r_o, ctx.at);
      const double a = r_a.uniform(0.0, 2.0 * glm::pi<double>());
      const glm::dvec3 p = eye + t * (target - eye) + off * (std::cos(a) * right + std::sin(a) * up);
      inst.position = glm::vec3(p);
      update_model(inst);
      moved.push_back({{"instance", k}, {"between", t}, {"offset", off}, {"direction_deg", glm::degrees(a)}});
    }
    record["instances"] = std::move(moved);
  }

 private:
  std::vector<bool> m_chosen;
  ScalarDist m_between, m_offset;
};

std::unique_ptr<Randomizer> make(const Properties& p, BuildContext& ctx) {
  const SceneSpec& spec = ctx.spec; return std::make_unique<Occluders>(p, spec); }

}  // namespace

void register_occluders(RandomizerRegistry& r) {
  r.add({"occluders", "move objects into the line of sight between camera and target", make});
}

}  // namespace synthlabel
