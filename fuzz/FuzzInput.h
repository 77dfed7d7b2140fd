// Multi-file fuzz inputs, shared by the fuzz targets and the tests that replay their findings
// (tests/unit/FuzzRegressionTest.cpp), so a finding replays exactly as it was fuzzed.
// An input is sections separated by a line "#@@". Section 0 is the main file; each later section is
// the next of `names` (files the main one may refer to: includes, glTF buffers, material libraries,
// images), except a section whose first line is "=": its other lines are command-line overrides.
// At most names.size() files and 8 overrides are taken; the rest is ignored.
#pragma once

#include <cstdio>
#include <filesystem>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace synthlabel::fuzz {

struct FuzzFiles {
  std::vector<std::pair<std::string, std::string>> files;  // name, bytes; files[0] is the main file
  std::vector<std::string> overrides;
};

inline FuzzFiles split_fuzz_input(std::string_view data, std::span<const char* const> names) {
  FuzzFiles out;
  constexpr std::string_view k_sep = "\n#@@\n";
  std::size_t from = 0;
  for (bool first = true;; first = false) {
    const auto at = data.find(k_sep, from);
    const std::string_view section = data.substr(from, at == std::string_view::npos ? std::string_view::npos : at - from);
    if (!first && section.substr(0, 2) == "=\n") {
      std::size_t p = 2;
      while (p < section.size() && out.overrides.size() < 8) {
        const auto nl = section.find('\n', p);
        const auto line = section.substr(p, nl == std::string_view::npos ? std::string_view::npos : nl - p);
        if (!line.empty()) out.overrides.emplace_back(line);
        if (nl == std::string_view::npos) break;
        p = nl + 1;
      }
    } else if (out.files.size() < names.size()) {
      out.files.emplace_back(names[out.files.size()], std::string(section));
    }
    if (at == std::string_view::npos) break;
    from = at + k_sep.size();
  }
  return out;
}

// Writes the files into `dir` (which exists); returns the main file's path.
inline std::filesystem::path write_fuzz_files(const std::filesystem::path& dir, const FuzzFiles& f) {
  for (const auto& [name, bytes] : f.files) {
    if (FILE* out = std::fopen((dir / name).c_str(), "wb")) {
      std::fwrite(bytes.data(), 1, bytes.size(), out);
      std::fclose(out);
    }
  }
  return dir / f.files.front().first;
}

// Names for the config fuzzer: the main config and the files it may include.
inline constexpr const char* k_config_names[] = {"main.yaml", "f1.yaml", "f2.yaml", "f3.yaml", "f4.yaml", "f5.yaml"};
// Names for the asset fuzzer after the model (whose extension the input's first byte picks).
inline constexpr const char* k_asset_names[] = {"model", "buffer.bin", "model.mtl", "texture.png", "texture.jpg", "scene.bin"};

// An asset fuzzer input (non-empty): its first byte picks the model's extension (Assimp chooses its
// importer by extension and content), the rest is split as above into "model.EXT" and its files.
inline FuzzFiles split_asset_input(std::string_view data) {
  static constexpr const char* k_ext[] = {".obj", ".ply", ".off", ".stl", ".gltf", ".glb", ".fbx", ".3ds", ".dae", ".x"};
  auto input = split_fuzz_input(data.substr(1), k_asset_names);
  input.files.front().first += k_ext[static_cast<unsigned char>(data[0]) % std::size(k_ext)];
  return input;
}

}  // namespace synthlabel::fuzz
