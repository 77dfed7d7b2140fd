// physics_drop: drops objects from random poses above a region (a bin, a table, a plane) into a
// rigid-body simulation (Bullet, physics/World.h) and hands their settled poses to the frame: piles,
// parts leaning on each other, stacks. With a sequence and `motion: physics` the clip shows the
// simulation itself instead: falls, bounces, tosses, objects knocked over by a moving one, with each
// contact onset recorded as a collision event. docs/physics.md has the whole story.
//
//   - type: physics_drop
//     objects: [part]                 # dropped objects (default: every labeled object)
//     into: bin_floor                 # the region: over this object's top (x, z of its box)...
//     x_range: [-0.3, 0.3]            # ...or these ranges, over the plane y = floor
//     z_range: [-0.2, 0.2]
//     floor: 0.0
//     margin: 0.0                     # keep drop centres this far inside the region
//     drop_height: {uniform: [0.05, 0.4]}  # metres between the region's top and a body's lowest possible point
//     rotation: uniform               # uniform (over SO(3)) | as_sampled (the objects' own rotation)
//     start: drop                     # drop (poses drawn over the region) | as_sampled (each body starts at
//                                     # its object's own position and rotation: a stack, a ramp, a set-up)
//     velocity: [0, 0, 0]             # initial, m/s (world axes), drawn per body; without it (and without
//                                     # angular_velocity_deg) each body starts with its object's own motion
//     angular_velocity_deg: [0, 0, 0] # initial, degrees/s about world axes
//     mass: 0.1                       # kg, drawn per body
//     friction: 0.5
//     restitution: 0.1
//     per_object:                     # an object's own values (distributions) over the three above
//       washer: {mass: 0.02, friction: 0.3}
//     gravity: [0, -9.81, 0]
//     step_hz: 240                    # fixed time step
//     time_limit_s: 4                 # per settling round
//     settle_speed: 0.005             # m/s: at rest when every body is slower than this...
//     settle_angular_deg: 3           # ...and turns slower than this (degrees/s)...
//     settle_time_s: 0.2              # ...for this long
//     keep_margin: 0.05               # bodies that end farther than this outside the region are dropped
//     max_penetration: 0.0015         # metres: settled meshes checked against each other (not Bullet's shapes);
//                                     # a body deeper than this inside another is taken out, the rest settle again
//     max_gap: 0.0015                 # metres: ...and one whose lowest point is farther than this from every other
//                                     # surface (it rests on its collision shape's excess over its mesh)
//     fixtures: [table, bin_wall_n]   # what they collide with (default: every other instance)
//     max_attempts: 100               # drop-pose draws per body (no two bodies' spheres overlap at the start)
//     motion: settle                  # settle (the rest poses) | physics (with a sequence: the clip is the simulation)
//     collision_impulse: 0.001        # N s: the smallest contact onset recorded as a collision (motion: physics)
//     linear_damping: 0.1             # fraction of speed lost per second (default 0.1 settling, 0 with motion: physics)
//     angular_damping: 0.3            # of spin (default 0.3 settling, 0 with motion: physics)
//
// Fixtures with a sequence's motion (velocity, angular velocity or a path) move in the simulation as
// kinematic bodies (a pusher, a conveyor's paddle); the others are static. Collision shapes: see
// physics/CollisionShapes.h; they are computed once per mesh at start-up (`synthlabel validate` and
// `bench` print them and their cost).
#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <mutex>

#include <glm/ext/matrix_transform.hpp>

#include "physics/CollisionShapes.h"
#include "physics/RestAudit.h"
#include "physics/World.h"
#include "randomizers/FrameSampler.h"
#include "randomizers/Geometry.h"
#include "randomizers/Randomizer.h"

