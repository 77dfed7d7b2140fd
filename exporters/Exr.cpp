#include "exporters/Exr.h"

#include "exporters/ZlibStream.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

#include <glm/gtc/packing.hpp>

// A writer for exactly what synthlabel stores: FLOAT or HALF channels, scanline file, increasing Y.
// Layout per the OpenEXR file format ("OpenEXR File Layout"): magic + version, header attributes,
// offset table (one uint64 per chunk), chunks of (int32 first line, int32 byte count, data).
// ZIP compression packs 16 scanlines per chunk; before deflate the bytes are split into even/odd
// halves and delta-coded (OpenEXR's ZIP predictor), and a chunk that would not shrink is stored raw,
// as the format allows. Written here rather than through TinyEXR so the deflate level can be chosen:
// level 1 is several times faster than TinyEXR's fixed default level at a few percent more bytes.
// Tests read the files back with TinyEXR, an independent reader.

namespace synthlabel {
namespace {

void put_u8(std::vector<std::uint8_t>& out, std::uint8_t v) { out.push_back(v); }
void put_i32(std::vector<std::uint8_t>& out, std::int32_t v) {
  const auto u = static_cast<std::uint32_t>(v);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(u >> (8 * i)));
}
void put_f32(std::vector<std::uint8_t>& out, float f) {
  std::uint32_t u = 0;
  std::memcpy(&u, &f, 4);
  put_i32(out, static_cast<std::int32_t>(u));
}
void put_str(std::vector<std::uint8_t>& out, const char* s) { out.insert(out.end(), s, s + std::strlen(s) + 1); }
void attr(std::vector<std::uint8_t>& out, const char* name, const char* type, std::int32_t size) {
  put_str(out, name);
  put_str(out, type);
  put_i32(out, size);
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_exr(std::span<const ExrChannel> channels, std::uint32_t width,
                                             std::uint32_t height, ExrCompression compression, int zip_level) {
  const std::size_t pixels = std::size_t{width} * height;
  if (width == 0 || height == 0 || channels.empty()) return make_error(ExitCode::internal, "EXR: empty image");
  for (std::size_t c = 0; c < channels.size(); ++c) {
    const ExrChannel& ch = channels[c];
    if (ch.stride == 0 || ch.data.size() < (pixels - 1) * ch.stride + 1) {
      return make_error(ExitCode::internal, "EXR: buffer size does not match the image");
    }
    if (c > 0 && !(std::string_view(channels[c - 1].name) < std::string_view(ch.name))) {
      return make_error(ExitCode::internal, "EXR: channels must be in increasing name order");
    }
  }
  const bool zip = compression == ExrCompression::zip;
  const std::uint32_t lines_per_chunk = zip ? 16 : 1;
  const std::uint32_t chunks = (height + lines_per_chunk - 1) / lines_per_chunk;
  const auto xmax = static_cast<std::int32_t>(width - 1), ymax = static_cast<std::int32_t>(height - 1);
  std::size_t pixel_bytes = 0;
  std::int32_t list_size = 1;  // the list's closing 0
  for (const ExrChannel& ch : channels) {
    pixel_bytes += ch.half ? 2 : 4;
    list_size += static_cast<std::int32_t>(std::strlen(ch.name) + 1 + 16);
  }

  std::vector<std::uint8_t> out;
  out.reserve(pixels * pixel_bytes / (zip ? 2u : 1u) + 1024);
  put_i32(out, 20000630);  // magic 0x762f3101
  put_i32(out, 2);         // version 2, single-part scanline
  attr(out, "channels", "chlist", list_size);  // per channel: name, type, pLinear, reserved, sampling
  for (const ExrChannel& ch : channels) {
    put_str(out, ch.name);
    put_i32(out, ch.half ? 1 : 2);  // HALF : FLOAT
    for (int i = 0; i < 4; ++i) put_u8(out, 0);  // pLinear + reserved
    put_i32(out, 1);  // x sampling
    put_i32(out, 1);  // y sampling
  }
  put_u8(out, 0);   // end of channel list
  attr(out, "compression", "compression", 1);
  put_u8(out, zip ? 3 : 0);  // ZIP_COMPRESSION : NO_COMPRESSION
  attr(out, "dataWindow", "box2i", 16);
  for (std::int32_t v : {0, 0, xmax, ymax}) put_i32(out, v);
  attr(out, "displayWindow", "box2i", 16);
  for (std::int32_t v : {0, 0, xmax, ymax}) put_i32(out, v);
  attr(out, "lineOrder", "lineOrder", 1);
  put_u8(out, 0);  // INCREASING_Y
  attr(out, "pixelAspectRatio", "float", 4);
  put_f32(out, 1.0f);
  attr(out, "screenWindowCenter", "v2f", 8);
  put_f32(out, 0.0f);
  put_f32(out, 0.0f);
  attr(out, "screenWindowWidth", "float", 4);
  put_f32(out, 1.0f);
  put_u8(out, 0);  // end of header

  const std::size_t table = out.size();
  out.resize(table + 8 * std::size_t{chunks});
  std::vector<std::uint8_t> raw, split, packed;
  // One float channel read in place (a chunk's scanlines are its rows, one after another).
  const bool in_place = channels.size() == 1 && !channels[0].half && channels[0].stride == 1;
  for (std::uint32_t c = 0; c < chunks; ++c) {
    const std::uint32_t y0 = c * lines_per_chunk;
    const std::uint32_t lines = std::min(lines_per_chunk, height - y0);
    const std::size_t bytes = std::size_t{lines} * width * pixel_bytes;
    // Each scanline holds every channel's row in turn (channels in name order), little-endian: in
    // place for one float channel, else gathered into `raw`.
    const std::uint8_t* data = nullptr;
    if (in_place) {
      data = reinterpret_cast<const std::uint8_t*>(channels[0].data.data() + std::size_t{y0} * width);
    } else {
      raw.clear();
      raw.reserve(bytes);
      for (std::uint32_t y = y0; y < y0 + lines; ++y) {
        for (const ExrChannel& ch : channels) {
          if (!ch.half && ch.stride == 1) {  // float rows as they are (little-endian host)
            const auto* row = reinterpret_cast<const std::uint8_t*>(ch.data.data() + std::size_t{y} * width);
            raw.insert(raw.end(), row, row + std::size_t{width} * 4);
            continue;
          }
          for (std::uint32_t x = 0; x < width; ++x) {
            const float v = ch.data[(std::size_t{y} * width + x) * ch.stride];
            if (ch.half) {
              const std::uint16_t h = glm::packHalf1x16(v);
              raw.push_back(static_cast<std::uint8_t>(h));
              raw.push_back(static_cast<std::uint8_t>(h >> 8));
            } else {
              std::uint32_t u = 0;
              std::memcpy(&u, &v, 4);
              for (int i = 0; i < 4; ++i) raw.push_back(static_cast<std::uint8_t>(u >> (8 * i)));
            }
          }
        }
      }
      data = raw.data();
    }
    std::size_t size = bytes;
    if (zip) {
      // The predictor over the even bytes, then the odd bytes (as if interleaved into one array): each
      // byte less the one before it in that order, plus 128. One pass the compiler vectorizes.
      split.resize(bytes);
      const std::uint8_t* src = data;
      const std::size_t evens = (bytes + 1) / 2, odds = bytes / 2;
      std::uint8_t* even_out = split.data();
      std::uint8_t* odd_out = split.data() + evens;
      even_out[0] = src[0];
      for (std::size_t i = 1; i < evens; ++i) even_out[i] = static_cast<std::uint8_t>(src[2 * i] - src[2 * i - 2] + 128);
      if (odds > 0) odd_out[0] = static_cast<std::uint8_t>(src[1] - src[2 * (evens - 1)] + 128);
      for (std::size_t i = 1; i < odds; ++i) odd_out[i] = static_cast<std::uint8_t>(src[2 * i + 1] - src[2 * i - 1] + 128);
      // compress2's bytes (zlib's default strategy and window), the checksum by libdeflate.
      packed.clear();
      if (!append_zlib_stream({split.data(), bytes}, zip_level, Z_DEFAULT_STRATEGY, packed)) {
        return make_error(ExitCode::internal, "EXR: deflate failed");
      }
      if (packed.size() < bytes) {
        data = packed.data();
        size = packed.size();
      }
    }
    const std::uint64_t offset = out.size();
    for (int i = 0; i < 8; ++i) out[table + 8 * c + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(offset >> (8 * i));
    put_i32(out, static_cast<std::int32_t>(y0));
    put_i32(out, static_cast<std::int32_t>(size));
    out.insert(out.end(), data, data + size);
  }
  return out;
}

Result<std::vector<std::uint8_t>> encode_exr_depth(std::span<const float> depth, std::uint32_t width,
                                                   std::uint32_t height, ExrCompression compression,
                                                   int zip_level) {
  if (depth.size() != std::size_t{width} * height) return make_error(ExitCode::internal, "EXR: buffer size does not match the image");
  // Named "Y", not "Z": OpenCV's EXR decoder (modules/imgcodecs/src/grfmt_exr.cpp, ExrDecoder::readHeader
  // and readData) finds a lone "Z" channel but then asks OpenEXR for a "Y" slice, so every depth file
  // read with cv2.imread came back as zeros. A single "Y" channel is read by OpenCV (as one float32
  // channel), OpenImageIO, TinyEXR and OpenEXR alike.
  const ExrChannel z{"Y", depth, 1, false};
  return encode_exr({&z, 1}, width, height, compression, zip_level);
}

Result<std::vector<std::uint8_t>> encode_exr_normals(std::span<const float> xyz, std::uint32_t width,
                                                     std::uint32_t height, ExrCompression compression, int zip_level) {
  if (xyz.size() != std::size_t{width} * height * 3) return make_error(ExitCode::internal, "EXR: buffer size does not match the image");
  // Channel names in increasing order, as the format wants: B = z, G = y, R = x.
  const ExrChannel ch[3] = {{"B", xyz.subspan(2), 3, true}, {"G", xyz.subspan(1), 3, true}, {"R", xyz, 3, true}};
  return encode_exr(ch, width, height, compression, zip_level);
}

Result<std::vector<std::uint8_t>> encode_exr_xyz(std::span<const float> xyz, std::uint32_t width, std::uint32_t height,
                                                 ExrCompression compression, int zip_level) {
  if (xyz.size() != std::size_t{width} * height * 3) return make_error(ExitCode::internal, "EXR: buffer size does not match the image");
  const ExrChannel ch[3] = {{"B", xyz.subspan(2), 3, false}, {"G", xyz.subspan(1), 3, false}, {"R", xyz, 3, false}};
  return encode_exr(ch, width, height, compression, zip_level);
}

Result<std::vector<std::uint8_t>> encode_exr_flow(std::span<const float> flow, std::uint32_t width, std::uint32_t height,
                                                  ExrCompression compression, int zip_level) {
  if (flow.size() != std::size_t{width} * height * 4) return make_error(ExitCode::internal, "EXR: buffer size does not match the image");
  // Float (1e-3 px needs more than half's 11 bits), names in increasing order: B = status, G = dv, R = du.
  const ExrChannel ch[3] = {{"B", flow.subspan(2), 4, false}, {"G", flow.subspan(1), 4, false}, {"R", flow, 4, false}};
  return encode_exr(ch, width, height, compression, zip_level);
}

}  // namespace synthlabel
