// The objects of a scene config: each a primitive or an asset (one file, a glob or a folder: a pool
// of its files), or a pool of weighted entries with their categories; keypoints per shape, merged
// per category; placement (count, scale, position, rotation, colour).
#include <glob.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/Text.h"
#include "scenes/config/Schema.h"

namespace synthlabel::config {
namespace {

class ObjectParser {
 public:
  explicit ObjectParser(Reader& reader) : rd(reader) {}

  ObjectSpec parse_object(const YAML::Node& n, const std::string& path, const SceneSpec& spec) {
    rd.expect_map(n, path);
    rd.check_schema_keys(n, path, "objects[]");
    ObjectSpec o;
    if (n["labeled"]) o.labeled = rd.boolean(n["labeled"], rd.join(path, "labeled"));
    if (auto pool = n["pool"]) {
      for (const char* k : {"primitive", "asset", "normalize", "units", "up", "category", "keypoints"}) {
        if (n[k]) rd.fail(n[k], rd.join(path, k), "an object with a pool takes its shapes and categories from the pool entries");
      }
      parse_pool(pool, n["category_weights"], rd.join(path, "pool"), o, spec);
      o.name = n["name"] ? rd.string(n["name"], rd.join(path, "name")) : "pool";
      parse_placement(n, path, o);
      return o;
    }
    if (n["category_weights"]) rd.fail(n["category_weights"], rd.join(path, "category_weights"), "only applies with 'pool'");
    o.shape = parse_shape(n, path);
    o.name = n["name"] ? rd.string(n["name"], rd.join(path, "name")) : o.shape.name;
    if (auto c = n["category"]) {
      o.category_id = category_id(c, rd.join(path, "category"), spec);
      if (spec.categories[o.category_id - 1].stuff) {
        // A stuff surface: its pixels carry the category, it is never an instance.
        if (n["labeled"] && o.labeled) {
          rd.fail(n["labeled"], rd.join(path, "labeled"), "'" + c.Scalar() + "' is a stuff category: it labels pixels, not instances; "
                                                    "drop labeled: true");
        }
        o.labeled = false;
      } else if (!o.labeled) {
        rd.fail(c, rd.join(path, "category"), "an unlabeled object (labeled: false) has no category (or give it a stuff category)");
      }
    } else if (o.labeled) {
      rd.fail(n, rd.join(path, "category"), "missing: a labeled object needs a category (or set labeled: false)");
    }
    // A glob or a folder of assets: a pool of its files, equally likely, each in the object's category.
    if (const auto files = asset_set(o.shape, n["asset"], rd.join(path, "asset")); !files.empty()) {
      if (o.category_id != 0 && spec.categories[o.category_id - 1].stuff) {
        rd.fail(n["asset"], rd.join(path, "asset"), "a set of assets takes a thing category (a stuff surface is one mesh)");
      }
      PoolEntry entry;
      entry.shape = o.shape;
      entry.category_id = o.labeled ? o.category_id : 0;
      std::vector<double> weights;
      add_pool_entries(entry, files, 1.0, o, weights);
      for (std::size_t j = 0; j < o.pool.size(); ++j) o.pool[j].probability = weights[j];
      o.shape = ShapeSpec{};
      if (!n["name"]) o.name = n["asset"].Scalar();  // "models/*.glb", as written
    }
    parse_placement(n, path, o);
    return o;
  }

