/* expected verdict: BAD_OUTPUT; reason: "holds NaN". Answers NaN for every element. */
#include <gauntlet/plugin_api.h>
#include <math.h>
static gauntlet_status nan_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  (void)instance;
  float* out = (float*)args->outputs[0].data;
  for (int64_t i = 0; i < args->batch_size; ++i) out[i] = NAN;
  return GAUNTLET_OK;
}
#define TEST_INFER nan_infer
#include "hostile.h"
