// The host's handle on one worker: spawns it, speaks the setup protocol and drives infer()
// calls through the control page, timing each one itself. Every wait has a deadline, and
// every answer from the worker is treated as untrusted input.
#pragma once

#include "ipc/control_page.hpp"
#include "ipc/message_socket.hpp"
#include "ipc/messages.hpp"
#include "ipc/shared_memory.hpp"
#include "judge/worker_process.hpp"
#include "sandbox/job_sandbox.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet::judge {

using Clock = std::chrono::steady_clock;

struct PluginIdentity {
  std::string name, team, version, description;
  uint64_t capabilities = 0;
  uint32_t abi_major = 0, abi_minor = 0, table_size = 0;
};

// What came of one request.
struct CallOutcome {
  enum class Kind {
    ok,              // status OK
    plugin_error,    // the plugin returned a non-OK status (message = its last_error)
    timed_out,       // no answer before the deadline (the worker is still running)
    worker_died,     // the socket closed / the process is gone
    protocol_error,  // the worker answered something that is not the protocol
    worker_failure,  // the worker itself failed to do what was asked (message says why)
  };
  Kind kind = Kind::ok;
  int32_t status = 0;
  std::string message;
  uint64_t self_reported_ns = 0;  // the worker's own timing: untrusted, recorded only
  double host_seconds = 0;        // measured by the host around the request
  [[nodiscard]] bool ok() const { return kind == Kind::ok; }
};

struct HelloOutcome {
  CallOutcome call;  // ok when the plugin loaded
  std::optional<std::string> load_failure, abi_mismatch;
  // A strict sandbox the worker could not complete (the judge's problem, not the plugin's).
  std::optional<std::string> sandbox_failure;
  PluginIdentity identity;
  double confined_seconds = 0;  // from spawning to the worker's sandbox report (host clock)
  double ready_seconds = 0;     // from spawning to the hello: plugin loaded, ready to serve
};

// One tensor region handed to the worker.
struct RegionSpec {
  std::string role;  // ipc::role::*
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;  // [capacity, sample dims...]: capacity includes padding
  int64_t samples = 0;         // how many of those are real data (what train() is shown)
  std::shared_ptr<ipc::SharedMemory> memory;
};

class WorkerClient {
 public:
  // `cpus`: pin the worker to these CPUs before it loads the plugin (empty: no pinning).
  // `sandbox`: the job's sandbox (borrowed; it must outlive this client). Without one, the
  // worker gets a relaxed sandbox with default limits (what `gauntlet inspect` uses).
  // `pooled`: take a worker spawned ahead of time when there is one (judge/worker_pool.hpp),
  // and have the next one prepared unless `prepare_next` is false (no job follows).
  // Throws std::runtime_error (or sandbox::SandboxUnavailable) naming the failing step.
  WorkerClient(const std::filesystem::path& worker_executable, const std::filesystem::path& plugin,
               const std::vector<int>& cpus = {}, sandbox::JobSandbox* sandbox = nullptr, bool pooled = false,
               bool prepare_next = true);
  ~WorkerClient();

  HelloOutcome hello(Clock::time_point deadline);
  CallOutcome create(const ipc::CreateRequest& args, Clock::time_point deadline);
  CallOutcome send_regions(const std::vector<RegionSpec>& regions, Clock::time_point deadline);
  CallOutcome prepare(const ipc::PrepareRequest& args, Clock::time_point deadline);
  // Sets the cancel flag at `cancel_at`, then waits until `deadline`.
  CallOutcome train(double time_limit_seconds, Clock::time_point cancel_at, Clock::time_point deadline);
  // From now on infer() goes through the control page. The host spins `host_spin` waiting
  // for each answer before it sleeps; the worker spins `worker_spin_us` waiting for requests.
  CallOutcome begin_serving(std::chrono::nanoseconds host_spin, uint32_t worker_spin_us,
                            Clock::time_point deadline);

  // The hot path: one infer() of `batch` samples through the control page.
  //
  // The clock starts, `present` writes the call's inputs into the input regions, the request
  // goes out with `nonce` (fresh from the judge's CSPRNG), and the clock stops when an answer
  // for exactly this request arrives. An answer present before the request, carrying another
  // sequence number or not echoing the nonce is a protocol error, never a latency: no answer
  // can be prepared before its inputs and its nonce exist.
  struct Answer {
    CallOutcome::Kind kind = CallOutcome::Kind::ok;
    int32_t status = 0;
    std::string message;
    std::chrono::nanoseconds latency{0};  // from the first input byte written to the answer seen
    std::chrono::nanoseconds staging{0};  // of which the judge writing the inputs and the request
    // Time the judge was off its CPU while spinning and came back to no answer yet: it did
    // not delay the measurement (interference.hpp subtracts it from the judge's waits).
    std::chrono::nanoseconds judge_away_harmless{0};
    uint64_t self_reported_ns = 0;  // untrusted, recorded only
  };
  Answer infer(int64_t batch, uint64_t nonce, const std::function<void()>& present,
               Clock::time_point deadline);

  CallOutcome end_serving(uint64_t nonce, Clock::time_point deadline);
  CallOutcome destroy(Clock::time_point deadline);

  WorkerProcess& process() { return *process_; }

  // The system call the worker reported just before dying of SIGSYS, if it did (reads any
  // message still queued on the socket).
  [[nodiscard]] std::optional<int> violation();

 private:
  CallOutcome request(const std::string& type, const nlohmann::json& message, Clock::time_point deadline,
                      const std::vector<int>& fds = {});
  Answer exchange(ipc::Op op, int64_t batch, uint64_t nonce, const std::function<void()>& present,
                  Clock::time_point deadline);
  CallOutcome await_reply(const std::string& type, Clock::time_point deadline);
  CallOutcome failed_wait(ipc::MessageSocket::Status status, const std::string& error);
  // receive(), setting aside violation reports and closing any fd the worker sent.
  ipc::MessageSocket::Received receive(Clock::time_point deadline);

  std::unique_ptr<sandbox::JobSandbox> own_sandbox_;
  sandbox::JobSandbox* sandbox_ = nullptr;
  Clock::time_point spawned_at_;
  std::optional<int> violation_;
  ipc::MessageSocket socket_;
  std::unique_ptr<WorkerProcess> process_;
  std::shared_ptr<ipc::SharedMemory> control_memory_;
  ipc::ControlPage* page_ = nullptr;
  uint32_t seq_ = 0;  // the last request posted (and answered): the judge's, never read from the page
  std::chrono::nanoseconds spin_{0};
};

}  // namespace gauntlet::judge
