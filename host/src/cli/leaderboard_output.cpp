#include "cli/leaderboard_output.hpp"

#include "common/atomic_file.hpp"
#include "common/errors.hpp"
#include "event/job_plan.hpp"
#include "leaderboard/render.hpp"
#include "service/offline_board.hpp"
#include "store/result_store.hpp"

#include <iostream>

namespace gauntlet::cli {

leaderboard::Leaderboard load_leaderboard(const std::filesystem::path& store,
                                          const nlohmann::json& description, const std::string& split) {
  return leaderboard::build_leaderboard(description, store::read_split(store, split), split);
}

leaderboard::Leaderboard load_event_leaderboard(const event::EventConfig& config, const std::string& split) {
  if (auto board = service::service_leaderboard(config, split)) return std::move(*board);
  return load_leaderboard(config.store, event::describe_event(config), split);
}

std::filesystem::path default_html_path(const std::filesystem::path& store, const std::string& split) {
  return store / ("leaderboard-" + split + ".html");
}

int print_leaderboard_and_html(const event::EventConfig& config, const std::string& split, bool print_table) {
  try {
    const auto board = load_event_leaderboard(config, split);
    if (print_table) std::cout << leaderboard::render(board, leaderboard::Format::table) << std::flush;
    const auto html = default_html_path(config.store, split);
    write_file_atomic(html, leaderboard::render_html(board));
    if (print_table) std::cout << "\nHTML leaderboard: " << html.string() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "gauntlet: cannot make the leaderboard: " << e.what() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace gauntlet::cli
