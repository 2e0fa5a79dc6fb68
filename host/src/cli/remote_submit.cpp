#include "cli/remote_submit.hpp"

#include "common/errors.hpp"
#include "common/file_check.hpp"
#include "common/untrusted_text.hpp"
#include "service/client.hpp"
#include "service/tokens.hpp"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

namespace gauntlet::cli {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string text(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? untrusted::terminal_line(it->get<std::string>()) : std::string();
}

// Shown while waiting: a line rewritten in place on a terminal, one line per change otherwise.
class Progress {
 public:
  Progress() : tty_(::isatty(STDERR_FILENO) == 1) {}
  void show(const std::string& state) {
    static const char* kSpin = "|/-\\";
    if (tty_) {
      std::cerr << "\r" << kSpin[tick_++ % 4] << " " << state << "\033[K" << std::flush;
    } else if (state != last_) {
      std::cerr << state << "\n";
    }
    last_ = state;
  }
  void done() {
    if (tty_ && !last_.empty()) std::cerr << "\r\033[K" << std::flush;
  }

 private:
  bool tty_;
  unsigned tick_ = 0;
  std::string last_;
};

int exit_for(const service::ServiceClient::Reply& r) {
  return r.status >= 400 && r.status < 500 ? kExitBadInput : kExitFailure;
}

}  // namespace

int remote_submit(const RemoteSubmit& r) {
  for (const auto* f : {&r.plugin, r.assets ? &*r.assets : nullptr}) {
    if (!f) continue;
    if (const std::optional<std::string> why = why_not_regular_file(*f)) {
      std::cerr << "gauntlet submit: " << f->string() << ": " << *why << "\n";
      return kExitBadInput;
    }
  }
  std::optional<service::ServiceClient> client;
  try {
    service::init_crypto();
    client.emplace(r.server, service::read_token_file(r.token_file), 60, r.ca_cert);
  } catch (const std::exception& e) {
    std::cerr << "gauntlet submit: " << e.what() << "\n";
    return kExitBadInput;
  }

  // One nonce for the upload: sent again after a lost answer, the server refuses it as a replay
  // and names the submission the first request made, so nothing is submitted twice.
  const std::string nonce = service::random_hex(16);
  service::ServiceClient::Reply up;
  int64_t id = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    try {
      up = client->upload(r.challenge, r.plugin, r.assets, nonce);
    } catch (const std::exception& e) {
      std::cerr << "gauntlet submit: " << e.what() << "\n";
      return kExitBadInput;
    }
    if (up.ok()) {
      id = up.body.value("id", int64_t{0});
      break;
    }
    if (up.status == 409 && up.body.is_object() && up.body.contains("replay_of") &&
        up.body["replay_of"].value("action", "") == "submission") {
      id = std::stoll(up.body["replay_of"].value("ref", "0"));
      std::cerr << "gauntlet submit: the first answer was lost; the upload had been recorded\n";
      break;
    }
    if (up.status != 0) {
      std::cerr << "gauntlet submit: refused (HTTP " << up.status
                << "): " << untrusted::terminal_line(up.error) << "\n";
      return exit_for(up);
    }
    std::cerr << "gauntlet submit: " << up.error << "; trying again\n";
    std::this_thread::sleep_for(std::chrono::seconds(1 + attempt));
  }
  if (id == 0) {
    std::cerr << "gauntlet submit: " << up.error << "\n";
    return kExitFailure;
  }
  service::ServiceClient::Reply s = up.ok() ? up : client->get("/api/v1/submissions/" + std::to_string(id));
  if (s.ok())
    std::cout << "submission " << id << " accepted: team " << text(s.body, "team") << " #"
              << s.body.value("number", 0) << " on " << text(s.body, "challenge") << ", bundle "
              << s.body["bundle"].value("sha256", "").substr(0, 16) << "\n"
              << std::flush;
  if (!r.wait) return kExitOk;

  Progress progress;
  const auto deadline = Clock::now() + std::chrono::duration<double>(r.timeout_seconds);
  for (;;) {
    s = client->get("/api/v1/submissions/" + std::to_string(id));
    if (s.ok() && s.body.value("status", "") == "judged" && !s.body["public"].is_null()) break;
    if (s.ok() && s.body.value("status", "") == "judged" && s.body.contains("note")) break;
    if (s.ok()) {
      const std::string state = s.body.value("status", "");
      progress.show(state == "queued"
                        ? "queued (" + std::to_string(s.body.value("queue_ahead", 0)) + " ahead)"
                        : state + "...");
    } else if (s.status != 429 && s.status != 0) {
      progress.done();
      std::cerr << "gauntlet submit: " << untrusted::terminal_line(s.error) << "\n";
      return kExitFailure;
    }
    if (Clock::now() > deadline) {
      progress.done();
      std::cerr << "gauntlet submit: no verdict after " << r.timeout_seconds
                << " s; gauntlet status shows it when it comes\n";
      return kExitFailure;
    }
    std::this_thread::sleep_for(
        std::chrono::duration<double>(s.status == 429 ? std::max(1.0, s.retry_after) : 1.0));
  }
  progress.done();
  const json& p = s.body["public"];
  if (p.is_null()) {
    std::cout << "submission " << id << ": " << text(s.body, "note") << "\n";
    return kExitFailure;
  }
  const std::string verdict = text(p, "verdict");
  std::cout << "submission " << id << ": " << verdict;
  if (p.contains("score") && p["score"].is_number())
    std::cout << ", public score " << p["score"].get<double>();
  if (!text(p, "reason").empty()) std::cout << " (" << text(p, "reason") << ")";
  std::cout << "\n";
  return verdict == "OK" ? kExitOk : kExitFailure;
}

}  // namespace gauntlet::cli