  // `primitive`, or `asset` with its import options, in an object or a pool entry.
  ShapeSpec parse_shape(const YAML::Node& n, const std::string& path) {
    ShapeSpec out;
    if (n["primitive"] && n["asset"]) rd.fail(n, path, "give either 'primitive' or 'asset', not both");
    if (auto p = n["primitive"]) {
      out.name = rd.string(p, rd.join(path, "primitive"));
      out.primitive = primitive_from_name(out.name);
      if (!out.primitive) {
        std::vector<std::string_view> names(k_primitive_names.begin(), k_primitive_names.end());
        rd.fail(p, rd.join(path, "primitive"), "unknown primitive '" + out.name + "'" + suggest(out.name, names));
      }
    } else if (auto a = n["asset"]) {
      const std::filesystem::path rel = rd.string(a, rd.join(path, "asset"));
      out.asset = rel.is_absolute() ? rel : (rd.source_of(a).second / rel).lexically_normal();
      out.where = rd.where(a) + ": " + rd.join(path, "asset");
      out.name = rel.filename().string();
    } else {
      rd.fail(n, path, "missing 'primitive' (cube, sphere, cylinder, cone, torus, plane) or 'asset' (a mesh file path)");
    }
    if (n["normalize"]) {
      if (!n["asset"]) rd.fail(n["normalize"], rd.join(path, "normalize"), "only applies to assets");
      out.normalize = rd.boolean(n["normalize"], rd.join(path, "normalize"));
    }
    if (auto u = n["units"]) {
      if (!n["asset"]) rd.fail(u, rd.join(path, "units"), "only applies to assets");
      out.unit_scale = rd.number(u, rd.join(path, "units"));
      if (!(out.unit_scale > 0) || out.unit_scale > 1e6) rd.fail(u, rd.join(path, "units"), "expected metres per file unit, > 0");
    }
    if (auto up = n["up"]) {
      if (!n["asset"]) rd.fail(up, rd.join(path, "up"), "only applies to assets");
      const std::string v = rd.string(up, rd.join(path, "up"));
      std::string_view axes[] = {"y", "z"};
      if (v != "y" && v != "z") rd.fail(up, rd.join(path, "up"), "expected y or z, got '" + v + "'" + suggest(v, axes));
      out.z_up = v == "z";
    }
    if (auto k = n["keypoints"]) out.keypoints = parse_keypoints(k, rd.join(path, "keypoints"));
    return out;
  }

  // keypoints: {points: [{name, position: [x, y, z]}, ...], skeleton: [[name, name], ...], tolerance_m}
  // Positions are in the model file's own coordinates (before units, up and normalize).
  KeypointsSpec parse_keypoints(const YAML::Node& n, const std::string& path) {
    rd.expect_map(n, path);
    rd.check_schema_keys(n, path, "objects[].keypoints");
    KeypointsSpec k;
    const YAML::Node points = n["points"];
    if (!points) rd.fail(n, rd.join(path, "points"), "missing: list the points, e.g. points: [{name: tip, position: [0, 1, 0]}]");
    if (!points.IsSequence() || points.size() == 0) rd.fail(points, rd.join(path, "points"), "expected a non-empty list of {name, position}");
    if (points.size() > k_max_keypoints) rd.fail(points, rd.join(path, "points"), "at most " + std::to_string(k_max_keypoints) + " keypoints");
    for (std::size_t i = 0; i < points.size(); ++i) {
      const std::string pp = rd.join(path, "points") + "[" + std::to_string(i) + "]";
      rd.expect_map(points[i], pp);
      rd.check_schema_keys(points[i], pp, "objects[].keypoints.points[]");
      if (!points[i]["name"]) rd.fail(points[i], rd.join(pp, "name"), "missing");
      if (!points[i]["position"]) rd.fail(points[i], rd.join(pp, "position"), "missing: [x, y, z] in the model's coordinates");
      const std::string name = rd.string(points[i]["name"], rd.join(pp, "name"));
      for (const auto& prev : k.names) {
        if (prev == name) rd.fail(points[i]["name"], rd.join(pp, "name"), "keypoint '" + name + "' is listed twice");
      }
      const auto xyz = rd.number_list(points[i]["position"], rd.join(pp, "position"), 3);
      k.names.push_back(name);
      k.points.emplace_back(xyz[0], xyz[1], xyz[2]);
    }
    if (auto sk = n["skeleton"]) {
      const std::string sp = rd.join(path, "skeleton");
      if (!sk.IsSequence()) rd.fail(sk, sp, "expected a list of [name, name] pairs");
      for (std::size_t i = 0; i < sk.size(); ++i) {
        const std::string ep = sp + "[" + std::to_string(i) + "]";
        if (!sk[i].IsSequence() || sk[i].size() != 2) rd.fail(sk[i], ep, "expected a pair [name, name]");
        std::array<std::uint32_t, 2> edge{};
        for (std::size_t e = 0; e < 2; ++e) {
          const std::string name = rd.string(sk[i][e], ep + "[" + std::to_string(e) + "]");
          const auto it = std::find(k.names.begin(), k.names.end(), name);
          if (it == k.names.end()) {
            std::vector<std::string_view> names(k.names.begin(), k.names.end());
            rd.fail(sk[i][e], ep + "[" + std::to_string(e) + "]", "unknown keypoint '" + name + "'" + suggest(name, names));
          }
          edge[e] = static_cast<std::uint32_t>(it - k.names.begin() + 1);
        }
        if (edge[0] == edge[1]) rd.fail(sk[i], ep, "an edge joins two different keypoints");
        k.skeleton.push_back(edge);
      }
    }
    if (auto t = n["tolerance_m"]) k.tolerance_m = rd.number(t, rd.join(path, "tolerance_m"), 0.0, 1000.0);
    return k;
  }

