// place_on_surface: sets objects down on a horizontal support surface in a resting pose, without
// interpenetration, optionally with Poisson-disk spacing.
//
//   - type: place_on_surface
//     objects: [part_a, part_b]      # which objects (default: every object but the surface)
//     on: table                      # the surface: top face of this object's first instance...
//     height: 0.0                    # ...or a plane y = height (metres) over x_range x z_range
//     x_range: [-0.5, 0.5]           # where object centres may land (default: the `on` object's top)
//     z_range: [-0.3, 0.3]
//     margin: 0.02                   # keep centres this far inside the `on` object's top
//     resting: stable                # stable | faces | upright | as_sampled (see below)
//     yaw_deg: {uniform: [0, 360]}   # turn about the vertical
//     min_distance: 0.1              # Poisson-disk: centres at least this far apart (metres, in x-z)
//     collision: true                # no two placed objects' oriented boxes intersect
//     avoid: [bin_wall]              # also keep clear of these objects' instances
//     max_attempts: 200              # draws per instance before it is left out of the frame
//
// Resting pose: `stable` lays the object on one of the broadest faces of its (scaled) bounding box
// (faces within 10% of the largest area, equally likely: a washer lies flat, a peg on its side),
// `faces` on any of the six faces (equally likely), `upright` keeps the object's own +Y up,
// `as_sampled` keeps the rotation drawn so far.
// Either way the mesh is then lowered until its lowest vertex touches the surface exactly. Objects
// are placed in scene order; each draws position and yaw until it clears every object already
// placed (oriented bounding boxes, separating-axis test) and `min_distance`; one that does not
// within max_attempts is left out of the frame and listed in the record under "dropped".
#include <algorithm>
#include <cmath>
#include <limits>

#include <glm/ext/matrix_transform.hpp>

#include "randomizers/Geometry.h"
#include "randomizers/Randomizer.h"

namespace synthlabel {
namespace {

enum class Resting { stable, faces, upright, as_sampled };

class PlaceOnSurface final : public Randomizer {
 public:
  PlaceOnSurface(const Properties& p, const SceneSpec& spec) {
    const auto on = p.names("on");
    if (on.size() > 1) p.fail("on", "expected one object name");
    std::vector<std::string_view> known;
    for (const auto& o : spec.objects) known.push_back(o.name);
    if (!on.empty()) {
      for (std::size_t i = 0; i < spec.objects.size(); ++i) {
        if (spec.objects[i].name == on[0]) m_on = static_cast<int>(i);
      }
      if (m_on < 0) p.fail("on", "no object is named '" + on[0] + "'");
      if (p.has("height")) p.fail("height", "give either 'on' (an object) or 'height' (a plane), not both");
    }
    m_height = p.number("height", 0.0, -1e6, 1e6);
    m_has_x = p.has("x_range");
    m_has_z = p.has("z_range");
    m_x = p.interval("x_range", {-1.0, 1.0}, -1e6, 1e6);
    m_z = p.interval("z_range", {-1.0, 1.0}, -1e6, 1e6);
    if (m_on < 0 && !(m_has_x && m_has_z)) {
      p.fail("x_range", "a plane surface (no 'on') needs both x_range and z_range");
    }
    m_margin = p.number("margin", 0.0, 0.0, 1e6);
    const std::string resting = p.choice("resting", "stable", {"stable", "faces", "upright", "as_sampled"});
    m_resting = resting == "stable" ? Resting::stable
                : resting == "faces" ? Resting::faces
                : resting == "upright" ? Resting::upright
                                       : Resting::as_sampled;
    m_yaw = p.scalar("yaw_deg", Uniform{0.0, 360.0}, -1e6, 1e6);
    m_min_distance = p.number("min_distance", 0.0, 0.0, 1e6);
    m_collision = p.boolean("collision", true);
    m_attempts = p.integer("max_attempts", 200, 1, 100000);
    m_avoid = select_objects(p, spec, "avoid", false);
    m_chosen = select_objects(p, spec, "objects", true);
    if (m_on >= 0) {
      if (p.has("objects") && m_chosen[static_cast<std::size_t>(m_on)]) {
        p.fail("objects", "'" + on[0] + "' is the surface; it cannot also be placed on itself");
      }
      m_chosen[static_cast<std::size_t>(m_on)] = false;
    }
  }

