// background_image: a random image from a folder behind the scene, where no surface is (a classic
// domain-randomization trick: the detector cannot learn the background).
//
//   - type: background_image
//     folder: backgrounds/     # .png files (sorted by name; each equally likely)
//     probability: 0.8         # chance a frame gets one (default 1); otherwise the config's background
//
// The image is stretched over the whole frame (textures are resampled to 512x512, so keep their
// aspect near the frame's). It replaces the background colour and a visible environment map, and
// changes RGB only: the pixels keep depth +inf and id 0. Record: `image` (the file name) or nothing.
#include "randomizers/Randomizer.h"

namespace synthlabel {
namespace {

class BackgroundImage final : public Randomizer {
 public:
  BackgroundImage(const Properties& p, BuildContext& ctx) {
    if (!p.has("folder")) p.fail("folder", "missing: a folder of .png images");
    m_images = ctx.add_texture_folder(p, "folder");
    for (auto i : m_images) m_names.push_back(ctx.textures[static_cast<std::size_t>(i)].filename().string());
    m_probability = p.number("probability", 1.0, 0.0, 1.0);
  }

  void apply(Scene& scene, Rng& rng, const FrameContext&, nlohmann::ordered_json& record) const override {
    if (!(rng.uniform01() < m_probability)) return;
    const auto pick = static_cast<std::size_t>(rng.integer(0, static_cast<std::int64_t>(m_images.size()) - 1));
    scene.background_image = m_images[pick];
    record["image"] = m_names[pick];
  }

 private:
  std::vector<std::int32_t> m_images;
  std::vector<std::string> m_names;
  double m_probability = 1.0;
};

std::unique_ptr<Randomizer> make(const Properties& p, BuildContext& ctx) { return std::make_unique<BackgroundImage>(p, ctx); }

}  // namespace

void register_background_image(RandomizerRegistry& r) {
  r.add({"background_image", "a random image from a folder behind the scene", make, true});
}

}  // namespace synthlabel
