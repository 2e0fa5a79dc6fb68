// Spin-then-block signalling on a SeqWord in shared memory, across processes.
//
// Policy: a waiter first spins (cheapest wake-up: ~0.35 us cross-core on a 2-vCPU VM), then
// sleeps on a shared futex (a sleeping vCPU takes ~80 us to wake there, so sleeping is only
// for long calls, where a spinning waiter would steal a core from a multi-threaded plugin).
// The spin budget is set per challenge (timing.spin_us).
#pragma once

#include "ipc/control_page.hpp"

#include <chrono>
#include <cstdint>
#include <functional>

namespace gauntlet::ipc {

// Publishes `value` and wakes a sleeping waiter if there is one.
void post(SeqWord& word, uint32_t value);

enum class WaitResult { ready, timed_out, aborted };

// Waits until word.seq == expected. Spins for `spin`, then sleeps in slices of at most
// `slice`; after each slice calls `keep_waiting` (if set), which may return false to abort
// (e.g. the other process died). Returns timed_out once `deadline` has passed.
WaitResult wait_for(SeqWord& word, uint32_t expected, std::chrono::nanoseconds spin,
                    std::chrono::steady_clock::time_point deadline,
                    std::chrono::nanoseconds slice = std::chrono::milliseconds(20),
                    const std::function<bool()>& keep_waiting = {});

// The same, but waits until word.seq differs from `old`, and stores the value seen in
// `*seen`. The host waits this way on the worker's answers: a peer that writes any other
// value than the one expected is caught at once instead of being waited for until the
// deadline. `*away`, when given, gets the time the spinning waiter was off its CPU (gaps
// between its clock readings) and came back to find nothing yet: time it lost without
// delaying what it waited for.
WaitResult wait_for_change(SeqWord& word, uint32_t old, uint32_t* seen, std::chrono::nanoseconds spin,
                           std::chrono::steady_clock::time_point deadline,
                           std::chrono::nanoseconds slice = std::chrono::milliseconds(20),
                           const std::function<bool()>& keep_waiting = {},
                           std::chrono::nanoseconds* away = nullptr);

}  // namespace gauntlet::ipc
