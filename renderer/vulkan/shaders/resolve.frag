#version 450
// Supersampling resolve: frame pixel p covers samples [s p, s p + s)^2 of the rasterized buffers. Its
// colour is their mean in linear light (a box filter); its depth, id, normal and instance are those of the middle
// sample s p + (s - 1) / 2, whose centre s p + s / 2 is exactly the pixel centre scaled: the labels
// are those of a render without supersampling.
layout(constant_id = 0) const int k_factor = 3;
#ifdef WITH_SURFACE
#define WITH_FLOW 1
#endif
#ifdef WITH_FLOW
#define WITH_NORMALS 1
#endif

layout(set = 0, binding = 0) uniform sampler2D samples_color;  // linear RGBA16F
layout(set = 0, binding = 1) uniform sampler2D samples_depth;
layout(set = 0, binding = 2) uniform usampler2D samples_id;
#ifdef WITH_NORMALS
layout(set = 0, binding = 3) uniform sampler2D samples_normal;
#endif
#ifdef WITH_FLOW
layout(set = 0, binding = 4) uniform usampler2D samples_instance;
#endif
#ifdef WITH_SURFACE
layout(set = 0, binding = 5) uniform sampler2D samples_uv;
layout(set = 0, binding = 6) uniform sampler2D samples_albedo;
#endif

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

void main() {
  ivec2 base = ivec2(gl_FragCoord.xy) * k_factor;
  vec3 sum = vec3(0.0);
  for (int y = 0; y < k_factor; ++y) {
    for (int x = 0; x < k_factor; ++x) sum += texelFetch(samples_color, base + ivec2(x, y), 0).rgb;
  }
  out_color = vec4(sum / float(k_factor * k_factor), 1.0);
  ivec2 centre = base + ivec2(k_factor / 2);
  out_depth = texelFetch(samples_depth, centre, 0).r;
  out_id = texelFetch(samples_id, centre, 0).r;
#ifdef WITH_NORMALS
  out_normal = texelFetch(samples_normal, centre, 0);
#endif
#ifdef WITH_FLOW
  out_instance = texelFetch(samples_instance, centre, 0).r;
#endif
#ifdef WITH_SURFACE
  out_uv = texelFetch(samples_uv, centre, 0).rg;
  out_albedo = texelFetch(samples_albedo, centre, 0);
#endif
}