  void apply(Scene& scene, Rng& rng, const FrameContext& ctx, nlohmann::ordered_json& record) const override {
    double height = m_height;
    std::pair<double, double> xr = m_x, zr = m_z;
    if (m_on >= 0 && !find_surface(scene, ctx, height, xr, zr)) {
      record["skipped"] = "the surface object has no instance in this frame";
      return;
    }
    std::vector<Obb> obstacles;  // placed objects and `avoid` instances
    std::vector<glm::dvec2> centres;
    for (const auto& inst : scene.instances) {
      if (m_avoid[inst.object_index]) obstacles.push_back(instance_obb(inst, ctx.meshes[inst.mesh_index]));
    }
    nlohmann::ordered_json placed = nlohmann::ordered_json::array(), dropped = nlohmann::ordered_json::array();
    std::vector<Instance> kept;
    kept.reserve(scene.instances.size());
    for (std::size_t k = 0; k < scene.instances.size(); ++k) {
      Instance inst = scene.instances[k];
      if (!m_chosen[inst.object_index]) {
        kept.push_back(inst);
        continue;
      }
      Rng r = rng.fork("instance[" + std::to_string(k) + "]");
      const Mesh& mesh = ctx.meshes[inst.mesh_index];
      const glm::dquat rest = resting_rotation(inst, mesh, r);
      const double lowest = lowest_point(mesh, rest, glm::dvec3(inst.scale));
      bool ok = false;
      std::int64_t attempt = 0;
      for (; attempt < m_attempts && !ok; ++attempt) {
        const double yaw = glm::radians(sample(m_yaw, r, ctx.at));
        const double x = r.uniform(xr.first, xr.second), z = r.uniform(zr.first, zr.second);
        inst.rotation = glm::quat(glm::angleAxis(yaw, glm::dvec3(0, 1, 0)) * rest);
        inst.position = glm::vec3(glm::dvec3(x, height - lowest, z));
        ok = clear(inst, mesh, obstacles, centres);
      }
      if (!ok) {
        dropped.push_back(k);
        continue;
      }
      update_model(inst);
      if (m_collision) obstacles.push_back(instance_obb(inst, mesh));
      centres.emplace_back(inst.position.x, inst.position.z);
      placed.push_back({{"instance", k}, {"attempts", attempt}});
      kept.push_back(inst);
    }
    scene.instances = std::move(kept);
    record["surface_height"] = height;
    record["placed"] = std::move(placed);
    record["dropped"] = std::move(dropped);
  }

 private:
  bool find_surface(const Scene& scene, const FrameContext& ctx, double& height, std::pair<double, double>& xr,
                    std::pair<double, double>& zr) const {
    for (const auto& inst : scene.instances) {
      if (inst.object_index != static_cast<std::uint32_t>(m_on)) continue;
      const auto [lo, hi] = instance_world_box(inst, ctx.meshes[inst.mesh_index]);
      height = hi.y;
      if (!m_has_x) xr = {std::min(lo.x + m_margin, 0.5 * (lo.x + hi.x)), std::max(hi.x - m_margin, 0.5 * (lo.x + hi.x))};
      if (!m_has_z) zr = {std::min(lo.z + m_margin, 0.5 * (lo.z + hi.z)), std::max(hi.z - m_margin, 0.5 * (lo.z + hi.z))};
      return true;
    }
    return false;
  }

  glm::dquat resting_rotation(const Instance& inst, const Mesh& mesh, Rng& r) const {
    switch (m_resting) {
      case Resting::upright: return glm::dquat(1, 0, 0, 0);
      case Resting::as_sampled: return glm::dquat(inst.rotation);
      case Resting::stable:
      case Resting::faces: break;
    }
    // The face whose outward normal is ±X, ±Y or ±Z turned to point down (-Y).
    const glm::dvec3 normals[6] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
    std::vector<int> faces = {0, 1, 2, 3, 4, 5};
    if (m_resting == Resting::stable) {
      const glm::dvec3 e = glm::dvec3(mesh.bounds_max - mesh.bounds_min) * glm::abs(glm::dvec3(inst.scale));
      const double area[3] = {e.y * e.z, e.x * e.z, e.x * e.y};
      const double most = std::max({area[0], area[1], area[2]});
      faces.clear();
      for (int f = 0; f < 6; ++f) {
        if (area[f / 2] >= 0.9 * most) faces.push_back(f);
      }
    }
    const glm::dvec3 n = normals[faces[static_cast<std::size_t>(r.integer(0, static_cast<std::int64_t>(faces.size()) - 1))]];
    const glm::dvec3 down(0, -1, 0);
    if (glm::length(n - down) < 1e-9) return glm::dquat(1, 0, 0, 0);
    if (glm::length(n + down) < 1e-9) return glm::angleAxis(glm::pi<double>(), glm::dvec3(1, 0, 0));
    return glm::angleAxis(0.5 * glm::pi<double>(), glm::normalize(glm::cross(n, down)));  // n is horizontal here
  }

  bool clear(const Instance& inst, const Mesh& mesh, const std::vector<Obb>& obstacles,
             const std::vector<glm::dvec2>& centres) const {
    const glm::dvec2 c(inst.position.x, inst.position.z);
    for (const auto& o : centres) {
      if (glm::length(c - o) < m_min_distance) return false;
    }
    if (!m_collision) return true;
    const Obb box = instance_obb(inst, mesh);
    for (const auto& o : obstacles) {
      if (obbs_overlap(box, o, 1e-5)) return false;  // touching (within 10 µm) is allowed
    }
    return true;
  }

  int m_on = -1;
  double m_height = 0.0;
  bool m_has_x = false, m_has_z = false;
  std::pair<double, double> m_x, m_z;
  double m_margin = 0.0;
  Resting m_resting = Resting::faces;
  ScalarDist m_yaw;
  double m_min_distance = 0.0;
  bool m_collision = true;
  std::int64_t m_attempts = 200;
  std::vector<bool> m_avoid, m_chosen;
};

std::unique_ptr<Randomizer> make(const Properties& p, BuildContext& ctx) {
  const SceneSpec& spec = ctx.spec;
  return std::make_unique<PlaceOnSurface>(p, spec);
}

}  // namespace

void register_place_on_surface(RandomizerRegistry& r) {
  r.add({"place_on_surface", "objects resting on a table or plane, collision-free, optional Poisson-disk spacing", make});
}

}  // namespace synthlabel