namespace synthlabel {
namespace {

using ojson = nlohmann::ordered_json;

// Radius of the sphere about the instance's origin that holds its scaled mesh.
double bounding_radius(const Instance& inst, const Mesh& mesh) {
  double r = 0;
  for (const auto& v : mesh.vertices) r = std::max(r, glm::length(glm::dvec3(v.position) * glm::dvec3(inst.scale)));
  return r;
}

class PhysicsDrop final : public Randomizer {
 public:
  PhysicsDrop(const Properties& p, const SceneSpec& spec) : m_sequence(spec.sequence) {
    for (const auto& o : spec.objects) m_objects.push_back({o.name, o.shape.where});
    const auto into = p.names("into");
    if (into.size() > 1) p.fail("into", "expected one object name");
    if (!into.empty()) {
      for (std::size_t i = 0; i < spec.objects.size(); ++i) {
        if (spec.objects[i].name == into[0]) m_into = static_cast<int>(i);
      }
      if (m_into < 0) p.fail("into", "no object is named '" + into[0] + "'");
      if (p.has("floor")) p.fail("floor", "give either 'into' (an object) or 'floor' with x_range and z_range, not both");
    }
    m_has_x = p.has("x_range");
    m_has_z = p.has("z_range");
    m_x = p.interval("x_range", {-0.5, 0.5}, -1e6, 1e6);
    m_z = p.interval("z_range", {-0.5, 0.5}, -1e6, 1e6);
    if (m_into < 0 && !(m_has_x && m_has_z)) p.fail("x_range", "a region without 'into' (an object) needs both x_range and z_range");
    m_floor = p.number("floor", 0.0, -1e6, 1e6);
    m_margin = p.number("margin", 0.0, 0.0, 1e6);
    m_height = p.scalar("drop_height", Uniform{0.05, 0.4}, 0.0, 1e4);
    m_uniform_rotation = p.choice("rotation", "uniform", {"uniform", "as_sampled"}) == "uniform";
    m_as_sampled = p.choice("start", "drop", {"drop", "as_sampled"}) == "as_sampled";
    if (m_as_sampled && p.has("rotation")) p.fail("rotation", "with start: as_sampled every body keeps its own rotation");
    if (m_as_sampled) m_uniform_rotation = false;
    // Without them, a body starts with its object's own sequence motion (objects[].velocity, drawn per clip).
    m_own_velocity = !p.has("velocity") && !p.has("angular_velocity_deg");
    m_velocity = p.vec3("velocity", constant_vec3(0, 0, 0), -1e3, 1e3);
    m_angular = p.vec3("angular_velocity_deg", constant_vec3(0, 0, 0), -1e5, 1e5);
    m_mass = p.scalar("mass", 0.1, 1e-6, 1e6);
    m_friction = p.scalar("friction", 0.5, 0.0, 10.0);
    m_restitution = p.scalar("restitution", 0.1, 0.0, 1.0);
    // Per object: its own mass, friction and restitution (distributions), over the ones above.
    m_material.assign(spec.objects.size(), Material{m_mass, m_friction, m_restitution});
    for (const std::string& name : p.entry_names("per_object")) {
      const auto o = std::find_if(spec.objects.begin(), spec.objects.end(), [&](const ObjectSpec& x) { return x.name == name; });
      if (o == spec.objects.end()) p.fail("per_object", "no object is named '" + name + "'");
      const Properties e = p.entry("per_object", name);
      Material& m = m_material[static_cast<std::size_t>(o - spec.objects.begin())];
      m.mass = e.scalar("mass", m_mass, 1e-6, 1e6);
      m.friction = e.scalar("friction", m_friction, 0.0, 10.0);
      m.restitution = e.scalar("restitution", m_restitution, 0.0, 1.0);
      e.check_unused();
    }
    const Vec3Dist g = p.vec3("gravity", constant_vec3(0, -9.81, 0), -1e3, 1e3);
    for (int a = 0; a < 3; ++a) {
      if (!std::holds_alternative<double>(g[static_cast<std::size_t>(a)])) p.fail("gravity", "expected three numbers (m/s^2), not distributions");
      m_world.gravity[a] = std::get<double>(g[static_cast<std::size_t>(a)]);
    }
    m_world.step_s = 1.0 / p.number("step_hz", 240.0, 30.0, 10000.0);
    m_time_limit = p.number("time_limit_s", 4.0, 0.01, 600.0);
    m_settle_speed = p.number("settle_speed", 0.005, 1e-6, 100.0);
    m_settle_angular = glm::radians(p.number("settle_angular_deg", 3.0, 1e-6, 1e5));
    m_settle_time = p.number("settle_time_s", 0.2, 0.0, 60.0);
    m_keep_margin = p.number("keep_margin", 0.05, 0.0, 1e6);
    m_max_penetration = p.number("max_penetration", 0.0015, 1e-6, 1.0);
    m_max_gap = p.number("max_gap", 0.0015, 1e-6, 1.0);
    m_attempts = p.integer("max_attempts", 100, 1, 100000);
    m_physics_motion = p.choice("motion", "settle", {"settle", "physics"}) == "physics";
    m_world.contacts = m_physics_motion;
    if (!m_physics_motion) {
      // Settling only wants the rest poses: damping takes the jitter and the endless rolling out
      // (a clip's motion stays undamped).
      m_world.linear_damping = p.number("linear_damping", 0.3, 0.0, 1.0);
      m_world.angular_damping = p.number("angular_damping", 0.9, 0.0, 1.0);
    } else {
      m_world.linear_damping = p.number("linear_damping", 0.0, 0.0, 1.0);
      m_world.angular_damping = p.number("angular_damping", 0.0, 0.0, 1.0);
    }
    m_min_impulse = p.number("collision_impulse", 0.001, 0.0, 1e9);
    if (m_physics_motion && !spec.sequence) p.fail("motion", "'physics' needs a sequence: (the clip is the simulation); without one use 'settle'");
    m_chosen = select_objects(p, spec, "objects", false);
    if (!p.has("objects")) {
      for (std::size_t i = 0; i < spec.objects.size(); ++i) m_chosen[i] = spec.objects[i].labeled;
    }
    m_fixtures = select_objects(p, spec, "fixtures", !p.has("fixtures"));
    if (m_into >= 0 && m_chosen[static_cast<std::size_t>(m_into)]) {
      p.fail(p.has("objects") ? "objects" : "into", "'" + into[0] + "' is the region; it cannot also be dropped");
    }
    if (std::none_of(m_chosen.begin(), m_chosen.end(), [](bool b) { return b; })) p.fail("objects", "no object to drop");
  }

