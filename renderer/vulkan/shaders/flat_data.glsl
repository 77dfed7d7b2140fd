// What every fragment of a draw reads from the frame's uniforms (frame_data.glsl) and the draw's push
// constants (object_data.glsl), handed from mesh.vert to mesh.frag as flat varyings: the same bits, so
// the same pixels. lavapipe (Mesa 22.3) compiles a fragment shader's read of a uniform or a push
// constant as a gather (eight loads and inserts per value for every eight fragments, even at a
// constant offset); those reads took about 30 % of the quickstart's render on the CPU. A flat input is
// one load and a broadcast per block of fragments, its copy one per vertex (docs/performance.md,
// session 18). Lights 0 and 1 come this way (k_flat_lights: most configs have one or two), more lights
// from the uniforms. With the environment light, light 1's slots carry the environment's values
// instead (env_flat below) and light 1 is read from the uniforms. Locations 0..5 are mesh.vert's
// interpolated outputs and WITH_FLOW's instance index.

const int k_flat_lights = 2;
// The lights whose values come flat: light 0 alone under the environment light (the environment's
// values take light 1's slots), else k_flat_lights. Expanded where it is used, after each shader's
// k_environment_light (constant_id 2), so mesh.vert writes exactly the slots mesh.frag reads.
#define FLAT_LIGHTS (k_environment_light ? 1 : k_flat_lights)

#ifdef FLAT_OUT
#define FLAT_IO out
#else
#define FLAT_IO in
#endif

layout(location = 6) flat FLAT_IO vec4 f_eye;        // xyz: frame.camera_position; w: frame.params.x (ambient)
layout(location = 7) flat FLAT_IO vec4 f_color;      // object.color
layout(location = 8) flat FLAT_IO vec4 f_material;   // rgb: object.emissive.rgb; a: object.metallic
layout(location = 9) flat FLAT_IO uint f_instance_id;  // object.instance_id
layout(location = 10) flat FLAT_IO float f_exposure;   // frame.frame_size.z
// Light i < k_flat_lights: light_to, light_color, light_position, light_direction, light_shadow (5 x i + 0..4).
layout(location = 11) flat FLAT_IO vec4 f_light[5 * k_flat_lights];
layout(location = 21) flat FLAT_IO mat4 f_light_matrix[k_flat_lights];  // frame.light_matrix[i]

// With the environment light, light 1's nine slots hold eight vec4 of the environment's values:
// 0..6 the SH coefficients' 27 floats in order (frame.env_sh[j].rgb at floats 3j..3j+2), 7 frame.environment.x
// (lighting intensity), frame.environment.z (the map's layer) and frame.environment_turn.xy.
#ifdef FLAT_OUT
void set_env_flat(int k, vec4 v) {
  if (k < 5) f_light[5 + k] = v; else f_light_matrix[1][k - 5] = v;
}
#else
vec4 env_flat(int k) { return k < 5 ? f_light[5 + k] : f_light_matrix[1][k - 5]; }
#endif
