// A JSON file a command under test wrote (a judge result, a store record), parsed; a missing
// file fails the test with its path. Header-only: the support library does not link nlohmann.
#pragma once

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

namespace gauntlet::testing {

inline nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "missing result file " << path);
  return nlohmann::json::parse(in);
}

}  // namespace gauntlet::testing