  Status prepare(const MeshLibrary& meshes, std::vector<std::string>& notes) const override {
    // Per mesh: the objects that drop it and those that hold it still.
    std::map<std::uint32_t, std::pair<std::vector<std::string>, std::vector<std::string>>> users;
    for (std::size_t o = 0; o < m_objects.size(); ++o) {
      if (!m_chosen[o] && !m_fixtures[o]) continue;
      for (const ShapeMesh& sm : meshes.shapes.at(o)) {
        if (sm.mesh >= meshes.size()) continue;
        const CollisionRecipe& r = m_recipes.get(meshes, sm.mesh);
        if (m_chosen[o] && !r.has_volume()) {
          return make_error(ExitCode::asset, m_objects[o].second + ": '" + meshes[sm.mesh].name + "' (object '" + m_objects[o].first +
                                                 "') has no volume (a flat or degenerate mesh): it cannot be a dynamic body in physics_drop; "
                                                 "list it under fixtures instead");
        }
        auto& u = m_chosen[o] ? users[sm.mesh].first : users[sm.mesh].second;
        if (std::find(u.begin(), u.end(), m_objects[o].first) == u.end()) u.push_back(m_objects[o].first);
      }
    }
    auto join = [](const std::vector<std::string>& names) {
      std::string out;
      for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
      return out;
    };
    for (const auto& [mesh, u] : users) {
      const CollisionRecipe& r = m_recipes.get(meshes, mesh);
      std::string line = "physics shape of " + meshes[mesh].name + ": ";
      if (!u.first.empty()) {
        line += std::string(shape_kind_name(r.kind));
        if (r.kind == ShapeKind::convex_decomposition) line += " (" + std::to_string(r.pieces.size()) + " hulls)";
        line += " dropping " + join(u.first);
      }
      if (!u.second.empty()) {
        line += std::string(u.first.empty() ? "" : "; ") + (r.primitive ? std::string(shape_kind_name(r.kind)) : "triangle mesh") +
                " as a fixture for " + join(u.second);
      }
      char cost[48];
      std::snprintf(cost, sizeof cost, ", built in %.1f ms", r.build_ms);
      notes.push_back(line + cost);
      if (!r.note.empty() && !u.first.empty()) notes.push_back("physics shape of " + meshes[mesh].name + ": warning: " + r.note);
    }
    return ok_status();
  }

