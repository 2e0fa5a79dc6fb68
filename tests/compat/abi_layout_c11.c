/* The frozen v1 layout (abi_v1_layout.inc), checked at compile time in C11: the compat.layout_c11
 * tests compile this file with gcc and clang; a changed offset, size or constant fails them. */
#include <gauntlet/plugin_api.h>

#include <stdalign.h>
#include <stddef.h>

#define GAUNTLET_ABI_FIELD(T, f, offset, size)                             \
  _Static_assert(offsetof(T, f) == (offset), #T "." #f " offset changed"); \
  _Static_assert(sizeof(((T*)0)->f) == (size), #T "." #f " size changed");
#define GAUNTLET_ABI_STRUCT(T, size, align)                \
  _Static_assert(sizeof(T) == (size), #T " size changed"); \
  _Static_assert(alignof(T) == (align), #T " alignment changed");
#define GAUNTLET_ABI_CONSTANT(name, value) _Static_assert((name) == (value), #name " changed");
#include "abi_v1_layout.inc"

_Static_assert(sizeof(GAUNTLET_ENTRY_SYMBOL) == sizeof("gauntlet_plugin_entry"), "entry symbol changed");

/* A translation unit must declare something. */
typedef int gauntlet_abi_layout_checked;
