/* expected verdict: PLUGIN_ERROR (infer returns UNSUPPORTED with a message). */
#include <gauntlet/plugin_api.h>
static gauntlet_status refusing_infer(struct gauntlet_instance* instance, const gauntlet_infer_args* args) {
  (void)instance;
  (void)args;
  return GAUNTLET_UNSUPPORTED;
}
#define TEST_INFER refusing_infer
#define TEST_LAST_ERROR_TEXT "this test plugin refuses every batch"
#include "minimal_plugin.h"
