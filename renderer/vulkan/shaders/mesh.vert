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

#define FLAT_OUT 1
#include "flat_data.glsl"

// mesh.frag's specialization constants of the lights in use (the same ids and values).
layout(constant_id = 1) const int k_positional_lights = 0;
layout(constant_id = 2) const bool k_environment_light = false;
layout(constant_id = 3) const bool k_shadows = false;
layout(constant_id = 5) const int k_directional_lights = 0;

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
  f_eye = vec4(frame.camera_position.xyz, frame.params.x);
  f_color = object.color;
  f_material = vec4(object.emissive.rgb, object.metallic);
  f_instance_id = object.instance_id;
  f_exposure = frame.frame_size.z;
  // Only the lights in use (what mesh.frag reads of the rest is never written).
  for (int i = 0; i < min(FLAT_LIGHTS, k_directional_lights + k_positional_lights); ++i) {
    f_light[5 * i] = frame.light_to[i];
    f_light[5 * i + 1] = frame.light_color[i];
    if (i >= k_directional_lights) {
      f_light[5 * i + 2] = frame.light_position[i];
      f_light[5 * i + 3] = frame.light_direction[i];
    }
    if (k_shadows) {
      f_light[5 * i + 4] = frame.light_shadow[i];
      f_light_matrix[i] = frame.light_matrix[i];
    }
  }
  if (k_environment_light) {
    float sh[28];
    for (int j = 0; j < 9; ++j) {
      sh[3 * j] = frame.env_sh[j].r;
      sh[3 * j + 1] = frame.env_sh[j].g;
      sh[3 * j + 2] = frame.env_sh[j].b;
    }
    sh[27] = 0.0;
    for (int k = 0; k < 7; ++k) set_env_flat(k, vec4(sh[4 * k], sh[4 * k + 1], sh[4 * k + 2], sh[4 * k + 3]));
    set_env_flat(7, vec4(frame.environment.x, frame.environment.z, frame.environment_turn.xy));
  }
}
