/* expected verdict: OK; challenge: hostile-classes. The honest twin of memo_cached: the same
 * model (classifier.h, 10 rounds, ~40 us per image), computed for every sample of every call.
 * The hostile suite compares the two twins' latency at batch 1. */
#include <gauntlet/plugin_api.h>
static gauntlet_status plain_infer(gauntlet_instance* instance, const gauntlet_infer_args* args);
#define TEST_INFER plain_infer
#include "classifier.h"
#include "hostile.h"
static int ready = 0;
static gauntlet_status plain_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  (void)instance;
  if (!ready) {
    classifier_init();
    ready = 1;
  }
  const float* x = (const float*)args->inputs[0].data;
  float* y = (float*)args->outputs[0].data;
  for (int64_t i = 0; i < args->batch_size; ++i)
    classifier_run(x + i * CLASSIFIER_FEATURES, y + i * CLASSIFIER_CLASSES, 10);
  return GAUNTLET_OK;
}
