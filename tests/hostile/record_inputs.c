/* expected verdict: OK. Writes a checksum of every call's inputs to stderr, in order: what a
 * plugin that tries to predict the timed samples (from its create() seed, say) can observe.
 * The hostile suite judges it twice with the same seed and requires different timed samples,
 * and identical quality metrics. */
#include <gauntlet/plugin_api.h>
static gauntlet_status recording_infer(gauntlet_instance* instance, const gauntlet_infer_args* args);
#define TEST_INFER recording_infer
#include "hostile.h"
static gauntlet_status recording_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  const uint32_t* w = (const uint32_t*)args->inputs[0].data;
  const size_t n = test_tensor_bytes(&args->inputs[0]) / 4;
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ w[i]) * 1099511628211ull;
  fprintf(stderr, "call batch=%lld inputs=%016llx\n", (long long)args->batch_size, (unsigned long long)h);
  return test_default_infer(instance, args);
}
