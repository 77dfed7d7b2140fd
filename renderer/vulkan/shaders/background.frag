#version 450
#extension GL_GOOGLE_include_directive : require
// The environment map where no surface is: drawn last, after the meshes, only where the z-buffer still
// holds its clear value (background.vert), writing depth +inf, id 0, normal 0 and no instance (exactly
// the clear values), so the labels never see it. Each pixel
// looks along the ray through its centre (gl_FragCoord is the centre).
#ifdef WITH_SURFACE
#define WITH_FLOW 1
#endif
#ifdef WITH_FLOW
#define WITH_NORMALS 1
#endif
#include "frame_data.glsl"

layout(location = 0) out vec4 out_color;
layout(location = 1) out float out_depth;
layout(location = 2) out uint out_id;
#ifdef WITH_NORMALS
layout(location = 3) out vec4 out_normal;
#endif
#ifdef WITH_FLOW
layout(location = 4) out uint out_instance;
#endif
#ifdef WITH_SURFACE
layout(location = 5) out vec2 out_uv;
layout(location = 6) out vec4 out_albedo;
#endif

// The frame's values, flat from background.vert's WITH_FRAME variant (the same bits as the uniforms).
layout(location = 0) flat in vec4 f_intrinsics;  // frame.intrinsics
layout(location = 1) flat in mat3 f_view;        // mat3(frame.view)
layout(location = 4) flat in vec4 f_image;       // frame.params.z, frame.frame_size.xyw
layout(location = 5) flat in vec4 f_environment; // frame.environment.zw, frame.environment_turn.xy
layout(location = 6) flat in float f_exposure;   // frame.frame_size.z

void main() {
  vec2 px = gl_FragCoord.xy;
  vec3 cam = vec3((px.x - f_intrinsics.z) / f_intrinsics.x, -(px.y - f_intrinsics.w) / f_intrinsics.y, -1.0);
  vec3 world = transpose(f_view) * normalize(cam);
  vec3 radiance;
  if (f_image.x >= 0.0) {  // a background image, stretched over the frame
    radiance = texture(textures, vec3(px / f_image.yz, f_image.x)).rgb;
  } else {
    // Level 0 (the map itself): the other levels are the prefiltered specular radiance.
    radiance = textureLod(environment_map, vec3(equirect_uv(to_map(world, f_environment.zw)), f_environment.x), 0.0).rgb * f_environment.y;
  }
  out_color = vec4(expose(radiance, f_exposure, f_image.w > 0.5), 1.0);
  out_depth = uintBitsToFloat(0x7f800000u);  // +inf: no surface
  out_id = 0u;                               // background
#ifdef WITH_NORMALS
  out_normal = vec4(0.0);                    // no surface
#endif
#ifdef WITH_FLOW
  out_instance = 0xffffffffu;                // no instance (the clear value)
#endif
#ifdef WITH_SURFACE
  out_uv = vec2(uintBitsToFloat(0x7fc00000u));  // NaN: no surface (the clear value)
  out_albedo = vec4(0.0);
#endif
}