  void apply(Scene& scene, Rng& rng, const FrameContext& ctx, ojson& record) const override {
    const std::uint64_t fp = fingerprint(scene);
    {
      std::lock_guard lock(m_cache_mutex);
      for (const auto& c : m_cache) {
        if (c.key == ctx.at.frame && c.fingerprint == fp) {
          scene.instances = c.instances;
          scene.collisions = c.collisions;
          scene.collisions_recorded = c.recorded;
          record = c.record;
          return;
        }
      }
    }
    simulate(scene, rng, ctx, record);
    std::lock_guard lock(m_cache_mutex);
    m_cache.push_back({ctx.at.frame, fp, scene.instances, scene.collisions, scene.collisions_recorded, record});
    if (m_cache.size() > 4) m_cache.pop_front();
  }

 private:
  struct Region {
    double x0, x1, z0, z1, base;
  };

  std::uint64_t fingerprint(const Scene& scene) const {
    std::uint64_t h = 1469598103934665603ull;
    for (const auto& inst : scene.instances) {
      h = (h ^ inst.mesh_index) * 1099511628211ull;
      h = (h ^ std::hash<float>{}(inst.scale.x + 3.0f * inst.position.y + 7.0f * inst.rotation.z)) * 1099511628211ull;
    }
    return h;
  }

  bool region_of(const Scene& scene, const FrameContext& ctx, Region& r) const {
    r = {m_x.first, m_x.second, m_z.first, m_z.second, m_floor};
    if (m_into < 0) return true;
    for (const auto& inst : scene.instances) {
      if (inst.object_index != static_cast<std::uint32_t>(m_into)) continue;
      const auto [lo, hi] = instance_world_box(inst, ctx.meshes[inst.mesh_index]);
      r.base = hi.y;
      if (!m_has_x) r.x0 = lo.x, r.x1 = hi.x;
      if (!m_has_z) r.z0 = lo.z, r.z1 = hi.z;
      return true;
    }
    return false;
  }

