#include "sandbox/cgroup.hpp"

#include "sandbox/cgroup_nesting.hpp"

#include "common/sys_text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace gauntlet::sandbox {
namespace {

std::atomic<unsigned> g_counter{0};

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::stringstream ss(s);
  while (std::getline(ss, item, sep)) out.push_back(item);
  return out;
}

bool has_word(const std::string& list, const std::string& word, char sep) {
  for (const auto& w : split(list, sep))
    if (w == word) return true;
  return false;
}

// Whitespace-separated words (cgroup.controllers, cgroup.subtree_control).
bool has_token(const std::string& text, const std::string& word) {
  std::stringstream ss(text);
  std::string w;
  while (ss >> w)
    if (w == word) return true;
  return false;
}

// "key value" lines (memory.events, memory.oom_control, pids.events).
uint64_t keyed_value(const std::string& text, const std::string& key) {
  std::stringstream ss(text);
  std::string k;
  uint64_t v;
  while (ss >> k >> v)
    if (k == key) return v;
  return 0;
}

std::optional<uint64_t> number_in(const std::string& path) {
  std::string text = read_text(path);
  if (text.empty()) return std::nullopt;
  try {
    return std::stoull(text);
  } catch (...) {
    return std::nullopt;
  }
}

struct Mount {
  std::string root, point, fstype, super_options;
};

std::vector<Mount> cgroup_mounts() {
  std::vector<Mount> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    auto fields = split(line, ' ');
    std::size_t dash = 0;
    while (dash < fields.size() && fields[dash] != "-") ++dash;
    if (dash < 6 || dash + 3 >= fields.size()) continue;
    Mount m{fields[3], fields[4], fields[dash + 1], fields[dash + 3]};
    if (m.fstype == "cgroup" || m.fstype == "cgroup2") out.push_back(m);
  }
  return out;
}

// This process's cgroup in the v2 hierarchy ("" key) or in the v1 hierarchy of `controller`.
std::string own_path(const std::string& controller) {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    auto first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);  // not const: returned by move
    if (controller.empty() ? controllers.empty() : has_word(controllers, controller, ',')) return path;
  }
  return {};
}

std::string folder(const Mount& m, const std::string& path) {
  std::string rel = path;
  if (m.root != "/" && rel.rfind(m.root, 0) == 0) rel = rel.substr(m.root.size());
  if (rel == "/") rel.clear();
  return m.point + rel;
}

// Creates a probe child of `parent`, checks that `file` exists in it, removes it.
std::string try_child(const std::string& parent, const std::string& file) {
  const std::string probe =
      parent + "/gauntlet-probe-" + std::to_string(::getpid()) + "-" + std::to_string(g_counter++);
  if (::mkdir(probe.c_str(), 0755) != 0)
    return "cannot create a cgroup in " + parent + ": " + std::strerror(errno);
  std::string why;
  if (!exists(probe + "/" + file)) why = parent + " gives its children no " + file;
  ::rmdir(probe.c_str());
  return why;
}

std::string fail_text(const std::string& step, int err) { return "cgroup: " + errno_text(step, err); }

// Job cgroups of judges that died without removing them: empty folders named
// gauntlet-<pid>-<n> whose pid is gone. rmdir(2) only ever removes an empty cgroup.
void sweep_stale(const std::string& parent) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    long pid = 0;
    if (std::sscanf(name.c_str(), "gauntlet-%ld-", &pid) != 1 &&
        std::sscanf(name.c_str(), "gauntlet-probe-%ld-", &pid) != 1)
      continue;
    if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH))
      ::rmdir(entry.path().c_str());
  }
}

}  // namespace

