// libFuzzer target: the challenge loader from bytes (the hardened YAML reader, every field's
// validation, the score formulas through muparser). Any input must give a Challenge or one
// ConfigError of one line; another exception, a crash, a sanitizer report or a hang is a bug.
#include "challenge/challenge_loader.hpp"
#include "common/errors.hpp"
#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    gauntlet::parse_challenge("fuzz/challenge.yaml", std::string(reinterpret_cast<const char*>(data), size));
  } catch (const gauntlet::ConfigError& e) {
    gauntlet::fuzz::check_message(e.what());
  }
  return 0;
}
