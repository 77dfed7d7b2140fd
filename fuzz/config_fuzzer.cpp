// libFuzzer target: any bytes as a scene config. A config the loader accepts must also serialize and,
// when it names no asset files, load its primitives and sample a frame without undefined behaviour.
#include <cstdint>
#include <string_view>

#include "randomizers/FrameSampler.h"
#include "scenes/ConfigLoader.h"
#include "scenes/SpecJson.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace synthlabel;
  auto spec = parse_config(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml", "/nonexistent");
  if (!spec) return 0;
  (void)to_json(*spec).dump();
  for (const auto& o : spec->objects) {
    if (!o.primitive) return 0;
  }
  auto meshes = load_meshes(*spec);
  if (meshes) (void)sample_frame(*spec, *meshes, 0);
  return 0;
}
