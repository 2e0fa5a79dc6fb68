// Layout of the control page: one shared page through which the host asks the worker to run
// infer() and the worker answers. It is the hot path of judging, so there is no syscall on
// it when both sides are awake: each side publishes a sequence number with a release store
// and the other spins on it briefly before sleeping on a futex (see channel.hpp).
//
// Trust: the worker can write anything anywhere in this page. The host therefore reads only
// the response fields, bounds-checks them, and never trusts the worker's own timing.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace gauntlet::ipc {

inline constexpr uint32_t kControlMagic = 0x314c5447;  // "GTL1"
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
  infer = 1,  // run infer() on samples [first_sample, first_sample + batch_size) of the input
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
  uint32_t input_set = 0;  // 0 = evaluation inputs (the only set in v1)
  int64_t batch_size = 0;
  int64_t first_sample = 0;

  // Response, written by the worker only: UNTRUSTED.
  alignas(64) int32_t status = 0;       // gauntlet_status of infer()
  uint32_t message_bytes = 0;           // valid bytes in message (host clamps it)
  uint64_t self_reported_ns = 0;        // the worker's own timing of the call: recorded, never scored
  char message[kMaxResponseMessage]{};  // last_error() text when status != OK
};

static_assert(sizeof(ControlPage) <= kControlPageBytes, "control page must fit its region");
static_assert(std::atomic<uint32_t>::is_always_lock_free, "futex words must be plain 32-bit");

}  // namespace gauntlet::ipc
