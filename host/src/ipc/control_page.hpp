// Layout of the control page: one shared page through which the host asks the worker to run
// infer() and the worker answers. It is the hot path of judging, so there is no syscall on
// it when both sides are awake: each side publishes a sequence number with a release store
// and the other spins on it briefly before sleeping on a futex (see channel.hpp).
//
// Trust: the page is mapped writable in the worker, and everything in the worker's address
// space is the plugin's. The plugin can read the request the moment it is written and write
// anything anywhere, at any time. So the host
// - draws every request's nonce from its own CSPRNG just before posting it, and accepts a
//   response only when the response sequence moved to exactly the request's and the echoed
//   nonce matches: no answer can exist before its request (judge/call_protocol.hpp);
// - reads each response field once, bounds-checks it, and never trusts the worker's timing.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace gauntlet::ipc {

inline constexpr uint32_t kControlMagic = 0x324c5447;  // "GTL2"
inline constexpr std::size_t kControlPageBytes = 8192;
inline constexpr std::size_t kMaxResponseMessage = 4096;

// A sequence number the other side waits on, and how many of its waiters sleep in the futex
// (so that a signal costs no syscall when nobody sleeps). On its own cache line.
struct alignas(64) SeqWord {
  std::atomic<uint32_t> seq{0};
  std::atomic<uint32_t> sleepers{0};
};

enum class Op : uint32_t {
  none = 0,
  infer = 1,  // run infer() on the first batch_size samples of the input (presentation) regions
  stop = 2,   // leave the serving loop; lifecycle continues on the setup socket
};

struct ControlPage {
  uint32_t magic = kControlMagic;

  SeqWord request;   // host -> worker: bumped after the request fields are written
  SeqWord response;  // worker -> host: bumped after the response fields are written

  // Host-written flags the plugin observes.
  alignas(64) std::atomic<uint32_t> cancel{0};  // should_cancel()
  std::atomic<uint32_t> worker_spin_us{0};      // how long the worker spins before sleeping

  // Request, written by the host only.
  alignas(64) Op op = Op::none;
  uint32_t reserved = 0;
  int64_t batch_size = 0;
  uint64_t nonce = 0;  // fresh from the host's CSPRNG for every request

  // Response, written by the worker: UNTRUSTED.
  alignas(64) uint64_t nonce_echo = 0;  // the request's nonce, copied by the worker
  int32_t status = 0;                   // gauntlet_status of infer()
  uint32_t message_bytes = 0;           // valid bytes in message (host clamps it)
  uint64_t self_reported_ns = 0;        // the worker's own timing of the call: recorded, never scored
  char message[kMaxResponseMessage]{};  // last_error() text when status != OK
};

static_assert(sizeof(ControlPage) <= kControlPageBytes, "control page must fit its region");
static_assert(std::atomic<uint32_t>::is_always_lock_free, "futex words must be plain 32-bit");

}  // namespace gauntlet::ipc
