// gauntlet serve: runs an event as a service (host/src/service, docs/api.md): teams upload
// bundles over HTTP(S), every submission is judged continuously by the event runner, and the
// leaderboard is served live.
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "common/errors.hpp"
#include "event/event_loader.hpp"
#include "judge/worker_process.hpp"
#include "sandbox/job_sandbox.hpp"
#include "sandbox/worker_policy.hpp"
#include "service/server.hpp"

#include <iostream>
#include <regex>

namespace gauntlet::cli {

int serve_command(int argc, char** argv) {
  std::string config_path, listen = "127.0.0.1:8080", sandbox_name = "strict", port_file;
  service::ServeOptions options;
  po::options_description visible("options");
  visible.add_options()  //
      ("listen", po::value(&listen)->default_value(listen),
       "address and port to listen on (port 0: any free port, printed)")  //
      ("jobs,j", po::value(&options.jobs),
       "jobs judged at a time, each pinned to its own cores (default: the config's `jobs`, else one per two "
       "usable cores)")  //
      ("sandbox", po::value(&sandbox_name)->default_value("strict"),
       "strict or relaxed, as for gauntlet run")                                       //
      ("tls-cert", po::value(&options.tls_cert), "PEM certificate: serve HTTPS")       //
      ("tls-key", po::value(&options.tls_key), "PEM private key of --tls-cert")        //
      ("port-file", po::value(&port_file), "write the port listened on to this file")  //
      ("http-threads", po::value(&options.http_threads)->default_value(8), "threads answering requests");
  po::options_description hidden;
  hidden.add_options()("config", po::value(&config_path)->required());
  po::positional_options_description positional;
  positional.add("config", 1);
  po::variables_map vm;
  if (auto code = parse_options(argc, argv,
                                "gauntlet serve <event.yaml> [--listen 127.0.0.1:8080] [--jobs N] "
                                "[--tls-cert cert.pem --tls-key key.pem]",
                                visible, hidden, positional, vm))
    return *code;

  // host:port, [v6]:port
  static const std::regex address(R"(^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+):([0-9]{1,5})$)");
  std::smatch m;
  if (!std::regex_match(listen, m, address) || std::stoi(m[2].str()) > 65535) {
    std::cerr
        << "gauntlet serve: --listen must be host:port (e.g. 127.0.0.1:8080, [::1]:8080, 0.0.0.0:0), not '"
        << listen << "'\n";
    return kExitBadInput;
  }
  options.host = m[1].str();
  if (options.host.front() == '[') options.host = options.host.substr(1, options.host.size() - 2);
  options.port = std::stoi(m[2].str());
  options.port_file = port_file;
  const auto mode = sandbox::parse_mode(sandbox_name);
  if (!mode) {
    std::cerr << "gauntlet serve: --sandbox must be 'strict' or 'relaxed', not '" << sandbox_name << "'\n";
    return kExitBadInput;
  }
  options.sandbox = *mode;
  if (vm.count("jobs") && (options.jobs < 1 || options.jobs > 1024)) {
    std::cerr << "gauntlet serve: --jobs must be between 1 and 1024\n";
    return kExitBadInput;
  }
  if (options.http_threads < 1 || options.http_threads > 256) {
    std::cerr << "gauntlet serve: --http-threads must be between 1 and 256\n";
    return kExitBadInput;
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    std::cerr << "gauntlet serve: --tls-cert and --tls-key go together\n";
    return kExitBadInput;
  }

  event::EventConfig config = event::load_event(config_path);
  // As for gauntlet run: on a machine lacking a mechanism, strict mode would turn every
  // submission into JUDGE_ERROR; refused before anything is served.
  if (options.sandbox == sandbox::Mode::strict) {
    const auto& caps = sandbox::cached_machine_probe(judge::default_worker_executable());
    if (const std::optional<std::string> refusal = sandbox::strict_refusal(caps)) {
      std::cerr << "gauntlet serve: " << *refusal << "\n";
      return kExitBadInput;
    }
  }
  return service::serve(config, options);
}

}  // namespace gauntlet::cli
