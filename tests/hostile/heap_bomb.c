/* expected verdict: MEMORY_LIMIT; reason: "OOM killer"; without cgroups: "returned OUT_OF_MEMORY".
 * Allocates and touches 16 MiB blocks until the kernel stops it (limits.memory_mb = 256, a
 * cgroup limit: resident memory); under RLIMIT_DATA malloc fails first and it says so. */
#include <gauntlet/plugin_api.h>
#include <stdlib.h>
#include <string.h>
static gauntlet_status hoarding_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  (void)instance;
  (void)args;
  for (;;) {
    char* block = (char*)malloc(16u << 20);
    if (!block) return GAUNTLET_OUT_OF_MEMORY;
    memset(block, 0x5a, 16u << 20);
  }
}
#define TEST_INFER hoarding_infer
#include "hostile.h"
