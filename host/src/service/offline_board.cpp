#include "service/offline_board.hpp"

#include "service/core.hpp"

namespace gauntlet::service {

std::optional<leaderboard::Leaderboard> service_leaderboard(const event::EventConfig& config,
                                                            const std::string& split) {
  std::error_code ec;
  if (!std::filesystem::exists(ledger_file(config.store), ec)) return std::nullopt;
  Core core(config);
  if (core.ledger().submissions().empty()) return std::nullopt;
  return core.board(split);
}

}  // namespace gauntlet::service
