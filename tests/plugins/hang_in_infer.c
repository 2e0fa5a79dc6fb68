/* expected verdict: TIME_LIMIT (spins forever in infer). */
static volatile int keep_spinning = 1;
#include <gauntlet/plugin_api.h>
static gauntlet_status hang_infer(struct gauntlet_instance* instance, const gauntlet_infer_args* args) {
  (void)instance;
  (void)args;
  while (keep_spinning) {
  }
  return GAUNTLET_OK;
}
#define TEST_INFER hang_infer
#include "minimal_plugin.h"