  void simulate(Scene& scene, Rng& rng, const FrameContext& ctx, ojson& record) const {
    Region region{};
    if (!region_of(scene, ctx, region)) {
      record["skipped"] = "the region object has no instance in this frame";
      return;
    }
    PhysicsWorld world(m_world);
    std::vector<std::int64_t> body_of(scene.instances.size(), -1);  // instance -> body handle
    std::vector<bool> dynamic(scene.instances.size(), false), kinematic(scene.instances.size(), false);
    ojson placed = ojson::array(), dropped = ojson::array();
    std::size_t retries = 0;
    // Fixtures first (in scene order), then the dropped bodies: the handles' order is the scene's.
    for (std::size_t k = 0; k < scene.instances.size(); ++k) {
      const Instance& inst = scene.instances[k];
      if (m_chosen[inst.object_index] || !m_fixtures[inst.object_index] || inst.mesh_index >= ctx.meshes.size()) continue;
      BodyDesc d;
      d.recipe = &m_recipes.get(ctx.meshes, inst.mesh_index);
      d.scale = glm::dvec3(inst.scale);
      d.position = glm::dvec3(inst.position);
      d.rotation = glm::dquat(inst.rotation);
      d.type = m_physics_motion && has_motion(inst) ? BodyType::kinematic : BodyType::fixed;
      kinematic[k] = d.type == BodyType::kinematic;
      Rng rf = rng.fork("fixture[" + std::to_string(k) + "]");
      d.friction = sample(m_material[inst.object_index].friction, rf, ctx.at);
      d.restitution = sample(m_material[inst.object_index].restitution, rf, ctx.at);
      d.tag = static_cast<std::uint32_t>(k);
      body_of[k] = static_cast<std::int64_t>(world.add(d));
    }
    struct Sphere {
      glm::dvec3 c;
      double r;
    };
    std::vector<Sphere> spheres;
    std::vector<bool> keep(scene.instances.size(), true);
    for (std::size_t k = 0; k < scene.instances.size(); ++k) {
      Instance& inst = scene.instances[k];
      if (!m_chosen[inst.object_index]) continue;
      Rng r = rng.fork("instance[" + std::to_string(k) + "]");
      const Mesh& mesh = ctx.meshes[inst.mesh_index];
      const double radius = bounding_radius(inst, mesh);
      const double inset = m_margin + radius;
      const double x0 = std::min(region.x0 + inset, 0.5 * (region.x0 + region.x1)), x1 = std::max(region.x1 - inset, 0.5 * (region.x0 + region.x1));
      const double z0 = std::min(region.z0 + inset, 0.5 * (region.z0 + region.z1)), z1 = std::max(region.z1 - inset, 0.5 * (region.z0 + region.z1));
      bool ok = false;
      std::int64_t attempt = 0;
      glm::dvec3 c(0.0);
      if (m_as_sampled) {
        c = glm::dvec3(inst.position);
        ok = true;
        attempt = 1;
      }
      for (; attempt < m_attempts && !ok; ++attempt) {
        c = glm::dvec3(r.uniform(x0, x1), region.base + radius + sample(m_height, r, ctx.at), r.uniform(z0, z1));
        ok = std::all_of(spheres.begin(), spheres.end(), [&](const Sphere& s) { return glm::length(s.c - c) >= s.r + radius; });
      }
      retries += static_cast<std::size_t>(attempt - 1);
      if (!ok) {
        keep[k] = false;
        dropped.push_back({{"instance", k}, {"reason", "no room to drop it"}, {"attempts", attempt}});
        continue;
      }
      spheres.push_back({c, radius});
      const glm::dquat q = m_uniform_rotation ? sample_uniform_rotation(r) : glm::dquat(inst.rotation);
      BodyDesc d;
      d.recipe = &m_recipes.get(ctx.meshes, inst.mesh_index);
      d.scale = glm::dvec3(inst.scale);
      d.position = c;
      d.rotation = q;
      d.velocity = sample(m_velocity, r, ctx.at);
      d.angular_velocity = glm::radians(sample(m_angular, r, ctx.at));
      if (m_own_velocity && inst.path.empty()) {
        d.velocity = inst.velocity;
        d.angular_velocity = glm::radians(inst.angular_velocity_deg);
      }
      const Material& mat = m_material[inst.object_index];
      d.mass = sample(mat.mass, r, ctx.at);
      d.friction = sample(mat.friction, r, ctx.at);
      d.restitution = sample(mat.restitution, r, ctx.at);
      d.tag = static_cast<std::uint32_t>(k);
      if (!d.recipe->has_volume()) {  // prepare() refuses these up front; a guard for callers that skip it
        keep[k] = false;
        dropped.push_back({{"instance", k}, {"reason", "its mesh has no volume"}});
        continue;
      }
      body_of[k] = static_cast<std::int64_t>(world.add(d));
      dynamic[k] = true;
      placed.push_back({{"instance", k}, {"attempts", attempt}, {"mass", d.mass}, {"friction", d.friction}, {"restitution", d.restitution}});
    }
    record["retries"] = retries;
    if (m_physics_motion) {
      run_clip(scene, world, body_of, dynamic, kinematic, record);
    } else {
      settle(scene, ctx.meshes, world, body_of, dynamic, keep, region, placed, dropped, record);
    }
    std::vector<Instance> kept;
    for (std::size_t k = 0; k < scene.instances.size(); ++k) {
      if (keep[k]) kept.push_back(std::move(scene.instances[k]));
    }
    if (m_physics_motion) {  // events name instances by their index in the kept list
      std::vector<std::int64_t> index_of(scene.instances.size(), -1);
      std::int64_t next = 0;
      for (std::size_t k = 0; k < keep.size(); ++k) index_of[k] = keep[k] ? next++ : -1;
      for (auto& e : scene.collisions) {
        e.index_a = e.index_a >= 0 ? index_of[static_cast<std::size_t>(e.index_a)] : -1;
        e.index_b = e.index_b >= 0 ? index_of[static_cast<std::size_t>(e.index_b)] : -1;
      }
    }
    scene.instances = std::move(kept);
    record["placed"] = std::move(placed);
    record["dropped"] = std::move(dropped);
  }

