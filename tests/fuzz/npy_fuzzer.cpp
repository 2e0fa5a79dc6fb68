// libFuzzer target: the .npy parser and the .npz (zip) reader. The first byte chooses: even,
// the rest is a .npy file; odd, the rest is a .npz archive whose array "x" is read. Every
// input must give a tensor whose buffer holds its bytes, or one DataError of one line.
#include "common/errors.hpp"
#include "formats/npy.hpp"
#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const gauntlet::HostTensor t = data[0] & 1 ? gauntlet::formats::read_npz_array(bytes, "fuzz.npz", "x")
                                               : gauntlet::formats::decode_npy(bytes, "fuzz.npy");
    if (!t.buffer || t.buffer->size() < t.bytes()) std::abort();
  } catch (const gauntlet::DataError& e) {
    gauntlet::fuzz::check_message(e.what());
  }
  return 0;
}
