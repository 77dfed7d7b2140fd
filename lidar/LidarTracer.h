// A LiDAR sweep by exact ray casting (docs/lidar.md): Intel Embree over the scene's own triangles,
// one bottom-level structure per mesh built once per run, the frame's instances on top. Each beam is
// cast at its own time: with a sequence, moving instances and a moving sensor are placed where they
// are when its column (a solid-state burst) fires. Every point keeps the surface it hit.
#pragma once

#include <memory>
#include <span>

#include "core/Error.h"
#include "scenes/Lidar.h"
#include "scenes/Mesh.h"
#include "scenes/Scene.h"

namespace synthlabel {

class LidarTracer {
 public:
  // Builds each mesh's structure (the meshes are copied: the tracer owns what it casts against).
  static Result<std::shared_ptr<const LidarTracer>> create(const LidarSpec& spec, std::span<const Mesh> meshes);
  ~LidarTracer();
  LidarTracer(const LidarTracer&) = delete;
  LidarTracer& operator=(const LidarTracer&) = delete;

  // Frame `scene`'s sweep (scene.lidar drawn; scene.clip_start with a sequence). Thread-safe.
  Result<LidarSweep> sweep(const Scene& scene) const;

 private:
  struct Impl;
  explicit LidarTracer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m;
};

}  // namespace synthlabel
