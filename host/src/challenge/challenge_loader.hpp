// Reads and validates challenge.yaml (schema 1). Every problem is reported as one
// ConfigError naming file:line:column and the field; nothing is half-loaded.
#pragma once

#include "challenge/challenge.hpp"

#include <filesystem>
#include <string>

namespace gauntlet {

// `dir_or_yaml` is a challenge folder (holding challenge.yaml) or the YAML file itself.
// Throws ConfigError.
Challenge load_challenge(const std::filesystem::path& dir_or_yaml);

// The same from the file's bytes, touching no file (tests, fuzzing): `file` names the file in
// messages and anchors relative data paths. `file`, `dir` and `sha256` of the result are
// left to the caller. Throws ConfigError.
Challenge parse_challenge(const std::string& file, std::string bytes);

}  // namespace gauntlet
