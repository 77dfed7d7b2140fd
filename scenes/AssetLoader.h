// Loads a mesh asset (glTF/GLB, OBJ, PLY, FBX and the other formats Assimp reads) into the project's
// Mesh type. Assimp stays inside AssetLoader.cpp. Node transforms are baked into the vertices and all
// meshes of the file are merged into one; points and lines are dropped. Asset files are untrusted
// input: every failure is an Error(ExitCode::asset) that names the file.
#pragma once

#include <filesystem>

#include "core/Error.h"
#include "scenes/Mesh.h"

namespace synthlabel {

struct AssetOptions {
  bool normalize = false;  // centre on the bounding-box centre and scale the largest side to 1
};

Result<Mesh> load_mesh_asset(const std::filesystem::path& path, const AssetOptions& options);

}  // namespace synthlabel
