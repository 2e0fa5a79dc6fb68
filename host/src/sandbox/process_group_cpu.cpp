#include "sandbox/process_group_cpu.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace gauntlet::sandbox {
namespace {

// Field `n` (1: the parent, 2: the process group) after the state in /proc/<pid>/stat,
// counted after the command name's closing parenthesis (the name itself may hold spaces and
// parentheses).
std::optional<pid_t> stat_field(const std::filesystem::path& proc_dir, int n) {
  std::ifstream in(proc_dir / "stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  const char* p = line.c_str() + close + 1;
  char* end = nullptr;
  // The state letter, then the numbers.
  while (*p == ' ') ++p;
  if (*p == '\0') return std::nullopt;
  ++p;
  long value = 0;
  for (int i = 0; i < n; ++i) {
    value = std::strtol(p, &end, 10);
    if (end == p) return std::nullopt;
    p = end;
  }
  return static_cast<pid_t>(value);
}

std::optional<pid_t> process_group_of(const std::filesystem::path& proc_dir) {
  return stat_field(proc_dir, 2);
}

// Sum of the first field of each task's schedstat: nanoseconds spent on a CPU.
double run_time_seconds(const std::filesystem::path& proc_dir) {
  double ns = 0;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(proc_dir / "task", ec)) {
    std::ifstream in(task.path() / "schedstat");
    unsigned long long on_cpu = 0;
    if (in >> on_cpu) ns += static_cast<double>(on_cpu);
  }
  return ns * 1e-9;
}

}  // namespace

std::optional<pid_t> parent_of(pid_t pid) { return stat_field("/proc/" + std::to_string(pid), 1); }

std::vector<pid_t> process_group_members(pid_t pgid) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (process_group_of(entry.path()) != pgid) continue;  // also: the process is gone
    out.push_back(static_cast<pid_t>(std::strtol(name.c_str(), nullptr, 10)));
  }
  return out;
}

std::optional<double> process_group_cpu_seconds(pid_t pgid) {
  std::optional<double> total;
  for (pid_t pid : process_group_members(pgid))
    total = total.value_or(0) + run_time_seconds("/proc/" + std::to_string(pid));
  return total;
}

}  // namespace gauntlet::sandbox
