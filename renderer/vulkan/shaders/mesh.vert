#version 450
#extension GL_GOOGLE_include_directive : require
// One pass for RGB, linear depth and instance id. Camera space is OpenGL-style (looks down -Z), so the
// linear depth is -z_view in metres (distance along the viewing axis). The rasterizer interpolates it
// perspective-correctly, which gives the exact depth of the triangle's plane at the pixel centre.
//
// WITH_FLOW: the draw's instance (its firstInstance) goes to mesh.frag, which writes it to the
// instance plane (the flow is computed from it on the host).

layout(location = 0) in vec3 in_position;
layout(location = 1) in vec3 in_normal;
layout(location = 2) in vec2 in_uv;
layout(location = 3) in vec3 in_color;

#include "frame_data.glsl"

#include "object_data.glsl"

layout(location = 0) out vec3 v_normal;
layout(location = 1) out vec3 v_world;
layout(location = 2) out float v_depth;
layout(location = 3) out vec2 v_uv;
layout(location = 4) out vec3 v_color;

#ifdef WITH_FLOW
layout(location = 5) flat out uint v_instance;
#endif

void main() {
  vec4 world = object.model * vec4(in_position, 1.0);
  vec4 view = frame.view * world;
  v_world = world.xyz;
  v_depth = -view.z;
  v_uv = in_uv;
  v_color = in_color;
  v_normal = transpose(inverse(mat3(object.model))) * in_normal;
  gl_Position = frame.proj * view;
#ifdef WITH_FLOW
  v_instance = uint(gl_InstanceIndex);
#endif
}
