// Loads a mesh asset (glTF/GLB, OBJ, PLY, FBX and the other formats Assimp reads) into the project's
// Mesh type. Assimp stays inside AssetLoader.cpp. Node transforms are baked into the vertices and all
// meshes of the file are merged into one; points and lines are dropped.
// Asset files are untrusted input: the import runs in a child process with limits on memory
// (k_asset_memory_limit of address space) and CPU time (scaled with the file size), and the mesh comes back
// over a pipe. A malformed file that crashes, exhausts or hangs the importer ends that child, never
// the run; every failure is an Error(ExitCode::asset) that names the file.
#pragma once

#include <filesystem>

#include "core/Error.h"
#include "scenes/Mesh.h"

namespace synthlabel {

struct AssetOptions {
  bool normalize = false;  // centre on the bounding-box centre and scale the largest side to 1
  double unit_scale = 1.0; // metres per file unit (0.01 for a model in centimetres), applied first
  bool z_up = false;       // the file's up axis is +Z: turned -90 degrees about X to our +Y up
  // --asset-root, canonical (empty: none): every file the import opens (the model, and what it refers
  // to: glTF buffers and images, OBJ material libraries, textures) must lie inside it; a reference
  // outside is an error naming it, and is never opened. Whatever the root, only regular files are
  // opened (a FIFO or a device would block the import).
  std::filesystem::path root = {};
};

inline constexpr unsigned long k_asset_memory_limit = 8ul << 30;  // bytes of address space
// CPU seconds an import may use: k_asset_cpu_base_seconds + k_asset_cpu_seconds_per_mib per MiB of file.
inline constexpr unsigned long k_asset_cpu_base_seconds = 10;
inline constexpr std::size_t k_max_asset_images = 16;  // distinct images one asset may bring
inline constexpr unsigned long k_asset_cpu_seconds_per_mib = 2;
// Wall-clock seconds an import may take: this many times its CPU limit (the importer is stopped, and
// it is killed too when synthlabel itself ends).
inline constexpr unsigned long k_asset_wall_per_cpu_second = 3;

Result<Mesh> load_mesh_asset(const std::filesystem::path& path, const AssetOptions& options);

// The same import in this process, without isolation: for the fuzzer (which must see the importer's
// code coverage) and for callers that already run isolated.
Result<Mesh> load_mesh_asset_in_process(const std::filesystem::path& path, const AssetOptions& options);

// Error(ExitCode::asset) "PATH: WHAT".
Error asset_error(const std::filesystem::path& path, const std::string& what);

}  // namespace synthlabel
