// What a plugin says about itself, read through a worker (team code never runs in the host,
// not even its static constructors): `gauntlet inspect` shows it, `gauntlet submit` and the
// service accept or refuse a library on it. The verdict of a library that cannot even be
// loaded is decide()'s, as in a judging.
#pragma once

#include "judge/verdict.hpp"
#include "judge/worker_client.hpp"

#include <chrono>
#include <filesystem>
#include <optional>

namespace gauntlet::judge {

struct PluginProbe {
  // Set when the library cannot be judged: LOAD_ERROR, ABI_MISMATCH, TIME_LIMIT (loading took
  // longer than allowed) or CRASH, with decide()'s reason.
  std::optional<Decision> refusal;
  PluginIdentity identity;  // the plugin's own words (untrusted text), when it loaded
};

// Loads `library` in a fresh worker (relaxed confinement suffices: only the hello is asked),
// waits at most `timeout`, and kills the worker. Throws only for the judge's own failures
// (no worker executable, no process could be started).
[[nodiscard]] PluginProbe probe_plugin(const std::filesystem::path& library,
                                       std::chrono::milliseconds timeout);

}  // namespace gauntlet::judge
