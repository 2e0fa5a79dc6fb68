// Writes a challenge back as schema 2 YAML (gauntlet kit), with the data section the caller
// gives (e.g. the kit's own npy files).
#pragma once

#include "challenge/challenge.hpp"

#include <string>

namespace gauntlet {

// `data_section` is the whole `data:` mapping as YAML text, ending with a newline.
std::string challenge_yaml(const Challenge& challenge, const std::string& data_section);

}  // namespace gauntlet
