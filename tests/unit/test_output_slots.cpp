// What the judge checks in a call's outputs (judge/output_slots.hpp).
#include <doctest/doctest.h>

#include "judge/output_slots.hpp"

#include <cmath>
#include <cstring>
#include <limits>

using gauntlet::DType;
using gauntlet::TensorSpec;
using gauntlet::judge::find_output_fault;
using gauntlet::judge::kUnwrittenPattern;
using gauntlet::judge::OutputFault;
using gauntlet::judge::OutputSlots;

namespace {

uint32_t bits(float f) {
  uint32_t w;
  std::memcpy(&w, &f, 4);
  return w;
}

}  // namespace

TEST_CASE("an output fault is found at its sample and element, by kind") {
  std::vector<uint32_t> w(12, bits(1.5f));
  CHECK_FALSE(find_output_fault(w.data(), w.size(), 3));
  w[7] = kUnwrittenPattern;
  auto f = find_output_fault(w.data(), w.size(), 3);
  REQUIRE(f);
  CHECK(f->kind == OutputFault::Kind::unwritten);
  CHECK(f->sample == 2);
  CHECK(f->element == 1);
  w[7] = bits(std::numeric_limits<float>::quiet_NaN());
  CHECK(find_output_fault(w.data(), w.size(), 3)->kind == OutputFault::Kind::nan);
  w[7] = bits(-std::numeric_limits<float>::infinity());
  CHECK(find_output_fault(w.data(), w.size(), 3)->kind == OutputFault::Kind::inf);
  w[2] = bits(std::numeric_limits<float>::quiet_NaN());  // the first one is reported
  CHECK(find_output_fault(w.data(), w.size(), 3)->sample == 0);
}

TEST_CASE("the slots: marked before the call, copied at the answer, and a write after it is caught") {
  TensorSpec spec{"logits", DType::f32, {-1, 4}, {}, {}};
  OutputSlots slots({spec}, 8);
  REQUIRE(slots.count() == 1);
  CHECK(slots.sample_bytes(0) == 16);
  auto regions = slots.regions();
  REQUIRE(regions.size() == 1);
  CHECK(regions[0].shape == std::vector<int64_t>{8, 4});
  auto* live = reinterpret_cast<float*>(regions[0].memory->data());

  slots.mark_unwritten(2);
  live[0] = live[1] = live[2] = live[3] = 0.25f;  // sample 0 written, sample 1 not
  slots.snapshot(2);
  auto why = slots.fault(2, "the call");
  REQUIRE(why);
  CHECK(*why == "output 'logits' was not written at sample 1 of the batch (element 0) by the call");

  slots.mark_unwritten(2);
  for (int i = 0; i < 8; ++i) live[i] = static_cast<float>(i);
  slots.snapshot(2);
  CHECK_FALSE(slots.fault(2, "the call"));
  CHECK(reinterpret_cast<const float*>(slots.snapshot_data(0))[5] == 5.0f);
  live[3] = 42.0f;  // a thread still writing after the answer
  why = slots.fault(2, "the call");
  REQUIRE(why);
  CHECK(why->find("still being written after the call answered") != std::string::npos);
}