  bool moving(const BodyState& s) const {
    return glm::length(s.velocity) > m_settle_speed || glm::length(s.angular_velocity) > m_settle_angular;
  }

  void settle(Scene& scene, std::span<const Mesh> meshes, PhysicsWorld& world, const std::vector<std::int64_t>& body_of,
              const std::vector<bool>& dynamic, std::vector<bool>& keep, const Region& region, ojson& placed, ojson& dropped,
              ojson& record) const {
    auto drop = [&](std::size_t k, const char* reason) {
      world.remove(static_cast<std::size_t>(body_of[k]));
      keep[k] = false;
      dropped.push_back({{"instance", k}, {"reason", reason}, {"time_s", world.time()}});
    };
    auto outside = [&](const BodyState& s) {
      const double m = m_keep_margin;
      return s.position.y < region.base - m || s.position.x < region.x0 - m || s.position.x > region.x1 + m || s.position.z < region.z0 - m ||
             s.position.z > region.z1 + m;
    };
    // Over the dropped bodies still in the world: whether one moves; take out those that move or left the region.
    auto present_and = [&](std::size_t k, auto&& test) {
      return dynamic[k] && keep[k] && test(world.state(static_cast<std::size_t>(body_of[k])));
    };
    auto any_moving = [&] {
      bool any = false;
      for (std::size_t k = 0; k < body_of.size(); ++k) any = any || present_and(k, [&](const BodyState& s) { return moving(s); });
      return any;
    };
    auto drop_moving = [&] {
      bool any = false;
      for (std::size_t k = 0; k < body_of.size(); ++k) {
        if (present_and(k, [&](const BodyState& s) { return moving(s); })) {
          drop(k, "did not settle");
          any = true;
        }
      }
      return any;
    };
    auto drop_outside = [&] {
      for (std::size_t k = 0; k < body_of.size(); ++k) {
        if (present_and(k, outside)) drop(k, "left the region");
      }
    };
    const auto check_every = static_cast<std::uint64_t>(std::max(1.0, std::round(0.05 / m_world.step_s)));
    bool settled = false;
    int round = 0;
    for (; round < 3 && !settled; ++round) {
      const double start = world.time();
      double quiet = 0;
      while (world.time() - start < m_time_limit) {
        world.step();
        quiet = any_moving() ? 0.0 : quiet + m_world.step_s;
        if (world.steps() % check_every == 0 || quiet >= m_settle_time) drop_outside();
        if (quiet >= m_settle_time) {
          settled = true;
          break;
        }
      }
      if (!settled) drop_moving();  // still moving when the round's time ran out: left out, the rest settle again
    }
    // The guard: the meshes themselves, as posed, checked against each other (physics/RestAudit.h,
    // no Bullet); a body found deeper than max_penetration inside another is taken out and the rest
    // settle again (Bullet's contacts between small parts under a pile's weight can sink a few mm).
    std::size_t guards = 0, unsupported = 0;
    double worst_left = 0;
    for (int pass = 0; pass < 4; ++pass) {
      std::vector<PosedMesh> posed;
      std::vector<std::size_t> who;  // posed -> instance
      for (std::size_t k = 0; k < scene.instances.size(); ++k) {
        const Instance& inst = scene.instances[k];
        if (body_of[k] < 0 || !keep[k] || inst.mesh_index >= meshes.size()) continue;
        glm::dmat4 model = glm::dmat4(inst.model);
        if (dynamic[k]) {
          const BodyState s = world.state(static_cast<std::size_t>(body_of[k]));
          Instance at = inst;
          at.position = glm::vec3(s.position);
          at.rotation = glm::quat(s.rotation);
          update_model(at);
          model = glm::dmat4(at.model);
        }
        posed.push_back({&meshes[inst.mesh_index], model, dynamic[k], static_cast<std::uint32_t>(k)});
        who.push_back(k);
      }
      const RestAudit audit = audit_rest(posed, 200, m_max_gap);
      std::vector<bool> out(scene.instances.size(), false);
      bool any = false;
      worst_left = 0;
      // Resting on its collision shape's excess over the mesh (a hull's margin, a part's chord over a
      // hole) rather than on a surface: taken out too.
      for (const std::uint32_t k : audit.unsupported) {
        if (pass == 3 || !dynamic[k] || out[k]) continue;
        out[k] = true;
        any = true;
        ++unsupported;
        drop(k, "unsupported");
      }
      for (const auto& o : audit.overlaps) {
        if (o.depth <= m_max_penetration) break;
        const std::size_t a = who[o.a], b = who[o.b];
        if (out[a] || out[b]) continue;
        const std::size_t blame = dynamic[a] ? a : b;  // the dynamic one of the pair (a fixture stays)
        if (!dynamic[blame]) continue;
        if (pass == 3) {
          worst_left = std::max(worst_left, o.depth);
          continue;
        }
        out[blame] = true;
        any = true;
        ++guards;
        drop(blame, "interpenetrating");
      }
      if (pass < 3 && drop_moving()) any = true;
      if (!any) break;
      double quiet = 0;
      const double start = world.time();
      while (world.time() - start < m_time_limit && quiet < m_settle_time) {
        world.step();
        quiet = any_moving() ? 0.0 : quiet + m_world.step_s;
      }
      drop_outside();
    }
    // Whatever still moves after the last pass is left out: every body handed on is at rest.
    if (drop_moving()) settled = false;
    record["interpenetrating_removed"] = guards;
    record["penetration_left_m"] = worst_left;  // over max_penetration after the last pass (0: none)
    record["unsupported_removed"] = unsupported;
    double worst_speed = 0, worst_turn = 0;
    for (auto& p : placed) {
      const auto k = p["instance"].get<std::size_t>();
      if (!keep[k]) continue;
      const BodyState s = world.state(static_cast<std::size_t>(body_of[k]));
      Instance& inst = scene.instances[k];
      inst.position = glm::vec3(s.position);
      inst.rotation = glm::quat(s.rotation);
      update_model(inst);
      p["speed"] = glm::length(s.velocity);
      p["angular_speed_deg"] = glm::degrees(glm::length(s.angular_velocity));
      worst_speed = std::max(worst_speed, glm::length(s.velocity));
      worst_turn = std::max(worst_turn, glm::degrees(glm::length(s.angular_velocity)));
    }
    ojson kept = ojson::array();
    for (auto& p : placed) {
      if (keep[p["instance"].get<std::size_t>()]) kept.push_back(std::move(p));
    }
    placed = std::move(kept);
    record["settled"] = settled;
    record["rounds"] = round;
    record["simulated_s"] = world.time();
    record["steps"] = world.steps();
    record["max_speed"] = worst_speed;
    record["max_angular_speed_deg"] = worst_turn;
  }

