// libFuzzer target: any bytes as a mesh file and the files it refers to (fuzz/FuzzInput.h: sections
// separated by "#@@" lines, named buffer.bin, model.mtl, texture.png, ...). The first byte picks the
// model's extension (Assimp chooses its importer by extension and content). Calls the in-process
// import so the fuzzer sees coverage, confined to the input's folder as with --asset-root, so the
// confined file access (scenes/AssetLoader.cpp) is fuzzed too; synthlabel itself runs imports in a
// sandboxed child with CPU, memory and wall-clock limits (scenes/AssetLoader.h).

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/FileIo.h"
#include "fuzz/FuzzInput.h"
#include "scenes/AssetLoader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path dir = [] {
    auto folder = synthlabel::make_temp_folder("synthlabel-asset-fuzz");
    if (!folder) std::abort();
    return std::filesystem::canonical(*folder);
  }();
  if (size < 1) return 0;
  const auto input = synthlabel::fuzz::split_asset_input(std::string_view(reinterpret_cast<const char*>(data), size));
  const auto model = synthlabel::fuzz::write_fuzz_files(dir, input);
  synthlabel::AssetOptions options;
  options.root = dir;
  auto mesh = synthlabel::load_mesh_asset_in_process(model, options);
  if (!mesh && mesh.error().code != synthlabel::ExitCode::asset) std::abort();
  for (const auto& [name, bytes] : input.files) std::filesystem::remove(dir / name);
  return 0;
}
