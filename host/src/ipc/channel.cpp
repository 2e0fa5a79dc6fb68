#include "ipc/channel.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <ctime>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define GAUNTLET_CPU_RELAX() _mm_pause()
#else
#define GAUNTLET_CPU_RELAX() asm volatile("" ::: "memory")
#endif

namespace gauntlet::ipc {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kSpinCheckInterval = std::chrono::milliseconds(1);
// Consecutive clock readings of the spin loop are ~2 us apart; farther apart, the waiter was
// off its CPU in between.
constexpr auto kSpinGap = std::chrono::microseconds(10);

// Shared (not FUTEX_PRIVATE) operations: the two sides are different processes.
long futex_wait(std::atomic<uint32_t>* word, uint32_t value, const timespec* relative) {
  return ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT, value, relative, nullptr, 0);
}

long futex_wake(std::atomic<uint32_t>* word, int count) {
  return ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE, count, nullptr, nullptr, 0);
}

// Spins for `spin`, then sleeps on the futex in slices until `done(value)` holds for the
// word's value, the deadline passes or `keep_waiting` says stop. `done` must be cheap.
template <class Done>
WaitResult wait_until(SeqWord& word, Done done, uint32_t* seen, std::chrono::nanoseconds spin,
                      Clock::time_point deadline, std::chrono::nanoseconds slice,
                      const std::function<bool()>& keep_waiting, std::chrono::nanoseconds* away) {
  auto ready = [&] {
    const uint32_t v = word.seq.load(std::memory_order_acquire);
    if (!done(v)) return false;
    if (seen) *seen = v;
    return true;
  };
  if (ready()) return WaitResult::ready;

  // No spin at all means none: 64 pauses are already a microsecond or two on some CPUs.
  if (spin.count() > 0) {
    auto now = Clock::now();
    const auto spin_until = std::min(now + spin, deadline);
    // A long spin still notices a dead peer, about once a millisecond (a system call).
    auto next_check = now + kSpinCheckInterval;
    auto last = now;
    // Reading the clock costs ~20 ns: check it only every 64 pauses.
    for (unsigned i = 1;; ++i) {
      if (ready()) return WaitResult::ready;
      GAUNTLET_CPU_RELAX();
      if ((i & 63) != 0) continue;
      now = Clock::now();
      if (away && now - last > kSpinGap && !ready()) *away += now - last;
      last = now;
      if (now >= spin_until) break;
      if (keep_waiting && now >= next_check) {
        if (!keep_waiting()) return ready() ? WaitResult::ready : WaitResult::aborted;
        next_check = now + kSpinCheckInterval;
      }
    }
  }

  for (;;) {
    auto now = Clock::now();
    if (now >= deadline) return ready() ? WaitResult::ready : WaitResult::timed_out;
    auto wait = std::min<Clock::duration>(deadline - now, slice);
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
    timespec rel{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};

    word.sleepers.fetch_add(1, std::memory_order_seq_cst);
    const uint32_t current = word.seq.load(std::memory_order_seq_cst);
    if (!done(current)) futex_wait(&word.seq, current, &rel);
    word.sleepers.fetch_sub(1, std::memory_order_seq_cst);

    if (ready()) return WaitResult::ready;
    if (keep_waiting && !keep_waiting()) return WaitResult::aborted;
  }
}

}  // namespace

void post(SeqWord& word, uint32_t value) {
  word.seq.store(value, std::memory_order_seq_cst);
  // seq_cst on both sides: either the waiter sees the new seq before sleeping, or we see its
  // sleepers increment and wake it.
  if (word.sleepers.load(std::memory_order_seq_cst) != 0) futex_wake(&word.seq, 1 << 30);
}

WaitResult wait_for(SeqWord& word, uint32_t expected, std::chrono::nanoseconds spin,
                    Clock::time_point deadline, std::chrono::nanoseconds slice,
                    const std::function<bool()>& keep_waiting) {
  return wait_until(
      word, [expected](uint32_t v) { return v == expected; }, nullptr, spin, deadline, slice, keep_waiting,
      nullptr);
}

WaitResult wait_for_change(SeqWord& word, uint32_t old, uint32_t* seen, std::chrono::nanoseconds spin,
                           Clock::time_point deadline, std::chrono::nanoseconds slice,
                           const std::function<bool()>& keep_waiting, std::chrono::nanoseconds* away) {
  return wait_until(
      word, [old](uint32_t v) { return v != old; }, seen, spin, deadline, slice, keep_waiting, away);
}

}  // namespace gauntlet::ipc