  void run_clip(Scene& scene, PhysicsWorld& world, const std::vector<std::int64_t>& body_of, const std::vector<bool>& dynamic,
                const std::vector<bool>& kinematic, ojson& record) const {
    const SequenceSpec& seq = *m_sequence;
    // To the clip's last frame and a quarter second beyond (shutters open around a frame's time).
    const double end = static_cast<double>(seq.length - 1) / seq.fps + 0.25;
    std::vector<Instance> movers(scene.instances.size());
    for (std::size_t k = 0; k < scene.instances.size(); ++k) {
      if (kinematic[k]) movers[k] = scene.instances[k];
      if (!dynamic[k]) continue;
      Instance& inst = scene.instances[k];
      inst.velocity = glm::dvec3(0.0);
      inst.angular_velocity_deg = glm::dvec3(0.0);
      inst.path.clear();
      inst.path_rotates = true;
      inst.physics_path = true;
      const BodyState s = world.state(static_cast<std::size_t>(body_of[k]));
      inst.path.push_back({0.0, s.position, s.rotation});
    }
    scene.collisions.clear();
    scene.collisions_recorded = true;
    while (world.time() < end) {
      const double next = static_cast<double>(world.steps() + 1) * m_world.step_s;
      for (std::size_t k = 0; k < scene.instances.size(); ++k) {
        if (!kinematic[k]) continue;
        Instance at = movers[k];
        move_instance(at, next);
        world.move_kinematic(static_cast<std::size_t>(body_of[k]), glm::dvec3(at.position), glm::dquat(at.rotation));
      }
      world.step();
      for (std::size_t k = 0; k < scene.instances.size(); ++k) {
        if (!dynamic[k]) continue;
        const BodyState s = world.state(static_cast<std::size_t>(body_of[k]));
        scene.instances[k].path.push_back({world.time(), s.position, s.rotation});
      }
      for (const ContactEvent& e : world.new_contacts()) {
        if (e.impulse < m_min_impulse) continue;
        CollisionEvent c;
        c.time_s = e.time_s;
        c.index_a = e.a;
        c.index_b = e.b;
        c.impulse = e.impulse;
        c.position = e.position;
        c.normal = e.normal;
        scene.collisions.push_back(c);
      }
    }
    record["simulated_s"] = world.time();
    record["steps"] = world.steps();
    record["collisions"] = scene.collisions.size();
  }