  // Every shape of a category declares the same keypoint names (COCO keeps them per category), and
  // the same skeleton where it gives one; the category takes them. Shapes are checked in config order.
  void collect_keypoints(const YAML::Node& objs, SceneSpec& spec) {
    std::vector<std::string> first_where(spec.categories.size());
    auto visit = [&](const ShapeSpec& shape, std::uint32_t category_id, const YAML::Node& node, const std::string& path) {
      if (category_id == 0) {
        if (!shape.keypoints.names.empty()) rd.fail(node["keypoints"], rd.join(path, "keypoints"), "an unlabeled object has no keypoint labels");
        return;
      }
      CategorySpec& c = spec.categories[category_id - 1];
      std::string& first = first_where[category_id - 1];
      const std::string here = rd.where(node) + ": " + path;
      if (first.empty()) {
        first = here;
        c.keypoints = shape.keypoints.names;
        c.skeleton = shape.keypoints.skeleton;
        return;
      }
      if (shape.keypoints.names != c.keypoints) {
        rd.fail(node, rd.join(path, "keypoints"),
             "category '" + c.name + "' has " + (c.keypoints.empty() ? "no keypoints" : "keypoints [" + join_names(c.keypoints) + "]") +
                 " from " + first + "; every shape of a category must declare the same keypoint names in the same order");
      }
      if (!shape.keypoints.skeleton.empty()) {
        if (c.skeleton.empty()) c.skeleton = shape.keypoints.skeleton;
        else if (c.skeleton != shape.keypoints.skeleton) {
          rd.fail(node["keypoints"]["skeleton"], rd.join(path, "keypoints.skeleton"),
               "differs from the skeleton category '" + c.name + "' already has; give the same edges or leave it out");
        }
      }
    };
    for (std::size_t i = 0; i < spec.objects.size(); ++i) {
      const ObjectSpec& o = spec.objects[i];
      const std::string path = "objects[" + std::to_string(i) + "]";
      if (o.pool.empty()) {
        visit(o.shape, o.labeled ? o.category_id : 0, objs[i], path);
        continue;
      }
      for (std::size_t j = 0; j < o.pool.size(); ++j) {
        const std::int64_t k = o.pool[j].source_entry;  // the YAML entry (an asset glob makes several of one)
        visit(o.pool[j].shape, o.labeled ? o.pool[j].category_id : 0, k < 0 ? objs[i] : objs[i]["pool"][static_cast<std::size_t>(k)],
              k < 0 ? path : path + ".pool[" + std::to_string(k) + "]");
      }
    }
  }

  static std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
      if (!out.empty()) out += ", ";
      out += n;
    }
    return out;
  }

  std::uint32_t category_id(const YAML::Node& c, const std::string& path, const SceneSpec& spec) {
    const std::string name = rd.string(c, path);
    std::vector<std::string_view> names;
    for (std::size_t i = 0; i < spec.categories.size(); ++i) {
      names.push_back(spec.categories[i].name);
      if (spec.categories[i].name == name) return static_cast<std::uint32_t>(i + 1);
    }
    rd.fail(c, path, "unknown category '" + name + "'" + suggest(name, names));
  }

  // An asset given as a glob ("models/*.glb") or a folder ("models/"): its mesh files, sorted by
  // name; empty when the asset is one file. None matching is an error.
  std::vector<std::filesystem::path> asset_set(const ShapeSpec& shape, const YAML::Node& at, const std::string& key) {
    if (shape.primitive) return {};
    const std::string pattern = shape.asset.string();
    std::error_code ec;
    const bool folder = std::filesystem::is_directory(shape.asset, ec);
    if (!folder && pattern.find_first_of("*?[") == std::string::npos) return {};
    std::vector<std::filesystem::path> out;
    if (folder) {
      static const std::set<std::string> k_mesh_ext = {".glb", ".gltf", ".obj", ".ply", ".stl", ".off", ".fbx", ".dae", ".3ds"};
      for (const auto& e : std::filesystem::directory_iterator(shape.asset, ec)) {
        std::string ext = e.path().extension().string();
        for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (e.is_regular_file(ec) && k_mesh_ext.count(ext)) out.push_back(e.path());
      }
      std::sort(out.begin(), out.end());
    } else {
      glob_t g{};
      if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {  // sorted by name
        for (std::size_t i = 0; i < g.gl_pathc; ++i) {
          if (std::filesystem::is_regular_file(g.gl_pathv[i], ec)) out.emplace_back(g.gl_pathv[i]);
        }
      }
      globfree(&g);
    }
    if (out.empty()) rd.fail(at, key, "'" + at.Scalar() + "' matches no mesh file" + (folder ? " (.glb, .gltf, .obj, .ply, ...)" : ""));
    if (out.size() > k_max_asset_set) rd.fail(at, key, "'" + at.Scalar() + "' matches more than " + std::to_string(k_max_asset_set) + " files");
    return out;
  }

