#include "sandbox/cgroup_nesting.hpp"

#include "common/sys_text.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace gauntlet::sandbox {
namespace {

struct Leaf {
  std::mutex mutex;
  std::string dir, leaf;
  std::string enabled;  // "memory pids": what enable_for_children turned on in dir
};

Leaf& leaf_state() {
  static Leaf l;
  return l;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string w; ss >> w;) out.push_back(w);
  return out;
}

bool has(const std::vector<std::string>& list, const std::string& w) {
  return std::find(list.begin(), list.end(), w) != list.end();
}

// "+memory +pids" / "-memory -pids": one write changes them all.
std::string signed_list(const std::vector<std::string>& controllers, char sign) {
  std::string out;
  for (const auto& c : controllers) out.append(out.empty() ? "" : " ").append(1, sign).append(c);
  return out;
}

std::string fail(const std::string& step, int err) { return "cgroup v2: " + errno_text(step, err); }

}  // namespace

std::string enable_for_children(const std::string& dir, const std::vector<std::string>& controllers) {
  const auto available = words(read_text(dir + "/cgroup.controllers"));
  const auto enabled = words(read_text(dir + "/cgroup.subtree_control"));
  std::vector<std::string> wanted;
  for (const auto& c : controllers)
    if (has(available, c) && !has(enabled, c)) wanted.push_back(c);
  if (wanted.empty()) return {};
  const std::string control = dir + "/cgroup.subtree_control";
  const std::string on = signed_list(wanted, '+');
  int err = write_once(control, on);
  if (err == 0) return {};
  if (err != EBUSY) return fail("enable " + on + " in " + control, err);

  // The no-internal-process rule. Only this process may be moved: another one in the cgroup
  // (a job script's shell that did not exec the judge) is not the judge's to move.
  const std::string self = std::to_string(::getpid());
  std::vector<std::string> others;
  for (const auto& p : words(read_text(dir + "/cgroup.procs")))
    if (p != self) others.push_back(p);
  if (!others.empty())
    return "cgroup v2: " + dir + " holds processes other than the judge (" + others.front() +
           (others.size() > 1 ? " and " + std::to_string(others.size() - 1) + " more" : "") +
           "), so it cannot hand " + on +
           " to job cgroups; make the judge the only process of its cgroup (exec it from the job script)";
  Leaf& state = leaf_state();
  std::lock_guard<std::mutex> lock(state.mutex);
  const std::string leaf = dir + "/gauntlet-" + self + "-judge";
  if (::mkdir(leaf.c_str(), 0755) != 0 && errno != EEXIST) return fail("mkdir " + leaf, errno);
  if (int e = write_once(leaf + "/cgroup.procs", self)) {
    ::rmdir(leaf.c_str());
    return fail("move the judge into " + leaf, e);
  }
  if ((err = write_once(control, on)) != 0) {
    write_once(dir + "/cgroup.procs", self);
    ::rmdir(leaf.c_str());
    return fail("enable " + on + " in " + control + " (the judge in a leaf of its own)", err);
  }
  const bool first = state.leaf.empty();
  state.dir = dir;
  state.leaf = leaf;
  for (const auto& c : wanted) state.enabled.append(state.enabled.empty() ? "" : " ").append(c);
  if (first) std::atexit(release_judge_leaf);
  return {};
}

std::string judge_leaf() {
  Leaf& state = leaf_state();
  std::lock_guard<std::mutex> lock(state.mutex);
  return state.leaf;
}

void release_judge_leaf() {
  Leaf& state = leaf_state();
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.leaf.empty()) return;
  // Controllers off first: a cgroup that hands domain controllers down accepts no process.
  write_once(state.dir + "/cgroup.subtree_control", signed_list(words(state.enabled), '-'));
  if (write_once(state.dir + "/cgroup.procs", std::to_string(::getpid())) != 0) return;
  for (int i = 0; i < 100 && ::rmdir(state.leaf.c_str()) != 0 && errno == EBUSY; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  state.leaf.clear();
  state.enabled.clear();
}

int remove_own_job_cgroups(const CgroupSupport& support) {
  namespace fs = std::filesystem;
  const std::string prefix = "gauntlet-" + std::to_string(::getpid()) + "-";
  std::vector<std::string> folders;
  for (const std::string* parent :
       {&support.memory_parent, &support.pids_parent, &support.kill_parent, &support.cpuset_parent}) {
    if (parent->empty()) continue;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(*parent, ec)) {
      const std::string name = entry.path().filename().string();
      const std::string rest = name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : std::string();
      // Job cgroups only (gauntlet-<pid>-<n>): the judge's own leaf holds the judge.
      if (rest.empty() || !std::all_of(rest.begin(), rest.end(), ::isdigit)) continue;
      if (!has(folders, entry.path().string())) folders.push_back(entry.path().string());
    }
  }
  for (int round = 0; round < 200 && !folders.empty(); ++round) {
    for (const auto& f : folders) {
      if (write_once(f + "/cgroup.kill", "1") == 0) continue;
      for (const auto& p : words(read_text(f + "/cgroup.procs"))) ::kill(std::stoi(p), SIGKILL);
    }
    std::erase_if(folders, [](const std::string& f) { return ::rmdir(f.c_str()) == 0 || errno == ENOENT; });
    if (!folders.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return static_cast<int>(folders.size());
}

}  // namespace gauntlet::sandbox
