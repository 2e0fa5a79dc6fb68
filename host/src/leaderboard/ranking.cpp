#include "leaderboard/ranking.hpp"

#include "quality/metric_registry.hpp"

#include <algorithm>
#include <cmath>

namespace gauntlet::leaderboard {

std::string status_name(Status s) {
  switch (s) {
    case Status::scored:
      return "scored";
    case Status::not_qualified:
      return "not_qualified";
    case Status::failed:
      return "failed";
    case Status::missing:
      return "missing";
  }
  return "missing";
}

std::string event_rule_name(EventRule rule) {
  return rule == EventRule::sum_of_ranks ? "sum_of_ranks" : "mean_normalized_score";
}

std::optional<EventRule> parse_event_rule(const std::string& name) {
  if (name == "sum_of_ranks") return EventRule::sum_of_ranks;
  if (name == "mean_normalized_score") return EventRule::mean_normalized_score;
  return std::nullopt;
}

bool metric_higher_is_better(const std::string& variable) {
  return quality::variable_higher_is_better(variable).value_or(true);
}

namespace {

std::optional<double> value_of(const Entry& e, const std::string& variable) {
  const auto it = e.variables.find(variable);
  if (it == e.variables.end() || !std::isfinite(it->second)) return std::nullopt;
  return it->second;
}

// < 0 when a comes first under the direction.
int compare_values(double a, double b, bool higher_first) {
  if (a == b) return 0;
  return (a > b) == higher_first ? -1 : 1;
}

int compare_optional(const std::optional<double>& a, const std::optional<double>& b, bool higher_first) {
  if (a && b) return compare_values(*a, *b, higher_first);
  if (a) return -1;  // having the value beats missing it
  if (b) return 1;
  return 0;
}

int group_of(Status s) {
  switch (s) {
    case Status::scored:
      return 0;
    case Status::not_qualified:
      return 1;
    case Status::failed:
      return 2;
    case Status::missing:
      return 3;
  }
  return 3;
}

bool overlap(double a_lo, double a_hi, double b_lo, double b_hi) { return a_lo <= b_hi && b_lo <= a_hi; }

// The interval a timing variable's value may be in, given its relative spread.
std::pair<double, double> noise_interval(const Entry& e, const std::string& variable, double value) {
  const auto it = e.spreads.find(variable);
  if (it == e.spreads.end() || !(it->second > 0)) return {value, value};
  const double half = std::abs(value) * it->second / 2;
  return {value - half, value + half};
}

// Whether timing noise could flip the order of two neighbours that are not an exact tie.
bool statistical_tie(const ChallengeRule& rule, const Entry& a, const Entry& b) {
  if (a.score != b.score) return overlap(a.score_low, a.score_high, b.score_low, b.score_high);
  for (const auto& key : rule.tie_break) {
    const auto va = value_of(a, key.variable), vb = value_of(b, key.variable);
    if (!va && !vb) continue;
    if (!va || !vb) return false;  // decided by a missing value: no noise involved
    if (*va == *vb) continue;
    const auto ia = noise_interval(a, key.variable, *va), ib = noise_interval(b, key.variable, *vb);
    return overlap(ia.first, ia.second, ib.first, ib.second);
  }
  return false;
}

}  // namespace

int compare_scored(const ChallengeRule& rule, const Entry& a, const Entry& b) {
  if (int c = compare_values(a.score, b.score, rule.higher_is_better)) return c;
  for (const auto& key : rule.tie_break)
    if (int c = compare_optional(value_of(a, key.variable), value_of(b, key.variable), key.descending))
      return c;
  return 0;
}

ChallengeBoard rank_challenge(const ChallengeRule& rule, std::vector<Entry> entries) {
  ChallengeBoard board;
  board.rule = rule;
  // A scored entry with a non-finite score cannot be ordered: it did not qualify.
  for (auto& e : entries)
    if (e.status == Status::scored && !std::isfinite(e.score)) {
      e.status = Status::not_qualified;
      e.reason = "the score is not a finite number";
    }
  std::stable_sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
    const int ga = group_of(a.status), gb = group_of(b.status);
    if (ga != gb) return ga < gb;
    if (ga == 0)
      if (int c = compare_scored(rule, a, b)) return c < 0;
    return a.team < b.team;
  });
  for (const auto& e : entries) board.scored += e.status == Status::scored;

  for (std::size_t i = 0; i < entries.size(); ++i) {
    Row row;
    row.entry = entries[i];
    row.ranked = row.entry.status == Status::scored;
    if (row.ranked) {
      const bool tied_with_previous = i > 0 && compare_scored(rule, entries[i - 1], entries[i]) == 0;
      row.rank = tied_with_previous ? board.rows.back().rank : static_cast<int>(i) + 1;
      if (tied_with_previous) row.exact_tie = board.rows.back().exact_tie = true;
    } else {
      row.rank = board.scored + 1;
    }
    board.rows.push_back(std::move(row));
  }
  for (std::size_t i = 0; i + 1 < board.rows.size(); ++i) {
    Row &a = board.rows[i], &b = board.rows[i + 1];
    if (!a.ranked || !b.ranked || a.rank == b.rank) continue;
    if (statistical_tie(rule, a.entry, b.entry)) {
      a.statistical_ties.push_back(b.entry.team);
      b.statistical_ties.push_back(a.entry.team);
    }
  }
  return board;
}

