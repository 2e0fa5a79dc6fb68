// Where a result was produced: recorded in every result so that figures can be compared
// only with figures from the same kind of machine and the same judge. On a cluster it also
// says which node, what Slurm allotted and which task (docs/cluster.md).
#pragma once

#include <cstdint>
#include <string>

namespace gauntlet::report {

struct Environment {
  std::string gauntlet_version;
  std::string onednn_version;
  std::string cpu_model;
  int cpus = 0;  // online CPUs of the machine
  std::string kernel;
  std::string hostname;
  std::string node;          // the cluster's name for the machine (SLURMD_NODENAME), else the hostname
  std::string cpus_allowed;  // the CPUs this process may run on, e.g. "0-3": what Slurm allotted
  int64_t memory_mb = 0;     // the machine's memory (MemTotal)
  // Under Slurm (SLURM_JOB_ID is set): the cluster, partition, job, and array job and task.
  std::string slurm_cluster, slurm_partition, slurm_job_id, slurm_array_job_id, slurm_array_task_id;
};

Environment current_environment();

}  // namespace gauntlet::report
