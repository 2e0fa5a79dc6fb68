// How a call's inputs reach the worker (judge/presentation.hpp).
#include <doctest/doctest.h>

#include "judge/presentation.hpp"

#include <sys/mman.h>

#include <cerrno>

using gauntlet::DType;
using gauntlet::HostTensor;
using gauntlet::judge::Presentation;

TEST_CASE("each call's samples are written into small read-only regions, the tail of a short batch zeroed") {
  HostTensor eval = HostTensor::allocate(DType::f32, {10, 3});
  for (int i = 0; i < 30; ++i) eval.as<float>()[i] = static_cast<float>(i);
  const std::vector<HostTensor> inputs{eval};
  Presentation p({"x"}, inputs, 4);
  const auto regions = p.regions();
  REQUIRE(regions.size() == 1);
  CHECK(regions[0].role == "input");
  CHECK(regions[0].shape == std::vector<int64_t>{4, 3});
  const auto* shown = reinterpret_cast<const float*>(regions[0].memory->data());

  const std::vector<int64_t> samples{7, 2, 9};
  p.stage_samples(inputs, samples);
  CHECK(p.staged() == 3);
  CHECK(shown[0] == 0.0f);  // staged, not yet shown: nothing reaches the worker before publish()
  p.publish(4);
  CHECK(std::vector<float>(shown, shown + 12) ==
        std::vector<float>{21, 22, 23, 6, 7, 8, 27, 28, 29, 0, 0, 0});

  p.stage_range(inputs, 8, 2);
  p.publish(2);
  CHECK(std::vector<float>(shown, shown + 6) == std::vector<float>{24, 25, 26, 27, 28, 29});

  // The worker can only map it read-only.
  errno = 0;
  void* w = mmap(nullptr, regions[0].memory->size(), PROT_READ | PROT_WRITE, MAP_SHARED,
                 regions[0].memory->fd(), 0);
  CHECK(w == MAP_FAILED);
  CHECK_THROWS(p.stage_samples(inputs, std::vector<int64_t>{0, 1, 2, 3, 4}));
}
