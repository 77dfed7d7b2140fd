#include "exporters/Exr.h"

#include <tinyexr.h>

#include <cstdlib>
#include <string>

namespace synthlabel {

Result<std::vector<std::uint8_t>> encode_exr_depth(std::span<const float> depth, std::uint32_t width,
                                                   std::uint32_t height, ExrCompression compression) {
  EXRHeader header;
  InitEXRHeader(&header);
  EXRImage image;
  InitEXRImage(&image);
  float* planes[1] = {const_cast<float*>(depth.data())};
  image.images = reinterpret_cast<unsigned char**>(planes);
  image.num_channels = 1;
  image.width = static_cast<int>(width);
  image.height = static_cast<int>(height);
  EXRChannelInfo channel{};
  channel.name[0] = 'Z';
  header.num_channels = 1;
  header.channels = &channel;
  int pixel_type = TINYEXR_PIXELTYPE_FLOAT;
  int requested_type = TINYEXR_PIXELTYPE_FLOAT;
  header.pixel_types = &pixel_type;
  header.requested_pixel_types = &requested_type;
  header.compression_type =
      compression == ExrCompression::zip ? TINYEXR_COMPRESSIONTYPE_ZIP : TINYEXR_COMPRESSIONTYPE_NONE;
  unsigned char* mem = nullptr;
  const char* err = nullptr;
  const size_t size = SaveEXRImageToMemory(&image, &header, &mem, &err);
  if (size == 0 || mem == nullptr) {
    std::string why = err ? err : "unknown TinyEXR error";
    if (err) FreeEXRErrorMessage(err);
    return make_error(ExitCode::internal, "EXR encoding failed: " + why);
  }
  std::vector<std::uint8_t> out(mem, mem + size);
  std::free(mem);
  return out;
}

}  // namespace synthlabel
