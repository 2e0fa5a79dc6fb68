/* expected verdict: MEMORY_LIMIT; reason: "OOM killer"; without cgroups: "(std::bad_alloc)". A
 * 1 GiB static array (bss, four times limits.memory_mb), filled in create(); under RLIMIT_DATA
 * the array's reservation leaves no room, and the worker's next allocation fails. */
#include <gauntlet/plugin_api.h>
#include <string.h>
static char huge[1u << 30];
static gauntlet_status filling_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE filling_create
#include "hostile.h"
static gauntlet_status filling_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  memset(huge, 1, sizeof huge);
  return test_default_create(args, out) == GAUNTLET_OK && huge[12345] == 1 ? GAUNTLET_OK : GAUNTLET_ERROR;
}
