#include "judge/worker_pool.hpp"

#include "sandbox/job_sandbox.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace gauntlet::judge {
namespace {

using Key = std::pair<std::string, std::vector<int>>;

constexpr auto kRefillDelay = std::chrono::milliseconds(20);

class Pool {
 public:
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closing_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    ready_.clear();  // kills the idle workers, removes their cgroups
  }

  std::optional<WarmWorker> take(const Key& key, bool prepare_next) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::optional<WarmWorker> out;
    if (auto it = ready_.find(key); it != ready_.end()) {
      out = std::move(it->second);
      ready_.erase(it);
    }
    if (out && !out->process->alive()) out.reset();
    if (prepare_next) want(key, /*now=*/false);
    return out;
  }

  // Prepare one for `key`, unless it is ready or already on its way. `now`: without the delay
  // that lets a job that just took a worker get it ready first.
  void want(const Key& key, bool now) {
    if (closing_ || ready_.count(key) || std::find(wanted_.begin(), wanted_.end(), key) != wanted_.end())
      return;
    wanted_.push_back(key);
    if (now) urgent_ = true;
    if (!thread_.joinable()) thread_ = std::thread([this] { prepare_loop(); });
    wake_.notify_one();
  }

  void prepare(const Key& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    want(key, /*now=*/true);
  }

 private:
  // One long-lived thread spawns every ready worker: PR_SET_PDEATHSIG fires when the *thread*
  // that spawned a process ends, so a short-lived thread would kill its worker at once.
  void prepare_loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return closing_ || !wanted_.empty(); });
      if (closing_) return;
      const Key key = wanted_.front();
      wanted_.pop_front();
      // Let the job that just took a worker get it ready first: on a small machine the next
      // spawn would compete with it for the CPU.
      if (!urgent_) wake_.wait_for(lock, kRefillDelay, [this] { return closing_; });
      urgent_ = false;
      if (closing_) return;
      lock.unlock();
      std::optional<WarmWorker> w;
      try {
        w = spawn(key);
      } catch (const std::exception&) {
        // No ready worker this time: the next job spawns its own.
      }
      lock.lock();
      if (w && !closing_) ready_.insert_or_assign(key, std::move(*w));
    }
  }

  static WarmWorker spawn(const Key& key) {
    const auto& caps = sandbox::cached_machine_probe(key.first);
    WarmWorker w;
    ipc::MessageSocket worker_end;
    ipc::MessageSocket::make_pair(w.socket, worker_end);
    sandbox::ResourceLimits defaults;  // set again when a job takes it
    defaults.cpus = key.second;
    w.cgroup = std::make_unique<sandbox::JobCgroup>(caps.cgroups, defaults);
    WorkerProcess::Options options;
    options.worker_executable = key.first;
    options.plugin = "(waiting for a job)";
    options.socket_fd = worker_end.fd();
    options.cpus = key.second;
    options.environment = {"TMPDIR=/tmp", "HOME=/tmp"};  // the private /tmp of its mount namespace
    options.extra_args = {"--namespaces", sandbox::namespace_list(sandbox::job_namespaces(caps))};
    w.process = std::make_unique<WorkerProcess>(options);
    w.cgroup->attach(w.process->pid());
    return w;
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  bool closing_ = false;
  bool urgent_ = false;  // the next spawn skips kRefillDelay
  std::map<Key, WarmWorker> ready_;
  std::deque<Key> wanted_;
  std::thread thread_;
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

std::optional<WarmWorker> take_warm_worker(const std::filesystem::path& worker_executable,
                                           const std::vector<int>& cpus, bool prepare_next) {
  return pool().take({worker_executable.string(), cpus}, prepare_next);
}

void prepare_warm_worker(const std::filesystem::path& worker_executable, const std::vector<int>& cpus) {
  pool().prepare({worker_executable.string(), cpus});
}

}  // namespace gauntlet::judge
