// Used by gauntlet new: what the starter says about the host's preprocessing.
#pragma once

#include "challenge/challenge.hpp"

#include <string>

namespace gauntlet::cli {

// Contents of a C++ string literal.
std::string c_escape(const std::string& s);

// What the host does to each input, in words ("features: standardised per feature ...").
std::string preprocess_summary(const Challenge& c);

// `kPreprocessEntries`: the entries create() receives, with a standardised input's fitted values
// when the data can be read here.
std::string preprocess_constants(const Challenge& c);

}  // namespace gauntlet::cli