  std::optional<SequenceSpec> m_sequence;
  std::vector<std::pair<std::string, std::string>> m_objects;  // name, where its shape is given
  int m_into = -1;
  bool m_has_x = false, m_has_z = false;
  std::pair<double, double> m_x, m_z;
  double m_floor = 0, m_margin = 0;
  ScalarDist m_height;
  bool m_uniform_rotation = true, m_as_sampled = false, m_own_velocity = true;
  Vec3Dist m_velocity, m_angular;
  ScalarDist m_mass, m_friction, m_restitution;
  struct Material {
    ScalarDist mass, friction, restitution;
  };
  std::vector<Material> m_material;  // per object of the spec
  WorldSettings m_world;
  double m_time_limit = 4, m_settle_speed = 0.005, m_settle_angular = 0.05, m_settle_time = 0.2, m_keep_margin = 0.05;
  double m_max_penetration = 0.0015, m_max_gap = 0.0015;
  std::int64_t m_attempts = 100;
  bool m_physics_motion = false;
  double m_min_impulse = 0.001;
  std::vector<bool> m_chosen, m_fixtures;
  mutable RecipeCache m_recipes;
  struct Cached {
    std::uint64_t key, fingerprint;
    std::vector<Instance> instances;
    std::vector<CollisionEvent> collisions;
    bool recorded;
    ojson record;
  };
  mutable std::mutex m_cache_mutex;
  mutable std::deque<Cached> m_cache;
};

std::unique_ptr<Randomizer> make(const Properties& p, BuildContext& ctx) { return std::make_unique<PhysicsDrop>(p, ctx.spec); }

}  // namespace

void register_physics_drop(RandomizerRegistry& r) {
  r.add({"physics_drop", "objects dropped into a bin or onto a surface and settled by rigid-body physics (Bullet); with motion: physics, the clip", make});
}

}  // namespace synthlabel