CgroupSupport probe_cgroups() {
  CgroupSupport s;
  const auto mounts = cgroup_mounts();
  std::string v2;
  for (const auto& m : mounts)
    if (m.fstype == "cgroup2") v2 = folder(m, own_path(""));

  // v2: memory and pids need the parent to hand the controller down to its children.
  if (!v2.empty()) {
    const std::string available = read_text(v2 + "/cgroup.controllers");
    // In a cgroup that holds the judge (a Slurm step's, a delegated scope) the judge first
    // moves into a leaf of its own (cgroup_nesting.hpp); a refusal shows below as the
    // controller missing, with its reason.
    const std::string why_not_enabled = enable_for_children(v2, {"memory", "pids"});
    const std::string enabled = read_text(v2 + "/cgroup.subtree_control");
    auto words = [](std::string t) {
      while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
      return t.empty() ? std::string("none") : t;
    };
    if (has_token(enabled, "memory")) {
      if (std::string why = try_child(v2, "memory.max"); why.empty()) {
        s.memory_parent = v2;
        s.memory_version = 2;
      } else {
        s.why_no_memory = why;
      }
    } else {
      s.why_no_memory = !why_not_enabled.empty()
                            ? why_not_enabled
                            : "cgroup v2 at " + v2 +
                                  " offers no memory controller (cgroup.controllers: " + words(available) +
                                  ")";
    }
    if (has_token(enabled, "pids")) {
      if (std::string why = try_child(v2, "pids.max"); why.empty()) {
        s.pids_parent = v2;
        s.pids_version = 2;
      }
    }
    if (has_token(enabled, "cpuset") && try_child(v2, "cpuset.cpus").empty()) {
      s.cpuset_parent = v2;
      s.cpuset_version = 2;
    }
    if (std::string why = try_child(v2, "cgroup.kill"); why.empty())
      s.kill_parent = v2;
    else
      s.why_no_kill = why;
  } else {
    s.why_no_memory = s.why_no_kill = "no cgroup v2 hierarchy is mounted";
  }

  // v1 fallbacks.
  for (const auto& m : mounts) {
    if (m.fstype != "cgroup") continue;
    if (s.memory_parent.empty() && has_word(m.super_options, "memory", ',')) {
      const std::string dir = folder(m, own_path("memory"));
      if (std::string why = try_child(dir, "memory.limit_in_bytes"); why.empty()) {
        s.memory_parent = dir;
        s.memory_version = 1;
      } else {
        s.why_no_memory += "; v1: " + why;
      }
    }
    if (s.cpuset_parent.empty() && has_word(m.super_options, "cpuset", ',')) {
      const std::string dir = folder(m, own_path("cpuset"));
      if (try_child(dir, "cpuset.cpus").empty()) {
        s.cpuset_parent = dir;
        s.cpuset_version = 1;
      }
    }
    if (s.pids_parent.empty() && has_word(m.super_options, "pids", ',')) {
      const std::string dir = folder(m, own_path("pids"));
      if (std::string why = try_child(dir, "pids.max"); why.empty()) {
        s.pids_parent = dir;
        s.pids_version = 1;
      } else {
        s.why_no_pids = why;
      }
    }
  }
  if (s.pids_parent.empty() && s.why_no_pids.empty()) s.why_no_pids = "no pids controller is available";
  for (const std::string* parent : {&s.memory_parent, &s.pids_parent, &s.kill_parent, &s.cpuset_parent})
    if (!parent->empty()) sweep_stale(*parent);
  if (!s.memory_parent.empty()) s.why_no_memory.clear();
  return s;
}

JobCgroup::JobCgroup(const CgroupSupport& support, const ResourceLimits& limits) {
  const std::string name = "gauntlet-" + std::to_string(::getpid()) + "-" + std::to_string(g_counter++);
  // One folder per parent: on v2 one folder holds several controllers (memory, pids, kill...).
  auto make = [&](const std::string& parent, std::string& out) {
    if (parent.empty()) return;
    const std::string dir = parent + "/" + name;
    const std::vector<std::string> made = folders();
    if (std::find(made.begin(), made.end(), dir) == made.end() && ::mkdir(dir.c_str(), 0755) != 0 &&
        errno != EEXIST)
      throw std::runtime_error(fail_text("mkdir " + dir, errno));
    out = dir;
  };
  try {
    make(support.memory_parent, memory_);
    memory_version_ = support.memory_version;
    make(support.pids_parent, pids_);
    pids_version_ = support.pids_version;
    if (!limits.cpus.empty()) {
      make(support.cpuset_parent, cpuset_);
      cpuset_version_ = support.cpuset_version;
      // v1 cpusets start empty: a task cannot join one without memory nodes.
      if (cpuset_version_ == 1 && !cpuset_.empty()) {
        std::string mems = read_text(support.cpuset_parent + "/cpuset.mems");
        while (!mems.empty() && (mems.back() == '\n' || mems.back() == ' ')) mems.pop_back();
        if (int e = write_once(cpuset_ + "/cpuset.mems", mems))
          throw std::runtime_error(fail_text("write cpuset.mems", e));
      }
    }
    make(support.kill_parent, kill_);
    set_limits(limits);
  } catch (...) {
    for (const auto& d : folders()) ::rmdir(d.c_str());
    throw;
  }
}

std::vector<std::string> JobCgroup::folders() const {
  std::vector<std::string> out;
  for (const std::string* d : {&memory_, &pids_, &kill_, &cpuset_})
    if (!d->empty() && std::find(out.begin(), out.end(), *d) == out.end()) out.push_back(*d);
  return out;
}

