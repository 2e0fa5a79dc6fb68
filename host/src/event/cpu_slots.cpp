#include "event/cpu_slots.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <thread>

namespace gauntlet::event {

std::vector<int> usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
  }
  if (cpus.empty()) {
    const unsigned n = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned c = 0; c < n; ++c) cpus.push_back(static_cast<int>(c));
  }
  return cpus;
}

int default_jobs(std::size_t cpu_count) { return std::max<int>(1, static_cast<int>(cpu_count / 2)); }

std::vector<std::vector<int>> assign_cpus(const std::vector<int>& cpus, int jobs) {
  std::vector<std::vector<int>> slots(static_cast<std::size_t>(std::max(jobs, 1)));
  if (cpus.empty()) return slots;
  const std::size_t per = cpus.size() / slots.size();
  for (std::size_t s = 0; s < slots.size(); ++s) {
    if (per == 0) {
      slots[s].push_back(cpus[s % cpus.size()]);
      continue;
    }
    for (std::size_t k = 0; k < per; ++k) slots[s].push_back(cpus[s * per + k]);
  }
  return slots;
}

bool pin_current_thread(const std::vector<int>& cpus) {
  if (cpus.empty()) return true;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus)
    if (c >= 0 && c < CPU_SETSIZE) CPU_SET(c, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

std::string cpu_list_text(const std::vector<int>& cpus) {
  std::string s;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!s.empty()) s += ",";
    s += std::to_string(cpus[i]);
    if (j > i) s.append(j == i + 1 ? "," : "-").append(std::to_string(cpus[j]));
    i = j + 1;
  }
  return s;
}

}  // namespace gauntlet::event
