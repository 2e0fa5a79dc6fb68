#include "sandbox/job_sandbox.hpp"

#include "sandbox/process_group_cpu.hpp"
#include "sandbox/seccomp_policy.hpp"

#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace gauntlet::sandbox {
namespace {

// What the plugin may read besides itself: the libraries it and its dependencies load, the
// loader's cache, and the CPU topology that thread pools read (sysconf, OpenMP).
const std::vector<std::string> kSystemPaths = {
    "/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/libx32",      "/usr/local/lib",          "/lib",
    "/lib64",   "/lib32",     "/libx32",    "/etc/ld.so.cache", "/sys/devices/system/cpu",
};
const std::vector<std::string> kDevices = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                           "/dev/urandom"};

// Mechanisms the worker applies (and reports); the host owns the others.
bool worker_side(const std::string& name) {
  return name != mech::kMemoryLimit && name != mech::kThreadLimit && name != mech::kKillAll;
}

}  // namespace

std::optional<std::string> strict_refusal(const MachineProbe& caps) {
  const Report expected = expected_report(caps, Mode::strict);
  std::string missing;
  for (const auto& name : expected.inactive()) {
    if (!missing.empty()) missing += "; ";
    missing += name;
    if (const Mechanism* m = expected.find(name); m && !m->detail.empty()) missing += " (" + m->detail + ")";
  }
  if (missing.empty()) return std::nullopt;
  return "the strict sandbox needs mechanisms this machine lacks: " + missing +
         ". Run `gauntlet doctor` for details, or pass --sandbox=relaxed to judge without them";
}

NamespaceRequest job_namespaces(const MachineProbe& c) {
  return {c.has_user_ns(), c.can(c.mount_ns), c.can(c.net_ns),
          c.can(c.ipc_ns), c.can(c.pid_ns),   c.can(c.uts_ns)};
}

JobSandbox::JobSandbox(const JobSpec& spec, const MachineProbe& caps) : spec_(spec), caps_(caps) {
  if (spec.mode == Mode::strict)
    if (std::optional<std::string> refusal = strict_refusal(caps)) throw SandboxUnavailable(*refusal);
  report_ = expected_report(caps, spec.mode);
  // The worker's supervisor and init exist only with a pid namespace (worker/confinement.hpp).
  spec_.limits.worker_tasks = namespaces().pid ? 2 : 0;
  // Until the worker says otherwise, what it applies is unconfirmed.
  for (auto& m : report_.mechanisms)
    if (worker_side(m.name) && m.status == Status::active) {
      m.status = Status::failed;
      m.detail = "the worker did not report it";
    }

  if (!has_cgroups(caps)) note_cgroup();
  if (spec.debuggable && report_.find(mech::kPidNs)->status != Status::missing)
    report_.set(mech::kPidNs, Status::missing,
                "off for a debugger (--debug): gdb follows the worker into the plugin");
  if (!caps.can(caps.mount_ns)) {
    // No private /tmp to give: an empty folder of the host, removed after the job.
    std::string templ = (std::filesystem::temp_directory_path() / "gauntlet-work-XXXXXX").string();
    if (!::mkdtemp(templ.data())) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    host_workdir_ = templ;
  }
}

JobSandbox::~JobSandbox() {
  cgroup_.reset();
  if (!host_workdir_.empty()) {
    // remove_all does not follow symlinks: whatever the plugin left there is only unlinked.
    std::error_code ec;
    std::filesystem::remove_all(host_workdir_, ec);
  }
}

std::vector<std::string> JobSandbox::environment() const {
  const std::string dir = host_workdir_.empty() ? std::string("/tmp") : host_workdir_.string();
  return {"TMPDIR=" + dir, "HOME=" + dir};
}

bool JobSandbox::has_cgroups(const MachineProbe& c) {
  return !c.cgroups.memory_parent.empty() || !c.cgroups.pids_parent.empty() || !c.cgroups.kill_parent.empty();
}

