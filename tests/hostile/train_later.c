/* expected verdict: CRASH; reason: "after its training data was revoked". train() keeps the
 * training tensors' pointers and returns at once; the first infer() trains on them instead,
 * outside the training budget. The judge truncates the training regions when train() returns:
 * the read faults (SIGBUS) and the reason says why. */
#include <gauntlet/plugin_api.h>
static gauntlet_status lazy_train(gauntlet_instance* instance, const gauntlet_train_args* args);
static gauntlet_status training_infer(gauntlet_instance* instance, const gauntlet_infer_args* args);
#define TEST_TRAIN lazy_train
#define TEST_INFER training_infer
#include "hostile.h"
static const float* kept_features = NULL;
static int64_t kept_elements = 0;
static gauntlet_status lazy_train(gauntlet_instance* instance, const gauntlet_train_args* args) {
  (void)instance;
  kept_features = (const float*)args->inputs[0].data;
  kept_elements = args->inputs[0].shape[0] * args->inputs[0].shape[1];
  return GAUNTLET_OK;
}
static gauntlet_status training_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  volatile float sum = 0;
  for (int64_t i = 0; kept_features && i < kept_elements; ++i) sum += kept_features[i];
  kept_features = NULL;
  return test_default_infer(instance, args);
}
