#include "randomizers/Registry.h"

#include <algorithm>
#include <chrono>
#include <map>

#include <glm/ext/matrix_transform.hpp>

#include "core/Text.h"
#include "scenes/ConfigLoader.h"
#include "scenes/Texture.h"

namespace synthlabel {

void register_all_plugins(RandomizerRegistry& r);  // generated from the list in CMakeLists.txt

const RandomizerRegistry& randomizer_registry() {
  static const RandomizerRegistry registry = [] {
    RandomizerRegistry r;
    register_all_plugins(r);
    auto sorted = r.entries();
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    RandomizerRegistry out;
    for (auto& e : sorted) out.add(e);
    return out;
  }();
  return registry;
}

std::vector<bool> select_objects(const Properties& props, const SceneSpec& spec, std::string_view key,
                                 bool all_by_default) {
  const auto names = props.names(key);
  std::vector<bool> chosen(spec.objects.size(), names.empty() && all_by_default);
  std::vector<std::string_view> known;
  for (const auto& o : spec.objects) known.push_back(o.name);
  for (const auto& name : names) {
    bool found = false;
    for (std::size_t i = 0; i < spec.objects.size(); ++i) {
      if (spec.objects[i].name == name) chosen[i] = found = true;
    }
    if (!found) props.fail(key, "no object is named '" + name + "'" + suggest(name, known));
  }
  return chosen;
}

std::vector<std::int32_t> BuildContext::add_texture_folder(const Properties& props, std::string_view key) {
  const auto folder = props.file_path(key);
  auto files = list_textures(folder);
  if (!files) throw ConfigError{props.where_of(key) + ": " + files.error().message, files.error().code};
  std::vector<std::int32_t> indices;
  for (const auto& f : *files) {
    auto it = std::find(textures.begin(), textures.end(), f);
    if (it == textures.end()) {
      if (textures.size() >= k_max_textures) {
        throw ConfigError{props.where_of(key) + ": more than " + std::to_string(k_max_textures) + " textures in all",
                          ExitCode::usage};
      }
      textures.push_back(f);
      texture_where.push_back(props.where_of(key));
      it = textures.end() - 1;
    }
    indices.push_back(static_cast<std::int32_t>(it - textures.begin()));
  }
  return indices;
}

void update_model(Instance& inst) {
  inst.model = glm::translate(glm::mat4(1.0f), inst.position) * glm::mat4_cast(inst.rotation) *
               glm::scale(glm::mat4(1.0f), inst.scale);
}

void RandomizerPipeline::apply(Scene& scene, const FrameContext& ctx) const {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& step = steps[i];
    const auto t0 = std::chrono::steady_clock::now();
    // Keyed by the clip (with a sequence) or, for `per: frame`, by the frame itself.
    Rng rng(ctx.spec.seed, step.per_frame ? scene.frame : ctx.at.frame, step.stream);
    nlohmann::ordered_json record = nlohmann::ordered_json::object();
    record["type"] = step.type;
    step.randomizer->apply(scene, rng, ctx, record);
    scene.randomizer_records.push_back(std::move(record));
    if (i < m_nanoseconds.size()) {
      m_nanoseconds[i] += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
    }
  }
  // Things 1..n in scene order, then the stuff surfaces n+1.. (so thing ids do not depend on them).
  std::uint32_t next = 1;
  for (auto& inst : scene.instances) {
    if (inst.category_id != 0 && !inst.stuff) inst.instance_id = next++;
  }
  for (auto& inst : scene.instances) {
    if (inst.stuff) inst.instance_id = next++;
  }
}

Result<std::vector<std::string>> RandomizerPipeline::prepare(const MeshLibrary& meshes) const {
  std::vector<std::string> notes;
  for (const auto& step : steps) SL_TRY_STATUS(step.randomizer->prepare(meshes, notes));
  return notes;
}

std::vector<double> RandomizerPipeline::seconds() const {
  std::vector<double> out;
  for (std::size_t i = 0; i < steps.size() && i < m_nanoseconds.size(); ++i) out.push_back(1e-9 * static_cast<double>(m_nanoseconds[i].load()));
  return out;
}

std::vector<ParamInfo> describe_randomizer(const RandomizerInfo& info, std::string& needs) {
  std::vector<ParamInfo> out;
  SceneSpec spec;                      // as large as a config may be where a range depends on it
  spec.lights.resize(k_max_lights);    // (light_count: at most the config's lights)
  BuildContext ctx{spec, {}, {}};
  try {
    (void)info.make(Properties::describing(info.name, out), ctx);
  } catch (const ConfigError& e) {
    if (e.code == ExitCode::usage) needs = e.message;  // (not a folder that a description cannot name)
  }
  return out;
}

Result<std::shared_ptr<const RandomizerPipeline>> build_randomizers(const SceneSpec& spec) {
  auto pipeline = std::make_shared<RandomizerPipeline>();
  const auto& registry = randomizer_registry();
  BuildContext ctx{spec, {}, {}};
  std::map<std::string, int> seen;
  try {
    for (const auto& props : spec.randomizers) {
      const RandomizerInfo* info = nullptr;
      std::vector<std::string_view> names;
      for (const auto& e : registry.entries()) {
        names.push_back(e.name);
        if (e.name == props.type()) info = &e;
      }
      if (!info) {
        std::string list;
        for (auto n : names) list += (list.empty() ? "" : ", ") + std::string(n);
        props.fail("type", "unknown randomizer '" + props.type() + "'" + suggest(props.type(), names) +
                               " (known: " + list + ")");
      }
      const bool per_frame = props.has("per") && props.choice("per", "clip", {"clip", "frame"}) == "frame";
      if (per_frame && !spec.sequence) props.fail("per", "per: frame only applies with sequence: {length, fps} (without clips every draw is per frame)");
      if (per_frame && !info->appearance) {
        props.fail("per", info->name + " moves, adds or removes objects: it acts once per clip (per: frame is for the randomizers that "
                                       "change only appearance: material, light_count, background_image)");
      }
      auto made = info->make(props, ctx);
      props.check_unused();
      const int k = seen[info->name]++;
      pipeline->steps.push_back({info->name, "randomizers/" + info->name + "#" + std::to_string(k), std::move(made), per_frame});
    }
  } catch (const ConfigError& e) {
    return make_error(e.code, e.message);
  }
  pipeline->textures = std::move(ctx.textures);
  pipeline->texture_where = std::move(ctx.texture_where);
  return std::shared_ptr<const RandomizerPipeline>(std::move(pipeline));
}

}  // namespace synthlabel
