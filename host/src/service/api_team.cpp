// The teams' routes: upload a bundle, list and read their own submissions and logs, choose finals.
#include "common/suggest.hpp"
#include "service/api.hpp"
#include "service/bundle.hpp"
#include "service/tokens.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace gauntlet::service {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using httplib::Request;
using httplib::Response;

constexpr std::size_t kLogBytes = 16 * 1024;  // of each of the plugin's stdout and stderr

json number_or_null(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? *it : json();
}

// What a team may see of a public result: its verdict, score, metrics and latency.
json public_result(const json& record) {
  const json& r = record["result"];
  json out{{"verdict", r.value("verdict", "")},
           {"reason", r.value("reason", "")},
           {"judged_at", record.value("recorded_at", "")},
           {"attempts", record.value("attempts", 1)},
           {"metrics", r.value("metrics", json::object())}};
  const json score = r.value("score", json());
  out["qualified"] = score.is_object() && score.value("qualified", false);
  out["score"] = score.is_object() ? number_or_null(score, "value") : json();
  if (score.is_object() && !score.value("reason", std::string()).empty())
    out["score_reason"] = score["reason"];
  const json vars = r.value("variables", json::object());
  out["latency_ms"] = number_or_null(vars, "latency_ms");
  const json m = r.value("measurement", json::object());
  out["latency_reliable"] = !m.is_object() || m.value("reliable", true);
  if (!out["latency_reliable"].get<bool>()) out["latency_note"] = m.value("reason", "");
  return out;
}

json capped_output(const json& stream) {
  if (!stream.is_object()) return json();
  std::string head = stream.value("head", "");
  const bool cut = head.size() > kLogBytes;
  if (cut) head.resize(kLogBytes);
  return json{{"text", head},
              {"total_bytes", stream.value("total_bytes", 0)},
              {"truncated", cut || stream.value("truncated", false)}};
}

