// light_count: keeps a random number of the config's lights on in each frame.
//
//   - type: light_count
//     count: {range: [1, 3]}   # how many of the `lights:` stay on (at most as many as are listed)
//
// Which lights stay on is a uniformly random subset of that size; the record lists their indices
// into `lights:`, and the frame record's `lights` lists only those.
#include <algorithm>
#include <numeric>

#include "randomizers/Randomizer.h"

namespace synthlabel {
namespace {

class LightCount final : public Randomizer {
 public:
  LightCount(const Properties& p, const SceneSpec& spec) {
    if (!p.has("count")) p.fail("count", "missing: how many lights stay on, e.g. count: {range: [1, 2]}");
    m_count = p.count("count", std::int64_t{1}, 0, static_cast<std::int64_t>(spec.lights.size()));
  }

  void apply(Scene& scene, Rng& rng, const FrameContext& ctx, nlohmann::ordered_json& record) const override {
    Rng r_count = rng.fork("count"), r_pick = rng.fork("pick");
    const auto n = static_cast<std::size_t>(sample(m_count, r_count, ctx.at));
    std::vector<std::size_t> order(scene.lights.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    // Partial Fisher-Yates: the first n of `order` are a uniform random n-subset.
    for (std::size_t i = 0; i < std::min(n, order.size()); ++i) {
      const auto j = static_cast<std::size_t>(r_pick.integer(static_cast<std::int64_t>(i),
                                                             static_cast<std::int64_t>(order.size() - 1)));
      std::swap(order[i], order[j]);
    }
    order.resize(std::min(n, order.size()));
    std::sort(order.begin(), order.end());
    std::vector<Light> kept;
    for (auto i : order) kept.push_back(scene.lights[i]);
    scene.lights = std::move(kept);
    record["on"] = order;
  }

 private:
  IntDist m_count;
};

std::unique_ptr<Randomizer> make(const Properties& p, BuildContext& ctx) {
  const SceneSpec& spec = ctx.spec; return std::make_unique<LightCount>(p, spec); }

}  // namespace

void register_light_count(RandomizerRegistry& r) {
  r.add({"light_count", "keep a random number of the configured lights on", make, true});
}

}  // namespace synthlabel
