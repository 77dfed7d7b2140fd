// rotate: turns objects about their own centre, after whatever set their rotation before.
//
//   - type: rotate
//     objects: [mug]                 # default: every object
//     axis: [0, 1, 0]                # turn about this axis (world frame; `frame: local` for the object's)
//     angle_deg: {uniform: [0, 360]} # by this angle (degrees; right-hand rule about `axis`)
//     jitter_deg: {uniform: [0, 5]}  # and/or a small turn by this angle about a uniformly random axis
//     frame: world                   # world | local
//
// With `axis` and `jitter_deg` both given, the axis turn comes first. The sampled angles go to the
// record; the resulting rotation is in each instance's rotation_wxyz.
#include <cmath>

#include <glm/gtc/quaternion.hpp>

#include "randomizers/Randomizer.h"

namespace synthlabel {
namespace {

class Rotate final : public Randomizer {
 public:
  Rotate(const Properties& p, const SceneSpec& spec) {
    m_chosen = select_objects(p, spec, "objects", true);
    m_has_axis = p.has("axis");
    m_axis = p.vec3("axis", constant_vec3(0, 1, 0), -1e6, 1e6);
    m_angle = p.scalar("angle_deg", Uniform{0.0, 360.0}, -1e6, 1e6);
    if (p.has("angle_deg") && !m_has_axis) p.fail("angle_deg", "needs 'axis' (the axis to turn about)");
    m_has_jitter = p.has("jitter_deg");
    m_jitter = p.scalar("jitter_deg", 0.0, 0.0, 180.0);
    m_local = p.choice("frame", "world", {"world", "local"}) == "local";
    if (!m_has_axis && !m_has_jitter) p.fail("type", "rotate needs 'axis' (with 'angle_deg') or 'jitter_deg'");
  }

  void apply(Scene& scene, Rng& rng, const FrameContext& ctx, nlohmann::ordered_json& record) const override {
    nlohmann::ordered_json turns = nlohmann::ordered_json::array();
    for (std::size_t k = 0; k < scene.instances.size(); ++k) {
      Instance& inst = scene.instances[k];
      if (!m_chosen[inst.object_index]) continue;
      Rng r = rng.fork("instance[" + std::to_string(k) + "]");
      Rng r_axis = r.fork("axis"), r_angle = r.fork("angle"), r_jitter = r.fork("jitter");
      glm::dquat q(inst.rotation);
      nlohmann::ordered_json t{{"instance", k}};
      if (m_has_axis) {
        glm::dvec3 axis = sample(m_axis, r_axis, ctx.at);
        const double len = glm::length(axis);
        const double angle = sample(m_angle, r_angle, ctx.at);
        if (len > 1e-12) {
          const glm::dquat turn = glm::angleAxis(glm::radians(angle), axis / len);
          q = m_local ? q * turn : turn * q;
        }
        t["angle_deg"] = angle;
      }
      if (m_has_jitter) {
        const double angle = sample(m_jitter, r_jitter, ctx.at);
        // A uniformly random axis: a normalized Gaussian vector.
        glm::dvec3 axis(r_jitter.normal(0, 1), r_jitter.normal(0, 1), r_jitter.normal(0, 1));
        const double len = glm::length(axis);
        axis = len > 1e-12 ? axis / len : glm::dvec3(0, 1, 0);
        const glm::dquat turn = glm::angleAxis(glm::radians(angle), axis);
        q = m_local ? q * turn : turn * q;
        t["jitter_deg"] = angle;
        t["jitter_axis"] = {axis.x, axis.y, axis.z};
      }
      inst.rotation = glm::quat(glm::normalize(q));
      update_model(inst);
      turns.push_back(std::move(t));
    }
    record["instances"] = std::move(turns);
  }

 private:
  std::vector<bool> m_chosen;
  bool m_has_axis = false, m_has_jitter = false, m_local = false;
  Vec3Dist m_axis;
  ScalarDist m_angle, m_jitter;
};

std::unique_ptr<Randomizer> make(const Properties& p, BuildContext& ctx) {
  const SceneSpec& spec = ctx.spec; return std::make_unique<Rotate>(p, spec); }

}  // namespace

void register_rotate(RandomizerRegistry& r) {
  r.add({"rotate", "turn objects about an axis and/or jitter them by a small random rotation", make});
}

}  // namespace synthlabel