EventBoard combine(const std::vector<ChallengeBoard>& boards, EventRule rule,
                   const std::vector<std::string>& teams) {
  EventBoard event;
  event.rule = rule;
  for (const auto& b : boards) event.challenge_ids.push_back(b.rule.id);

  for (const auto& team : teams) {
    EventRow row;
    row.team = team;
    double normalized_sum = 0;
    int rank_sum = 0;
    for (const auto& b : boards) {
      const Row* found = nullptr;
      for (const auto& r : b.rows)
        if (r.entry.team == team) found = &r;
      const bool ranked = found && found->ranked;
      const int rank = ranked ? found->rank : b.scored + 1;
      double normalized = 0;
      if (ranked) {
        double best = found->entry.score, worst = found->entry.score;
        for (const auto& r : b.rows) {
          if (!r.ranked) continue;
          const bool better = b.rule.higher_is_better ? r.entry.score > best : r.entry.score < best;
          const bool worse = b.rule.higher_is_better ? r.entry.score < worst : r.entry.score > worst;
          if (better) best = r.entry.score;
          if (worse) worst = r.entry.score;
        }
        normalized = best == worst ? 1.0 : (found->entry.score - worst) / (best - worst);
      }
      row.ranks.push_back(rank);
      row.ranked.push_back(ranked);
      row.normalized.push_back(normalized);
      rank_sum += rank;
      normalized_sum += normalized;
    }
    row.value = rule == EventRule::sum_of_ranks
                    ? rank_sum
                    : (boards.empty() ? 0.0 : normalized_sum / static_cast<double>(boards.size()));
    event.rows.push_back(std::move(row));
  }
  const bool lower_first = rule == EventRule::sum_of_ranks;
  std::stable_sort(event.rows.begin(), event.rows.end(), [&](const EventRow& a, const EventRow& b) {
    if (a.value != b.value) return lower_first ? a.value < b.value : a.value > b.value;
    return a.team < b.team;
  });
  for (std::size_t i = 0; i < event.rows.size(); ++i) {
    auto& r = event.rows[i];
    const bool tied = i > 0 && event.rows[i - 1].value == r.value;
    r.rank = tied ? event.rows[i - 1].rank : static_cast<int>(i) + 1;
    if (tied) r.exact_tie = event.rows[i - 1].exact_tie = true;
  }
  return event;
}

std::vector<std::size_t> pareto_front(const std::vector<std::pair<double, double>>& points,
                                      bool quality_higher_is_better) {
  std::vector<std::size_t> front;
  for (std::size_t i = 0; i < points.size(); ++i) {
    bool dominated = false;
    for (std::size_t j = 0; j < points.size() && !dominated; ++j) {
      if (i == j) continue;
      const bool faster_or_same = points[j].first <= points[i].first;
      const bool better_or_same = quality_higher_is_better ? points[j].second >= points[i].second
                                                           : points[j].second <= points[i].second;
      const bool strictly = points[j].first < points[i].first || points[j].second != points[i].second;
      dominated = faster_or_same && better_or_same && strictly;
    }
    if (!dominated) front.push_back(i);
  }
  std::sort(front.begin(), front.end(), [&](std::size_t a, std::size_t b) {
    return points[a].first < points[b].first || (points[a].first == points[b].first && a < b);
  });
  return front;
}

std::string mixed_cpu_warning(const std::vector<Entry>& entries) {
  // Entries with latencies: those that ran to the end (OK), whatever their score.
  std::map<std::string, std::vector<std::string>> by_model;
  for (const auto& e : entries)
    if (e.verdict == "OK" && !e.cpu_model.empty()) by_model[e.cpu_model].push_back(e.team);
  if (by_model.size() < 2) return {};
  std::string s = "latencies measured on " + std::to_string(by_model.size()) + " CPU models (";
  bool first = true;
  for (const auto& [model, teams] : by_model) {
    s += (first ? "" : "; ") + model + ": " + std::to_string(teams.size()) +
         (teams.size() == 1 ? " entry" : " entries");
    first = false;
  }
  return s +
         "); compare latencies only within one model, or pin the challenge to one kind of node "
         "(judge.slurm.constraint) and judge again";
}

}  // namespace gauntlet::leaderboard
