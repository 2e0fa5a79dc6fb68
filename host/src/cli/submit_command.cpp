// gauntlet submit: a team hands in a library (or an ONNX model) for one challenge of an event.
// With --server it is uploaded to the event's `gauntlet serve` (remote_submit.cpp), with the
// team's token, and the verdict is awaited. With --event (the organizer's local way) it is checked (a library
// must load, through the worker; the runner must take a model), copied into the event's submission folder
// under its SHA-256 and recorded; the event's per-team cap is enforced.
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/remote_submit.hpp"
#include "common/errors.hpp"
#include "common/file_check.hpp"
#include "common/suggest.hpp"
#include "event/event_loader.hpp"
#include "event/submission.hpp"
#include "models/model_job.hpp"

#include <filesystem>
#include <iostream>

namespace gauntlet::cli {

int submit_command(int argc, char** argv) {
  std::string config_path, team_name, challenge_id, library, server, token_file, assets, ca_cert;
  bool no_wait = false;
  double timeout = 3600;
  po::options_description visible("options");
  visible.add_options()                                                                               //
      ("server,s", po::value(&server), "the event's service (gauntlet serve): http(s)://host:port")   //
      ("token-file", po::value(&token_file), "with --server: the file holding the team's token")      //
      ("assets", po::value(&assets), "with --server: an asset archive (tar or zip) for the library")  //
      ("ca-cert", po::value(&ca_cert), "with an https --server: a PEM certificate to trust")          //
      ("no-wait", po::bool_switch(&no_wait), "with --server: do not wait for the verdict")            //
      ("timeout", po::value(&timeout), "with --server: seconds to wait for the verdict (3600)")       //
      ("event,e", po::value(&config_path), "locally: the event config (.yaml)")                       //
      ("team,t", po::value(&team_name), "locally: the team's name as the event config lists it")      //
      ("challenge,c", po::value(&challenge_id)->required(), "the challenge id");
  po::options_description hidden;
  hidden.add_options()("library", po::value(&library)->required());
  po::positional_options_description positional;
  positional.add("library", 1);
  po::variables_map vm;
  if (auto code =
          parse_options(argc, argv,
                        "gauntlet submit --server URL --token-file F --challenge <id> <lib.so|model.onnx> "
                        "[--assets a.tar]\n   or: gauntlet submit --event <event.yaml> --team <name> "
                        "--challenge <id> <lib.so|model.onnx>",
                        visible, hidden, positional, vm))
    return *code;
  if (!server.empty()) {
    if (!config_path.empty() || !team_name.empty() || token_file.empty()) {
      std::cerr << "gauntlet submit: --server goes with --token-file (the token names the team), not with "
                   "--event or --team\n";
      return kExitBadInput;
    }
    if (!(timeout > 0)) {
      std::cerr << "gauntlet submit: --timeout must be positive\n";
      return kExitBadInput;
    }
    RemoteSubmit r{server, token_file, challenge_id, library, std::nullopt, !no_wait, timeout};
    if (!assets.empty()) r.assets = assets;
    r.ca_cert = ca_cert;
    return remote_submit(r);
  }
  if (config_path.empty() || team_name.empty() || !token_file.empty() || !assets.empty() || no_wait ||
      !ca_cert.empty()) {
    std::cerr << "gauntlet submit: give either --server URL --token-file F, or --event FILE --team NAME "
                 "(--token-file, --assets and --no-wait go with --server)\n";
    return kExitBadInput;
  }

  event::EventConfig config = event::load_event(config_path);
  const event::Team* team = config.find_team(team_name);
  if (!team) {
    std::vector<std::string> names;
    for (const auto& t : config.teams) names.push_back(t.name);
    std::cerr << "gauntlet submit: no team '" << team_name << "' in " << config_path
              << did_you_mean(team_name, names) << "\n";
    return kExitBadInput;
  }
  if (team->source != event::PluginSource::submissions) {
    std::cerr << "gauntlet submit: team '" << team->name << "' has its plugins set in " << config_path
              << " (plugin/plugins/folder); submissions are for teams listed with a name only\n";
    return kExitBadInput;
  }
  const Challenge* challenge = config.find_challenge(challenge_id);
  if (!challenge) {
    std::vector<std::string> ids;
    for (const auto& c : config.challenges) ids.push_back(c.id);
    std::cerr << "gauntlet submit: no challenge '" << challenge_id << "' in " << config_path
              << did_you_mean(challenge_id, ids) << "\n";
    return kExitBadInput;
  }
  if (const std::optional<std::string> why = why_not_regular_file(library)) {
    std::cerr << "gauntlet submit: " << library << ": " << *why << "\n";
    return kExitBadInput;
  }

  event::SubmitOutcome outcome;
  try {
    outcome = event::submit_library(config, *team, *challenge, library);
  } catch (const std::exception& e) {
    std::cerr << "gauntlet submit: " << e.what() << "\n";
    return kExitFailure;
  }
  switch (outcome.kind) {
    case event::SubmitOutcome::Kind::recorded:
    case event::SubmitOutcome::Kind::already_submitted:
      std::cout << outcome.message << "\nstored as " << outcome.stored.string() << "\n";
      return kExitOk;
    case event::SubmitOutcome::Kind::over_cap:
      std::cerr << "gauntlet submit: " << outcome.message << "\n";
      return kExitFailure;
    case event::SubmitOutcome::Kind::refused:
      std::cerr << "gauntlet submit: the " << (models::is_model_path(library) ? "model" : "library")
                << " was refused, nothing recorded: " << outcome.message << "\n";
      return kExitFailure;
  }
  return kExitFailure;
}

}  // namespace gauntlet::cli
