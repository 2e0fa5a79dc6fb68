// plugin_api.h's promise for spec arrays: laid out with the element size of the minor version
// the plugin declared, so that plain `specs[i]` indexing is right for the header the plugin
// was compiled against; a plugin newer than the host gets the host's size and steps by
// struct_size. A synthetic host that knows a 1.1 with a larger spec shows both sides.
#include "worker/spec_layout.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

using namespace gauntlet::worker;

namespace {

// gauntlet_tensor_spec as a hypothetical ABI 1.1 would have it: one field appended.
struct SpecV11 {
  gauntlet_tensor_spec v10;
  uint64_t future_flags;
};
constexpr std::size_t kSizesOf11Host[] = {GAUNTLET_TENSOR_SPEC_V1_SIZE, sizeof(SpecV11)};

const int64_t kImage[] = {-1, 1, 28, 28};
const int64_t kMask[] = {-1, 28, 28};
const int64_t kScalar[] = {-1};

std::vector<SpecFields> three_specs() {
  const gauntlet_dtype f32{GAUNTLET_DTYPE_FLOAT, 32, 1};
  const gauntlet_dtype u8{GAUNTLET_DTYPE_UINT, 8, 1};
  return {{"image", f32, kImage}, {"mask", u8, kMask}, {"weight", f32, kScalar}};
}

// What a plugin compiled against header `Spec` reads with plain indexing.
template <class Spec>
std::vector<std::string> names_by_indexing(const SpecArray& a) {
  const auto* specs = reinterpret_cast<const Spec*>(a.data());
  std::vector<std::string> names;
  for (uint32_t i = 0; i < a.size(); ++i) {
    const gauntlet_tensor_spec* s;
    if constexpr (std::is_same_v<Spec, SpecV11>)
      s = &specs[i].v10;
    else
      s = &specs[i];
    names.emplace_back(s->name);
  }
  return names;
}

}  // namespace

TEST_CASE("the element size follows the plugin's declared minor version, capped at the host's") {
  CHECK(spec_element_size(0) == GAUNTLET_TENSOR_SPEC_V1_SIZE);
  CHECK(spec_element_size(99) == GAUNTLET_TENSOR_SPEC_V1_SIZE);  // newer plugin, this 1.0 host
  CHECK(spec_element_size(0, kSizesOf11Host) == GAUNTLET_TENSOR_SPEC_V1_SIZE);
  CHECK(spec_element_size(1, kSizesOf11Host) == sizeof(SpecV11));
  CHECK(spec_element_size(7, kSizesOf11Host) == sizeof(SpecV11));
}

TEST_CASE("a 1.0 plugin indexes the specs of a 1.1 host correctly") {
  const auto fields = three_specs();
  const SpecArray a(fields, spec_element_size(0, kSizesOf11Host));
  CHECK(names_by_indexing<gauntlet_tensor_spec>(a) == std::vector<std::string>{"image", "mask", "weight"});
  CHECK(a.data()[2].ndim == 1);
  CHECK(a.data()[1].dtype.bits == 8);
  CHECK(a.data()[0].shape[3] == 28);
  // Were the host to use its own (1.1) size, the 1.0 plugin's second spec would be garbage.
  const SpecArray wrong(fields, sizeof(SpecV11));
  CHECK(wrong.data()[1].struct_size != GAUNTLET_TENSOR_SPEC_V1_SIZE);
}

TEST_CASE("a synthetic 1.1 plugin indexes its own larger specs, the new field absent (zero)") {
  const auto fields = three_specs();
  const SpecArray a(fields, spec_element_size(1, kSizesOf11Host));
  CHECK(names_by_indexing<SpecV11>(a) == std::vector<std::string>{"image", "mask", "weight"});
  const auto* specs = reinterpret_cast<const SpecV11*>(a.data());
  for (uint32_t i = 0; i < a.size(); ++i) {
    CHECK(specs[i].v10.struct_size == sizeof(SpecV11));
    CHECK(specs[i].future_flags == 0);
  }
}

TEST_CASE("a 1.1 plugin on this 1.0 host steps by struct_size, as the header tells it to") {
  const auto fields = three_specs();
  const SpecArray a(fields, spec_element_size(1));
  const auto* bytes = reinterpret_cast<const unsigned char*>(a.data());
  std::vector<std::string> names;
  for (uint32_t i = 0; i < a.size(); ++i) {
    gauntlet_tensor_spec s;
    std::memcpy(&s, bytes + i * a.data()[0].struct_size, sizeof s);
    names.emplace_back(s.name);
  }
  CHECK(a.data()[0].struct_size == GAUNTLET_TENSOR_SPEC_V1_SIZE);
  CHECK(names == std::vector<std::string>{"image", "mask", "weight"});
}

TEST_CASE("an element smaller than v1.0 is a bug of the host, not a layout") {
  const auto fields = three_specs();
  CHECK_THROWS_AS(SpecArray(fields, GAUNTLET_TENSOR_SPEC_V1_SIZE - 8), std::logic_error);
}