bool plain_id(const std::string& s) {
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

json Api::submission_json(const Submission& s, bool organizer) {
  json j{{"id", s.id},
         {"number", s.number},
         {"team", s.team},
         {"challenge", s.challenge},
         {"submitted_at", s.submitted_at},
         {"original_name", s.original_name},
         {"bundle",
          {{"sha256", s.bundle_sha256},
           {"type", s.kind},
           {"file_sha256", s.plugin_sha256},
           {"file_bytes", s.plugin_bytes},
           {"assets", s.assets_sha256.empty() ? json()
                                              : json{{"sha256", s.assets_sha256},
                                                     {"archive_sha256", s.assets_archive_sha256},
                                                     {"files", s.assets_files},
                                                     {"bytes", s.assets_bytes}}}}},
         {"status", s.public_state}};
  if (s.public_state == "queued") j["queue_ahead"] = core_.ledger().queue_ahead(s.id);
  const auto record = core_.record(s, "public");
  j["public"] = record ? public_result(*record) : json();
  if (s.public_state == "judged" && !record)
    j["note"] = "judged, but no result is stored: the organizer can rejudge it";
  bool chosen = false;
  const auto finals = core_.finals(s.team, s.challenge, &chosen);
  j["final"] = std::find(finals.begin(), finals.end(), s.id) != finals.end();
  if (j["final"].get<bool>()) j["final_source"] = chosen ? "chosen" : "default";
  // Where the finals stand on the private split: for the organizer only, and no result of it.
  if (organizer) j["private_state"] = s.private_state;
  return j;
}

std::optional<Submission> Api::visible_submission(const Principal& who, const std::string& id,
                                                  Response& res) {
  std::optional<Submission> s;
  if (plain_id(id)) s = core_.ledger().submission(std::stoll(id));
  // Another team's submission is answered exactly as one that does not exist.
  if (!s || (who.role == Role::team && s->team != who.team)) {
    send_error(
        res, 404,
        "no submission " + id.substr(0, 20) + (who.role == Role::team ? " of team '" + who.team + "'" : ""));
    return std::nullopt;
  }
  return s;
}

void Api::upload(const Request& req, Response& res) {
  const auto who = authenticate(req, res, Role::team);
  if (!who) return;
  const auto nonce_value = nonce(req, res);
  if (!nonce_value) return;
  if (!req.is_multipart_form_data()) {
    send_error(
        res, 415,
        "an upload is multipart/form-data with the parts 'challenge', 'plugin' (the .so or .onnx file) and "
        "optionally 'assets' (a tar or zip archive)");
    return;
  }
  for (const auto& [name, part] : req.files) {
    if (name != "challenge" && name != "plugin" && name != "assets") {
      send_error(res, 400,
                 "unknown part '" + name.substr(0, 64) + "': the parts are challenge, plugin and assets");
      return;
    }
    if (req.files.count(name) > 1) {
      send_error(res, 400, "the part '" + name + "' is given more than once");
      return;
    }
  }
  if (!req.has_file("challenge") || !req.has_file("plugin")) {
    send_error(res, 400,
               std::string("missing part '") + (req.has_file("challenge") ? "plugin" : "challenge") +
                   "': the parts are challenge, plugin and (optionally) assets");
    return;
  }
  const httplib::MultipartFormData plugin = req.get_file_value("plugin");
  if (plugin.filename.empty()) {
    send_error(res, 400, "the part 'plugin' must be a file (with a filename: the .so or .onnx)");
    return;
  }
  std::optional<httplib::MultipartFormData> assets;
  if (req.has_file("assets")) {
    assets = req.get_file_value("assets");
    if (assets->filename.empty()) {
      send_error(res, 400, "the part 'assets' must be a file (a tar or zip archive)");
      return;
    }
  }
  const std::string challenge_id = req.get_file_value("challenge").content;
  const Challenge* challenge = core_.config().find_challenge(challenge_id);
  if (!challenge) {
    std::vector<std::string> ids;
    for (const auto& c : core_.config().challenges) ids.push_back(c.id);
    send_error(
        res, 404,
        "no challenge '" + challenge_id.substr(0, 64) + "' in this event" + did_you_mean(challenge_id, ids));
    return;
  }
  const event::ServiceRules& rules = core_.config().service;
  if (static_cast<int64_t>(plugin.content.size() + (assets ? assets->content.size() : 0)) >
      rules.max_upload_bytes) {
    send_error(res, 413,
               "the upload is larger than " + std::to_string(rules.max_upload_bytes >> 20) +
                   " MiB (submissions.max_upload_mb)");
    return;
  }
  const AcceptRules accept_rules{core_.config().max_submissions, rules.per_day, rules.queue_limit};
  // Refusals that need no bundle first: nothing is staged for them.
  if (auto refused = core_.ledger().precheck(*who, *nonce_value, challenge->id, accept_rules)) {
    send_refusal(res, *refused);
    return;
  }

  // One upload of a team at a time, from staging to the ledger's commit.
  std::mutex* team_mutex = nullptr;
  {
    std::lock_guard<std::mutex> lock(team_locks_mutex_);
    auto& m = team_locks_[who->team];
    if (!m) m = std::make_unique<std::mutex>();
    team_mutex = m.get();
  }
  std::lock_guard<std::mutex> team_lock(*team_mutex);

  const fs::path staging = core_.incoming() / random_hex(16);
  fs::create_directories(staging);
  std::error_code ec;
  StagedBundle staged;
  try {
    std::optional<std::string_view> archive;
    if (assets) archive = assets->content;
    const ArchiveLimits limits{rules.max_asset_files, rules.max_assets_bytes};
    // The file name only (a client may send a path); its extension says library or model.
    const std::string name = fs::path(plugin.filename).filename().string();
    staged = stage_bundle(staging, name, plugin.content, archive, *challenge, limits);
  } catch (const BundleRefused& e) {
    fs::remove_all(staging, ec);
    send_error(res, e.status(), e.what());
    return;
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }

  // Into place, then the ledger: a kill between the two leaves a folder no submission names,
  // which the next start removes; never a submission without its files.
  const std::string relative = Core::bundle_folder_name(who->team, challenge->id, staged.bundle_sha256);
  const fs::path target = core_.dir() / relative;
  fs::create_directories(target.parent_path());
  if (fs::exists(target, ec)) {
    for (const auto& s : core_.ledger().submissions(who->team, challenge->id))
      if (s.bundle_sha256 == staged.bundle_sha256) {
        fs::remove_all(staging, ec);
        send_error(res, 409,
                   "this bundle was already submitted (submission " + std::to_string(s.number) +
                       " of team '" + who->team + "' on " + challenge->id + "); nothing recorded");
        return;
      }
    // Left by an upload whose ledger commit failed and whose clean-up failed too: not a submission.
    fs::remove_all(target);
  }
  fs::rename(staging, target);
  sync_folder(target.parent_path());

  Submission s;
  s.team = who->team;
  s.challenge = challenge->id;
  s.kind = staged.kind;
  s.original_name = staged.original_name;
  s.folder = relative;
  s.plugin_file = staged.plugin_file;
  s.bundle_sha256 = staged.bundle_sha256;
  s.plugin_sha256 = staged.plugin_sha256;
  s.plugin_bytes = staged.plugin_bytes;
  s.assets_sha256 = staged.assets_sha256;
  s.assets_archive_sha256 = staged.assets_archive_sha256;
  s.assets_files = staged.assets_files;
  s.assets_bytes = staged.assets_bytes;
  std::optional<Refusal> refused;
  try {
    refused = core_.ledger().accept(s, *who, *nonce_value, accept_rules);
  } catch (...) {
    fs::remove_all(target, ec);
    throw;
  }
  if (refused) {
    fs::remove_all(target, ec);
    send_refusal(res, *refused);
    return;
  }
  log_("accepted submission " + std::to_string(s.id) + " (" + s.team + " #" + std::to_string(s.number) +
       " on " + s.challenge + ", " + s.kind + " " + s.plugin_sha256.substr(0, 12) +
       (s.assets_sha256.empty() ? "" : ", assets " + s.assets_sha256.substr(0, 12)) + ")");
  core_.bump();
  judging_.wake();
  res.set_header("Location", "/api/v1/submissions/" + std::to_string(s.id));
  send_json(res, 201, submission_json(s, false));
}

void Api::list_submissions(const Request& req, Response& res) {
  const auto who = authenticate(req, res, std::nullopt);
  if (!who) return;
  const bool organizer = who->role == Role::organizer;
  const std::string team = organizer ? req.get_param_value("team") : who->team;
  json list = json::array();
  for (const auto& s : core_.ledger().submissions(team, req.get_param_value("challenge")))
    list.push_back(submission_json(s, organizer));
  send_json(res, 200,
            json{{"team", organizer ? json(team.empty() ? json() : json(team)) : json(who->team)},
                 {"submissions", list}});
}

void Api::one_submission(const Request& req, Response& res) {
  const auto who = authenticate(req, res, std::nullopt);
  if (!who) return;
  if (const auto s = visible_submission(*who, req.matches[1].str(), res))
    send_json(res, 200, submission_json(*s, who->role == Role::organizer));
}

void Api::submission_log(const Request& req, Response& res) {
  const auto who = authenticate(req, res, std::nullopt);
  if (!who) return;
  const auto s = visible_submission(*who, req.matches[1].str(), res);
  if (!s) return;
  json out{{"id", s->id}, {"status", s->public_state}, {"split", "public"}};
  const auto record = core_.record(*s, "public");
  if (!record) {
    out["log"] = json();
    send_json(res, 200, out);
    return;
  }
  const json& r = (*record)["result"];
  json timing = json::array();
  for (const auto& t : r.value("timing", json::array()))
    timing.push_back(json{{"batch_size", t.value("batch_size", 0)},
                          {"calls", t.value("calls", 0)},
                          {"p50_ms", number_or_null(t, "p50_ms")},
                          {"p90_ms", number_or_null(t, "p90_ms")},
                          {"reliable", t.value("reliable", true)}});
  const json worker = r.value("worker", json::object());
  out["log"] = json{{"verdict", r.value("verdict", "")},
                    {"reason", r.value("reason", "")},
                    {"warnings", r.value("warnings", json::array())},
                    {"samples", r.value("samples", json::object())},
                    {"seconds", r.value("seconds", json::object())},
                    {"timing", timing},
                    {"sandbox", r.value("sandbox", json::object()).value("mode", "")},
                    {"worker_exit", worker.value("exit", "")},
                    {"stdout", capped_output(worker.value("stdout", json()))},
                    {"stderr", capped_output(worker.value("stderr", json()))}};
  send_json(res, 200, out);
}

void Api::get_finals(const Request& req, Response& res) {
  const auto who = authenticate(req, res, std::nullopt);
  if (!who) return;
  std::string team = who->team;
  if (who->role == Role::organizer) {
    team = req.get_param_value("team");
    if (!core_.config().find_team(team)) {
      send_error(res, 404, "give ?team=<name> of a team of this event");
      return;
    }
  }
  json list = json::array();
  for (const auto& c : core_.config().challenges) {
    bool chosen = false;
    const auto ids = core_.finals(team, c.id, &chosen);
    list.push_back(json{{"challenge", c.id},
                        {"submissions", ids},
                        {"source", chosen ? "chosen" : "default"},
                        {"max", core_.config().service.final_per_team}});
  }
  send_json(res, 200, json{{"team", team}, {"frozen", core_.ledger().frozen()}, {"finals", list}});
}

void Api::set_finals(const Request& req, Response& res) {
  const auto who = authenticate(req, res, Role::team);
  if (!who) return;
  const auto nonce_value = nonce(req, res);
  if (!nonce_value) return;
  const auto body = json_body(req, res);
  if (!body) return;
  const auto c = body->find("challenge");
  const auto list = body->find("submissions");
  if (c == body->end() || !c->is_string() || list == body->end() || !list->is_array() ||
      !std::all_of(list->begin(), list->end(), [](const json& v) { return v.is_number_integer(); })) {
    send_error(res, 400,
               R"(expected {"challenge": "<id>", "submissions": [<id>, ...]} ([] for the default))");
    return;
  }
  const Challenge* challenge = core_.config().find_challenge(c->get<std::string>());
  if (!challenge) {
    send_error(res, 404, "no challenge '" + c->get<std::string>().substr(0, 64) + "' in this event");
    return;
  }
  const auto ids = list->get<std::vector<int64_t>>();
  if (auto refused = core_.ledger().choose_finals(*who, *nonce_value, challenge->id, ids,
                                                  core_.config().service.final_per_team)) {
    send_refusal(res, *refused);
    return;
  }
  bool chosen = false;
  const auto now = core_.finals(who->team, challenge->id, &chosen);
  send_json(
      res, 200,
      json{{"challenge", challenge->id}, {"submissions", now}, {"source", chosen ? "chosen" : "default"}});
}

void Api::whoami(const Request& req, Response& res) {
  const auto who = authenticate(req, res, std::nullopt);
  if (!who) return;
  const auto& cfg = core_.config();
  json challenges = json::array();
  for (const auto& c : cfg.challenges) challenges.push_back(json{{"id", c.id}, {"title", c.title}});
  send_json(res, 200,
            json{{"role", role_name(who->role)},
                 {"team", who->team.empty() ? json() : json(who->team)},
                 {"event", cfg.name},
                 {"challenges", challenges},
                 {"rules",
                  {{"max_per_team", cfg.max_submissions},
                   {"per_day", cfg.service.per_day},
                   {"final_per_team", cfg.service.final_per_team},
                   {"max_upload_mb", cfg.service.max_upload_bytes >> 20},
                   {"max_asset_files", cfg.service.max_asset_files},
                   {"max_assets_mb", cfg.service.max_assets_bytes >> 20},
                   {"rate_per_minute", cfg.service.rate_per_minute}}},
                 {"frozen", core_.ledger().frozen()},
                 {"published", core_.ledger().published()}});
}

}  // namespace gauntlet::service
