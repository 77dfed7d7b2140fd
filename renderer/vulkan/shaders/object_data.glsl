// Per-draw push constants (std430; mirrored by ObjectPush in VulkanRenderer.cpp): 128 bytes.
layout(push_constant) uniform ObjectData {
  mat4 model;
  vec4 color;         // rgb: linear base colour, a: roughness (0 mirror-like .. 1 matte)
  uint instance_id;
  float metallic;     // 0 dielectric .. 1 metal
  int texture;        // base-colour map: layer of the texture array, -1: none
  float normal_scale; // scales the normal map's X and Y
  ivec4 maps;         // layers of the metallic-roughness, normal, occlusion and emissive maps (-1: none)
  vec4 emissive;      // rgb: linear emitted radiance (x the emissive map); a: occlusion strength
} object;
