// The served leaderboard page: the leaderboard's own self-contained HTML (render_html), with the
// time it was generated, each team's submission count and last submission time, each team's
// history (every submission that improved its best public score), and a script that polls
// /api/v1/status every two seconds and, when the version moved, swaps the new page's rankings in
// without a reload. Nothing on it comes from the private split unless that split is published
// and asked for.
#pragma once

#include "service/core.hpp"

#include <string>

namespace gauntlet::service {

std::string live_page_html(Core& core, const std::string& split);

}  // namespace gauntlet::service
