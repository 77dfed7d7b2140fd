// The randomizers a config lists, built once per run from the spec and applied to every frame.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "core/Error.h"
#include "randomizers/Randomizer.h"
#include "scenes/SceneAssets.h"
#include "scenes/Texture.h"

namespace synthlabel {

// Every registered randomizer, in name order.
const RandomizerRegistry& randomizer_registry();

class RandomizerPipeline {
 public:
  struct Step {
    std::string type;
    std::string stream;  // "randomizers/TYPE#K": K counts earlier entries of the same type
    std::unique_ptr<Randomizer> randomizer;
    bool per_frame = false;  // `per: frame` (with a sequence): drawn per frame, not once per clip
  };
  std::vector<Step> steps;
  std::vector<std::filesystem::path> textures;  // what Instance::texture indexes (BuildContext)
  std::vector<std::string> texture_where;       // the config position that named each

  // Runs every step in order, then numbers the labeled instances 1..N in scene order.
  void apply(Scene& scene, const FrameContext& ctx) const;
  // Randomizer::prepare of every step, in order; returns their notes.
  Result<std::vector<std::string>> prepare(const MeshLibrary& meshes) const;
  // Seconds spent in each step's apply() so far (summed over calls and threads), in step order.
  std::vector<double> seconds() const;

 private:
  mutable std::vector<std::atomic<std::int64_t>> m_nanoseconds = std::vector<std::atomic<std::int64_t>>(k_max_randomizers);
};

// Builds the pipeline for spec.randomizers. An unknown type, a bad parameter or an unknown key is
// Error(ExitCode::usage) naming `file:line:col: randomizers[i].key` and, where it can, a suggestion.
Result<std::shared_ptr<const RandomizerPipeline>> build_randomizers(const SceneSpec& spec);

// The parameters randomizer `name` reads, with their defaults and ranges, as its factory asks for them
// given no parameters; `needs` gets the factory's complaint when it cannot be built without one.
std::vector<ParamInfo> describe_randomizer(const RandomizerInfo& info, std::string& needs);

// The pipeline's texture files and where the config names each, for load_scene_assets.
inline TextureFiles texture_files(const RandomizerPipeline& pipeline) { return {pipeline.textures, pipeline.texture_where}; }

}  // namespace synthlabel
