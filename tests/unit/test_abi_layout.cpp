// The frozen v1 layout (tests/compat/abi_v1_layout.inc) in C++20: checked at compile time by
// static_assert, and listed at run time so that the report shows every field that was checked.
// The same table is checked in C11 by the compat.layout_c11 tests.
#include <doctest/doctest.h>

#include <gauntlet/plugin_api.h>

#include <cstddef>
#include <string_view>

#define GAUNTLET_ABI_FIELD(T, f, offset, size)                            \
  static_assert(offsetof(T, f) == (offset), #T "." #f " offset changed"); \
  static_assert(sizeof(T::f) == (size), #T "." #f " size changed");
#define GAUNTLET_ABI_STRUCT(T, size, align)               \
  static_assert(sizeof(T) == (size), #T " size changed"); \
  static_assert(alignof(T) == (align), #T " alignment changed");
#define GAUNTLET_ABI_CONSTANT(name, value) static_assert((name) == (value), #name " changed");
#include "compat/abi_v1_layout.inc"
#undef GAUNTLET_ABI_FIELD
#undef GAUNTLET_ABI_STRUCT
#undef GAUNTLET_ABI_CONSTANT

static_assert(std::string_view(GAUNTLET_ENTRY_SYMBOL) == "gauntlet_plugin_entry");
static_assert(GAUNTLET_ABI_MINOR >= 0);

TEST_CASE("every v1 field keeps its offset and size, every struct its size and alignment") {
  int fields = 0, structs = 0;
#define GAUNTLET_ABI_FIELD(T, f, offset, size)          \
  CHECK_MESSAGE(offsetof(T, f) == (offset), #T "." #f); \
  CHECK_MESSAGE(sizeof(T::f) == (size), #T "." #f);     \
  ++fields;
#define GAUNTLET_ABI_STRUCT(T, size, align) \
  CHECK_MESSAGE(sizeof(T) == (size), #T);   \
  CHECK_MESSAGE(alignof(T) == (align), #T); \
  ++structs;
#define GAUNTLET_ABI_CONSTANT(name, value) CHECK_MESSAGE((name) == (value), #name);
#include "compat/abi_v1_layout.inc"
  CHECK(structs == 12);  // every struct of plugin_api.h
  CHECK(fields == 76);
}

TEST_CASE("the first seven fields of gauntlet_tensor are DLPack's DLTensor") {
  // DLTensor (dlpack.h v0.8): data, device{device_type, device_id}, ndim, dtype{code, bits,
  // lanes}, shape, strides, byte_offset -- at these offsets on LP64.
  CHECK(offsetof(gauntlet_tensor, data) == 0);
  CHECK(offsetof(gauntlet_tensor, device) == 8);
  CHECK(offsetof(gauntlet_tensor, ndim) == 16);
  CHECK(offsetof(gauntlet_tensor, dtype) == 20);
  CHECK(offsetof(gauntlet_tensor, shape) == 24);
  CHECK(offsetof(gauntlet_tensor, strides) == 32);
  CHECK(offsetof(gauntlet_tensor, byte_offset) == 40);
  CHECK(GAUNTLET_DTYPE_FLOAT == 2);  // kDLFloat
  CHECK(GAUNTLET_DEVICE_CPU == 1);   // kDLCPU
}
