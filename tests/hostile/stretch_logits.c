/* expected verdict: BAD_OUTPUT; reason: "differently from the evaluation pass"; challenge:
 * hostile-classes. Recognises timed calls (every batch size but the evaluation's) and answers
 * them with the same constant logits without reading the inputs, while the evaluation pass gets
 * real answers. Every logit is shifted by 10^6 first: accuracy and log-loss do not change, and a
 * tolerance relative to the values' magnitude would have widened to accept anything. The judge
 * compares softmax probabilities (and classes) instead, which no shift or scale widens. */
#include <gauntlet/plugin_api.h>
static gauntlet_status stretching_infer(gauntlet_instance* instance, const gauntlet_infer_args* args);
#define TEST_INFER stretching_infer
#include "classifier.h"
#include "hostile.h"
static int ready = 0;
static gauntlet_status stretching_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  (void)instance;
  if (!ready) {
    classifier_init();
    ready = 1;
  }
  const int64_t batch = args->batch_size;
  const float* x = (const float*)args->inputs[0].data;
  float* y = (float*)args->outputs[0].data;
  const int evaluation = batch == 50; /* the challenge's eval_batch_size */
  for (int64_t i = 0; i < batch; ++i) {
    float logits[CLASSIFIER_CLASSES] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (evaluation) classifier_run(x + i * CLASSIFIER_FEATURES, logits, 1);
    for (int c = 0; c < CLASSIFIER_CLASSES; ++c) y[i * CLASSIFIER_CLASSES + c] = logits[c] + 1e6f;
  }
  return GAUNTLET_OK;
}
