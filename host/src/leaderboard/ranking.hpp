// Ranking, as pure functions of stored results (no I/O, no clock): per challenge, then for the
// whole event. The rules, in the order they apply:
//
// - Scored entries (verdict OK and qualified) come first, ordered by score in the direction
//   the challenge says, then by its tie-break variables in order and direction; an entry
//   missing a tie-break variable comes after one that has it.
// - Entries equal on the score and on every tie-break variable are an exact tie and share
//   the rank (competition ranking: 1, 2, 2, 4).
// - Two neighbours whose order is decided by a value timing noise could flip are marked as a
//   statistical tie: the deciding key is the score and their timing-noise score ranges
//   overlap, or it is a timing variable (latency, throughput) and the values +- half their
//   measured relative spread overlap. They keep their places; the mark says the order is not
//   meaningful.
// - Then, unranked and in this order, entries that ran but did not qualify, entries with
//   another verdict (shown), and teams with no result; alphabetically within each group. For
//   the event ranking an unranked entry counts as rank (number of scored entries + 1).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gauntlet::leaderboard {

enum class Status { scored, not_qualified, failed, missing };
std::string status_name(Status s);  // "scored", "not_qualified", "failed", "missing"

struct Entry {
  std::string team;
  Status status = Status::missing;
  std::string verdict;                      // OK, PLUGIN_ERROR, ...; NO_PLUGIN or NOT_JUDGED when missing
  std::string reason;                       // why it failed, did not qualify or is missing; empty when scored
  double score = 0;                         // meaningful when scored
  double score_low = 0, score_high = 0;     // the score's timing-noise range (== score if none)
  std::map<std::string, double> variables;  // result variables: metrics, latencies, ...
  std::map<std::string, double> spreads;    // relative timing spread of timing variables
  std::string plugin_sha256;
  // The judge could not measure this entry's latencies cleanly (a busy machine, too few fresh
  // samples): they are shown, flagged, with the reason.
  bool latency_unreliable = false;
  std::string latency_note;
  // Where it was judged (the result's environment): latencies compare only on one CPU model.
  std::string cpu_model, node;
};

struct TieBreakKey {
  std::string variable;
  bool descending = true;
};

struct ChallengeRule {
  std::string id, title;
  std::string formula, qualify;
  bool higher_is_better = true;
  std::vector<TieBreakKey> tie_break;
  // Quality metrics in display order (the first is the primary one), with their direction.
  std::vector<std::pair<std::string, bool>> metrics;
  std::string latency_variable = "latency_ms";
};

struct Row {
  Entry entry;
  bool ranked = false;  // a scored entry
  int rank = 0;         // 1-based; unranked rows: (scored entries + 1)
  bool exact_tie = false;
  std::vector<std::string> statistical_ties;  // neighbours whose order timing noise could flip
};

struct ChallengeBoard {
  ChallengeRule rule;
  std::vector<Row> rows;  // in rank order
  int scored = 0;
  // Things a reader must know before comparing the rows (e.g. latencies from different CPU
  // models: mixed_cpu_warning), one line each.
  std::vector<std::string> warnings;
};

// The warning for a challenge whose judged entries' latencies come from more than one CPU
// model (a cluster of mixed nodes), or "" when they all share one.
std::string mixed_cpu_warning(const std::vector<Entry>& entries);

// The order of two scored entries under the rule: < 0 when `a` ranks first, 0 for an exact
// tie, > 0 when `b` does.
int compare_scored(const ChallengeRule& rule, const Entry& a, const Entry& b);

ChallengeBoard rank_challenge(const ChallengeRule& rule, std::vector<Entry> entries);

enum class EventRule { sum_of_ranks, mean_normalized_score };
std::string event_rule_name(EventRule rule);
[[nodiscard]] std::optional<EventRule> parse_event_rule(const std::string& name);

struct EventRow {
  std::string team;
  int rank = 0;
  bool exact_tie = false;
  double value = 0;                // sum of ranks (lower is better) or mean normalized score (higher)
  std::vector<int> ranks;          // per challenge, in board order (unranked: scored + 1)
  std::vector<bool> ranked;        // per challenge
  std::vector<double> normalized;  // per challenge: (score - worst) / (best - worst), 0 unranked
};

struct EventBoard {
  EventRule rule = EventRule::sum_of_ranks;
  std::vector<std::string> challenge_ids;
  std::vector<EventRow> rows;  // in rank order
};

// Combines the challenge boards for `teams` (every team of the event, also those absent from
// some board: they count as unranked there). A challenge where all scored entries have the
// same score normalizes them to 1. Exact ties share the rank; ordered by team name within.
EventBoard combine(const std::vector<ChallengeBoard>& boards, EventRule rule,
                   const std::vector<std::string>& teams);

// Direction of a quality metric variable, from the metric registry (quality/); variables no
// metric defines count as higher-is-better.
[[nodiscard]] bool metric_higher_is_better(const std::string& variable);

// Indexes (into `points`) of the Pareto front of (latency, quality): no other point is at
// least as fast and at least as good with one of the two strictly better. Sorted by latency.
std::vector<std::size_t> pareto_front(const std::vector<std::pair<double, double>>& points,
                                      bool quality_higher_is_better);

}  // namespace gauntlet::leaderboard
