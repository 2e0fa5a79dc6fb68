// The calling thread's CPU affinity: which CPUs a job may use, pinning the judge's thread to
// its own core, and giving the original set back when the judging ends.
#pragma once

#include <sched.h>

#include <vector>

namespace gauntlet::judge {

class ThreadAffinity {
 public:
  ThreadAffinity() { have_ = sched_getaffinity(0, sizeof saved_, &saved_) == 0; }
  ~ThreadAffinity() {
    if (pinned_ && have_) sched_setaffinity(0, sizeof saved_, &saved_);
  }
  ThreadAffinity(const ThreadAffinity&) = delete;
  ThreadAffinity& operator=(const ThreadAffinity&) = delete;
  int cores() const { return have_ ? CPU_COUNT(&saved_) : 1; }
  std::vector<int> cpus() const {
    std::vector<int> out;
    if (have_)
      for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &saved_)) out.push_back(c);
    return out;
  }
  [[nodiscard]] bool pin_to(int cpu) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    pinned_ = sched_setaffinity(0, sizeof one, &one) == 0;
    return pinned_;
  }

 private:
  cpu_set_t saved_{};
  bool have_ = false, pinned_ = false;
};

}  // namespace gauntlet::judge
