// libFuzzer target: any bytes as an image synthlabel decodes in its own process. The first byte
// picks the decoder: even, the texture decoder (PNG or JPEG by signature, scenes/Texture.h: texture
// folders, background images and the images inside models); odd, the environment-map EXR decoder
// (scenes/Environment.h). The rest is the file.
#include <cstdint>
#include <span>

#include "scenes/Environment.h"
#include "scenes/Texture.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    (void)synthlabel::decode_image(bytes, "fuzz");
  } else {
    (void)synthlabel::decode_exr(bytes, "fuzz");
  }
  return 0;
}
