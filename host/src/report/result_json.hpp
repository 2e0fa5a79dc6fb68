// The judge's result file: one JSON document per judged plugin (schema documented in
// docs/results.md). Everything in it was measured or computed by the host.
#pragma once

#include "judge/judge_result.hpp"
#include "report/environment.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace gauntlet::report {

inline constexpr int kResultSchemaVersion = 1;

nlohmann::json to_json(const judge::JudgeResult& result, const Environment& environment);

// Writes atomically (temp + fsync + rename). Throws std::runtime_error.
void write_result(const std::filesystem::path& path, const nlohmann::json& result);

}  // namespace gauntlet::report
