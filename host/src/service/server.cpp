#include "service/server.hpp"

#include "common/atomic_file.hpp"
#include "common/errors.hpp"
#include "common/utc_time.hpp"
#include "event/cpu_slots.hpp"
#include "event/job_plan.hpp"
#include "service/api.hpp"
#include "service/core.hpp"
#include "service/judging.hpp"
#include "service/ledger.hpp"
#include "service/tokens.hpp"
#include "store/result_store.hpp"

#include <httplib.h>
#include <pthread.h>
#include <sys/socket.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

namespace gauntlet::service {
namespace {

constexpr int kListenBacklog = 256;

// One line at a time, each stamped, on stderr.
void log_line(const std::string& line) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  std::cerr << "[serve] " << utc_timestamp_ms() << " " << line << std::endl;
}

}  // namespace

int serve(const event::EventConfig& config, const ServeOptions& options) {
  // SIGINT and SIGTERM go to one thread (sigwait), never to a judging or HTTP thread; blocked
  // here, before any thread exists, so that every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  init_crypto();
  std::unique_ptr<store::StoreLock> lock;
  std::unique_ptr<Core> core;
  try {
    lock = std::make_unique<store::StoreLock>(config.store);
    core = std::make_unique<Core>(config);
    log_line("event " + config.name + ": " + core->recover());
    store::write_event_description(config.store, event::describe_event(config));
  } catch (const std::exception& e) {
    std::cerr << "gauntlet serve: " << e.what() << "\n";
    return kExitFailure;
  }

  const std::vector<int> cpus = event::usable_cpus();
  const int jobs = options.jobs > 0  ? options.jobs
                   : config.jobs > 0 ? config.jobs
                                     : event::default_jobs(cpus.size());
  event::RunSettings settings;
  settings.slots = event::assign_cpus(cpus, jobs);
  settings.configure = [mode = options.sandbox](judge::JudgeOptions& o) { o.sandbox = mode; };

  std::unique_ptr<httplib::Server> server;
  const bool tls = !options.tls_cert.empty();
  if (tls)
    server = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
  else
    server = std::make_unique<httplib::Server>();
  if (!server->is_valid()) {
    std::cerr << "gauntlet serve: cannot use the TLS certificate " << options.tls_cert << " and key "
              << options.tls_key << "\n";
    return kExitBadInput;
  }
  const int threads = options.http_threads;
  server->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  // The whole multipart body is held in memory: the cap bounds it (plus room for the part headers).
  server->set_payload_max_length(static_cast<std::size_t>(config.service.max_upload_bytes) + (64 << 10));
  server->set_read_timeout(config.service.timeout_seconds, 0);
  server->set_write_timeout(config.service.timeout_seconds, 0);
  server->set_keep_alive_timeout(5);

  // Debian's cpp-httplib is a compiled library that listens with a backlog of 5: twenty teams
  // connecting at once overflow it, the kernel drops their SYNs and they come again a second
  // later (the load test's p95 acknowledgement went from ~100 ms to ~1 s). The listening socket
  // is caught here and listen() called again with a larger backlog once bound (Linux updates it).
  int listen_fd = -1;
  server->set_socket_options([&listen_fd](int fd) {
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd = fd;
  });

  Judging judging(*core, settings, log_line);
  Api api(*core, judging, log_line);
  api.install(*server);

  int port = options.port;
  if (port == 0) {
    port = server->bind_to_any_port(options.host);
    if (port <= 0) {
      std::cerr << "gauntlet serve: cannot listen on " << options.host << "\n";
      return kExitFailure;
    }
  } else if (!server->bind_to_port(options.host, port)) {
    std::cerr << "gauntlet serve: cannot listen on " << options.host << ":" << port
              << " (in use, or not an address of this machine)\n";
    return kExitFailure;
  }
  if (listen_fd >= 0) ::listen(listen_fd, kListenBacklog);
  const std::string url =
      std::string(tls ? "https" : "http") + "://" +
      (options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host) + ":" +
      std::to_string(port) + "/";
  log_line("listening on " + url + " (" + std::to_string(jobs) + " job" + (jobs == 1 ? "" : "s") +
           " at a time, " + std::string(sandbox::mode_name(options.sandbox)) + " sandbox, pinned to cores " +
           [&] {
             std::string s;
             for (const auto& slot : settings.slots)
               s += (s.empty() ? "" : " | ") + event::cpu_list_text(slot);
             return s;
           }() +
           ")");
  if (!options.port_file.empty()) {
    try {
      write_file_atomic(options.port_file, std::to_string(port) + "\n");
    } catch (const std::exception& e) {
      std::cerr << "gauntlet serve: " << e.what() << "\n";
      return kExitFailure;
    }
  }
  judging.start();

  std::thread stopper([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    log_line(std::string("stopping (") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ")");
    server->stop();
  });
  const bool listened = server->listen_after_bind();
  if (!listened) {
    log_line("the server stopped unexpectedly");
    ::kill(::getpid(), SIGTERM);  // lets the stopper thread end
  }
  stopper.join();
  judging.request_stop();
  if (!judging.join(5)) {
    // A batch is under way: nothing is lost by stopping here (the next start queues it again).
    log_line("judging under way is left to the next start");
    std::_Exit(kExitOk);
  }
  log_line("stopped");
  return listened ? kExitOk : kExitFailure;
}

}  // namespace gauntlet::service
