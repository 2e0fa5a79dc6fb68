#include "judge/interference.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <string>

namespace gauntlet::judge {

std::optional<SchedStat> parse_schedstat(std::string_view text) {
  SchedStat s;
  uint64_t* fields[] = {&s.on_cpu_ns, &s.run_delay_ns, &s.slices};
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (uint64_t* field : fields) {
    while (p < end && *p == ' ') ++p;
    const auto r = std::from_chars(p, end, *field);
    if (r.ec != std::errc() || r.ptr == p) return std::nullopt;
    p = r.ptr;
  }
  return s;
}

bool is_disturbed(uint64_t run_delay_ns, uint64_t call_ns, uint64_t floor_ns) {
  const auto share = static_cast<uint64_t>(kDisturbanceShare * static_cast<double>(call_ns));
  return run_delay_ns > std::max(floor_ns, share);
}

RunDelayWatch::RunDelayWatch() { add("/proc/thread-self/schedstat"); }

RunDelayWatch::~RunDelayWatch() {
  for (int fd : fds_) ::close(fd);
}

void RunDelayWatch::add(const char* path) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  fds_.push_back(fd);
  last_.push_back(0);
}

void RunDelayWatch::clear_job() {
  for (std::size_t i = 1; i < fds_.size(); ++i) ::close(fds_[i]);
  fds_.resize(std::min<std::size_t>(fds_.size(), 1));
  last_.resize(fds_.size());
}

void RunDelayWatch::watch_processes(const std::vector<pid_t>& processes) {
  clear_job();
  for (pid_t pid : processes) {
    const std::string dir = "/proc/" + std::to_string(pid) + "/task";
    DIR* d = ::opendir(dir.c_str());
    if (!d) continue;
    while (const dirent* e = ::readdir(d)) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      add((dir + "/" + e->d_name + "/schedstat").c_str());
    }
    ::closedir(d);
  }
}

void RunDelayWatch::watch_threads(const std::vector<pid_t>& tids) {
  clear_job();
  for (pid_t tid : tids) add(("/proc/self/task/" + std::to_string(tid) + "/schedstat").c_str());
}

RunDelayWatch::Delays RunDelayWatch::read() {
  Delays d;
  d.job_ns = sum_from(1);
  d.judge_ns = sum_from(0) - d.job_ns;
  return d;
}

uint64_t RunDelayWatch::sum_from(std::size_t first) {
  uint64_t total = 0;
  char buf[128];
  for (std::size_t i = first; i < fds_.size(); ++i) {
    const ssize_t n = ::pread(fds_[i], buf, sizeof buf - 1, 0);
    if (n > 0)
      if (const auto s = parse_schedstat(std::string_view(buf, static_cast<std::size_t>(n))))
        last_[i] = s->run_delay_ns;
    total += last_[i];
  }
  return total;
}

}  // namespace gauntlet::judge
