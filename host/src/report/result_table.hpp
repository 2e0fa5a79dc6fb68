// Human-readable summaries of judge results for the terminal.
#pragma once

#include "judge/judge_result.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace gauntlet::report {

// Everything about one result: verdict, score, metrics, latency per batch size, phases.
// `model`: a line naming the ONNX model the plugin (the runner) ran, or empty.
void print_result(std::ostream& out, const judge::JudgeResult& result, const std::string& model = {});

// One line per result: challenge, plugin, team, verdict, score, main metrics, latency.
void print_summary(std::ostream& out, const std::vector<judge::JudgeResult>& results);

}  // namespace gauntlet::report
