#include "leaderboard/render.hpp"

#include "common/errors.hpp"
#include "common/text.hpp"
#include "common/untrusted_text.hpp"
#include "report/text_table.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>
#include <utility>

namespace gauntlet::leaderboard {
namespace {

using json = nlohmann::json;
using report::TextTable;
using Align = TextTable::Align;

std::string latency_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", ms);
  return buf;
}

std::optional<double> variable(const Entry& e, const std::string& name) {
  const auto it = e.variables.find(name);
  if (it == e.variables.end()) return std::nullopt;
  return it->second;
}

std::optional<double> spread(const Entry& e, const std::string& name) {
  const auto it = e.spreads.find(name);
  if (it == e.spreads.end()) return std::nullopt;
  return it->second;
}

std::string latency_cell(const Entry& e, const std::string& name) {
  const auto v = variable(e, name);
  if (!v) return "-";
  std::string s = latency_text(*v);
  if (const auto sp = spread(e, name)) s += " +-" + format_fixed(*sp * 50, 0) + "%";
  if (e.latency_unreliable) s += " (unreliable)";
  return s;
}

std::string verdict_text(const Row& r) {
  switch (r.entry.status) {
    case Status::scored:
      return r.entry.verdict;
    case Status::not_qualified:
      return "NOT_QUALIFIED";
    case Status::failed:
    case Status::missing:
      return r.entry.verdict;
  }
  return r.entry.verdict;
}

std::string shorten(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t cut = max - 3;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;
  return s.substr(0, cut) + "...";
}

std::string note_text(const Row& r, bool ascii) {
  std::vector<std::string> parts;
  if (!r.statistical_ties.empty())
    parts.push_back(std::string(ascii ? "~" : "\u2248") + " statistical tie with " +
                    join(r.statistical_ties, ", ") + " (timing noise)");
  // Reasons come from plugins: each output kind escapes them where it writes them.
  if (!r.entry.reason.empty()) parts.push_back(r.entry.reason);
  if (r.entry.latency_unreliable) parts.push_back("latency unreliable: " + r.entry.latency_note);
  return join(parts, "; ");
}

std::string rule_text(const ChallengeRule& rule) {
  std::string s =
      "score = " + rule.formula + (rule.higher_is_better ? " (higher is better)" : " (lower is better)");
  if (!rule.qualify.empty()) s += "; qualify: " + rule.qualify;
  if (!rule.tie_break.empty()) {
    std::vector<std::string> keys;
    for (const auto& t : rule.tie_break) keys.push_back(t.variable + (t.descending ? " desc" : " asc"));
    s += "; ties: " + join(keys, ", ");
  }
  return s;
}

std::string event_cell(const EventBoard& e, const EventRow& r, std::size_t i) {
  if (e.rule == EventRule::mean_normalized_score)
    return format_fixed(r.normalized[i], 3) + (r.ranked[i] ? "" : "*");
  return std::to_string(r.ranks[i]) + (r.ranked[i] ? "" : "*");
}

std::string event_value(const EventBoard& e, const EventRow& r) {
  return e.rule == EventRule::sum_of_ranks ? format_fixed(r.value, 0) : format_fixed(r.value, 3);
}

// append() rather than `"=" + to_string()`: the latter trips GCC 12's false -Wrestrict.
std::string event_rank(const EventRow& r) {
  return std::string(r.exact_tie ? "=" : "").append(std::to_string(r.rank));
}

// One challenge row as the text table and Markdown show it: rank, team, score, the rule's
// metrics, latency, verdict and the note (shortened or not by the caller).
std::vector<std::string> challenge_row_cells(const ChallengeRule& rule, const Row& r, std::string note) {
  std::vector<std::string> cells{rank_label(r), r.entry.team,
                                 r.ranked ? format_fixed(r.entry.score, 3) : "-"};
  for (const auto& [m, higher] : rule.metrics) {
    const auto v = variable(r.entry, m);
    cells.push_back(v ? format_fixed(*v, 4) : "-");
  }
  cells.push_back(latency_cell(r.entry, rule.latency_variable));
  cells.push_back(verdict_text(r));
  cells.push_back(std::move(note));
  return cells;
}

// ---------------------------------------------------------------------------------------------

std::string render_table(const Leaderboard& b) {
  std::ostringstream out;
  out << b.event_title << ": " << b.split << " leaderboard\n";
  for (const auto& c : b.challenges) {
    out << "\n" << c.rule.id << ": " << c.rule.title << "\n  " << rule_text(c.rule) << "\n";
    for (const auto& w : c.warnings) out << "  warning: " << untrusted::terminal_line(w) << "\n";
    out << "\n";
    std::vector<std::string> headers{"rank", "team", "score"};
    std::vector<Align> align{Align::right, Align::left, Align::right};
    for (const auto& [m, higher] : c.rule.metrics) {
      headers.push_back(m);
      align.push_back(Align::right);
    }
    headers.push_back(c.rule.latency_variable);
    align.push_back(Align::right);
    headers.push_back("verdict");
    align.push_back(Align::left);
    headers.push_back("note");
    align.push_back(Align::left);
    TextTable t(headers, align);
    for (const auto& r : c.rows) {
      t.add_row(challenge_row_cells(c.rule, r,
                                    shorten(untrusted::terminal_line(note_text(r, /*ascii=*/true)), 90)));
    }
    t.print(out, "  ");
  }
  const auto& e = b.event;
  out << "\nEvent ranking: " << event_rule_text(e.rule) << "\n\n";
  std::vector<std::string> headers{"rank", "team",
                                   e.rule == EventRule::sum_of_ranks ? "sum of ranks" : "mean score"};
  std::vector<Align> align{Align::right, Align::left, Align::right};
  for (const auto& id : e.challenge_ids) {
    headers.push_back(id);
    align.push_back(Align::right);
  }
  TextTable t(headers, align);
  for (const auto& r : e.rows) {
    std::vector<std::string> cells{event_rank(r), r.team, event_value(e, r)};
    for (std::size_t i = 0; i < e.challenge_ids.size(); ++i) cells.push_back(event_cell(e, r, i));
    t.add_row(cells);
  }
  t.print(out, "  ");
  out << "  (* unranked on that challenge: did not qualify, failed or no result)\n";
  return out.str();
}

// A number is written as it is; any other cell (teams, verdicts, a plugin's reason) goes
// through the CSV sanitiser: no control character, no formula for a spreadsheet.
std::string csv_cell(const std::string& s) {
  if (!s.empty()) {
    char* end = nullptr;
    std::strtod(s.c_str(), &end);
    if (end == s.c_str() + s.size()) return s;
  }
  return untrusted::csv_field(s);
}

std::string render_csv(const Leaderboard& b) {
  std::vector<std::string> metrics;
  std::set<std::string> seen;
  for (const auto& c : b.challenges)
    for (const auto& [m, higher] : c.rule.metrics)
      if (seen.insert(m).second) metrics.push_back(m);
  std::ostringstream out;
  std::vector<std::string> header{"board", "split", "rank", "team", "status", "verdict", "score"};
  header.insert(header.end(), metrics.begin(), metrics.end());
  for (const char* h :
       {"latency_ms", "latency_spread", "latency_unreliable", "statistical_tie_with", "reason"})
    header.push_back(h);
  out << join(header, ",") << "\n";
  for (const auto& c : b.challenges)
    for (const auto& r : c.rows) {
      std::vector<std::string> cells{c.rule.id,
                                     b.split,
                                     r.ranked ? std::to_string(r.rank) : "",
                                     r.entry.team,
                                     status_name(r.entry.status),
                                     verdict_text(r),
                                     r.ranked ? format_fixed(r.entry.score, 6) : ""};
      for (const auto& m : metrics) {
        const auto v = variable(r.entry, m);
        cells.push_back(v ? format_fixed(*v, 6) : "");
      }
      const auto lat = variable(r.entry, c.rule.latency_variable);
      const auto sp = spread(r.entry, c.rule.latency_variable);
      cells.push_back(lat ? latency_text(*lat) : "");
      cells.push_back(sp ? format_fixed(*sp, 3) : "");
      cells.push_back(r.entry.latency_unreliable ? r.entry.latency_note : "");
      cells.push_back(join(r.statistical_ties, " "));
      cells.push_back(r.entry.reason);
      for (auto& cell : cells) cell = csv_cell(cell);
      out << join(cells, ",") << "\n";
    }
  for (const auto& r : b.event.rows) {
    std::vector<std::string> cells{"event", b.split, std::to_string(r.rank), r.team,
                                   "",      "",      event_value(b.event, r)};
    cells.resize(header.size());
    for (auto& cell : cells) cell = csv_cell(cell);
    out << join(cells, ",") << "\n";
  }
  return out.str();
}

json number_or_null(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? json(*v) : json(nullptr);
}

std::string render_json(const Leaderboard& b) {
  json challenges = json::array();
  for (const auto& c : b.challenges) {
    json tie_break = json::array();
    for (const auto& t : c.rule.tie_break)
      tie_break.push_back({{"variable", t.variable}, {"order", t.descending ? "desc" : "asc"}});
    json rows = json::array();
    for (const auto& r : c.rows) {
      json metrics = json::object();
      for (const auto& [m, higher] : c.rule.metrics) metrics[m] = number_or_null(variable(r.entry, m));
      rows.push_back(
          {{"rank", r.ranked ? json(r.rank) : json(nullptr)},
           {"team", r.entry.team},
           {"status", status_name(r.entry.status)},
           {"verdict", verdict_text(r)},
           {"reason", r.entry.reason},
           {"exact_tie", r.exact_tie},
           {"statistical_ties", r.statistical_ties},
           {"score", r.ranked ? json(r.entry.score) : json(nullptr)},
           {"score_range", r.ranked ? json::array({r.entry.score_low, r.entry.score_high}) : json(nullptr)},
           {"metrics", metrics},
           {"latency_ms", number_or_null(variable(r.entry, c.rule.latency_variable))},
           {"latency_spread", number_or_null(spread(r.entry, c.rule.latency_variable))},
           {"latency_reliable", !r.entry.latency_unreliable},
           {"latency_note", r.entry.latency_note},
           {"plugin_sha256", r.entry.plugin_sha256},
           {"cpu_model", r.entry.cpu_model},
           {"node", r.entry.node}});
    }
    challenges.push_back({{"id", c.rule.id},
                          {"title", c.rule.title},
                          {"rule",
                           {{"formula", c.rule.formula},
                            {"higher_is_better", c.rule.higher_is_better},
                            {"qualify", c.rule.qualify},
                            {"tie_break", tie_break}}},
                          {"scored", c.scored},
                          {"warnings", c.warnings},
                          {"rows", rows}});
  }
  json event_rows = json::array();
  for (const auto& r : b.event.rows) {
    json per = json::object();
    for (std::size_t i = 0; i < b.event.challenge_ids.size(); ++i)
      per[b.event.challenge_ids[i]] = {
          {"rank", r.ranks[i]}, {"ranked", r.ranked[i]}, {"normalized", r.normalized[i]}};
    event_rows.push_back({{"rank", r.rank},
                          {"team", r.team},
                          {"exact_tie", r.exact_tie},
                          {"value", r.value},
                          {"challenges", per}});
  }
  const json doc{{"schema", 1},
                 {"kind", "gauntlet.leaderboard"},
                 {"event", {{"name", b.event_name}, {"title", b.event_title}}},
                 {"split", b.split},
                 {"challenges", challenges},
                 {"event_ranking", {{"rule", event_rule_name(b.event.rule)}, {"rows", event_rows}}}};
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

// Every cell may carry a plugin's words: no HTML, link, emphasis or cell boundary survives.
std::string md_cell(const std::string& s) { return untrusted::markdown_cell(s); }

std::string md_row(const std::vector<std::string>& cells) {
  std::string s = "|";
  for (const auto& c : cells) s.append(" ").append(md_cell(c)).append(" |");
  return s + "\n";
}

std::string render_markdown(const Leaderboard& b) {
  std::ostringstream out;
  out << "# " << md_cell(b.event_title) << ": " << b.split << " leaderboard\n";
  for (const auto& c : b.challenges) {
    out << "\n## " << md_cell(c.rule.id) << ": " << md_cell(c.rule.title) << "\n\n"
        << md_cell(rule_text(c.rule)) << "\n\n";
    for (const auto& w : c.warnings) out << "**Warning:** " << md_cell(w) << "\n\n";
    std::vector<std::string> headers{"rank", "team", "score"};
    for (const auto& [m, higher] : c.rule.metrics) headers.push_back(m);
    headers.push_back(c.rule.latency_variable);
    headers.push_back("verdict");
    headers.push_back("note");
    out << md_row(headers);
    std::string sep = "|";
    for (std::size_t i = 0; i < headers.size(); ++i)
      sep += (i == 1 || i + 2 >= headers.size()) ? "---|" : "---:|";
    out << sep << "\n";
    for (const auto& r : c.rows) {
      out << md_row(challenge_row_cells(c.rule, r, note_text(r, /*ascii=*/false)));
    }
  }
  const auto& e = b.event;
  out << "\n## Event ranking\n\n" << event_rule_text(e.rule) << "\n\n";
  std::vector<std::string> headers{"rank", "team",
                                   e.rule == EventRule::sum_of_ranks ? "sum of ranks" : "mean score"};
  headers.insert(headers.end(), e.challenge_ids.begin(), e.challenge_ids.end());
  out << md_row(headers) << "|---:|---|";
  for (std::size_t i = 2; i < headers.size(); ++i) out << "---:|";
  out << "\n";
  for (const auto& r : e.rows) {
    std::vector<std::string> cells{event_rank(r), r.team, event_value(e, r)};
    for (std::size_t i = 0; i < e.challenge_ids.size(); ++i) cells.push_back(event_cell(e, r, i));
    out << md_row(cells);
  }
  out << "\n\\* unranked on that challenge: did not qualify, failed or no result\n";
  return out.str();
}

}  // namespace

std::optional<Format> parse_format(const std::string& name) {
  if (name == "table") return Format::table;
  if (name == "csv") return Format::csv;
  if (name == "json") return Format::json;
  if (name == "markdown" || name == "md") return Format::markdown;
  if (name == "html") return Format::html;
  return std::nullopt;
}

std::string format_fixed(double value, int decimals) { return report::format_number(value, decimals); }

std::string rank_label(const Row& row) {
  if (!row.ranked) return "-";
  return std::string(row.exact_tie ? "=" : "").append(std::to_string(row.rank));
}

std::string event_rule_text(EventRule rule) {
  return rule == EventRule::sum_of_ranks
             ? "sum of the ranks on each challenge (lower is better; unranked counts as the number of scored "
               "entries + 1)"
             : "mean over challenges of the normalized score (score - worst) / (best - worst) (higher is "
               "better; "
               "unranked counts 0)";
}

std::string render(const Leaderboard& board, Format format) {
  switch (format) {
    case Format::table:
      return render_table(board);
    case Format::csv:
      return render_csv(board);
    case Format::json:
      return render_json(board);
    case Format::markdown:
      return render_markdown(board);
    case Format::html:
      return render_html(board);
  }
  return {};
}

}  // namespace gauntlet::leaderboard