  // The entry once per file of its asset set (each a share `weight / files` of its weight).
  void add_pool_entries(const PoolEntry& entry, const std::vector<std::filesystem::path>& files, double weight, ObjectSpec& o,
                        std::vector<double>& weights) {
    if (files.empty()) {
      o.pool.push_back(entry);
      weights.push_back(weight);
      return;
    }
    for (const auto& f : files) {
      PoolEntry e = entry;
      e.shape.asset = f;
      e.shape.name = f.filename().string();
      o.pool.push_back(std::move(e));
      weights.push_back(weight / static_cast<double>(files.size()));
    }
  }

  // pool: [{primitive|asset, normalize, category, weight}, ...] and optional category_weights:
  // {category: weight}. Without category weights an entry's chance is its weight over the sum; with
  // them a category's chance is its weight over theirs, shared among its entries by entry weight.
  void parse_pool(const YAML::Node& pool, const YAML::Node& category_weights, const std::string& path, ObjectSpec& o,
                  const SceneSpec& spec) {
    if (!pool.IsSequence() || pool.size() == 0) rd.fail(pool, path, "expected a non-empty list of {primitive|asset, category, weight}");
    std::vector<double> weight;
    for (std::size_t j = 0; j < pool.size(); ++j) {
      const std::string ep = path + "[" + std::to_string(j) + "]";
      const YAML::Node e = pool[j];
      rd.expect_map(e, ep);
      rd.check_schema_keys(e, ep, "objects[].pool[]");
      PoolEntry entry;
      entry.source_entry = static_cast<std::int64_t>(j);
      entry.shape = parse_shape(e, ep);
      if (auto c = e["category"]) {
        if (!o.labeled) rd.fail(c, rd.join(ep, "category"), "an unlabeled object (labeled: false) has no category");
        entry.category_id = category_id(c, rd.join(ep, "category"), spec);
        if (spec.categories[entry.category_id - 1].stuff) {
          rd.fail(c, rd.join(ep, "category"), "'" + c.Scalar() + "' is a stuff category: pool entries take thing categories "
                                        "(give a stuff category to a whole object)");
        }
      } else if (o.labeled) {
        rd.fail(e, rd.join(ep, "category"), "missing: entries of a labeled object's pool need a category");
      }
      const double w = e["weight"] ? rd.number(e["weight"], rd.join(ep, "weight")) : 1.0;
      if (!(w > 0)) rd.fail(e["weight"], rd.join(ep, "weight"), "must be > 0");
      add_pool_entries(entry, asset_set(entry.shape, e["asset"], rd.join(ep, "asset")), w, o, weight);
    }
    if (category_weights) {
      const std::string cp = rd.join(path.substr(0, path.size() - 5), "category_weights");
      if (!category_weights.IsMap() || category_weights.size() == 0) {
        rd.fail(category_weights, cp, "expected {category: weight, ...}");
      }
      if (!o.labeled) rd.fail(category_weights, cp, "an unlabeled object has no categories");
      std::map<std::uint32_t, double> cw, in_category;
      for (const auto& kv : category_weights) {
        const std::uint32_t id = category_id(kv.first, cp, spec);
        bool used = false;
        for (const auto& entry : o.pool) used = used || entry.category_id == id;
        if (!used) rd.fail(kv.first, cp, "no pool entry has category '" + kv.first.Scalar() + "'");
        const double w = rd.number(kv.second, rd.join(cp, kv.first.Scalar()));
        if (w < 0) rd.fail(kv.second, rd.join(cp, kv.first.Scalar()), "must be >= 0");
        if (!cw.emplace(id, w).second) rd.fail(kv.first, cp, "category '" + kv.first.Scalar() + "' is listed twice");
      }
      double total = 0;
      for (const auto& [id, w] : cw) total += w;
      if (!(total > 0)) rd.fail(category_weights, cp, "weights must not all be 0");
      for (std::size_t j = 0; j < o.pool.size(); ++j) in_category[o.pool[j].category_id] += weight[j];
      for (std::size_t j = 0; j < o.pool.size(); ++j) {
        const auto id = o.pool[j].category_id;
        const double c = cw.count(id) ? cw[id] : 0.0;  // a category left out of the weights is never drawn
        o.pool[j].probability = c / total * weight[j] / in_category[id];
      }
    } else {
      double total = 0;
      for (double w : weight) total += w;
      for (std::size_t j = 0; j < o.pool.size(); ++j) o.pool[j].probability = weight[j] / total;
    }
  }

