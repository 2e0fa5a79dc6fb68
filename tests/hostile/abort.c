/* expected verdict: CRASH; reason: "SIGABRT". abort() in infer(): the plugin process is not
 * the pid namespace's init, so its own SIGABRT is not ignored. */
#include <gauntlet/plugin_api.h>
#include <stdlib.h>
static gauntlet_status abort_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  (void)instance;
  (void)args;
  abort();
}
#define TEST_INFER abort_infer
#include "hostile.h"
