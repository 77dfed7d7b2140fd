// libFuzzer target: any bytes as a scene config with the files it includes and command-line overrides
// (fuzz/FuzzInput.h: sections separated by "#@@" lines), loaded as generate loads them, confined to
// the input's own folder as with --asset-root. A config the loader accepts must also serialize and,
// when it names no asset files, load its primitives and sample a frame without undefined behaviour;
// one it refuses must give a config or asset error. Alias bombs and include fan-out must end fast
// (scripts/fuzz.sh gives every input a wall-clock limit).

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/FileIo.h"
#include "fuzz/FuzzInput.h"
#include "randomizers/FrameSampler.h"
#include "randomizers/Registry.h"
#include "scenes/ConfigLoader.h"
#include "scenes/SpecJson.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace synthlabel;
  static const std::filesystem::path dir = [] {
    auto folder = make_temp_folder("synthlabel-config-fuzz");
    if (!folder) std::abort();
    return *folder;
  }();
  const auto input = fuzz::split_fuzz_input(std::string_view(reinterpret_cast<const char*>(data), size), fuzz::k_config_names);
  const auto main = fuzz::write_fuzz_files(dir, input);
  auto spec = load_config(main, input.overrides, dir);
  for (const auto& [name, bytes] : input.files) std::filesystem::remove(dir / name);
  if (!spec) {
    if (spec.error().code != ExitCode::usage && spec.error().code != ExitCode::asset) std::abort();
    return 0;
  }
  (void)to_json(*spec).dump();  // strict: throws (and so fails) on text that is not UTF-8
  for (const auto& o : spec->objects) {
    if (!o.shape.primitive) return 0;
    for (const auto& e : o.pool) {
      if (!e.shape.primitive) return 0;
    }
  }
  auto randomizers = build_randomizers(*spec);
  if (!randomizers) return 0;
  auto meshes = load_meshes(*spec);
  if (meshes) (void)sample_frame(*spec, *meshes, **randomizers, 0);
  return 0;
}