  void parse_placement(const YAML::Node& n, const std::string& path, ObjectSpec& o) {
    if (n["count"]) o.count = rd.int_dist(n["count"], rd.join(path, "count"), 0, k_max_count_per_object);
    if (auto s = n["scale"]) {
      if (s.IsSequence() || (s.IsMap() && s["uniform"] && s["uniform"].IsSequence() && s["uniform"].size() == 2 &&
                             s["uniform"][0].IsSequence())) {
        o.scale = rd.vec3_dist(s, rd.join(path, "scale"), 1e-6, 1e6);
        o.uniform_scale = false;
      } else {
        o.scale[0] = rd.scalar_dist(s, rd.join(path, "scale"), 1e-6, 1e6);
        o.uniform_scale = true;
      }
    }
    if (n["position"]) o.position = rd.vec3_dist(n["position"], rd.join(path, "position"));
    if (auto r = n["rotation"]) {
      if (r.IsScalar()) {
        if (r.Scalar() != "uniform") {
          rd.fail(r, rd.join(path, "rotation"), "expected 'uniform' or Euler angles in degrees [x, y, z]");
        }
        o.rotation.uniform_so3 = true;
      } else {
        o.rotation.euler_deg = rd.vec3_dist(r, rd.join(path, "rotation"));
      }
    }
    if (n["color"]) o.color = rd.vec3_dist(n["color"], rd.join(path, "color"), 0.0, 1.0);
    if (n["velocity"]) o.velocity = rd.vec3_dist(n["velocity"], rd.join(path, "velocity"), -1e5, 1e5);
    if (n["angular_velocity_deg"]) {
      o.angular_velocity_deg = rd.vec3_dist(n["angular_velocity_deg"], rd.join(path, "angular_velocity_deg"), -1e6, 1e6);
    }
    if (auto p = n["path"]) {
      const std::string at = rd.join(path, "path");
      if (!p.IsSequence() || p.size() == 0 || p.size() > 1000) rd.fail(p, at, "expected a list of 1..1000 keys {t, position, rotation_deg}");
      for (const char* k : {"velocity", "angular_velocity_deg"}) {
        if (n[k]) rd.fail(n[k], rd.join(path, k), "an object follows its path or moves by velocities, not both");
      }
      for (std::size_t i = 0; i < p.size(); ++i) {
        const std::string kp = at + "[" + std::to_string(i) + "]";
        PathKeySpec key;
        rd.keyframe(p[i], kp, "objects[].path[]", "{t: 1.5, position: [0, 0, 1]}", o.path.empty() ? nullptr : &o.path.back(), key);
        if (p[i]["rotation_deg"]) key.rotation_deg = rd.vec3_dist(p[i]["rotation_deg"], kp + ".rotation_deg");
        if (i > 0 && key.rotation_deg.has_value() != o.path.front().rotation_deg.has_value()) {
          rd.fail(p[i], kp, "give rotation_deg in every key or in none");
        }
        o.path.push_back(std::move(key));
      }
    }
  }

 private:
  Reader& rd;
};

}  // namespace

ObjectSpec parse_object(Reader& r, const YAML::Node& n, const std::string& path, const SceneSpec& spec) {
  return ObjectParser(r).parse_object(n, path, spec);
}
void collect_keypoints(Reader& r, const YAML::Node& objects, SceneSpec& spec) { ObjectParser(r).collect_keypoints(objects, spec); }
std::uint32_t category_id(Reader& r, const YAML::Node& c, const std::string& path, const SceneSpec& spec) {
  return ObjectParser(r).category_id(c, path, spec);
}

}  // namespace synthlabel::config
