/* expected verdict: MEMORY_LIMIT; reason: "OOM killer"; without cgroups: "returned OUT_OF_MEMORY".
 * Allocates and touches 16 MiB blocks in create() until the kernel stops it (limits.memory_mb =
 * 256, a cgroup limit: resident memory); under RLIMIT_DATA malloc fails first and it says so.
 * (In create(), under the setup limit: touching 256 MiB takes longer than one call's 300 ms on
 * a busy machine, and a call that runs out of time first is a TIME_LIMIT.) */
#include <gauntlet/plugin_api.h>
#include <stdlib.h>
#include <string.h>
static gauntlet_status hoarding_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  (void)args;
  (void)out;
  for (;;) {
    char* block = (char*)malloc(16u << 20);
    if (!block) return GAUNTLET_OUT_OF_MEMORY;
    memset(block, 0x5a, 16u << 20);
  }
}
#define TEST_CREATE hoarding_create
#include "hostile.h"
