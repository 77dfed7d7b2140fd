#version 450
// One triangle covering the whole framebuffer, for the environment background, at the far depth (1):
// drawn after the meshes, its z-test (LESS_OR_EQUAL against the cleared 1) passes only where no
// surface was drawn, so only those pixels are shaded.
//
// WITH_FRAME (the background pass): the frame's values background.frag reads, handed over flat (the same
// bits): lavapipe reads a uniform in a fragment shader lane by lane, a flat input once per block
// (flat_data.glsl). The resolve pass uses the plain variant.
#ifdef WITH_FRAME
#extension GL_GOOGLE_include_directive : require
#include "frame_data.glsl"

layout(location = 0) flat out vec4 f_intrinsics;  // frame.intrinsics
layout(location = 1) flat out mat3 f_view;        // mat3(frame.view)
layout(location = 4) flat out vec4 f_image;       // frame.params.z (the background image's layer), frame.frame_size.xyw
layout(location = 5) flat out vec4 f_environment; // frame.environment.zw, frame.environment_turn.xy
layout(location = 6) flat out float f_exposure;   // frame.frame_size.z
#endif

void main() {
  vec2 p = vec2(float((gl_VertexIndex << 1) & 2), float(gl_VertexIndex & 2));
  gl_Position = vec4(p * 2.0 - 1.0, 1.0, 1.0);
#ifdef WITH_FRAME
  f_intrinsics = frame.intrinsics;
  f_view = mat3(frame.view);
  f_image = vec4(frame.params.z, frame.frame_size.xyw);
  f_environment = vec4(frame.environment.zw, frame.environment_turn.xy);
  f_exposure = frame.frame_size.z;
#endif
}
