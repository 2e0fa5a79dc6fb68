// The setup-socket protocol between `gauntlet` (host) and `gauntlet-worker`, one JSON object
// per packet. Field names are the contract; both sides use these constants.
//
//   host -> worker  sandbox  the sandbox policy (sandbox/policy.hpp): always the first message;
//                            the host sends it once the worker is in the job's cgroups
//   worker -> host  sandbox_report {ok, report{mode, mechanisms[...]}}: what the worker applied,
//                            sent before any plugin code runs; ok false: a strict policy failed
//   worker -> host  hello    {ok, verdict?, message?, abi_major, abi_minor, table_size, info{...}}
//   host -> worker  create   {threads, challenge_id, seed, config:[[k,v],...]} (the asset folder
//                            comes with the sandbox policy: the worker knows where it mounted it)
//   host -> worker  regions  {regions:[{role, index, name, dtype, shape, bytes}]} + one fd each,
//                            the first being the control page (role "control")
//   host -> worker  prepare  {inputs:[spec], outputs:[spec], batch_sizes:[...]}
//   host -> worker  train    {time_limit_seconds}
//   host -> worker  serve    {spin_us}: infer requests now come through the control page
//                            until Op::stop, then the worker reads the socket again
//   host -> worker  destroy  {}: the worker destroys the instance, replies, and exits 0
//   worker -> host  reply    {to, status, message, self_ns} for each request above
//   worker -> host  violation {nr, arch}: sent by the SIGSYS handler at any time, just before
//                            the worker dies of a denied system call (untrusted, like all)
//
// A `status` of kWorkerFailure in a reply means the worker itself (not the plugin) failed,
// e.g. it could not map a region; `message` says why.
#pragma once

#include <cstdint>

namespace gauntlet::ipc {

// File descriptor number of the setup socket in the worker (set up by the host at spawn).
inline constexpr int kWorkerSocketFd = 3;

inline constexpr int32_t kWorkerFailure = -1;

// Exit code of a worker whose memory ran out (std::bad_alloc reached its terminate handler):
// without a memory cgroup (RLIMIT_DATA) that is how the memory limit shows. The judge reads it
// as MEMORY_LIMIT; a plugin that exits with it on purpose only earns itself that verdict.
inline constexpr int kWorkerOutOfMemoryExit = 72;

namespace msg {
inline constexpr const char* kSandbox = "sandbox";
inline constexpr const char* kSandboxReport = "sandbox_report";
inline constexpr const char* kViolation = "violation";
inline constexpr const char* kHello = "hello";
inline constexpr const char* kCreate = "create";
inline constexpr const char* kRegions = "regions";
inline constexpr const char* kPrepare = "prepare";
inline constexpr const char* kTrain = "train";
inline constexpr const char* kServe = "serve";
inline constexpr const char* kDestroy = "destroy";
inline constexpr const char* kReply = "reply";
}  // namespace msg

// Roles of shared regions.
namespace role {
inline constexpr const char* kControl = "control";
inline constexpr const char* kEvalInput = "eval_input";
// Fresh content for timed calls (input_set 1 on the control page): the host rewrites it
// before every timed call, so that no output can be replayed from memory.
inline constexpr const char* kTimingInput = "timing_input";
inline constexpr const char* kTrainInput = "train_input";
inline constexpr const char* kTrainTarget = "train_target";
inline constexpr const char* kOutput = "output";
}  // namespace role

}  // namespace gauntlet::ipc
