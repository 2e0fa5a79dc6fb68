#include "judge/verdict.hpp"

#include <array>
#include <utility>

namespace gauntlet::judge {
namespace {

constexpr std::array<std::pair<Verdict, std::string_view>, 10> kNames{{
    {Verdict::ok, "OK"},
    {Verdict::load_error, "LOAD_ERROR"},
    {Verdict::abi_mismatch, "ABI_MISMATCH"},
    {Verdict::plugin_error, "PLUGIN_ERROR"},
    {Verdict::bad_output, "BAD_OUTPUT"},
    {Verdict::time_limit, "TIME_LIMIT"},
    {Verdict::memory_limit, "MEMORY_LIMIT"},
    {Verdict::crash, "CRASH"},
    {Verdict::security_violation, "SECURITY_VIOLATION"},
    {Verdict::judge_error, "JUDGE_ERROR"},
}};

}  // namespace

std::string_view verdict_name(Verdict v) {
  for (const auto& [verdict, name] : kNames)
    if (verdict == v) return name;
  return "JUDGE_ERROR";
}

std::optional<Verdict> parse_verdict(std::string_view name) {
  for (const auto& [verdict, n] : kNames)
    if (n == name) return verdict;
  return std::nullopt;
}

Decision decide(const Evidence& e) {
  // The order is documented in verdict.hpp.
  const std::pair<const std::optional<std::string>*, Verdict> order[] = {
      {&e.judge_failure, Verdict::judge_error}, {&e.security_violation, Verdict::security_violation},
      {&e.memory_limit, Verdict::memory_limit}, {&e.time_limit, Verdict::time_limit},
      {&e.abi_mismatch, Verdict::abi_mismatch}, {&e.load_failure, Verdict::load_error},
      {&e.worker_death, Verdict::crash},        {&e.protocol_violation, Verdict::crash},
      {&e.plugin_error, Verdict::plugin_error}, {&e.bad_output, Verdict::bad_output},
  };
  for (const auto& [field, verdict] : order)
    if (field->has_value()) return Decision{verdict, **field};
  return Decision{Verdict::ok, ""};
}

}  // namespace gauntlet::judge
