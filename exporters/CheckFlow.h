// The checker's flow verification (outputs: [flow]), independent of the renderer: for every pixel of
// a labeled instance (the instance PNG's id), the point at the pixel's centre is unprojected with the
// depth EXR and K, moved by the recorded poses (the frame's world_to_camera and the instance's pose,
// params.instances; the other frame's, the record's "flow" entry), projected with K, and the stored
// flow (flow/forward|backward/STEM.exr) must equal that displacement within 1e-3 px. Where the other
// frame is in the dataset, the status must say what that frame's instance PNG and depth EXR show at
// the destination pixel: 1 exactly where it holds the same instance at the point's depth (within the
// renderer's tolerance, docs/conventions.md), else 0 (points within 1e-4 of the tolerance or 1e-3 px of
// a pixel edge are counted as undecidable and skipped). Status -1 (no flow) exactly where no surface
// is or the other frame is not in the clip; and the record's neighbour poses equal that frame's own.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace synthlabel {

struct FlowCheckStats {
  std::size_t files = 0;           // flow EXR files checked
  std::size_t pixels = 0;          // flow vectors compared with the reprojection
  double worst_px = 0;             // the largest difference found
  std::size_t visibility = 0;      // statuses compared with the destination frame's buffers
  std::size_t undecidable = 0;     // skipped: on a tolerance's or a pixel edge's boundary
};

// `images`: coco.json's images. Appends one defect line per wrong file (or record).
void check_flow(const std::filesystem::path& dir, const nlohmann::json& images, std::vector<std::string>& defects,
                FlowCheckStats& stats);

}  // namespace synthlabel
