/* expected verdict: TIME_LIMIT; reason: "did not finish within". pause() in infer(): no CPU
 * is used, only the wall clock catches it. */
#include <gauntlet/plugin_api.h>
#include <unistd.h>
static gauntlet_status pausing_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  (void)instance;
  (void)args;
  for (;;) pause();
  return GAUNTLET_OK;
}
#define TEST_INFER pausing_infer
#include "hostile.h"
