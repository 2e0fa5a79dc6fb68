#include "report/result_json.hpp"

#include "common/atomic_file.hpp"

#include <gauntlet/plugin_api.h>

namespace gauntlet::report {
namespace {

using json = nlohmann::json;

json stream_json(const judge::CapturedStream& s) {
  return json{{"head", s.head}, {"total_bytes", s.total_bytes}, {"truncated", s.truncated()}};
}

json latency_json(const LatencySummary& l) {
  return json{{"batch_size", l.batch_size}, {"calls", l.calls},         {"total_seconds", l.total_seconds},
              {"min_ms", l.min_ms},         {"p50_ms", l.p50_ms},       {"p90_ms", l.p90_ms},
              {"p99_ms", l.p99_ms},         {"p999_ms", l.p999_ms},     {"max_ms", l.max_ms},
              {"mean_ms", l.mean_ms},       {"stddev_ms", l.stddev_ms}, {"spread", l.spread},
              {"throughput", l.throughput}};
}

// One timed batch size: its latencies over the counted calls, and how they were measured.
json timing_json(const LatencySummary& l, const judge::BatchMeasurement* m) {
  json j = latency_json(l);
  if (!m) return j;
  j["fresh_samples"] = m->fresh_samples;
  j["sample_budget"] = m->sample_budget;
  j["disturbed_calls"] = m->disturbed_calls;
  j["disturbed_wait_ms_max"] = m->disturbed_wait_ms_max;
  j["staging_p50_ms"] = m->staging_p50_ms;
  j["cpu_seconds"] = m->cpu_seconds;
  j["wall_seconds"] = m->wall_seconds;
  j["reliable"] = m->reliable;
  j["unreliable_reason"] = m->unreliable_reason;
  return j;
}

json measurement_json(const judge::Measurement& m) {
  return json{{"reliable", m.reliable},
              {"reason", m.reason},
              {"sample_key", m.sample_key},
              {"fresh_samples", m.fresh_samples},
              {"timed_samples", m.timed_samples},
              {"warmup_samples", m.warmup_samples},
              {"consistency",
               {{"checked", m.consistency_checked},
                {"mismatched", m.consistency_mismatched},
                {"rule", m.consistency_rule}}}};
}

// Kernel accounting of the job (read by the host): what limits and scores may rely on.
json resources_json(const judge::JobResources& r) {
  return json{{"peak_memory_bytes", r.peak_memory_bytes ? json(*r.peak_memory_bytes) : json(nullptr)},
              {"peak_memory_source", r.peak_memory_source},
              {"memory_limit_bytes", r.memory_limit_bytes},
              {"max_rss_bytes", r.max_rss_bytes},
              {"oom_kills", r.oom_kills},
              {"threads_refused", r.threads_refused},
              {"cpu_seconds", r.cpu_seconds},
              {"wall_seconds", r.wall_seconds},
              {"spawn_to_ready_seconds", r.spawn_to_ready_seconds}};
}

json environment_json(const Environment& env) {
  json j{{"gauntlet_version", env.gauntlet_version},
         {"onednn_version", env.onednn_version},
         {"cpu_model", env.cpu_model},
         {"cpus", env.cpus},
         {"kernel", env.kernel},
         {"hostname", env.hostname},
         {"node", env.node},
         {"cpus_allowed", env.cpus_allowed},
         {"memory_mb", env.memory_mb}};
  if (!env.slurm_job_id.empty())
    j["slurm"] = {{"cluster", env.slurm_cluster},
                  {"partition", env.slurm_partition},
                  {"job_id", env.slurm_job_id},
                  {"array_job_id", env.slurm_array_job_id},
                  {"array_task_id", env.slurm_array_task_id}};
  return j;
}

}  // namespace

json to_json(const judge::JudgeResult& r, const Environment& env) {
  json plugin{{"path", r.plugin_path}, {"sha256", r.plugin_sha256}};
  if (r.plugin) {
    const auto& p = *r.plugin;
    json caps = json::array();
    if (p.capabilities & GAUNTLET_CAP_TRAIN) caps.push_back("train");
    plugin.update(json{{"name", p.name},
                       {"team", p.team},
                       {"version", p.version},
                       {"description", p.description},
                       {"capabilities", caps},
                       {"abi", std::to_string(p.abi_major) + "." + std::to_string(p.abi_minor)},
                       {"table_size", p.table_size}});
  }
  json metrics = json::object();
  for (const auto& [name, value] : r.quality) metrics[name] = value;
  json timing = json::array();
  for (std::size_t i = 0; i < r.latency.size(); ++i)
    timing.push_back(
        timing_json(r.latency[i], i < r.measurement.batches.size() ? &r.measurement.batches[i] : nullptr));
  json score = nullptr;
  if (r.score)
    score = json{{"qualified", r.score->qualified}, {"value", r.score->score}, {"reason", r.score->reason}};

  return json{
      {"schema", kResultSchemaVersion},
      {"kind", "gauntlet.judge_result"},
      {"challenge",
       {{"id", r.challenge_id},
        {"title", r.challenge_title},
        {"sha256", r.challenge_sha256},
        {"file", r.challenge_file}}},
      {"plugin", plugin},
      {"split", r.split},
      {"seed", r.seed},
      {"samples", {{"eval", r.eval_samples}, {"train", r.train_samples}}},
      {"trained", r.trained},
      {"verdict", std::string(judge::verdict_name(r.decision.verdict))},
      {"reason", r.decision.reason},
      {"metrics", metrics},
      {"timing", timing},
      {"measurement", measurement_json(r.measurement)},
      {"seconds",
       {{"setup", r.seconds.setup},
        {"train", r.seconds.train},
        {"eval", r.seconds.eval},
        {"timing", r.seconds.timing},
        {"total", r.seconds.total}}},
      {"variables", r.variables},
      {"score", score},
      {"self_reported", {{"infer_time_ratio", r.self_reported_ratio}}},
      {"warnings", r.warnings},
      {"worker",
       {{"exit", r.worker_exit},
        {"stdout", stream_json(r.worker_stdout)},
        {"stderr", stream_json(r.worker_stderr)}}},
      {"sandbox", sandbox::to_json(r.sandbox)},
      {"resources", resources_json(r.resources)},
      {"environment", environment_json(env)},
      {"started_at", r.started_at},
      {"finished_at", r.finished_at},
  };
}

void write_result(const std::filesystem::path& path, const json& result) {
  write_file_atomic(path, result.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
}

}  // namespace gauntlet::report
