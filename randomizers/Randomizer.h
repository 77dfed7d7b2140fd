// Randomizer: one named, configurable step that changes a frame's Scene after the base draw of
// camera, lights and objects (FrameSampler.h). Randomizers run in the order the config lists them,
// each with its own Rng stream, so they compose: place objects on a table, then jitter their
// rotation, then pick materials, then move the camera until they are all in view.
//
// A randomizer is one file in randomizers/plugins/: a class deriving from Randomizer, a factory that
// reads its parameters from a Properties bag (validated, with file:line:col errors), and a
// registration function named register_<file name>; the file's name is listed once in
// randomizers/CMakeLists.txt, which generates the call. See docs/randomizers.md.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "randomizers/Rng.h"
#include "randomizers/Sample.h"
#include "scenes/Mesh.h"
#include "scenes/Properties.h"
#include "scenes/SceneAssets.h"
#include "scenes/Scene.h"
#include "scenes/SceneSpec.h"

namespace synthlabel {

struct FrameContext {
  const SceneSpec& spec;
  std::span<const Mesh> meshes;
  FrameIndex at;
};

class Randomizer {
 public:
  virtual ~Randomizer() = default;
  // Changes `scene`; draws only from `rng` (this randomizer's stream for this frame). What it drew
  // beyond the Scene's own fields goes into `record` (a JSON object, written to the frame record).
  virtual void apply(Scene& scene, Rng& rng, const FrameContext& ctx, nlohmann::ordered_json& record) const = 0;
  // Once per run, with the meshes loaded, before any frame: precomputes what it derives from meshes
  // (physics_drop's collision shapes) and refuses meshes it cannot use. Lines for the user (what was
  // built, at what cost, fallbacks) go into `notes`. apply() works without it, computing on first use.
  virtual Status prepare(const MeshLibrary& meshes, std::vector<std::string>& notes) const {
    (void)meshes, (void)notes;
    return ok_status();
  }
};

// What a factory may use and publish while the pipeline is built.
struct BuildContext {
  const SceneSpec& spec;
  // Every texture file a randomizer may apply (Instance::texture indexes this list); the CLI loads
  // and uploads them before rendering.
  std::vector<std::filesystem::path> textures;
  std::vector<std::string> texture_where;  // "file:line:col: randomizers[i].key" of each, for errors

  // Adds the .png files of the folder named by `key` (sorted by name) and returns their indices.
  // A missing or empty folder throws ConfigError with ExitCode::asset.
  std::vector<std::int32_t> add_texture_folder(const Properties& props, std::string_view key);
};

// Builds a randomizer from its entry; throws ConfigError (via Properties) on a bad parameter.
using RandomizerFactory = std::unique_ptr<Randomizer> (*)(const Properties& props, BuildContext& ctx);

struct RandomizerInfo {
  std::string name;     // the `type:` that selects it
  std::string summary;  // one line for `synthlabel randomizers`
  RandomizerFactory make;
  // It changes only how things look (materials, lights, the background), never what is where: with a
  // sequence it may act per frame (`per: frame`, e.g. flicker) without breaking tracks or flow.
  bool appearance = false;
};

class RandomizerRegistry {
 public:
  void add(RandomizerInfo info) { m_entries.push_back(std::move(info)); }
  const std::vector<RandomizerInfo>& entries() const { return m_entries; }

 private:
  std::vector<RandomizerInfo> m_entries;
};

// ---- helpers shared by the plugins ----

// Which of the spec's objects the `key` parameter names (by object name); every object when the key
// is absent and `all_by_default`, none otherwise. Unknown names are errors with a suggestion.
std::vector<bool> select_objects(const Properties& props, const SceneSpec& spec, std::string_view key,
                                 bool all_by_default);

// Recomputes inst.model from position, rotation and scale.
void update_model(Instance& inst);

}  // namespace synthlabel
