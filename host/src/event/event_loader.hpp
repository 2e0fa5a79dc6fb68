// Reads and validates an event config (schema 1) with the same hardened YAML reader and the
// same error discipline as challenges: one ConfigError naming file:line:column and the field,
// with "did you mean" for misspelled keys and names.
#pragma once

#include "event/event_config.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace gauntlet::event {

// Loads the event and every challenge it names (their errors point into their own files).
// Checks the syntax and the names; plugin files are looked for by find_plugin(). Throws
// ConfigError.
EventConfig load_event(const std::filesystem::path& file);

// The same from the config's bytes (tests, fuzzing): `file` names it in messages and anchors
// relative paths; the challenges it names are still loaded from their files. `file`, `dir` and
// `sha256` of the result are left to the caller. Throws ConfigError.
EventConfig parse_event(const std::filesystem::path& file, std::string bytes);

// The library a team enters on a challenge, or nothing when it has none (a per-challenge
// map without that challenge, a folder without a matching library, no submission yet).
// Convention for `folder: F` (and the submission folder): F/<challenge-id>.so (or .onnx, an ONNX
// model), else the one .so or .onnx file in F/<challenge-id>/, else, when that folder holds several, the
// latest one the team's submission ledger (F/submissions.json) names. Throws ConfigError (at the config line
// that named the path) for a configured file or folder that does not exist, and for a folder that holds
// several libraries with no ledger to choose between them.
[[nodiscard]] std::optional<std::filesystem::path> find_plugin(const Team& team,
                                                               const std::string& challenge_id);

}  // namespace gauntlet::event
