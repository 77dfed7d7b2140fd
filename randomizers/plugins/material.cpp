// material: colour, roughness and metallic per object instance.
//
//   - type: material
//     objects: [part]                   # default: every object
//     hue_deg: {uniform: [0, 360]}      # colour drawn in HSV (any of the three given turns it on;
//     saturation: {uniform: [0.4, 0.9]} #   the others default to hue uniform over [0, 360),
//     value: {uniform: [0.5, 1.0]}      #   saturation 0.7, value 0.8)
//     roughness: {uniform: [0.2, 0.9]}  # 0 mirror-like .. 1 matte
//     metallic: {choice: [0, 1], weights: [3, 1]}  # 0 dielectric .. 1 metal
//     texture_folder: textures/         # texture swap: one of the .png files there (sorted by name)...
//     texture_probability: 0.5          # ...for this fraction of instances (default 1)
//
// HSV is taken on sRGB-encoded values, as a colour picker shows them, then decoded to the linear RGB
// the renderer shades with; the record keeps both (hsv here, the linear colour in the instance).
// A texture multiplies the colour texel by texel, through the mesh's texture coordinates; with a
// texture and no HSV keys the colour becomes white, so the texture shows as it is.
// Colour, roughness, metallic and textures change RGB only: labels never depend on them.
#include <cmath>

#include "core/Srgb.h"
#include "randomizers/Randomizer.h"

namespace synthlabel {
namespace {

glm::dvec3 hsv_to_srgb(double h_deg, double s, double v) {
  const double h = std::fmod(std::fmod(h_deg, 360.0) + 360.0, 360.0) / 60.0;
  const double c = v * s, x = c * (1.0 - std::abs(std::fmod(h, 2.0) - 1.0)), m = v - c;
  glm::dvec3 rgb;
  if (h < 1) rgb = {c, x, 0};
  else if (h < 2) rgb = {x, c, 0};
  else if (h < 3) rgb = {0, c, x};
  else if (h < 4) rgb = {0, x, c};
  else if (h < 5) rgb = {x, 0, c};
  else rgb = {c, 0, x};
  return rgb + m;
}

class Material final : public Randomizer {
 public:
  Material(const Properties& p, BuildContext& ctx) {
    const SceneSpec& spec = ctx.spec;
    m_chosen = select_objects(p, spec, "objects", true);
    m_colour = p.has("hue_deg") || p.has("saturation") || p.has("value");
    m_hue = p.scalar("hue_deg", Uniform{0.0, 360.0}, -1e6, 1e6);
    m_sat = p.scalar("saturation", 0.7, 0.0, 1.0);
    m_val = p.scalar("value", 0.8, 0.0, 1.0);
    m_has_roughness = p.has("roughness");
    m_roughness = p.scalar("roughness", 0.5, 0.0, 1.0);
    m_has_metallic = p.has("metallic");
    m_metallic = p.scalar("metallic", 0.0, 0.0, 1.0);
    m_texture_probability = p.number("texture_probability", 1.0, 0.0, 1.0);
    if (p.has("texture_folder")) {
      m_textures = ctx.add_texture_folder(p, "texture_folder");
      for (auto i : m_textures) m_texture_names.push_back(ctx.textures[static_cast<std::size_t>(i)].filename().string());
    } else if (p.has("texture_probability")) {
      p.fail("texture_probability", "needs texture_folder");
    }
    if (!m_colour && !m_has_roughness && !m_has_metallic && m_textures.empty()) {
      p.fail("type", "material needs at least one of hue_deg, saturation, value, roughness, metallic, texture_folder");
    }
  }

  void apply(Scene& scene, Rng& rng, const FrameContext& ctx, nlohmann::ordered_json& record) const override {
    nlohmann::ordered_json drawn = nlohmann::ordered_json::array();
    for (std::size_t k = 0; k < scene.instances.size(); ++k) {
      Instance& inst = scene.instances[k];
      if (!m_chosen[inst.object_index]) continue;
      Rng r = rng.fork("instance[" + std::to_string(k) + "]");
      Rng r_h = r.fork("hue"), r_s = r.fork("saturation"), r_v = r.fork("value"), r_r = r.fork("roughness"),
          r_m = r.fork("metallic");
      nlohmann::ordered_json d{{"instance", k}};
      inst.asset_materials = false;  // the drawn material replaces an asset's own
      if (m_colour) {
        const double h = sample(m_hue, r_h, ctx.at), s = sample(m_sat, r_s, ctx.at), v = sample(m_val, r_v, ctx.at);
        const glm::dvec3 srgb = hsv_to_srgb(h, s, v);
        inst.color = glm::vec3(glm::dvec3(srgb_to_linear(srgb.x), srgb_to_linear(srgb.y), srgb_to_linear(srgb.z)));
        d["hsv"] = {h, s, v};
      }
      if (m_has_roughness) inst.roughness = static_cast<float>(sample(m_roughness, r_r, ctx.at));
      if (m_has_metallic) inst.metallic = static_cast<float>(sample(m_metallic, r_m, ctx.at));
      if (!m_textures.empty()) {
        Rng r_t = r.fork("texture");
        if (r_t.uniform01() < m_texture_probability) {
          const auto pick = static_cast<std::size_t>(r_t.integer(0, static_cast<std::int64_t>(m_textures.size()) - 1));
          inst.texture = m_textures[pick];
          if (!m_colour) inst.color = glm::vec3(1.0f);
          d["texture"] = m_texture_names[pick];
        }
      }
      drawn.push_back(std::move(d));
    }
    record["instances"] = std::move(drawn);
  }

 private:
  std::vector<bool> m_chosen;
  bool m_colour = false, m_has_roughness = false, m_has_metallic = false;
  ScalarDist m_hue, m_sat, m_val, m_roughness, m_metallic;
  double m_texture_probability = 1.0;
  std::vector<std::int32_t> m_textures;
  std::vector<std::string> m_texture_names;
};

std::unique_ptr<Randomizer> make(const Properties& p, BuildContext& ctx) { return std::make_unique<Material>(p, ctx); }

}  // namespace

void register_material(RandomizerRegistry& r) {
  r.add({"material", "colour in HSV ranges, roughness, metallic and texture swaps per instance", make, true});
}

}  // namespace synthlabel
