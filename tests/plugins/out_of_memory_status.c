/* expected verdict: MEMORY_LIMIT (infer returns OUT_OF_MEMORY, as a plugin whose malloc failed). */
#include <gauntlet/plugin_api.h>
static gauntlet_status starved_infer(struct gauntlet_instance* instance, const gauntlet_infer_args* args) {
  (void)instance;
  (void)args;
  return GAUNTLET_OUT_OF_MEMORY;
}
#define TEST_INFER starved_infer
#define TEST_LAST_ERROR_TEXT "could not allocate the activations"
#include "minimal_plugin.h"
