#include "cluster/sbatch.hpp"

#include <cmath>

namespace gauntlet::cluster {
namespace {

// For /bin/sh: '...' with each ' written as '\''.
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

}  // namespace

TaskResources task_resources(const Challenge& challenge, const std::string& constraint) {
  TaskResources r;
  r.cpus = challenge.limits.threads + 1;
  r.memory_mb = challenge.limits.memory_mb + kJudgeMemoryMb;
  r.minutes = static_cast<int>(std::ceil((challenge.limits.total_seconds + kTaskHeadroomSeconds) / 60.0));
  r.constraint = constraint;
  return r;
}

std::string time_limit_text(int minutes) {
  const int h = minutes / 60, m = minutes % 60;
  char buf[32];
  if (h > 0)
    std::snprintf(buf, sizeof buf, "%d:%02d:00", h, m);
  else
    std::snprintf(buf, sizeof buf, "%d:00", m);
  return buf;
}

std::vector<std::string> sbatch_arguments(const ArrayRequest& q, const std::filesystem::path& script_file) {
  std::string array = "--array=0-" + std::to_string(q.tasks - 1);
  // append, not "%" + ...: GCC 12 warns falsely (-Wrestrict) on a one-character literal plus a string.
  if (q.max_running > 0) array.append("%").append(std::to_string(q.max_running));
  std::vector<std::string> args{
      "--parsable",
      array,
      "--job-name=" + q.job_name,
      "--nodes=1",
      "--ntasks=1",
      "--cpus-per-task=" + std::to_string(q.resources.cpus),
      "--mem=" + std::to_string(q.resources.memory_mb) + "M",
      "--time=" + time_limit_text(q.resources.minutes),
      "--output=" + (q.log_folder / (q.manifest.stem().string() + "-%A_%a.out")).string(),
      "--open-mode=append"};
  if (!q.partition.empty()) args.push_back("--partition=" + q.partition);
  if (!q.account.empty()) args.push_back("--account=" + q.account);
  if (!q.resources.constraint.empty()) args.push_back("--constraint=" + q.resources.constraint);
  args.push_back(script_file.string());
  return args;
}

std::string batch_script(const ArrayRequest& q) {
  // exec: the judge is the task's only process, so that scancel's SIGTERM reaches it first
  // and, under cgroup v2, it may take a leaf of the task's cgroup (sandbox/cgroup_nesting.hpp).
  return "#!/bin/sh\n"
         "# Written by `gauntlet run --backend slurm`: array task i judges job " +
         std::to_string(q.first_job) + " + i of the manifest.\n" + "exec " +
         shell_quote(q.gauntlet.string()) + " run-job " + shell_quote(q.manifest.string()) +
         " \"$((SLURM_ARRAY_TASK_ID + " + std::to_string(q.first_job) + "))\"\n";
}

}  // namespace gauntlet::cluster
