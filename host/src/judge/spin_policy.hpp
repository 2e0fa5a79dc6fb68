// The spin-then-block policy of the control channel (TimingRules::spin_auto,
// docs/performance.md). Spinning is exact (an answer is seen within ~0.1 us) but holds a core;
// sleeping leaves the core to the plugin but wakes late (~80 us on a VM).
#pragma once

#include "challenge/challenge.hpp"

#include <chrono>
#include <cstdint>

namespace gauntlet::judge {

// How long `spin_us: auto` spins before sleeping when the plugin needs every core.
inline constexpr int64_t kAutoSpinUs = 50;

// The judge waiting for an answer: `auto` spins through the whole call when the judge has a
// core the plugin's thread budget does not need (`judge_cores` > limits.threads), so the
// spinner takes nothing from the plugin; on a single core shared with the plugin it sleeps at
// once (a spinning judge would hold the plugin's only core); else it spins kAutoSpinUs, then
// sleeps.
std::chrono::nanoseconds host_spin(const Challenge& challenge, int judge_cores);

// The worker waiting for the next request, while the plugin is idle: `auto` spins as long as
// the judge takes between two calls (about a pass over the largest batch's input bytes,
// `batch_input_bytes`: twice that at 1 GB/s), so that no call starts with a futex wake-up;
// at least 200 us, and at most 10 ms, which bounds what a worker sharing the judge's core (an
// overloaded machine) adds to each call.
// `shared_core`: the worker shares a core with the judge, and spinning there would hold it
// while the judge writes the next call's inputs: it sleeps at once instead.
uint32_t worker_spin_us(const Challenge& challenge, double batch_input_bytes, bool shared_core = false);

}  // namespace gauntlet::judge
