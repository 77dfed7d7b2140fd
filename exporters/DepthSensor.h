// outputs: [depth_sensor] (docs/conventions.md): what a structured-light or stereo depth camera would
// measure of the frame's exact depth, written beside it (depth_sensor/STEM.exr; the exact depth/ and
// every label stay as they are). From the frame's own planes, per pixel, in this order:
// 1. no return (0) where no surface, or the depth is outside [min, max];
// 2. no return where the surface turns more than max_incidence_deg from the pixel centre's ray (the
//    angle between the rendered normal and the ray);
// 3. at edges (a 4-neighbour with no surface, or nearer or farther by more than edge_jump), no return
//    with probability edge_dropout;
// 4. axial noise: z + sigma(z) N(0, 1), sigma(z) = a + b (z - c)^2 (Nguyen, Izadi, Lovell 2012: Kinect
//    v1's a = 0.0012, b = 0.0019, c = 0.4 m);
// 5. quantization as a disparity camera: d = fx B / z rounded to 1/subpixel pixel, z = fx B / d.
// The random draws come from the frame's key (Scene::depth_sensor_key) in pixel order: the output
// depends only on (config, seed, frame).
#pragma once

#include <vector>

#include "core/Error.h"
#include "renderer/Renderer.h"
#include "scenes/Scene.h"
#include "scenes/SceneSpec.h"

namespace synthlabel {

// Needs fb.depth and fb.normals (RendererOptions::normals). 0 marks no return.
Result<std::vector<float>> measure_depth(const Scene& scene, const FrameBuffers& fb, const DepthSensorSpec& sensor);

}  // namespace synthlabel
