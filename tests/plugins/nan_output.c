/* expected verdict: BAD_OUTPUT (NaN in the output). */
#include <gauntlet/plugin_api.h>
#include <math.h>
static gauntlet_status nan_infer(gauntlet_instance* instance, const gauntlet_infer_args* args);
#define TEST_INFER nan_infer
#include "minimal_plugin.h"
static gauntlet_status nan_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  test_default_infer(instance, args);
  ((float*)args->outputs[0].data)[0] = NAN;
  return GAUNTLET_OK;
}
