#version 450
#extension GL_GOOGLE_include_directive : require
#ifdef WITH_SURFACE
#define WITH_FLOW 1  // uv and albedo follow the instance plane
#endif
#ifdef WITH_FLOW
#define WITH_NORMALS 1  // the instance plane follows the normals'
#endif
// Outputs: 0 = colour (sRGB attachment, so linear values here), 1 = linear depth (R32_SFLOAT),
// 2 = instance id (R32_UINT). The id is the draw's push constant, handed over by mesh.vert as a flat
// input (flat_data.glsl): no interpolation, no blending, one sample per pixel, so the label of a pixel
// is exactly the surface at its centre.

#include "frame_data.glsl"

#include "object_data.glsl"

#include "flat_data.glsl"

layout(location = 0) in vec3 v_normal;
layout(location = 1) in vec3 v_world;
layout(location = 2) in float v_depth;
layout(location = 3) in vec2 v_uv;
layout(location = 4) in vec3 v_color;  // vertex colour, multiplies the base colour

layout(location = 0) out vec4 out_color;
layout(location = 1) out float out_depth;
layout(location = 2) out uint out_id;
#ifdef WITH_NORMALS
layout(location = 3) out vec4 out_normal;  // the shading normal, OpenCV camera frame
#endif
#ifdef WITH_INSTANCE
// Only consumes the instance index mesh.vert's WITH_FLOW variant passes (the pass of three planes that
// draws instances alone with the frame's vertex shader).
layout(location = 5) flat in uint v_instance;
#endif
#ifdef WITH_FLOW
// The instance plane: the index of the draw's instance in the frame's Scene::instances (its
// firstInstance), from which the flow is computed on the host (exporters/FlowField.h).
layout(location = 5) flat in uint v_instance;
layout(location = 4) out uint out_instance;
#endif
#ifdef WITH_SURFACE
layout(location = 5) out vec2 out_uv;      // the mesh's texture coordinates at the sample
layout(location = 6) out vec4 out_albedo;  // the base colour before lighting, linear
#endif

// Features a frame may not use, as specialization constants: the renderer builds a pipeline per
// combination in use, so a frame without them pays nothing (lavapipe runs both sides of a branch).
// The numbers of lights too (params.w directional, then params.y - params.w point and spot lights):
// loops bounded by constants are unrolled, the light arrays read at constant indices (on lavapipe a
// loop bounded by a uniform cost as much as the rest of the shading).
layout(constant_id = 0) const bool k_textures = false;
layout(constant_id = 1) const int k_positional_lights = 0;
layout(constant_id = 2) const bool k_environment_light = false;
layout(constant_id = 3) const bool k_shadows = false;
layout(constant_id = 4) const bool k_filmic = false;  // the frame's tone_map (frame_size.w), as a constant
layout(constant_id = 5) const int k_directional_lights = 0;

// Light i's uniforms: flat inputs for the first FLAT_LIGHTS, the frame's uniforms beyond. i is a
// constant once the light loops unroll, so the choice folds away.
const int flat_lights = FLAT_LIGHTS;
vec4 light_to(int i) { return i < flat_lights ? f_light[5 * i] : frame.light_to[i]; }
vec4 light_color(int i) { return i < flat_lights ? f_light[5 * i + 1] : frame.light_color[i]; }
vec4 light_position(int i) { return i < flat_lights ? f_light[5 * i + 2] : frame.light_position[i]; }
vec4 light_direction(int i) { return i < flat_lights ? f_light[5 * i + 3] : frame.light_direction[i]; }
vec4 light_shadow(int i) { return i < flat_lights ? f_light[5 * i + 4] : frame.light_shadow[i]; }
mat4 light_matrix(int i) { return i < flat_lights ? f_light_matrix[i] : frame.light_matrix[i]; }

// The environment's SH coefficient j (frame.env_sh[j].rgb) and its other values, from light 1's slots.
vec3 env_sh(int j) {
  return vec3(env_flat((3 * j) / 4)[(3 * j) % 4], env_flat((3 * j + 1) / 4)[(3 * j + 1) % 4], env_flat((3 * j + 2) / 4)[(3 * j + 2) % 4]);
}

