// Sensor effects: what a real camera does to an image, applied to the rendered RGB only (the depth,
// instance and semantic buffers, and every label derived from them, never change). The per-frame
// values are drawn by the randomizers (Scene::sensor) and recorded; the per-pixel noise comes from
// the frame's own keyed stream, so the output is deterministic.
//
// Order, in linear RGB unless stated: white balance (per-channel gains) -> brightness and contrast
// -> saturation -> vignetting (cos^4-like radial falloff) -> blur (defocus: disk of radius r pixels;
// motion: a line of length L pixels at an angle) -> noise (Poisson shot noise at a full-scale photon
// count, then Gaussian read noise) -> gamma (on the encoded values) -> 8-bit sRGB -> JPEG-style
// compression (8x8 DCT of YCbCr with the JPEG standard tables scaled by quality, chroma 2x2
// subsampled, quantized and decoded back).
#pragma once

#include <cstdint>
#include <span>

#include "scenes/Scene.h"

namespace synthlabel {

// Changes `rgba` (sRGB RGBA8, width x height, row-major) in place; sensor.noise_key seeds the noise.
void apply_sensor_effects(const SensorState& sensor, std::uint32_t width, std::uint32_t height,
                          std::span<std::uint8_t> rgba);

// The JPEG-style round trip alone (exposed for tests): quality 1..100.
void jpeg_round_trip(std::uint32_t width, std::uint32_t height, std::span<std::uint8_t> rgba, int quality);

}  // namespace synthlabel
