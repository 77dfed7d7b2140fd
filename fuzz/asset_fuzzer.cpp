// libFuzzer target: any bytes as a mesh file. The first byte picks the file extension (Assimp chooses
// its importer by extension and content), the rest is the file. Calls the in-process import so the
// fuzzer sees coverage; synthlabel itself runs imports in a sandboxed child (scenes/AssetLoader.h).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "scenes/AssetLoader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const char* const k_ext[] = {".obj", ".ply", ".off", ".stl", ".gltf", ".glb", ".fbx", ".3ds", ".dae", ".x"};
  if (size < 1) return 0;
  const std::string path = "/tmp/synthlabel-asset-fuzz-" + std::to_string(::getpid()) +
                           k_ext[data[0] % (sizeof k_ext / sizeof k_ext[0])];
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data + 1, 1, size - 1, f);
    std::fclose(f);
  }
  (void)synthlabel::load_mesh_asset_in_process(path, {});
  std::remove(path.c_str());
  return 0;
}
