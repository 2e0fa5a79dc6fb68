// Team submissions: a library checked through the worker (never loaded in the host), or an ONNX
// model checked as the runner will read it, copied into the event's submission folder under its
// SHA-256 and recorded in the team's ledger:
//   <submissions.folder>/<team>/<challenge-id>/<sha256>.so (or .onnx)
//   <submissions.folder>/<team>/submissions.json     (every submission, oldest first)
// The ledger holds no results: listing submissions shows nothing of any split.
#pragma once

#include "event/event_config.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet::event {

struct SubmissionEntry {
  std::string challenge;
  std::string sha256;
  std::string file;           // relative to the team folder: <challenge-id>/<sha256>.so (or .onnx)
  std::string original_name;  // the file name as submitted
  int64_t bytes = 0;
  std::string submitted_at;  // ISO 8601 UTC
  std::string plugin_name, plugin_version;
};

// The team folder's ledger; empty when there is none. Throws std::runtime_error for a ledger
// that exists but cannot be read.
std::vector<SubmissionEntry> read_ledger(const std::filesystem::path& team_folder);

// The file a ledger entry names (relative to the team folder). Throws std::runtime_error for a
// name outside the team folder: absolute, climbing out with "..", or through a symbolic link.
[[nodiscard]] std::filesystem::path ledger_entry_path(const std::filesystem::path& team_folder, const std::string& file);

// The library of the team's latest submission on a challenge, if any. Throws
// std::runtime_error for an unreadable ledger or one naming a file outside the team folder.
[[nodiscard]] std::optional<std::filesystem::path> latest_submission(const std::filesystem::path& team_folder,
                                                                     const std::string& challenge_id);

struct SubmitOutcome {
  enum class Kind {
    recorded,           // new submission stored
    already_submitted,  // the same library was submitted before: nothing changed
    over_cap,           // the team used all its submissions on this challenge: nothing stored
    refused,            // the library does not load, or the runner would refuse the model (verdict in
                        // `message`): nothing stored
  };
  Kind kind = Kind::recorded;
  std::string message;  // one line for the team
  std::filesystem::path stored;
  int number = 0;  // this submission's number on the challenge (1-based), when stored or known
};

// Checks, copies and records `library` for `team` on `challenge`. The caller has checked that
// the team takes submissions (PluginSource::submissions). Concurrent submits of one team are
// serialized by a lock file in the team folder. Throws std::runtime_error on I/O failures.
SubmitOutcome submit_library(const EventConfig& config, const Team& team, const Challenge& challenge,
                             const std::filesystem::path& library, double load_timeout_seconds = 10);

}  // namespace gauntlet::event
