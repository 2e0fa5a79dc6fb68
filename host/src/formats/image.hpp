// PNG and JPEG decoding through Debian's maintained libraries (libpng's simplified API,
// libjpeg-turbo's TurboJPEG API): no hand-written decoder reads untrusted image bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::formats {

struct Image {
  int64_t height = 0, width = 0, channels = 0;
  std::vector<uint8_t> pixels;  // row-major [height, width, channels]
};

// The image's size without decoding its pixels. Throws DataError naming `name`.
Image image_header(std::string_view bytes, const std::string& name);

// Decodes to `channels` (1: grey, 3: RGB) whatever the file stores. Images wider or taller
// than kMaxImageSide are refused before decoding. Throws DataError naming `name`.
Image decode_image(std::string_view bytes, const std::string& name, int channels);

// Bilinear resampling (oneDNN) of `image` to height x width.
Image resize_image(const Image& image, int64_t height, int64_t width);

}  // namespace gauntlet::formats
