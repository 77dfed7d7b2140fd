// Environment maps: equirectangular HDR images (OpenEXR, read with TinyEXR) that surround the scene,
// seen where no surface is and lighting it with their diffuse irradiance.
//
// Convention (docs/conventions.md): a world direction d (+Y up) looks up texel
//   u = 0.5 + atan2(d.x, -d.z) / (2 pi),  v = acos(d.y) / pi
// of the image (u across, v down, both in [0, 1]): the image centre is the -Z horizon, its top row
// straight up; an environment `rotation` of r degrees turns the map by r about +Y (a direction's
// azimuth grows by r).
#pragma once

#include <array>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <glm/vec3.hpp>

#include "core/Error.h"

namespace synthlabel {

struct EnvironmentMap {
  std::string name;  // file name, for records
  std::uint32_t width = 0, height = 0;
  std::vector<float> rgba;  // linear radiance, RGBA float, row-major, top row first
  // Irradiance over pi as 9 spherical-harmonic coefficients (Ramamoorthi & Hanrahan 2001, bands 0..2,
  // order Y00, Y1-1, Y10, Y11, Y2-2, Y2-1, Y20, Y21, Y22): diffuse radiance = albedo * sum c_i Y_i(n).
  std::array<glm::vec3, 9> irradiance_sh{};
  // Prefiltered specular radiance for rough surfaces (split-sum, Karis 2013): level k (1..
  // k_environment_specular_levels) is (width >> k) x (height >> k) RGBA and holds, for each direction
  // r, the GGX-weighted mean radiance around r for roughness k / k_environment_specular_levels (the
  // map itself is level 0, roughness 0). The renderer uploads them as the map's mip chain.
  std::vector<std::vector<float>> specular;
};

inline constexpr std::uint32_t k_environment_width = 1024, k_environment_height = 512;  // as uploaded
inline constexpr std::uint32_t k_environment_specular_levels = 5;
inline constexpr std::uint64_t k_max_environment_bytes = 256ull << 20;

// Reads an EXR (RGB or RGBA; half or float), resamples it to k_environment_width x _height and
// computes its irradiance SH. Errors are ExitCode::asset naming the file.
Result<EnvironmentMap> load_environment(const std::filesystem::path& path);

// An EXR decoded from memory (TinyEXR): RGBA floats, NaN and infinities replaced by 0; sizes up to
// 16384 x 8192. Errors are ExitCode::asset starting with `what`. (load_environment's first step, and
// what fuzz/image_fuzzer feeds.)
struct DecodedExr {
  std::uint32_t width = 0, height = 0;
  std::vector<float> rgba;
};
Result<DecodedExr> decode_exr(std::span<const std::uint8_t> bytes, const std::string& what);

// From pixels already in memory (tests): `rgba` is width x height RGBA floats.
EnvironmentMap make_environment(std::string name, std::uint32_t width, std::uint32_t height, std::vector<float> rgba);

// The level-k prefiltered radiance for roughness `roughness` from a map `src` of w x h (used by
// make_environment; exposed for tests): out is (w >> ... ) as given by out_w x out_h.
std::vector<float> prefilter_specular(const std::vector<float>& src, std::uint32_t w, std::uint32_t h, std::uint32_t out_w,
                                      std::uint32_t out_h, double roughness);

// The built-in analytic sky: Preetham, Shirley & Smits (1999), "A Practical Analytic Model for
// Daylight", for a sun at (elevation, azimuth) (the camera's angle convention, docs/conventions.md)
// and atmospheric turbidity (2 clear .. 10 hazy). The sun's disc is left out: pair the sky with a
// directional light from the same direction. Below the horizon: a uniform ground of `ground_albedo`
// lit by the sky. Scaled so the mean radiance of the upper hemisphere is 0.3 (an `intensity` of 1
// lights a white surface facing up about like ambient 0.3).
struct SkyParams {
  double turbidity = 3.0;
  double sun_elevation_deg = 45.0;
  double sun_azimuth_deg = 30.0;
  double ground_albedo = 0.3;
};
EnvironmentMap make_sky(const SkyParams& sky);

// The 9 real SH basis functions at unit direction n, in the order above.
std::array<float, 9> sh_basis(const glm::vec3& n);

}  // namespace synthlabel
