// The public routes: the event's status, the leaderboard (JSON, CSV, Markdown, text) and the live
// page. The private split is served only once published.
#include "common/utc_time.hpp"
#include "leaderboard/render.hpp"
#include "service/api.hpp"
#include "service/live_page.hpp"

namespace gauntlet::service {
namespace {

using json = nlohmann::json;
using httplib::Request;
using httplib::Response;

}  // namespace

std::optional<std::string> Api::servable_split(const Request& req, Response& res) {
  const std::string split = req.has_param("split") ? req.get_param_value("split") : "public";
  if (split != "public" && split != "private") {
    send_error(res, 400, "split is 'public' or 'private'");
    return std::nullopt;
  }
  if (split == "private" && !core_.ledger().published()) {
    send_error(res, 403, "the private leaderboard is not published yet");
    return std::nullopt;
  }
  return split;
}

void Api::status(const Request&, Response& res) {
  const auto& cfg = core_.config();
  json challenges = json::array();
  for (const auto& c : cfg.challenges) challenges.push_back(json{{"id", c.id}, {"title", c.title}});
  Ledger& ledger = core_.ledger();
  send_json(res, 200,
            json{{"event", cfg.name},
                 {"title", cfg.title},
                 {"version", core_.version()},
                 {"now", utc_timestamp_ms()},
                 {"challenges", challenges},
                 {"queued", ledger.queued("public")},
                 {"frozen", ledger.frozen()},
                 {"published", ledger.published()},
                 {"published_at", ledger.published() ? json(ledger.published_at()) : json()}});
}

void Api::leaderboard(const Request& req, Response& res) {
  const auto split = servable_split(req, res);
  if (!split) return;
  const std::string name = req.has_param("format") ? req.get_param_value("format") : "json";
  const auto format = leaderboard::parse_format(name);
  if (!format) {
    send_error(res, 400, "format is json, csv, markdown, table or html");
    return;
  }
  const leaderboard::Leaderboard board = core_.board(*split);
  if (*format == leaderboard::Format::json) {
    json j = json::parse(leaderboard::render(board, *format));
    j["generated_at"] = utc_timestamp_ms();
    send_json(res, 200, j);
    return;
  }
  const char* type = *format == leaderboard::Format::csv        ? "text/csv; charset=utf-8"
                     : *format == leaderboard::Format::markdown ? "text/markdown; charset=utf-8"
                     : *format == leaderboard::Format::html     ? "text/html; charset=utf-8"
                                                                : "text/plain; charset=utf-8";
  res.set_content(leaderboard::render(board, *format), type);
}

void Api::live_page(const Request& req, Response& res) {
  const auto split = servable_split(req, res);
  if (!split) return;
  const uint64_t version = core_.version();
  std::string page;
  {
    std::lock_guard<std::mutex> lock(page_mutex_);
    const auto it = pages_.find(*split);
    if (it != pages_.end() && it->second.first == version) page = it->second.second;
  }
  if (page.empty()) {
    page = live_page_html(core_, *split);
    std::lock_guard<std::mutex> lock(page_mutex_);
    pages_[*split] = {version, page};
  }
  res.set_header("Cache-Control", "no-store");
  res.set_content(page, "text/html; charset=utf-8");
}

}  // namespace gauntlet::service
