// gauntlet submit: a team hands in a library (or an ONNX model) for one challenge of an event.
// It is checked (a library must load, through the worker; the runner must take a model), copied into the
// event's submission folder under its SHA-256 and recorded; the event's per-team cap is enforced.
#include "cli/commands.hpp"
#include "cli/options.hpp"
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
  std::string config_path, team_name, challenge_id, library;
  po::options_description visible("options");
  visible.add_options()                                                                              //
      ("event,e", po::value(&config_path)->required(), "the event config (.yaml)")                   //
      ("team,t", po::value(&team_name)->required(), "the team's name as the event config lists it")  //
      ("challenge,c", po::value(&challenge_id)->required(), "the challenge id");
  po::options_description hidden;
  hidden.add_options()("library", po::value(&library)->required());
  po::positional_options_description positional;
  positional.add("library", 1);
  po::variables_map vm;
  if (auto code = parse_options(
          argc, argv,
          "gauntlet submit --event <event.yaml> --team <name> --challenge <id> <lib.so|model.onnx>", visible,
          hidden, positional, vm))
    return *code;

  event::EventConfig config;
  try {
    config = event::load_event(config_path);
  } catch (const ConfigError& e) {
    std::cerr << e.what() << "\n";
    return kExitBadInput;
  }
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