void JobSandbox::note_cgroup() {
  if (cgroup_ && cgroup_->has_memory())
    report_.set(mech::kMemoryLimit, Status::active, cgroup_->memory_detail());
  else if (report_.find(mech::kMemoryLimit)->status != Status::failed)
    report_.set(mech::kMemoryLimit, Status::missing,
                "no memory cgroup: RLIMIT_DATA " + std::to_string(spec_.limits.memory_bytes >> 20) +
                    " MiB instead (counts address space, not resident memory; peak from ru_maxrss)");
  if (cgroup_ && cgroup_->has_pids()) report_.set(mech::kThreadLimit, Status::active, cgroup_->pids_detail());
  if (cgroup_ && !cgroup_->kill_detail().empty())
    report_.set(mech::kKillAll, Status::active, cgroup_->kill_detail());
}

void JobSandbox::attach(pid_t worker_pid) {
  if (!cgroup_ && has_cgroups(caps_)) {
    try {
      cgroup_ = std::make_unique<JobCgroup>(caps_.cgroups, spec_.limits);
    } catch (const std::exception& e) {
      if (spec_.mode == Mode::strict) throw;
      report_.set(mech::kMemoryLimit, Status::failed, e.what());
    }
    note_cgroup();
  }
  if (cgroup_) cgroup_->attach(worker_pid);
}

bool JobSandbox::can_adopt() const {
  return !cgroup_ && host_workdir_.empty() && has_cgroups(caps_) && !spec_.debuggable;
}

NamespaceRequest JobSandbox::namespaces() const {
  NamespaceRequest ns = job_namespaces(caps_);
  if (spec_.debuggable) ns.pid = false;
  return ns;
}

void JobSandbox::adopt(std::unique_ptr<JobCgroup> cgroup) {
  cgroup->set_limits(spec_.limits);
  cgroup_ = std::move(cgroup);
  note_cgroup();
}

void JobSandbox::kill_all() {
  if (cgroup_) cgroup_->kill_all();
}

nlohmann::json JobSandbox::policy_message(pid_t worker_pid) const {
  const MachineProbe& c = caps_;
  WorkerPolicy p;
  p.mode = spec_.mode;
  const NamespaceRequest ns = namespaces();
  p.user_ns = ns.user;
  p.mount_ns = ns.mount;
  p.net_ns = ns.net;
  p.ipc_ns = ns.ipc;
  p.uts_ns = ns.uts;
  p.pid_ns = ns.pid;
  p.plugin = spec_.plugin.string();
  p.asset_dir = spec_.asset_dir.string();
  p.system_paths = kSystemPaths;
  p.devices = kDevices;
  p.host_workdir = host_workdir_.string();
  p.landlock_abi = c.landlock_abi;
  p.landlock = c.landlock_abi > 0;
  // Inside its pid namespace the plugin process is pid 2 (its init is pid 1).
  p.own_pid = p.pid_ns ? 2 : static_cast<int>(worker_pid);
  if (c.seccomp.empty()) {
    p.seccomp_supervised = p.pid_ns && c.seccomp_user_notif;
    const auto program = seccomp_program(p.own_pid, p.seccomp_supervised);
    p.seccomp_bpf = to_hex(program->bpf.data(), program->bpf.size());
  }
  p.drop_capabilities = p.user_ns || c.root;
  p.limits = spec_.limits;
  p.rlimit_memory = !has_memory_cgroup();
  p.rlimit_nproc = !(cgroup_ && cgroup_->has_pids());
  return to_json(p);
}

void JobSandbox::merge_worker_report(const Report& worker) {
  for (const auto& m : worker.mechanisms)
    if (worker_side(m.name)) report_.set(m.name, m.status, m.detail);
}

JobCgroup::Stats JobSandbox::cgroup_stats() const { return cgroup_ ? cgroup_->stats() : JobCgroup::Stats{}; }

std::vector<pid_t> JobSandbox::processes(pid_t worker_pid) const {
  if (cgroup_) {
    std::vector<pid_t> in_cgroup = cgroup_->processes();
    if (!in_cgroup.empty()) return in_cgroup;
  }
  // The worker leads its own process group, which the plugin cannot leave.
  return process_group_members(worker_pid);
}

}  // namespace gauntlet::sandbox