JobCgroup::~JobCgroup() {
  kill_all();
  // A killed task leaves its cgroup a moment later: retry for up to a second.
  for (const auto& d : folders())
    for (int i = 0; i < 200 && ::rmdir(d.c_str()) != 0 && errno == EBUSY; ++i) {
      kill_all();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void JobCgroup::set_limits(const ResourceLimits& limits) {
  auto set = [](const std::string& dir, const std::string& file, const std::string& value) {
    if (int e = write_once(dir + "/" + file, value)) throw std::runtime_error(fail_text("write " + file, e));
  };
  memory_limit_ = limits.memory_bytes;
  task_limit_ = task_limit(limits);
  limits_threads_ = limits.threads;
  const std::string bytes = std::to_string(limits.memory_bytes);
  if (memory_version_ == 2) {
    set(memory_, "memory.max", bytes);
    if (exists(memory_ + "/memory.swap.max")) set(memory_, "memory.swap.max", "0");
  } else if (memory_version_ == 1) {
    // Swap would let a job exceed its limit; the combined limit exists only with swap
    // accounting, and must never be below the memory limit: raise it first when raising.
    const bool memsw = exists(memory_ + "/memory.memsw.limit_in_bytes");
    if (memsw && write_once(memory_ + "/memory.memsw.limit_in_bytes", bytes) != 0) {
      set(memory_, "memory.limit_in_bytes", bytes);
      set(memory_, "memory.memsw.limit_in_bytes", bytes);
    } else {
      set(memory_, "memory.limit_in_bytes", bytes);
    }
  }
  if (!pids_.empty()) set(pids_, "pids.max", std::to_string(task_limit_));
  if (!cpuset_.empty() && !limits.cpus.empty()) {
    std::string list;
    for (int c : limits.cpus) {
      if (!list.empty()) list += ',';
      list += std::to_string(c);
    }
    set(cpuset_, "cpuset.cpus", list);
    cpus_ = list;
  }
}

std::string JobCgroup::memory_detail() const {
  if (memory_.empty()) return {};
  return (memory_version_ == 2 ? "cgroup v2 memory.max " : "cgroup v1 memory.limit_in_bytes ") +
         std::to_string(memory_limit_ >> 20) + " MiB";
}

std::string JobCgroup::pids_detail() const {
  if (pids_.empty()) return {};
  std::string s = "cgroup v" + std::to_string(pids_version_) + " pids.max " + std::to_string(task_limit_) +
                  " tasks (the plugin's " + std::to_string(limits_threads_) + " threads + " +
                  std::to_string(task_limit_ - limits_threads_) + " of the worker)";
  if (!cpus_.empty()) s += "; cpuset " + cpus_;
  return s;
}

std::string JobCgroup::kill_detail() const {
  if (!kill_.empty()) return "cgroup v2 cgroup.kill, process group and pid namespace";
  if (has_memory() || has_pids()) return "SIGKILL to every task of the job's cgroup, process group";
  return {};
}

void JobCgroup::attach(pid_t pid) {
  const std::string value = std::to_string(pid);
  for (const auto& d : folders())
    if (int e = write_once(d + "/cgroup.procs", value))
      throw std::runtime_error(fail_text("attach to " + d, e));
}

void JobCgroup::kill_all() {
  if (!kill_.empty() && write_once(kill_ + "/cgroup.kill", "1") == 0) return;
  // v1: no atomic kill; the sandbox forbids fork, so a few rounds reach everything.
  for (const std::string* d : {&memory_, &pids_}) {
    if (d->empty()) continue;
    for (int round = 0; round < 10; ++round) {
      std::stringstream ss(read_text(*d + "/cgroup.procs"));
      pid_t pid;
      bool any = false;
      while (ss >> pid)
        if (pid > 0) {
          ::kill(pid, SIGKILL);
          any = true;
        }
      if (!any) break;
    }
  }
}

std::vector<pid_t> JobCgroup::processes() const {
  std::vector<pid_t> out;
  const auto dirs = folders();
  if (dirs.empty()) return out;
  std::stringstream ss(read_text(dirs.front() + "/cgroup.procs"));
  pid_t pid;
  while (ss >> pid)
    if (pid > 0) out.push_back(pid);
  return out;
}

std::optional<double> JobCgroup::cpu_seconds() const {
  const std::string& v2 = !kill_.empty()         ? kill_
                          : memory_version_ == 2 ? memory_
                          : pids_version_ == 2   ? pids_
                                                 : kill_;
  if (v2.empty()) return std::nullopt;
  const std::string text = read_text(v2 + "/cpu.stat");
  if (text.find("usage_usec") == std::string::npos) return std::nullopt;
  return static_cast<double>(keyed_value(text, "usage_usec")) / 1e6;
}

JobCgroup::Stats JobCgroup::stats() const {
  Stats s;
  if (memory_version_ == 2) {
    s.peak_bytes = number_in(memory_ + "/memory.peak");
    s.peak_source = "cgroup v2 memory.peak";
    const std::string events = read_text(memory_ + "/memory.events");
    s.oom_kills = keyed_value(events, "oom_kill");
    s.memory_failcnt = keyed_value(events, "max");
  } else if (memory_version_ == 1) {
    s.peak_bytes = number_in(memory_ + "/memory.max_usage_in_bytes");
    s.peak_source = "cgroup v1 memory.max_usage_in_bytes";
    s.oom_kills = keyed_value(read_text(memory_ + "/memory.oom_control"), "oom_kill");
    s.memory_failcnt = number_in(memory_ + "/memory.failcnt").value_or(0);
  }
  if (!pids_.empty()) s.pids_refused = keyed_value(read_text(pids_ + "/pids.events"), "max");
  return s;
}

}  // namespace gauntlet::sandbox
