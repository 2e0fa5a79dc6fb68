#include "cluster/task_records.hpp"

#include "store/result_store.hpp"

namespace gauntlet::cluster {

using json = nlohmann::json;

bool written_by(const json& record, const std::filesystem::path& manifest, long index) {
  const auto it = record.find("slurm");
  if (it == record.end() || !it->is_object()) return false;
  return it->value("manifest", "") == manifest.string() && it->value("index", -1L) == index;
}

event::JobOutcome outcome_of(const json& record, int max_attempts) {
  event::JobOutcome o;
  const json& r = record.at("result");
  o.verdict = r.value("verdict", "JUDGE_ERROR");
  o.reason = r.value("reason", "");
  const json score = r.value("score", json());
  if (score.is_object()) {
    o.qualified = score.value("qualified", false);
    if (o.qualified && score.contains("value") && score["value"].is_number())
      o.score = score["value"].get<double>();
    else if (!o.qualified && o.reason.empty())
      o.reason = score.value("reason", "");
  }
  const int64_t started = task_started_ns(record), recorded = recorded_ns(record);
  o.seconds = started > 0 && recorded > started ? static_cast<double>(recorded - started) / 1e9 : 0;
  const json m = r.value("measurement", json::object());
  o.latency_unreliable = o.verdict == "OK" && m.is_object() && !m.value("reliable", true);
  o.attempt = store::attempts_of(record);
  o.max_attempts = max_attempts;
  o.again = store::worth_another_attempt(r) && o.attempt < max_attempts;
  return o;
}

int64_t task_started_ns(const json& record) {
  const auto it = record.find("slurm");
  return it != record.end() && it->is_object() ? it->value("task_started_at_ns", int64_t{0}) : 0;
}

int64_t recorded_ns(const json& record) { return record.value("recorded_at_ns", int64_t{0}); }

}  // namespace gauntlet::cluster
