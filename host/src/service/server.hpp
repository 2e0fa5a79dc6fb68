// `gauntlet serve`: one process that takes submissions over HTTP(S), judges them continuously
// with the event runner, and serves the leaderboard (api.hpp, judging.hpp, core.hpp). It holds
// the store's lock (no `gauntlet run` on the same store meanwhile); SIGINT or SIGTERM stop it;
// kill -9 loses nothing acknowledged: the next start resumes the queue (Core::recover).
#pragma once

#include "event/event_config.hpp"
#include "sandbox/worker_policy.hpp"

#include <filesystem>
#include <string>

namespace gauntlet::service {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (printed, and written to port_file)
  int jobs = 0;     // 0: the config's, else one per two usable cores
  sandbox::Mode sandbox = sandbox::Mode::strict;
  std::string tls_cert, tls_key;  // both or neither: HTTPS
  std::filesystem::path port_file;
  int http_threads = 8;
};

// Runs until SIGINT/SIGTERM. Returns the exit code; the log goes to stderr.
int serve(const event::EventConfig& config, const ServeOptions& options);

}  // namespace gauntlet::service
