// The setup-socket protocol between `gauntlet` (host) and `gauntlet-worker`, one JSON object
// per packet; the messages are typed in messages.hpp. A job, in order:
//
//   host -> worker  sandbox  the sandbox policy (sandbox/policy.hpp): always the first message;
//                            the host sends it once the worker is in the job's cgroups
//   worker -> host  sandbox_report {ok, report{mode, mechanisms[...]}}: what the worker applied,
//                            sent before any plugin code runs (the last message the host may
//                            trust); ok false: a strict policy failed
//   worker -> host  hello    the plugin loaded (ABI version, info) or why not
//   host -> worker  create   create() arguments
//   host -> worker  regions  the control page, the input (presentation) regions, the output
//                            regions and, when the plugin trains, the training tensors; one fd each
//   host -> worker  prepare  interface and batch sizes
//   host -> worker  train    train(); the worker unmaps the training tensors when it returns,
//                            and the host truncates them (any copy the plugin kept faults)
//   host -> worker  serve    infer requests now come through the control page until Op::stop,
//                            then the worker reads the socket again
//   host -> worker  destroy  the worker destroys the instance, replies, and exits 0
//   worker -> host  reply    {to, status, message, self_ns} for each request above
//   worker -> host  violation {nr, arch}: sent by the SIGSYS handler at any time, just before
//                            the worker dies of a denied system call (untrusted, like all)
//
// Every infer() reads its inputs from the input regions, which the host fills with the call's
// samples right before posting the request (judge/presentation.hpp): the worker never maps the
// evaluation set, so no sample is visible before the call that presents it.
#pragma once

#include <cstdint>

namespace gauntlet::ipc {

// File descriptor number of the setup socket in the worker (set up by the host at spawn).
inline constexpr int kWorkerSocketFd = 3;

// The status of a reply (or control-page answer) in which the worker code itself, rather
// than a plugin call, failed (e.g. it could not map a region); `message` says why. The host
// cannot tell it from a plugin that returns the same number, and need not: the worker is the
// plugin's process, so either way it is the plugin's failure (never JUDGE_ERROR).
inline constexpr int32_t kWorkerFailure = -1000;

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
// One per interface input, as large as the largest batch: the host writes each call's samples
// into it just before the request (read-only for the worker).
inline constexpr const char* kInput = "input";
inline constexpr const char* kTrainInput = "train_input";
inline constexpr const char* kTrainTarget = "train_target";
inline constexpr const char* kOutput = "output";
}  // namespace role

}  // namespace gauntlet::ipc
