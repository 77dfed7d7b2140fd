#version 450
// Shadow pass: depth only, from a light (VulkanRenderer::record_shadows fits the light's view).
layout(location = 0) in vec3 in_position;

layout(push_constant) uniform ShadowData {
  mat4 mvp;  // object -> the light's clip space
} object;

void main() { gl_Position = object.mvp * vec4(in_position, 1.0); }
