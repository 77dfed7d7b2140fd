#include "lidar/LidarTracer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include <embree3/rtcore.h>
#include <glm/gtc/type_ptr.hpp>

#include "lidar/LidarBeams.h"
#include "randomizers/FrameSampler.h"
#include "randomizers/LidarPose.h"
#include "randomizers/Rng.h"

namespace synthlabel {

struct LidarTracer::Impl {
  LidarSpec spec;
  RTCDevice device = nullptr;
  std::vector<RTCScene> meshes;  // per mesh; null for one without triangles
  std::vector<Mesh> copies;      // positions, indices and parts (materials) of each mesh
  // The beams of every sweep, when they do not depend on the frame (all but the rosette).
  std::vector<LidarBeam> beams;
  std::uint32_t groups = 0;
  ~Impl() {
    for (RTCScene s : meshes) {
      if (s != nullptr) rtcReleaseScene(s);
    }
    if (device != nullptr) rtcReleaseDevice(device);
  }
};

LidarTracer::LidarTracer(std::unique_ptr<Impl> impl) : m(std::move(impl)) {}
LidarTracer::~LidarTracer() = default;

namespace {

std::string embree_error(RTCDevice d, const std::string& what) {
  return "LiDAR: Embree failed to " + what + " (error " + std::to_string(static_cast<int>(rtcGetDeviceError(d))) + ")";
}

void set_transform(RTCGeometry g, const glm::mat4& model) {  // (and commits the geometry)
  rtcSetGeometryTransform(g, 0, RTC_FORMAT_FLOAT4X4_COLUMN_MAJOR, glm::value_ptr(model));
  rtcCommitGeometry(g);
}

// A deterministic uniform in [0, 1) for (key, beam, what).
double hashed_uniform(std::uint64_t key, std::uint64_t beam, std::uint64_t what) {
  return static_cast<double>(mix64(key ^ mix64(beam * 4 + what)) >> 11) * 0x1.0p-53;
}

// The stated intensity model (docs/lidar.md): the hit material's base-colour luminance times the
// incidence cosine (the triangle's normal as posed by `model`) times (reference / range)^2, at most 1,
// quantized to 8 bits.
double intensity_of(const LidarSpec& spec, const Instance& inst, const Mesh& mesh, const glm::dmat4& model, std::uint32_t prim,
                    const glm::dvec3& dir, double range) {
  const std::uint32_t* tri = &mesh.indices[3 * std::size_t{prim}];
  const glm::dvec3 p0(model * glm::dvec4(glm::dvec3(mesh.vertices[tri[0]].position), 1.0));
  const glm::dvec3 p1(model * glm::dvec4(glm::dvec3(mesh.vertices[tri[1]].position), 1.0));
  const glm::dvec3 p2(model * glm::dvec4(glm::dvec3(mesh.vertices[tri[2]].position), 1.0));
  const glm::dvec3 n = glm::cross(p1 - p0, p2 - p0);
  const double nl = glm::length(n);
  const double cos_incidence = nl > 0 ? std::abs(glm::dot(n, dir)) / nl : 0.0;
  glm::dvec3 colour(inst.color);
  if (inst.asset_materials) {
    const std::uint32_t first = 3 * prim;
    for (const MeshPart& part : mesh.parts) {
      if (first >= part.first_index && first < part.first_index + part.index_count && part.material < mesh.materials.size()) {
        colour = glm::dvec3(mesh.materials[part.material].base_color);
      }
    }
  }
  const double reflectivity = std::clamp(0.2126 * colour.r + 0.7152 * colour.g + 0.0722 * colour.b, 0.0, 1.0);
  const double ratio = spec.intensity_reference_m / range;
  return std::round(std::min(1.0, reflectivity * cos_incidence * ratio * ratio) * 255.0) / 255.0;
}

// Beam `beam`'s range noise: Gaussian (Box-Muller from two hashed uniforms), keyed by the frame.
double range_noise(const LidarSpec& spec, std::uint64_t key, std::uint64_t beam) {
  if (spec.range_noise_m <= 0) return 0.0;
  const double u1 = std::max(hashed_uniform(key, beam, 1), 1e-300), u2 = hashed_uniform(key, beam, 2);
  return spec.range_noise_m * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

}  // namespace

Result<std::shared_ptr<const LidarTracer>> LidarTracer::create(const LidarSpec& spec, std::span<const Mesh> meshes) {
  auto impl = std::make_unique<Impl>();
  impl->spec = spec;
  if (!spec.rosette) impl->beams = lidar_beams(spec, 0.0, impl->groups);
  // One build thread per call: sweeps run on the encoder threads, one frame each.
  impl->device = rtcNewDevice("threads=1,set_affinity=0");
  if (impl->device == nullptr) return make_error(ExitCode::internal, "LiDAR: Embree could not create a device");
  for (const Mesh& mesh : meshes) {
    Mesh copy;
    copy.name = mesh.name;
    copy.indices = mesh.indices;
    copy.parts = mesh.parts;
    copy.materials = mesh.materials;
    copy.base_color = mesh.base_color;
    copy.vertices.resize(mesh.vertices.size());
    for (std::size_t i = 0; i < mesh.vertices.size(); ++i) copy.vertices[i].position = mesh.vertices[i].position;
    const std::size_t tris = mesh.indices.size() / 3;
    RTCScene s = nullptr;
    if (tris > 0 && !mesh.vertices.empty()) {
      s = rtcNewScene(impl->device);
      RTCGeometry g = rtcNewGeometry(impl->device, RTC_GEOMETRY_TYPE_TRIANGLE);
      auto* v = static_cast<float*>(rtcSetNewGeometryBuffer(g, RTC_BUFFER_TYPE_VERTEX, 0, RTC_FORMAT_FLOAT3, 3 * sizeof(float), mesh.vertices.size()));
      auto* idx = static_cast<unsigned*>(rtcSetNewGeometryBuffer(g, RTC_BUFFER_TYPE_INDEX, 0, RTC_FORMAT_UINT3, 3 * sizeof(unsigned), tris));
      if (v == nullptr || idx == nullptr) {
        rtcReleaseGeometry(g);
        rtcReleaseScene(s);
        return make_error(ExitCode::internal, embree_error(impl->device, "allocate the mesh " + mesh.name));
      }
      for (std::size_t i = 0; i < mesh.vertices.size(); ++i) {
        v[3 * i] = mesh.vertices[i].position.x, v[3 * i + 1] = mesh.vertices[i].position.y, v[3 * i + 2] = mesh.vertices[i].position.z;
      }
      for (std::size_t i = 0; i < tris * 3; ++i) {
        if (mesh.indices[i] >= mesh.vertices.size()) {
          rtcReleaseGeometry(g);
          rtcReleaseScene(s);
          return make_error(ExitCode::internal, "LiDAR: mesh " + mesh.name + " has an index past its vertices");
        }
        idx[i] = mesh.indices[i];
      }
      rtcCommitGeometry(g);
      rtcAttachGeometry(s, g);
      rtcReleaseGeometry(g);
      rtcSetSceneBuildQuality(s, RTC_BUILD_QUALITY_HIGH);
      rtcCommitScene(s);
      if (rtcGetDeviceError(impl->device) != RTC_ERROR_NONE) {
        rtcReleaseScene(s);
        return make_error(ExitCode::internal, embree_error(impl->device, "build the mesh " + mesh.name));
      }
    }
    impl->meshes.push_back(s);
    impl->copies.push_back(std::move(copy));
  }
  return std::shared_ptr<const LidarTracer>(new LidarTracer(std::move(impl)));
}

Result<LidarSweep> LidarTracer::sweep(const Scene& scene) const {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  const LidarSpec& spec = m->spec;
  LidarSweep out;
  if (!scene.lidar.present) return make_error(ExitCode::internal, "LiDAR: the frame has no sensor drawn");
  const bool clip = scene.clip.has_value() && scene.clip_start != nullptr;
  const double t_frame = scene.clip ? scene.clip->time_s : 0.0;

  // The top level: every instance that keeps still during the sweep, built once. Instances that move
  // are intersected one by one at each column's time (the ray taken into the mesh's own frame, as
  // Embree's instancing does), after a ray-sphere test against their bounds: no rebuild per column.
  RTCScene top = rtcNewScene(m->device);
  std::vector<RTCGeometry> attached;
  std::vector<std::size_t> of_geometry;  // geometry id -> scene instance
  struct Moving {
    std::size_t index;  // into scene.instances
    RTCScene mesh;
    glm::dvec3 local_centre{0.0};
    double local_radius = 0;
    glm::dmat4 world_to_object{1.0};
    glm::dvec3 centre{0.0};
    double radius = 0;
  };
  std::vector<Moving> moving;
  for (std::size_t k = 0; k < scene.instances.size(); ++k) {
    const Instance& inst = scene.instances[k];
    if (inst.mesh_index >= m->meshes.size() || m->meshes[inst.mesh_index] == nullptr) continue;
    if (clip && has_motion(scene.clip_start->instances[k])) {
      const Mesh& mesh = m->copies[inst.mesh_index];
      glm::dvec3 lo(1e300), hi(-1e300);
      for (const Vertex& v : mesh.vertices) lo = glm::min(lo, glm::dvec3(v.position)), hi = glm::max(hi, glm::dvec3(v.position));
      moving.push_back({k, m->meshes[inst.mesh_index], 0.5 * (lo + hi), 0.5 * glm::length(hi - lo)});
      continue;
    }
    RTCGeometry g = rtcNewGeometry(m->device, RTC_GEOMETRY_TYPE_INSTANCE);
    rtcSetGeometryInstancedScene(g, m->meshes[inst.mesh_index]);
    set_transform(g, inst.model);
    attached.push_back(g);
    if (rtcAttachGeometry(top, g) != of_geometry.size()) {
      for (RTCGeometry a : attached) rtcReleaseGeometry(a);
      rtcReleaseScene(top);
      return make_error(ExitCode::internal, "LiDAR: Embree numbered an instance out of order");
    }
    of_geometry.push_back(k);
  }
  rtcCommitScene(top);

  std::uint32_t groups = m->groups;
  std::vector<LidarBeam> rosette;
  if (spec.rosette) rosette = lidar_beams(spec, scene.lidar.pattern_time_s, groups);
  const std::vector<LidarBeam>& beams = spec.rosette ? rosette : m->beams;
  out.rays = beams.size();
  if (spec.spinning) {
    out.rings = static_cast<std::uint32_t>(spec.elevations_deg.size()), out.columns = spec.columns;
  } else {
    out.rings = 1, out.columns = static_cast<std::uint32_t>(beams.size());
  }
  out.points.reserve(beams.size());
  out.status.assign(beams.size(), 0);
  Instance moved;
  std::vector<glm::mat4> models(scene.instances.size());  // each instance at the group's time
  for (std::size_t k = 0; k < scene.instances.size(); ++k) models[k] = scene.instances[k].model;
  RTCIntersectContext context;
  rtcInitIntersectContext(&context);
  const glm::dmat4 world_to_start = glm::inverse(scene.lidar.lidar_to_world);
  struct StaticHit {
    float tfar;
    std::size_t index;  // scene.instances.size(): none
    std::uint32_t prim;
  };
  std::vector<glm::dvec3> dirs;
  std::vector<StaticHit> hits;
  std::vector<const Moving*> active;
  std::size_t b = 0;
  while (b < beams.size()) {
    const std::uint32_t group = beams[b].group;
    const double t = t_frame + beams[b].time;
    const glm::dmat4 to_world = lidar_to_world_in_clip(scene, t);
    if (clip) {
      for (Moving& mv : moving) {
        moved = scene.clip_start->instances[mv.index];
        move_instance(moved, t);
        models[mv.index] = moved.model;
        const glm::dmat4 model(moved.model);
        mv.world_to_object = glm::inverse(model);
        mv.centre = glm::dvec3(model * glm::dvec4(mv.local_centre, 1.0));
        const double scale = std::max({glm::length(glm::dvec3(model[0])), glm::length(glm::dvec3(model[1])), glm::length(glm::dvec3(model[2]))});
        mv.radius = mv.local_radius * scale * (1.0 + 1e-6) + 1e-6;
      }
    }
    const glm::dvec3 origin(to_world[3]);
    const glm::dmat3 rot(to_world);
    // The group's beams against the still instances, 16 coherent rays a packet.
    std::size_t e = b;
    while (e < beams.size() && beams[e].group == group) ++e;
    dirs.resize(e - b);
    hits.resize(e - b);
    for (std::size_t i = b; i < e; ++i) dirs[i - b] = glm::normalize(rot * beams[i].direction);
    for (std::size_t first = b; first < e; first += 16) {
      alignas(64) int valid[16];
      alignas(64) RTCRayHit16 packet;
      for (std::size_t lane = 0; lane < 16; ++lane) {
        const std::size_t i = first + lane;
        valid[lane] = i < e ? -1 : 0;
        const glm::dvec3& d = dirs[i < e ? i - b : 0];
        packet.ray.org_x[lane] = static_cast<float>(origin.x), packet.ray.org_y[lane] = static_cast<float>(origin.y);
        packet.ray.org_z[lane] = static_cast<float>(origin.z);
        packet.ray.dir_x[lane] = static_cast<float>(d.x), packet.ray.dir_y[lane] = static_cast<float>(d.y), packet.ray.dir_z[lane] = static_cast<float>(d.z);
        packet.ray.tnear[lane] = 0.0f;
        packet.ray.tfar[lane] = static_cast<float>(spec.max_range_m);
        packet.ray.time[lane] = 0.0f;
        packet.ray.mask[lane] = 0xFFFFFFFFu;
        packet.ray.id[lane] = 0;
        packet.ray.flags[lane] = 0;
        packet.hit.geomID[lane] = RTC_INVALID_GEOMETRY_ID;
        packet.hit.instID[0][lane] = RTC_INVALID_GEOMETRY_ID;
      }
      rtcIntersect16(valid, top, &context, &packet);
      for (std::size_t lane = 0; lane < 16 && first + lane < e; ++lane) {
        const unsigned inst = packet.hit.instID[0][lane];
        hits[first + lane - b] = {packet.ray.tfar[lane], inst != RTC_INVALID_GEOMETRY_ID ? of_geometry.at(inst) : scene.instances.size(),
                                  packet.hit.primID[lane]};
      }
    }
    // The moving instances this group's rays can reach: their bounding spheres against the cone
    // around the group's directions (a column spans one azimuth).
    active.clear();
    if (!moving.empty()) {
      glm::dvec3 axis(0.0);
      for (const glm::dvec3& d : dirs) axis += d;
      axis = glm::length(axis) > 0 ? glm::normalize(axis) : dirs.front();
      double cos_half = 1.0;
      for (const glm::dvec3& d : dirs) cos_half = std::min(cos_half, glm::dot(axis, d));
      const double half = std::acos(std::clamp(cos_half, -1.0, 1.0)) + 1e-9;
      for (const Moving& mv : moving) {
        const glm::dvec3 oc = mv.centre - origin;
        const double dist = glm::length(oc);
        if (dist > mv.radius && std::acos(std::clamp(glm::dot(axis, oc) / dist, -1.0, 1.0)) - std::asin(mv.radius / dist) > half) continue;
        active.push_back(&mv);
      }
    }
    for (; b < e; ++b) {
      const LidarBeam& beam = beams[b];
      const glm::dvec3& dir = dirs[b - e + dirs.size()];
      const StaticHit& sh = hits[b - e + hits.size()];
      float tfar = sh.tfar;
      std::size_t hit_index = sh.index;
      std::uint32_t hit_prim = sh.prim;
      for (const Moving* mvp : active) {
        const Moving& mv = *mvp;
        // The ray's segment [0, tfar] against the bounding sphere (dir is unit).
        const glm::dvec3 oc = mv.centre - origin;
        const double along = glm::dot(oc, dir);
        const double miss2 = glm::dot(oc, oc) - along * along;
        if (miss2 > mv.radius * mv.radius || along + mv.radius < 0.0 || along - mv.radius > double(tfar)) continue;
        // The same line in the mesh's frame: p(t) = o + t d maps to o' + t d', so t is unchanged.
        const glm::dvec3 o = glm::dvec3(mv.world_to_object * glm::dvec4(origin, 1.0));
        const glm::dvec3 d = glm::dmat3(mv.world_to_object) * dir;
        RTCRayHit local{};
        local.ray.org_x = static_cast<float>(o.x), local.ray.org_y = static_cast<float>(o.y), local.ray.org_z = static_cast<float>(o.z);
        local.ray.dir_x = static_cast<float>(d.x), local.ray.dir_y = static_cast<float>(d.y), local.ray.dir_z = static_cast<float>(d.z);
        local.ray.tnear = 0.0f;
        local.ray.tfar = tfar;
        local.ray.mask = 0xFFFFFFFFu;
        local.hit.geomID = RTC_INVALID_GEOMETRY_ID;
        local.hit.instID[0] = RTC_INVALID_GEOMETRY_ID;
        rtcIntersect1(mv.mesh, &context, &local);
        if (local.hit.geomID == RTC_INVALID_GEOMETRY_ID) continue;
        tfar = local.ray.tfar;
        hit_index = mv.index;
        hit_prim = local.hit.primID;
      }
      if (hit_index == scene.instances.size()) {
        ++out.misses;
        continue;
      }
      const double range = tfar;
      if (range < spec.min_range_m) {
        ++out.out_of_range;
        out.status[b] = -2;
        continue;
      }
      if (spec.dropout > 0 && hashed_uniform(scene.lidar.noise_key, b, 0) < spec.dropout) {
        ++out.dropped;
        out.status[b] = -1;
        continue;
      }
      const std::size_t k = hit_index;
      const Instance& inst = scene.instances[k];
      const double intensity = intensity_of(spec, inst, m->copies[inst.mesh_index], glm::dmat4(models[k]), hit_prim, dir, range);
      const double noise = range_noise(spec, scene.lidar.noise_key, b);
      LidarPoint p;
      const double measured = range + noise;
      // Raw: in the sensor frame at the firing time; compensated: the world point in the sensor frame
      // at the sweep's start.
      const glm::dvec3 q = spec.ego_compensated ? glm::dvec3(world_to_start * glm::dvec4(origin + dir * measured, 1.0)) : beam.direction * measured;
      p.x = static_cast<float>(q.x), p.y = static_cast<float>(q.y), p.z = static_cast<float>(q.z);
      p.intensity = static_cast<float>(intensity);
      p.range = static_cast<float>(measured);
      p.noise = static_cast<float>(noise);
      p.time = static_cast<float>(beam.time);
      p.ring = beam.ring;
      p.column = beam.column;
      p.instance = inst.stuff ? 0u : inst.instance_id;
      p.semantic = inst.category_id;
      p.surface = static_cast<std::uint32_t>(k);
      out.points.push_back(p);
      out.status[b] = 1;
    }
  }
  for (RTCGeometry g : attached) rtcReleaseGeometry(g);
  rtcReleaseScene(top);
  if (rtcGetDeviceError(m->device) != RTC_ERROR_NONE) return make_error(ExitCode::internal, embree_error(m->device, "cast a sweep"));
  out.trace_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return out;
}

}  // namespace synthlabel
