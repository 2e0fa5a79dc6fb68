// gauntlet admin: the organizer's side of the event's service (gauntlet serve), with the
// organizer's token: freeze or reopen submissions, publish the private leaderboard once the
// finals are judged, queue submissions again, list every submission, read the audit log.
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "common/errors.hpp"
#include "common/untrusted_text.hpp"
#include "service/client.hpp"
#include "service/tokens.hpp"

#include <iostream>
#include <map>

namespace gauntlet::cli {

int admin_command(int argc, char** argv) {
  std::string server, token_file, action, team, challenge, split = "public", ca_cert;
  int64_t submission = 0;
  po::options_description visible("options");
  visible.add_options()                                                                             //
      ("server,s", po::value(&server)->required(), "the event's service: http(s)://host:port")      //
      ("ca-cert", po::value(&ca_cert), "with an https --server: a PEM certificate to trust")        //
      ("token-file", po::value(&token_file)->required(), "the file holding the organizer's token")  //
      ("submission", po::value(&submission), "rejudge: this submission")                            //
      ("team,t", po::value(&team), "rejudge, submissions: this team's")                             //
      ("challenge,c", po::value(&challenge), "rejudge, submissions: this challenge's")              //
      ("split", po::value(&split), "rejudge: public (default) or private");
  po::options_description hidden;
  hidden.add_options()("action", po::value(&action)->required());
  po::positional_options_description positional;
  positional.add("action", 1);
  po::variables_map vm;
  const std::string usage =
      "gauntlet admin --server URL --token-file F <freeze|unfreeze|publish|rejudge|submissions|audit> "
      "[--submission ID] [--team T] [--challenge C] [--split public|private]";
  if (auto code = parse_options(argc, argv, usage, visible, hidden, positional, vm)) return *code;

  std::optional<service::ServiceClient> client;
  try {
    service::init_crypto();
    client.emplace(server, service::read_token_file(token_file), 60, ca_cert);
  } catch (const std::exception& e) {
    std::cerr << "gauntlet admin: " << e.what() << "\n";
    return kExitBadInput;
  }
  service::ServiceClient::Reply r;
  const std::string nonce = service::random_hex(16);
  const std::map<std::string, std::string> posts{{"freeze", "/api/v1/admin/freeze"},
                                                 {"unfreeze", "/api/v1/admin/unfreeze"},
                                                 {"publish", "/api/v1/admin/publish"}};
  if (const auto it = posts.find(action); it != posts.end()) {
    r = client->post_json(it->second, nlohmann::json::object(), nonce);
  } else if (action == "rejudge") {
    nlohmann::json body{{"split", split}};
    if (submission) body["submission"] = submission;
    if (!team.empty()) body["team"] = team;
    if (!challenge.empty()) body["challenge"] = challenge;
    r = client->post_json("/api/v1/admin/rejudge", body, nonce);
  } else if (action == "submissions") {
    std::string query;
    if (!team.empty()) query += "team=" + team;
    if (!challenge.empty()) query += std::string(query.empty() ? "" : "&") + "challenge=" + challenge;
    r = client->get("/api/v1/admin/submissions" + (query.empty() ? "" : "?" + query));
  } else if (action == "audit") {
    r = client->get("/api/v1/admin/audit");
  } else {
    std::cerr << "gauntlet admin: unknown action '" << action << "'\nusage: " << usage << "\n";
    return kExitBadInput;
  }
  if (!r.ok()) {
    std::cerr << "gauntlet admin: " << untrusted::terminal_line(r.error) << "\n";
    return r.status >= 400 && r.status < 500 ? kExitBadInput : kExitFailure;
  }
  std::cout << r.body.dump(2) << "\n";
  return kExitOk;
}

}  // namespace gauntlet::cli
