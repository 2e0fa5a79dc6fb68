// Reads and validates challenge.yaml (schema 1). Every problem is reported as one
// ConfigError naming file:line:column and the field; nothing is half-loaded.
#pragma once

#include "challenge/challenge.hpp"

#include <filesystem>

namespace gauntlet {

// `dir_or_yaml` is a challenge folder (holding challenge.yaml) or the YAML file itself.
// Throws ConfigError.
Challenge load_challenge(const std::filesystem::path& dir_or_yaml);

}  // namespace gauntlet