// Irradiance / pi arriving at a surface facing n (map frame), from the SH coefficients.
vec3 env_irradiance(vec3 n) {
  vec3 e = env_sh(0) * 0.282095
         + env_sh(1) * (0.488603 * n.y)
         + env_sh(2) * (0.488603 * n.z)
         + env_sh(3) * (0.488603 * n.x)
         + env_sh(4) * (1.092548 * n.x * n.y)
         + env_sh(5) * (1.092548 * n.y * n.z)
         + env_sh(6) * (0.315392 * (3.0 * n.z * n.z - 1.0))
         + env_sh(7) * (1.092548 * n.x * n.z)
         + env_sh(8) * (0.546274 * (n.x * n.x - n.y * n.y));
  return max(e, vec3(0.0));
}

// Light i's shadow-map texel `index`. The views are indexed by constants only (dynamic indexing of
// texel-buffer arrays is an optional device feature); i is a constant once the light loops unroll, so
// the selection folds away and one fetch remains.
float shadow_texel(int i, int index) {
  return i == 0 ? texelFetch(shadow_texels[0], index).r
       : i == 1 ? texelFetch(shadow_texels[1], index).r
       : i == 2 ? texelFetch(shadow_texels[2], index).r
                : texelFetch(shadow_texels[3], index).r;
}

// Fraction of light i reaching this fragment (1: lit, 0: in shadow), from its shadow map: the point
// is pushed 1.5 texels along the normal (against acne); outside the map's volume everything is lit.
// A spot's map is a perspective one (its texels grow with distance); a directional light's orthographic.
float light_visibility(int i, vec3 n, bool spot) {
  vec4 s = light_shadow(i);
  if (s.x < 0.0) return 1.0;
  float texel = spot ? s.z * length(light_position(i).xyz - v_world) : s.z;
  vec4 p = light_matrix(i) * vec4(v_world + n * (1.5 * texel), 1.0);
  if (spot) p.xyz /= p.w;
  vec2 uv = p.xy * 0.5 + 0.5;
  if (p.z >= 1.0 || any(lessThan(uv, vec2(0.0))) || any(greaterThan(uv, vec2(1.0)))) return 1.0;  // outside the map
  // Bilinear-weighted comparisons of the 2x2 texels around the point (percentage-closer filtering),
  // read from the light's texel buffer: far faster than texelFetch from the depth image, comparison
  // sampling or textureGather on lavapipe, the same result.
  vec2 t = uv * (1.0 / s.y) - 0.5;
  ivec2 i0 = ivec2(floor(t));
  vec2 f = t - vec2(i0);
  int used = int(1.0 / s.y + 0.5);
  ivec2 a = clamp(i0, ivec2(0), ivec2(used - 1)), b = clamp(i0 + 1, ivec2(0), ivec2(used - 1));
  vec4 lit = step(vec4(p.z), vec4(shadow_texel(i, a.y * used + a.x), shadow_texel(i, a.y * used + b.x),
                                  shadow_texel(i, b.y * used + a.x), shadow_texel(i, b.y * used + b.x)));
  return mix(mix(lit.x, lit.y, f.x), mix(lit.z, lit.w, f.x), f.y);
}

