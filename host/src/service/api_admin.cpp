// The organizer's routes: every submission, rejudging, freezing, publishing, the audit log.
#include "service/api.hpp"

namespace gauntlet::service {
namespace {

using json = nlohmann::json;
using httplib::Request;
using httplib::Response;

}  // namespace

void Api::admin_submissions(const Request& req, Response& res) {
  const auto who = authenticate(req, res, Role::organizer);
  if (!who) return;
  json list = json::array();
  for (const auto& s :
       core_.ledger().submissions(req.get_param_value("team"), req.get_param_value("challenge")))
    list.push_back(submission_json(s, true));
  send_json(
      res, 200,
      json{{"frozen", core_.ledger().frozen()},
           {"finals_fixed", core_.ledger().finals_fixed()},
           {"published", core_.ledger().published()},
           {"queued",
            {{"public", core_.ledger().queued("public")}, {"private", core_.ledger().queued("private")}}},
           {"submissions", list}});
}

void Api::admin_rejudge(const Request& req, Response& res) {
  const auto who = authenticate(req, res, Role::organizer);
  if (!who) return;
  const auto nonce_value = nonce(req, res);
  if (!nonce_value) return;
  const auto body = json_body(req, res);
  if (!body) return;
  Ledger::RejudgeFilter f;
  try {
    f.submission = body->value("submission", int64_t{0});
    f.team = body->value("team", "");
    f.challenge = body->value("challenge", "");
    f.split = body->value("split", "public");
  } catch (const json::exception&) {
    send_error(
        res, 400,
        R"(expected {"submission": <id>} and/or {"team": "<name>", "challenge": "<id>"}, optionally "split": "public"|"private")");
    return;
  }
  if (f.split != "public" && f.split != "private") {
    send_error(res, 400, "split is 'public' or 'private'");
    return;
  }
  if (!f.team.empty() && !core_.config().find_team(f.team)) {
    send_error(res, 404, "no team '" + f.team.substr(0, 64) + "' in this event");
    return;
  }
  if (!f.challenge.empty() && !core_.config().find_challenge(f.challenge)) {
    send_error(res, 404, "no challenge '" + f.challenge.substr(0, 64) + "' in this event");
    return;
  }
  const auto outcome = core_.ledger().rejudge(*who, *nonce_value, f);
  if (const auto* refused = std::get_if<Refusal>(&outcome)) {
    send_refusal(res, *refused);
    return;
  }
  log_("organizer: " + std::to_string(std::get<int>(outcome)) + " submission(s) queued again on the " +
       f.split + " split");
  if (f.split == "public") core_.bump();
  judging_.wake();
  send_json(res, 200, json{{"queued", std::get<int>(outcome)}, {"split", f.split}});
}

void Api::admin_freeze(const Request& req, Response& res, bool freeze) {
  const auto who = authenticate(req, res, Role::organizer);
  if (!who) return;
  const auto nonce_value = nonce(req, res);
  if (!nonce_value) return;
  const auto refused =
      freeze ? core_.ledger().freeze(*who, *nonce_value) : core_.ledger().unfreeze(*who, *nonce_value);
  if (refused) {
    send_refusal(res, *refused);
    return;
  }
  log_(std::string("organizer: submissions ") + (freeze ? "frozen" : "open again"));
  core_.bump();
  judging_.wake();
  send_json(res, 200, json{{"frozen", freeze}});
}

void Api::admin_publish(const Request& req, Response& res) {
  const auto who = authenticate(req, res, Role::organizer);
  if (!who) return;
  const auto nonce_value = nonce(req, res);
  if (!nonce_value) return;
  if (const auto refused = core_.ledger().publish(*who, *nonce_value)) {
    send_refusal(res, *refused);
    return;
  }
  log_("organizer: the private leaderboard is published");
  core_.bump();
  send_json(res, 200, json{{"published", true}, {"published_at", core_.ledger().published_at()}});
}

void Api::admin_audit(const Request& req, Response& res) {
  const auto who = authenticate(req, res, Role::organizer);
  if (!who) return;
  int limit = 100;
  try {
    if (req.has_param("limit")) limit = std::stoi(req.get_param_value("limit"));
  } catch (const std::exception&) {
    limit = 0;
  }
  if (limit < 1 || limit > 10000) {
    send_error(res, 400, "limit is 1 to 10000");
    return;
  }
  json list = json::array();
  for (const auto& e : core_.ledger().audit(limit))
    list.push_back(
        json{{"id", e.id}, {"at", e.at}, {"actor", e.actor}, {"action", e.action}, {"detail", e.detail}});
  send_json(res, 200, json{{"audit", list}});
}

}  // namespace gauntlet::service
