// gauntlet leaderboard: the ranking of one split, from the result store alone, in a table,
// CSV, JSON, Markdown or a self-contained HTML page. The public split is the default; the
// private split's results are read only when --split private is given.
#include "cli/commands.hpp"
#include "cli/leaderboard_output.hpp"
#include "cli/options.hpp"
#include "common/atomic_file.hpp"
#include "common/errors.hpp"
#include "event/event_loader.hpp"
#include "event/job_plan.hpp"
#include "leaderboard/render.hpp"
#include "service/ledger.hpp"
#include "store/result_store.hpp"

#include <filesystem>
#include <iostream>
#include <optional>

namespace gauntlet::cli {

int leaderboard_command(int argc, char** argv) {
  std::string source, split = "public", format_name = "table", out;
  po::options_description visible("options");
  visible.add_options()  //
      ("split", po::value(&split)->default_value("public"),
       "public (default) or private (the final ranking)")                                                  //
      ("format,f", po::value(&format_name)->default_value("table"), "table, csv, json, markdown or html")  //
      ("out,o", po::value(&out),
       "write to this file (default: stdout; for html <store>/leaderboard-<split>.html)");
  po::options_description hidden;
  hidden.add_options()("source", po::value(&source)->required());
  po::positional_options_description positional;
  positional.add("source", 1);
  po::variables_map vm;
  if (auto code = parse_options(argc, argv,
                                "gauntlet leaderboard <event.yaml|store folder> [--split public|private] "
                                "[--format table|csv|json|markdown|html] [--out FILE]",
                                visible, hidden, positional, vm))
    return *code;
  if (!store::valid_split(split)) {
    std::cerr << "gauntlet leaderboard: --split must be 'public' or 'private', not '" << split << "'\n";
    return kExitBadInput;
  }
  const auto format = leaderboard::parse_format(format_name);
  if (!format) {
    std::cerr << "gauntlet leaderboard: --format must be table, csv, json, markdown or html, not '"
              << format_name << "'\n";
    return kExitBadInput;
  }

  // From the config (its current rules and teams) or from a store folder alone (the
  // description the last run left there).
  std::filesystem::path store;
  std::optional<nlohmann::json> stored_description;
  std::optional<event::EventConfig> config;
  std::error_code ec;
  if (std::filesystem::is_directory(source, ec)) {
    store = source;
    stored_description = store::read_event_description(store);
    if (!stored_description) {
      std::cerr << "gauntlet leaderboard: " << source
                << " is not a result store (no event.json; `gauntlet run` "
                << "writes one)\n";
      return kExitBadInput;
    }
    // The service's selection needs the event's rules (its finals, its job keys).
    if (std::filesystem::exists(service::ledger_file(store), ec))
      std::cerr << "gauntlet leaderboard: note: " << source
                << " holds a submission service's ledger; this table ranks each team's latest result. "
                   "Give the event file to rank as the service does (each team's best, its finals)\n";
  } else {
    try {
      config = event::load_event(source);
      store = config->store;
    } catch (const ConfigError& e) {
      std::cerr << e.what() << "\n";
      return kExitBadInput;
    }
  }

  std::string text;
  try {
    // From the config, the event is described (its data hashed) once, by load_event_leaderboard.
    text = leaderboard::render(
        config ? load_event_leaderboard(*config, split) : load_leaderboard(store, *stored_description, split),
        *format);
  } catch (const ConfigError& e) {  // the config's data cannot be read
    std::cerr << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "gauntlet leaderboard: " << e.what() << "\n";
    return kExitFailure;
  }
  if (out.empty() && *format == leaderboard::Format::html) out = default_html_path(store, split).string();
  if (out.empty()) {
    std::cout << text << std::flush;
    return kExitOk;
  }
  try {
    const std::filesystem::path target = out;
    if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
    write_file_atomic(target, text);
  } catch (const std::exception& e) {
    std::cerr << "gauntlet leaderboard: " << e.what() << "\n";
    return kExitFailure;
  }
  std::cout << "wrote " << out << "\n";
  return kExitOk;
}

}  // namespace gauntlet::cli