// Cook-Torrance with the GGX (Trowbridge-Reitz) distribution, the height-correlated Smith visibility
// and Schlick's Fresnel, as the glTF 2.0 metallic-roughness model defines them (alpha = roughness^2);
// a Lambertian diffuse part weighted by (1 - F). One light of radiance `radiance` arriving from unit
// direction l. Units follow the renderer's convention (docs/conventions.md): a light of intensity 1
// makes a white Lambertian surface facing it 1, so the BRDF is scaled by pi.
vec3 shade(vec3 l, vec3 radiance, vec3 n, vec3 v, vec3 diffuse_color, vec3 f0, float alpha) {
  float n_dot_l = dot(n, l);
  if (n_dot_l <= 0.0) return vec3(0.0);
  float n_dot_v = max(dot(n, v), 1e-4);
  vec3 h = l + v;
  float h2 = dot(h, h), n_dot_h = max(dot(n, h), 0.0), v_dot_h = max(dot(v, h), 0.0);  // not yet divided by |h|
  float a2 = alpha * alpha;
  // D = a2 / (pi dd^2), V = 0.5 / den; with n.h and v.h unnormalized, dd = (n.h^2 (a2 - 1) + |h|^2) / |h|^2.
  float dd = n_dot_h * n_dot_h * (a2 - 1.0) + h2;
  float den = n_dot_l * sqrt(n_dot_v * n_dot_v * (1.0 - a2) + a2) + n_dot_v * sqrt(n_dot_l * n_dot_l * (1.0 - a2) + a2);
  float m = 1.0 - v_dot_h * inversesqrt(h2), m2 = m * m;
  vec3 f = f0 + (1.0 - f0) * (m2 * m2 * m);
  // pi D V, in one division.
  float specular = 0.5 * a2 * h2 * h2 / (dd * dd * den);
  return ((1.0 - f) * diffuse_color + f * specular) * n_dot_l * radiance;
}

// The split-sum environment BRDF (scale and bias of f0) in Karis' analytic fit ("Physically Based
// Shading on Mobile", 2014): the specular reflectance of an environment of uniform radiance.
vec3 env_brdf(vec3 f0, float roughness, float n_dot_v) {
  const vec4 c0 = vec4(-1.0, -0.0275, -0.572, 0.022);
  const vec4 c1 = vec4(1.0, 0.0425, 1.04, -0.04);
  vec4 r = roughness * c0 + c1;
  float a004 = min(r.x * r.x, exp2(-9.28 * n_dot_v)) * r.x + r.y;
  vec2 ab = vec2(-1.04, 1.04) * a004 + r.zw;
  return f0 * ab.x + ab.y;
}

