// collisions: the physics clips' collision events (physics_drop with motion: physics) in one file,
// as Kubric's MOVi datasets carry them (events.collisions: instances, frame, force, position,
// image_position, contact_normal; google-research/kubric challenges/movi/README.md), here with the
// impulse (N s) for the force:
//   collisions.json  {"collisions": [{frame, clip, time_s, instances: [a, b], impulse, position: [x, y, z],
//                                     contact_normal: [x, y, z], image_position: [u, v] | null, depth}]}
// frame: the dataset frame whose interval (t - 1/fps, t] holds the event; instances: the two track
// ids (instance ids; 0 for a fixture that is not a labeled thing), normal from the second towards
// the first; position in world metres (+Y up), image_position in pixels (continuous, pixel centres at
// +0.5) of that frame's camera, null behind it. The same entries are in each frame's record (params.collisions). docs/physics.md.
#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

class Collisions final : public LabelFormat {
 public:
  Status encode(const FrameLabels& /*f*/, FrameFiles& /*files*/, json& /*record*/) const override { return ok_status(); }

  Status finish(const FinishContext& ctx) const override {
    json events = json::array();
    for (std::uint64_t fr = ctx.first; fr < ctx.first + ctx.count; ++fr) {
      auto rec = ctx.load(fr);
      if (!rec) return rec.error();
      if (!rec->contains("params") || !(*rec)["params"].contains("collisions")) continue;
      for (const json& e : (*rec)["params"]["collisions"]) {
        const json& params = (*rec)["params"];
        json out = {{"frame", fr}, {"clip", params.contains("clip") ? params["clip"].value("clip", 0u) : 0u}};
        for (const auto& [k, v] : e.items()) out[k] = v;
        events.push_back(std::move(out));
      }
    }
    const json doc = {{"collisions", std::move(events)}};
    return ctx.put("collisions.json", doc.dump() + "\n");
  }
};

}  // namespace

void register_collisions(FormatRegistry& r) {
  r.add({.name = "collisions",
         .summary = "the physics clips' collision events (frame, track ids, impulse, world and image position), as Kubric's MOVi",
         .files = {"collisions.json"},
         .refuse = [](const SceneSpec& spec) { return needs_clips(spec, "collisions: physics clip events"); },
         .make = make_format<Collisions>});
}

}  // namespace synthlabel::formats
