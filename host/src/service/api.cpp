// The routes, authentication, nonces, rate limits, and the answers every route shares.
#include "service/api.hpp"

#include "common/untrusted_text.hpp"

#include <algorithm>
#include <cctype>

namespace gauntlet::service {
namespace {

using json = nlohmann::json;

std::string status_text(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 401:
      return "missing or invalid token";
    case 403:
      return "forbidden";
    case 404:
      return "no such route or resource";
    case 405:
      return "method not allowed";
    case 408:
      return "request timeout";
    case 411:
      return "the request needs a Content-Length";
    case 413:
      return "the request is larger than this event allows (submissions.max_upload_mb)";
    case 414:
      return "the request URI is too long";
    case 415:
      return "unsupported content type";
    case 416:
      return "range not satisfiable";
    case 429:
      return "too many requests";
    default:
      return status >= 500 ? "internal error" : "request refused";
  }
}

}  // namespace

bool RateLimiter::allow(const std::string& key, double* retry_after) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  auto [it, fresh] = buckets_.try_emplace(key);
  Bucket& b = it->second;
  if (fresh) {
    b.tokens = per_minute_;
    b.at = now;
  }
  b.tokens = std::min<double>(
      per_minute_, b.tokens + std::chrono::duration<double>(now - b.at).count() * per_minute_ / 60);
  b.at = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  if (retry_after) *retry_after = (1 - b.tokens) * 60 / per_minute_;
  return false;
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, status, json{{"error", untrusted::valid_utf8(message)}});
}

void send_refusal(httplib::Response& res, const Refusal& refusal) {
  json body{{"error", untrusted::valid_utf8(refusal.message)}};
  if (!refusal.replay_action.empty())
    body["replay_of"] = json{{"action", refusal.replay_action}, {"ref", refusal.replay_ref}};
  send_json(res, refusal.status, body);
}

std::optional<json> json_body(const httplib::Request& req, httplib::Response& res) {
  const std::string type = req.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) != 0) {
    send_error(res, 415, "expected a JSON body (Content-Type: application/json)");
    return std::nullopt;
  }
  try {
    json j = json::parse(req.body);
    if (!j.is_object()) throw std::runtime_error("not an object");
    return j;
  } catch (const std::exception&) {
    send_error(res, 400, "the body is not a JSON object");
    return std::nullopt;
  }
}

Api::Api(Core& core, Judging& judging, std::function<void(const std::string&)> log)
    : core_(core), judging_(judging), log_(std::move(log)), limiter_(core.config().service.rate_per_minute) {}

std::optional<Principal> Api::authenticate(const httplib::Request& req, httplib::Response& res,
                                           std::optional<Role> role) {
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.empty() || header.compare(0, kBearer.size(), kBearer) != 0) {
    res.set_header("WWW-Authenticate", "Bearer");
    send_error(res, 401,
               "this request needs a token: Authorization: Bearer <token> (gauntlet teams gives them)");
    return std::nullopt;
  }
  std::optional<Principal> who = core_.ledger().authenticate(header.substr(kBearer.size()));
  if (!who) {
    res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    send_error(res, 401, "invalid or revoked token");
    return std::nullopt;
  }
  double wait = 0;
  if (!limiter_.allow(who->token_id, &wait)) {
    const int seconds = std::max(1, static_cast<int>(wait + 0.999));
    res.set_header("Retry-After", std::to_string(seconds));
    send_error(res, 429,
               "too many requests: at most " + std::to_string(core_.config().service.rate_per_minute) +
                   " a minute per token (service.rate_per_minute); retry in " + std::to_string(seconds) +
                   " s");
    return std::nullopt;
  }
  if (role && who->role != *role) {
    send_error(res, 403,
               *role == Role::organizer
                   ? "this is the organizer's; a team token cannot use it"
                   : "this is for teams; the organizer's token does not submit or choose finals");
    return std::nullopt;
  }
  return who;
}

std::optional<std::string> Api::nonce(const httplib::Request& req, httplib::Response& res) {
  const std::string n = req.get_header_value("X-Gauntlet-Nonce");
  const bool ok = n.size() >= 16 && n.size() <= 128 && std::all_of(n.begin(), n.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
                  });
  if (!ok) {
    send_error(
        res, 400,
        "a request that changes something needs a fresh nonce: X-Gauntlet-Nonce with 16 to 128 letters, "
        "digits, '-' or '_' (e.g. 32 random hex digits)");
    return std::nullopt;
  }
  return n;
}

void Api::install(httplib::Server& server) {
  using httplib::Request;
  using httplib::Response;
  auto route = [this](void (Api::*handler)(const Request&, Response&)) {
    return [this, handler](const Request& req, Response& res) { (this->*handler)(req, res); };
  };
  server.Get("/", route(&Api::live_page));
  server.Get("/leaderboard", route(&Api::live_page));
  server.Get("/api/v1/status", route(&Api::status));
  server.Get("/api/v1/leaderboard", route(&Api::leaderboard));
  server.Get("/api/v1/me", route(&Api::whoami));
  server.Post("/api/v1/submissions", route(&Api::upload));
  server.Get("/api/v1/submissions", route(&Api::list_submissions));
  server.Get(R"(/api/v1/submissions/([^/]+))", route(&Api::one_submission));
  server.Get(R"(/api/v1/submissions/([^/]+)/log)", route(&Api::submission_log));
  server.Get("/api/v1/finals", route(&Api::get_finals));
  server.Post("/api/v1/finals", route(&Api::set_finals));
  server.Get("/api/v1/admin/submissions", route(&Api::admin_submissions));
  server.Post("/api/v1/admin/rejudge", route(&Api::admin_rejudge));
  server.Post("/api/v1/admin/freeze",
              [this](const Request& req, Response& res) { admin_freeze(req, res, true); });
  server.Post("/api/v1/admin/unfreeze",
              [this](const Request& req, Response& res) { admin_freeze(req, res, false); });
  server.Post("/api/v1/admin/publish", route(&Api::admin_publish));
  server.Get("/api/v1/admin/audit", route(&Api::admin_audit));

  // Whatever the library refuses by itself (an oversized body, a bad request line, an unknown
  // route) answers in the same one-line JSON.
  server.set_error_handler([](const Request&, Response& res) {
    if (res.body.empty()) send_error(res, res.status, status_text(res.status));
  });
  server.set_exception_handler([this](const Request& req, Response& res, const std::exception_ptr& ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log_("internal error on " + req.method + " " + req.path + ": " + what);
    send_error(res, 500, "internal error; the server's log says more");
  });
  // The request log: method, path (no query, no header: tokens travel only in headers), status.
  server.set_logger([this](const Request& req, const Response& res) {
    log_(req.remote_addr + " " + req.method + " " + untrusted::terminal_line(req.path.substr(0, 200)) + " " +
         std::to_string(res.status) + " " + std::to_string(res.body.size()) + " B");
  });
}

}  // namespace gauntlet::service