void main() {
  vec3 to_eye = normalize(f_eye.xyz - v_world);
  // Both faces are drawn and assets' winding varies, so orient the shading normal by the triangle's
  // geometric normal (from screen-space derivatives) turned towards the viewer.
  vec3 geometric = cross(dFdx(v_world), dFdy(v_world));
  if (dot(geometric, to_eye) < 0.0) geometric = -geometric;
  vec3 surface_n = normalize(v_normal);
  if (dot(surface_n, geometric) < 0.0) surface_n = -surface_n;
  vec3 n = surface_n;
  // glTF metallic-roughness: metals have no diffuse part and a specular colour equal to their base
  // colour; dielectrics reflect 4% at normal incidence. Maps multiply the factors (glTF 2.0 spec):
  // roughness in the metallic-roughness map's green channel, metallic in its blue; occlusion in the
  // red channel of its map, applied to ambient and environment light only; emission added last.
  vec3 base = f_color.rgb * v_color;
  float roughness = f_color.a, metallic = f_material.a, occlusion = 1.0;
  vec3 emitted = f_material.rgb;
  if (k_textures) {
    if (object.texture >= 0) base *= texture(textures, vec3(v_uv, float(object.texture))).rgb;
    if (object.maps.x >= 0) {
      vec4 mr = texture(data_textures, vec3(v_uv, float(object.maps.x)));
      roughness *= mr.g;
      metallic *= mr.b;
    }
    if (object.maps.y >= 0) {
      // Tangent space from the screen-space derivatives of position and uv (a cotangent frame,
      // Schüler 2006), so meshes need no tangents. glTF's map: +X along +u, +Y along -v (image up).
      // Vulkan's framebuffer y runs down, which turns the frame's t and b into -dP/du and -dP/dv.
      vec3 t_n = texture(data_textures, vec3(v_uv, float(object.maps.y))).xyz * 2.0 - 1.0;
      t_n.xy *= object.normal_scale;
      vec3 dp1 = dFdx(v_world), dp2 = dFdy(v_world);
      vec2 duv1 = dFdx(v_uv), duv2 = dFdy(v_uv);
      vec3 dp2perp = cross(dp2, n), dp1perp = cross(n, dp1);
      vec3 t = dp2perp * duv1.x + dp1perp * duv2.x;
      vec3 b = dp2perp * duv1.y + dp1perp * duv2.y;
      float scale = inversesqrt(max(max(dot(t, t), dot(b, b)), 1e-20));
      vec3 mapped = normalize(mat3(-t * scale, b * scale, n) * t_n);
      if (!any(isnan(mapped))) n = mapped;
    }
    if (object.maps.z >= 0) occlusion = 1.0 + object.emissive.a * (texture(data_textures, vec3(v_uv, float(object.maps.z))).r - 1.0);
    if (object.maps.w >= 0) emitted *= texture(textures, vec3(v_uv, float(object.maps.w))).rgb;
  }
  roughness = clamp(roughness, 0.05, 1.0);
  float alpha = roughness * roughness;
  vec3 diffuse_color = base * (1.0 - metallic);
  vec3 f0 = mix(vec3(0.04), base, metallic);
  // Uniform ambient light: Lambertian diffuse plus the environment BRDF's specular reflectance.
  vec3 c = (diffuse_color + env_brdf(f0, roughness, max(dot(n, to_eye), 1e-4))) * f_eye.w * occlusion;
  // Directional lights first, then point and spot lights: two loops, so neither pays for the other's
  // code (lavapipe would run both sides of a per-light branch).
  for (int i = 0; i < k_directional_lights; ++i) {
    vec3 radiance = light_color(i).rgb;
    if (k_shadows) radiance *= light_visibility(i, surface_n, false);
    c += shade(light_to(i).xyz, radiance, n, to_eye, diffuse_color, f0, alpha);
  }
  for (int i = k_directional_lights; i < k_directional_lights + k_positional_lights; ++i) {
    // Inverse-square falloff; a spot (light_to.w == 2) fades from its inner to its outer cone.
    vec3 d = light_position(i).xyz - v_world;
    float dist2 = max(dot(d, d), 1e-8);
    vec3 l = d * inversesqrt(dist2);
    vec3 radiance = light_color(i).rgb / dist2;
    float cos_outer = light_position(i).w, cos_inner = light_direction(i).w;
    radiance *= smoothstep(cos_outer, max(cos_inner, cos_outer + 1e-4), dot(-l, light_direction(i).xyz));
    if (k_shadows) radiance *= light_visibility(i, surface_n, light_to(i).w > 1.5);
    c += shade(l, radiance, n, to_eye, diffuse_color, f0, alpha);
  }
  if (k_environment_light) {
    // Image-based light: diffuse irradiance from the map's SH; specular by the split sum, radiance
    // prefiltered for this roughness (the map's mip levels, Environment.h) times the environment BRDF.
    vec3 r = reflect(-to_eye, n);
    vec4 env = env_flat(7);  // frame.environment.x, frame.environment.z, frame.environment_turn.xy
    vec3 prefiltered = textureLod(environment_map, vec3(equirect_uv(to_map(r, env.zw)), env.y),
                                  roughness * float(k_environment_levels)).rgb;
    c += (diffuse_color * env_irradiance(to_map(n, env.zw)) + prefiltered * env_brdf(f0, roughness, max(dot(n, to_eye), 1e-4))) *
         env.x * occlusion;
  }
  c += emitted;
  out_color = vec4(expose(c, f_exposure, k_filmic), 1.0);
  out_depth = v_depth;
  out_id = f_instance_id;
#ifdef WITH_INSTANCE
  if (v_instance == 0xffffffffu) out_id = 0u;  // never (an instance index): reads the input the vertex stage writes
#endif
#ifdef WITH_NORMALS
  vec3 cam_n = mat3(frame.view) * n;  // world -> camera (OpenGL axes): a rotation
  out_normal = vec4(cam_n.x, -cam_n.y, -cam_n.z, 0.0);
#endif
#ifdef WITH_FLOW
  out_instance = v_instance;
#endif
#ifdef WITH_SURFACE
  out_uv = v_uv;
  out_albedo = vec4(base, 1.0);
#endif
}
