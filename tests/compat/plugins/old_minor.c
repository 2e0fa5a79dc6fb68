/* Compiled against the frozen copy of the v1.0 header (tests/compat/abi_v1_0), never the
 * current one: a plugin built with an older minor version of the SDK must be judged OK by the
 * current host. Writes zeros. */
#define TEST_NAME "compat-v1.0"
#include "minimal_plugin.h"

#if GAUNTLET_ABI_MAJOR != 1 || GAUNTLET_ABI_MINOR != 0
#error "old_minor.c must be compiled against tests/compat/abi_v1_0/gauntlet/plugin_api.h"
#endif
