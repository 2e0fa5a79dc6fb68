// The service's HTTP API (docs/api.md), on cpp-httplib. Every answer is JSON but the live page;
// every refusal is a 4xx with one line, {"error": "..."}, and changes nothing. Every route needs
// a token (Authorization: Bearer ...) but the public ones: the public leaderboard (and the
// private one once published), the live page and the event's status. A request that changes
// something carries a nonce (X-Gauntlet-Nonce), so that a replayed request is refused.
#pragma once

#include "service/core.hpp"
#include "service/judging.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace gauntlet::service {

// Requests per token and minute, as a token bucket (bursts up to the minute's allowance).
class RateLimiter {
 public:
  explicit RateLimiter(int per_minute) : per_minute_(per_minute) {}
  // Whether the holder of `key` may make a request now; else the seconds to wait.
  bool allow(const std::string& key, double* retry_after);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at;
  };
  int per_minute_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

class Api {
 public:
  Api(Core& core, Judging& judging, std::function<void(const std::string&)> log);

  // Registers every route, the error and exception handlers and the request log.
  void install(httplib::Server& server);

 private:
  // The request's principal, or nothing with the refusal already in `res` (401, 403, 429).
  std::optional<Principal> authenticate(const httplib::Request& req, httplib::Response& res,
                                        std::optional<Role> role);
  // The request's nonce (X-Gauntlet-Nonce), or nothing with a 400 in `res`.
  std::optional<std::string> nonce(const httplib::Request& req, httplib::Response& res);

  // api_team.cpp
  void upload(const httplib::Request& req, httplib::Response& res);
  void list_submissions(const httplib::Request& req, httplib::Response& res);
  void one_submission(const httplib::Request& req, httplib::Response& res);
  void submission_log(const httplib::Request& req, httplib::Response& res);
  void get_finals(const httplib::Request& req, httplib::Response& res);
  void set_finals(const httplib::Request& req, httplib::Response& res);
  void whoami(const httplib::Request& req, httplib::Response& res);
  nlohmann::json submission_json(const Submission& s, bool organizer);
  // The submission `id` as the principal may see it (its own team's; any for the organizer).
  std::optional<Submission> visible_submission(const Principal& who, const std::string& id,
                                               httplib::Response& res);

  // api_admin.cpp
  void admin_submissions(const httplib::Request& req, httplib::Response& res);
  void admin_rejudge(const httplib::Request& req, httplib::Response& res);
  void admin_freeze(const httplib::Request& req, httplib::Response& res, bool freeze);
  void admin_publish(const httplib::Request& req, httplib::Response& res);
  void admin_audit(const httplib::Request& req, httplib::Response& res);

  // api_public.cpp
  void status(const httplib::Request& req, httplib::Response& res);
  void leaderboard(const httplib::Request& req, httplib::Response& res);
  void live_page(const httplib::Request& req, httplib::Response& res);
  // The split a public request asks for, when it may be served; else nothing, with the refusal in `res`.
  std::optional<std::string> servable_split(const httplib::Request& req, httplib::Response& res);

  Core& core_;
  Judging& judging_;
  std::function<void(const std::string&)> log_;
  RateLimiter limiter_;
  std::mutex team_locks_mutex_;
  std::map<std::string, std::unique_ptr<std::mutex>> team_locks_;  // one upload of a team at a time
  std::mutex page_mutex_;
  std::map<std::string, std::pair<uint64_t, std::string>> pages_;  // split -> (version, HTML)
};

// One-line JSON answers.
void send_json(httplib::Response& res, int status, const nlohmann::json& body);
void send_error(httplib::Response& res, int status, const std::string& message);
// A ledger's refusal: its status and message, and for a replay what the first request did.
void send_refusal(httplib::Response& res, const Refusal& refusal);
// A JSON request body, or nothing with a 400/415 in `res`.
std::optional<nlohmann::json> json_body(const httplib::Request& req, httplib::Response& res);

}  // namespace gauntlet::service
