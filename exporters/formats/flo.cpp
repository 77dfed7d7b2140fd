// flo: the flow (outputs: [flow]) as Middlebury .flo files, what OpenCV's readOpticalFlow and most
// flow loaders read (Middlebury's flowIO: the tag "PIEH" (the float 202021.25), int32 width, int32
// height, then per pixel row by row float32 u, v, little-endian; |u| or |v| above 1e9 means unknown):
//   flo/forward/STEM.flo    to the clip's next frame
//   flo/backward/STEM.flo   to the previous frame
// Where the flow is not defined (status -1) both components are 1e10, Middlebury's UNKNOWN_FLOW.
// Occluded destinations (status 0) keep their flow: the format has no occlusion (the EXR files do).
#include <cstring>

#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

std::vector<std::uint8_t> encode_flo(std::span<const float> flow, std::uint32_t w, std::uint32_t h) {
  const std::size_t pixels = std::size_t{w} * h;
  std::vector<float> words(3 + pixels * 2);
  std::memcpy(&words[0], "PIEH", 4);
  const auto width = static_cast<std::int32_t>(w), height = static_cast<std::int32_t>(h);
  std::memcpy(&words[1], &width, 4);
  std::memcpy(&words[2], &height, 4);
  for (std::size_t i = 0; i < pixels; ++i) {
    const bool known = flow[4 * i + 2] >= 0.0f;
    words[3 + 2 * i] = known ? flow[4 * i] : 1e10f;
    words[3 + 2 * i + 1] = known ? flow[4 * i + 1] : 1e10f;
  }
  std::vector<std::uint8_t> bytes(words.size() * 4);  // little-endian host (as the other writers assume)
  std::memcpy(bytes.data(), words.data(), bytes.size());
  return bytes;
}

class Flo final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& files, json&) const override {
    SL_TRY_STATUS(frame_has_flow(f, "flo"));
    files.emplace_back("flo/forward/" + f.stem + ".flo", encode_flo(f.flow_forward, f.width, f.height));
    files.emplace_back("flo/backward/" + f.stem + ".flo", encode_flo(f.flow_backward, f.width, f.height));
    return ok_status();
  }
};

}  // namespace

void register_flo(FormatRegistry& r) {
  r.add({.name = "flo",
         .summary = "the flow as Middlebury .flo files (float u, v; unknown 1e10), forward and backward",
         .folders = {"flo"},
         .refuse = [](const SceneSpec& spec) { return needs_flow(spec, "flo"); },
         .make = make_format<Flo>});
}

}  // namespace synthlabel::formats
