#include "report/result_table.hpp"

#include "common/untrusted_text.hpp"
#include "report/text_table.hpp"

namespace gauntlet::report {
namespace {

using Align = TextTable::Align;

std::string plugin_label(const judge::JudgeResult& r) {
  std::string s = std::filesystem::path(r.plugin_path).filename().string();
  // What the plugin says about itself: shown, never obeyed (common/untrusted_text.hpp).
  if (r.plugin)
    s += " (" + untrusted::terminal_line(r.plugin->name) + " by " + untrusted::terminal_line(r.plugin->team) +
         ")";
  return s;
}

std::string score_text(const judge::JudgeResult& r) {
  if (!r.score) return "-";
  if (!r.score->qualified) return "not qualified";
  return format_number(r.score->score, 3);
}

}  // namespace

void print_result(std::ostream& out, const judge::JudgeResult& r, const std::string& model) {
  out << "Challenge  " << r.challenge_id << " (" << r.split << " split, " << r.eval_samples << " samples";
  if (r.trained) out << ", trained on " << r.train_samples;
  out << ")\n";
  out << "Plugin     " << plugin_label(r) << "\n";
  if (!model.empty()) out << "Model      " << model << "\n";
  out << "Verdict    " << judge::verdict_name(r.decision.verdict);
  // Reasons quote the plugin (its last_error): one escaped line.
  if (!r.decision.reason.empty()) out << ": " << untrusted::terminal_line(r.decision.reason);
  out << "\n";
  if (r.score) {
    out << "Score      " << score_text(r);
    if (!r.score->qualified && !r.score->reason.empty()) out << " (" << r.score->reason << ")";
    out << "\n";
  }
  if (!r.quality.empty()) {
    out << "\n";
    TextTable metrics({"metric", "value"}, {Align::left, Align::right});
    for (const auto& [name, value] : r.quality) metrics.add_row({name, format_number(value, 4)});
    metrics.print(out, "  ");
  }
  if (!r.latency.empty()) {
    out << "\n";
    // calls: counted (+ disturbed, discarded); "!" marks a batch size measured unreliably.
    TextTable timing({"batch", "calls", "p50 ms", "p90 ms", "p99 ms", "mean ms", "spread", "samples/s", ""},
                     {Align::right, Align::right, Align::right, Align::right, Align::right, Align::right,
                      Align::right, Align::right, Align::left});
    for (std::size_t i = 0; i < r.latency.size(); ++i) {
      const LatencySummary& l = r.latency[i];
      std::string calls = std::to_string(l.calls), mark;
      if (i < r.measurement.batches.size()) {
        const judge::BatchMeasurement& m = r.measurement.batches[i];
        if (m.disturbed_calls > 0) calls += " (+" + std::to_string(m.disturbed_calls) + " disturbed)";
        if (!m.reliable) mark = "unreliable";
      }
      timing.add_row({std::to_string(l.batch_size), calls, format_number(l.p50_ms, 4),
                      format_number(l.p90_ms, 4), format_number(l.p99_ms, 4), format_number(l.mean_ms, 4),
                      format_number(l.spread, 3), format_number(l.throughput, 0), mark});
    }
    timing.print(out, "  ");
  }
  out << "\nPhases     setup " << format_number(r.seconds.setup, 2) << " s, train "
      << format_number(r.seconds.train, 2) << " s, eval " << format_number(r.seconds.eval, 2) << " s, timing "
      << format_number(r.seconds.timing, 2) << " s, total " << format_number(r.seconds.total, 2) << " s\n";
  if (!r.sandbox.mechanisms.empty()) {
    out << "Sandbox    " << sandbox::mode_name(r.sandbox.mode) << ": " << r.sandbox.summary();
    if (r.resources.peak_memory_bytes)
      out << "; peak memory "
          << format_number(static_cast<double>(*r.resources.peak_memory_bytes) / (1 << 20), 1) << " MiB of "
          << (r.resources.memory_limit_bytes >> 20) << ", CPU " << format_number(r.resources.cpu_seconds, 2)
          << " s";
    out << "\n";
  }
  for (const auto& w : r.warnings) out << "Warning    " << untrusted::terminal_line(w) << "\n";
  if (r.decision.verdict != judge::Verdict::ok && !r.worker_stderr.head.empty()) {
    std::string tail = r.worker_stderr.head;
    if (tail.size() > 2000) tail = "..." + tail.substr(tail.size() - 2000);
    // Every line marked as the plugin's: none can pass for the judge's own output.
    out << "\nWorker stderr (" << r.worker_stderr.total_bytes << " bytes), as the plugin wrote it:\n"
        << untrusted::terminal_block(tail, "  plugin | ");
  }
}

void print_summary(std::ostream& out, const std::vector<judge::JudgeResult>& results) {
  TextTable t({"challenge", "plugin", "team", "verdict", "score", "quality", "p50 ms (b)", "train s"},
              {Align::left, Align::left, Align::left, Align::left, Align::right, Align::left, Align::right,
               Align::right});
  for (const auto& r : results) {
    std::string quality;
    for (const auto& [name, value] : r.quality) {
      if (!quality.empty()) quality += ", ";
      quality += name + " " + format_number(value, 4);
      if (quality.size() > 40) break;
    }
    std::string latency = "-";
    if (!r.latency.empty())
      latency = format_number(r.latency.front().p50_ms, 4) + " (" +
                std::to_string(r.latency.front().batch_size) + ")";
    t.add_row({r.challenge_id, std::filesystem::path(r.plugin_path).filename().string(),
               r.plugin ? untrusted::terminal_line(r.plugin->team) : "-",
               std::string(judge::verdict_name(r.decision.verdict)), score_text(r),
               quality.empty() ? "-" : quality, latency,
               r.trained ? format_number(r.seconds.train, 1) : "-"});
  }
  t.print(out);
}

}  // namespace gauntlet::report
