// gauntlet teams: the submission service's access tokens (host/src/service/tokens.hpp). Creates
// or rotates the tokens of the event's teams and of the organizer; each token is shown once
// (printed, or written to <out-dir>/<name>.token readable by its owner only) and stored only as
// a hash in the service's ledger. A new token replaces the holder's earlier one at once, also
// while `gauntlet serve` runs.
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "common/atomic_file.hpp"
#include "common/errors.hpp"
#include "common/suggest.hpp"
#include "event/event_loader.hpp"
#include "service/ledger.hpp"
#include "service/tokens.hpp"

#include <filesystem>
#include <iostream>

namespace gauntlet::cli {
namespace {

namespace fs = std::filesystem;

}  // namespace

int teams_command(int argc, char** argv) {
  std::string config_path, out_dir;
  std::vector<std::string> names;
  bool organizer = false, list = false, revoke = false;
  po::options_description visible("options");
  visible.add_options()  //
      ("team,t", po::value(&names)->composing(),
       "a team to give a new token (repeatable; default: every team of the event and the organizer)")  //
      ("organizer", po::bool_switch(&organizer), "a new organizer token")                              //
      ("out-dir,o", po::value(&out_dir),
       "write each token to <dir>/<team>.token (organizer.token), mode 0600, instead of printing them")  //
      ("revoke", po::bool_switch(&revoke), "revoke the named holders' tokens instead (no new ones)")     //
      ("list", po::bool_switch(&list), "list the tokens (ids, holders, dates; never the tokens)");
  po::options_description hidden;
  hidden.add_options()("config", po::value(&config_path)->required());
  po::positional_options_description positional;
  positional.add("config", 1);
  po::variables_map vm;
  if (auto code = parse_options(argc, argv,
                                "gauntlet teams <event.yaml> [--team NAME]... [--organizer] [--out-dir DIR] "
                                "[--revoke] [--list]",
                                visible, hidden, positional, vm))
    return *code;

  event::EventConfig config = event::load_event(config_path);
  std::vector<std::string> all_teams;
  for (const auto& t : config.teams) all_teams.push_back(t.name);
  for (const auto& n : names)
    if (!config.find_team(n)) {
      std::cerr << "gauntlet teams: no team '" << n << "' in " << config_path << did_you_mean(n, all_teams)
                << "\n";
      return kExitBadInput;
    }
  if (names.empty() && !organizer && !list) {
    if (revoke) {
      std::cerr << "gauntlet teams: --revoke needs --team NAME or --organizer\n";
      return kExitBadInput;
    }
    names = all_teams;
    organizer = true;
  }
  if (!out_dir.empty() && (list || revoke)) {
    std::cerr << "gauntlet teams: --out-dir goes with new tokens, not with --list or --revoke\n";
    return kExitBadInput;
  }

  try {
    service::init_crypto();
    service::Ledger ledger(service::ledger_file(config.store));
    if (list) {
      for (const auto& t : ledger.tokens())
        std::cout << t.id << "  " << (t.role == service::Role::organizer ? "(organizer)" : t.team)
                  << "  created " << t.created_at << (t.revoked_at.empty() ? "" : "  revoked " + t.revoked_at)
                  << "\n";
      return kExitOk;
    }
    std::vector<std::pair<service::Role, std::string>> holders;
    holders.reserve(names.size() + 1);
    for (const auto& n : names) holders.emplace_back(service::Role::team, n);
    if (organizer) holders.emplace_back(service::Role::organizer, "");
    if (revoke) {
      for (const auto& [role, team] : holders) {
        const int n = ledger.revoke_tokens(role, team);
        std::cout << (role == service::Role::organizer ? "organizer" : team) << ": " << n << " token"
                  << (n == 1 ? "" : "s") << " revoked\n";
      }
      return kExitOk;
    }
    if (!out_dir.empty()) fs::create_directories(out_dir);
    for (const auto& [role, team] : holders) {
      const std::string label = role == service::Role::organizer ? "organizer" : team;
      const std::string token = ledger.create_token(role, team);
      if (out_dir.empty()) {
        std::cout << label << "\t" << token << "\n";
      } else {
        const fs::path file = fs::path(out_dir) / (label + ".token");
        write_file_atomic(file, token + "\n", 0600);  // a secret: its owner only
        std::cout << label << ": new token in " << file.string() << "\n";
      }
    }
    if (out_dir.empty())
      std::cerr
          << "gauntlet teams: these tokens are shown once (only their hashes are kept); earlier tokens of "
             "these holders no longer work\n";
  } catch (const std::exception& e) {
    std::cerr << "gauntlet teams: " << e.what() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace gauntlet::cli
