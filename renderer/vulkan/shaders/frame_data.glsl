// The per-frame uniforms, shared by every shader (std140; mirrored by FrameUniforms in
// VulkanRenderer.cpp), and the environment-map helpers (convention: scenes/Environment.h).

layout(set = 0, binding = 0) uniform FrameData {
  mat4 view;
  mat4 proj;
  vec4 light_to[4];         // xyz: unit vector towards a directional light; w: type (0 directional, 1 point, 2 spot)
  vec4 light_color[4];      // rgb: linear colour x intensity
  vec4 light_position[4];   // xyz: point/spot position (world); w: cos of the spot's outer half-angle
  vec4 light_direction[4];  // xyz: spot axis, away from the light; w: cos of the spot's inner half-angle
  vec4 params;              // x: ambient, y: light count, z: background image layer (-1: none), w: directional lights (listed first)
  vec4 camera_position;     // xyz, world
  vec4 intrinsics;          // fx, fy, cx, cy in rasterized pixels (x the supersampling factor)
  vec4 environment;         // x: lighting intensity (0: none), y: rotation (radians), z: layer, w: background intensity (0: none)
  vec4 env_sh[9];           // rgb: irradiance / pi as SH coefficients of the map (Environment.h)
  vec4 frame_size;          // xy: rasterized width, height in pixels; z: exposure (2^ev); w: 1 = ACES filmic tone map
  mat4 light_matrix[4];     // world -> the light's shadow-map clip space
  vec4 light_shadow[4];     // x: shadow-map layer, the light's index (-1: no map), y: 1 / texels per side in use, z: world size of a texel (directional) or per metre from the light (spot), w: the map's side
  vec4 environment_turn;    // x, y: cos and sin of environment.y (once a frame, not per fragment)
} frame;

layout(set = 0, binding = 1) uniform sampler2DArray environment_map;
layout(set = 0, binding = 2) uniform sampler2DArray textures;  // sRGB, decoded to linear by the sampler
// The shadow maps' texels (ShadowPass.h): light i's map through view i, its square in use row by row,
// `used` (1 / light_shadow.y) texels a row. On lavapipe a texelFetch here is a vector gather, far
// cheaper than one from the depth image.
layout(set = 0, binding = 3) uniform samplerBuffer shadow_texels[4];  // k_max_lights
layout(set = 0, binding = 4) uniform sampler2DArray data_textures;  // the same texels as UNORM: maps holding data

const float k_pi = 3.14159265358979;
const int k_environment_levels = 5;  // prefiltered specular levels of an environment map (k_environment_specular_levels)

// A world direction in the map's own frame: the map is turned about +Y by the angle whose cosine and
// sine are `turn` (frame.environment_turn.xy).
vec3 to_map(vec3 d, vec2 turn) {
  float c = turn.x, s = turn.y;
  return vec3(c * d.x - s * d.z, d.y, s * d.x + c * d.z);
}

vec2 equirect_uv(vec3 d) {
  return vec2(0.5 + atan(d.x, -d.z) / (2.0 * k_pi), acos(clamp(d.y, -1.0, 1.0)) / k_pi);
}

// Exposure, then (optionally) the ACES filmic curve as fitted by Narkowicz (2015); the sRGB attachment
// encodes the result. Without the curve, values above 1 clip.
vec3 expose(vec3 c, float exposure, bool filmic) {
  c *= exposure;
  if (filmic) c = clamp((c * (2.51 * c + 0.03)) / (c * (2.43 * c + 0.59) + 0.14), 0.0, 1.0);
  return c;
}
