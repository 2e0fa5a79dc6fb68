// What the judge can tell about a model before running it: `gauntlet inspect model.onnx` and the
// check `gauntlet submit` makes. A model is data, not code: it is read here with the runner's
// own loader and checks (onnx_runner/src/onnx_model, fuzzed: tests/fuzz), and nothing of the
// team runs in the judge.
#pragma once

#include "challenge/challenge.hpp"

#include <filesystem>
#include <ostream>
#include <string>

namespace gauntlet::models {

// Prints the model's format, inputs, outputs and operators (with whether the runner supports
// each), and the verdict the runner would give it: against `challenge` when given (its
// interface and every announced batch size), else on its own. Returns the exit code: 0 when
// the runner would take it, 1 otherwise.
int inspect_model(std::ostream& out, const std::filesystem::path& path, const Challenge* challenge);

// The runner's refusal of the model on the challenge ("PLUGIN_ERROR: ..."), or "" when it would
// plan it. Throws std::runtime_error when the file cannot be read.
std::string model_refusal(const std::filesystem::path& path, const Challenge& challenge);

}  // namespace gauntlet::models
