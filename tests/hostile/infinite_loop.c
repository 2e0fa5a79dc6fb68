/* expected verdict: TIME_LIMIT; reason: "did not finish within". Spins forever in infer(). */
#include <gauntlet/plugin_api.h>
static volatile int spin = 1;
static gauntlet_status looping_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  (void)instance;
  (void)args;
  while (spin) {
  }
  return GAUNTLET_OK;
}
#define TEST_INFER looping_infer
#include "hostile.h"
