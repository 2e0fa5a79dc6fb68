/* expected verdict: CRASH; reason: "SIGSEGV". Writes through a null pointer in infer(). */
#include <gauntlet/plugin_api.h>
static gauntlet_status segfault_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  (void)instance;
  (void)args;
  *(volatile int*)0 = 1;
  return GAUNTLET_OK;
}
#define TEST_INFER segfault_infer
#include "hostile.h"
