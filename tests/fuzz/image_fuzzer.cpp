// libFuzzer target: image decoding as the image_folder source does it (libpng, TurboJPEG
// behind formats/image.hpp). The first byte chooses grey (even) or RGB (odd). Every input must
// give an image of height x width x channels bytes, or one DataError of one line.
#include "common/errors.hpp"
#include "formats/image.hpp"
#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const int channels = data[0] & 1 ? 3 : 1;
  try {
    const auto img = gauntlet::formats::decode_image(bytes, "fuzz.img", channels);
    if (img.pixels.size() != static_cast<std::size_t>(img.height * img.width * channels)) std::abort();
  } catch (const gauntlet::DataError& e) {
    gauntlet::fuzz::check_message(e.what());
  }
  return 0;
}
