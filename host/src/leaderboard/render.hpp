// Leaderboard outputs. Every format shows the same thing: per challenge the ranked rows
// (rank, team, score, metrics, latency with its spread, verdict and reason for unranked rows,
// exact and statistical ties), then the event ranking. They render a Leaderboard built from
// one split only, so they can hold nothing of another split.
#pragma once

#include "leaderboard/build.hpp"

#include <optional>
#include <string>

namespace gauntlet::leaderboard {

enum class Format { table, csv, json, markdown, html };
[[nodiscard]] std::optional<Format> parse_format(const std::string& name);

std::string render(const Leaderboard& board, Format format);

// One self-contained HTML page: inline CSS, inline SVG charts (quality against latency with
// the Pareto front marked), a small inline script to sort tables, and a Content-Security-
// Policy that forbids every network load.
std::string render_html(const Leaderboard& board);

// What a served page adds (gauntlet serve's live leaderboard): the time it was generated, HTML
// sections after the rankings (already escaped by the caller), a script run after the page's
// own, and, for that script's polling, connections to the page's own origin in the CSP.
struct HtmlExtras {
  std::string generated_at;
  std::string sections;
  std::string script;
  bool connect_self = false;
};
std::string render_html(const Leaderboard& board, const HtmlExtras& extras);

// Shared by the renderers.
std::string format_fixed(double value, int decimals);
std::string rank_label(const Row& row);  // "1", "=2", or "-" for unranked rows
std::string event_rule_text(EventRule rule);

}  // namespace gauntlet::leaderboard
