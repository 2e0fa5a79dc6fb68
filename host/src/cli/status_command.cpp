// gauntlet status: a team's submissions on the event's service (gauntlet serve), with their
// status, verdict and public score, and which of them are its finals.
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "common/errors.hpp"
#include "common/untrusted_text.hpp"
#include "report/text_table.hpp"
#include "service/client.hpp"

#include <iostream>

namespace gauntlet::cli {
namespace {

using json = nlohmann::json;

std::string field(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_string()) return untrusted::terminal_line(it->get<std::string>());
  return it->dump();
}

std::string score_text(const json& p) {
  if (!p.is_object() || !p.contains("score") || !p["score"].is_number()) return "";
  return report::format_number(p["score"].get<double>(), 4);
}

}  // namespace

int status_command(int argc, char** argv) {
  std::string server, token_file, challenge, ca_cert;
  bool as_json = false;
  po::options_description visible("options");
  visible.add_options()                                                                         //
      ("server,s", po::value(&server)->required(), "the event's service: http(s)://host:port")  //
      ("ca-cert", po::value(&ca_cert), "with an https --server: a PEM certificate to trust")    //
      ("token-file", po::value(&token_file)->required(), "the file holding the team's token")   //
      ("challenge,c", po::value(&challenge), "only this challenge")                             //
      ("json", po::bool_switch(&as_json), "print the server's JSON answer");
  po::options_description hidden;
  po::positional_options_description positional;
  po::variables_map vm;
  if (auto code =
          parse_options(argc, argv, "gauntlet status --server URL --token-file F [--challenge C] [--json]",
                        visible, hidden, positional, vm))
    return *code;
  std::optional<service::ServiceClient> client;
  try {
    client.emplace(server, service::read_token_file(token_file), 60, ca_cert);
  } catch (const std::exception& e) {
    std::cerr << "gauntlet status: " << e.what() << "\n";
    return kExitBadInput;
  }
  const auto r = client->get("/api/v1/submissions" + (challenge.empty() ? "" : "?challenge=" + challenge));
  if (!r.ok()) {
    std::cerr << "gauntlet status: " << untrusted::terminal_line(r.error) << "\n";
    return r.status >= 400 && r.status < 500 ? kExitBadInput : kExitFailure;
  }
  if (as_json) {
    std::cout << r.body.dump(2) << "\n";
    return kExitOk;
  }
  report::TextTable table(
      {"id", "#", "challenge", "submitted", "status", "verdict", "public score", "final", "file"});
  for (const auto& s : r.body.value("submissions", json::array())) {
    const json p = s.value("public", json());
    std::string status = field(s, "status");
    if (status == "queued" && s.contains("queue_ahead")) status += " (" + field(s, "queue_ahead") + " ahead)";
    table.add_row({field(s, "id"), field(s, "number"), field(s, "challenge"), field(s, "submitted_at"),
                   status, p.is_object() ? field(p, "verdict") : "", score_text(p),
                   s.value("final", false) ? field(s, "final_source") : "", field(s, "original_name")});
  }
  std::cout << "team " << field(r.body, "team") << "\n";
  table.print(std::cout);
  return kExitOk;
}

}  // namespace gauntlet::cli
