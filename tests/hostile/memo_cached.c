/* expected verdict: OK; challenge: hostile-classes. memo_plain's model with a cache of answers
 * keyed by the input's content with the lowest 8 bits of every float masked: the attack that
 * beat the old caching defence (timed inputs were evaluated samples moved by one unit in the
 * last place). Every timed call now carries samples the plugin has never been shown, so the
 * cache never answers a timed call: the hostile suite requires its latency at batch 1 to be no
 * better than its honest twin's. It counts its hits on stderr (the evaluation pass, which
 * presents the timed samples again, hits; that is untimed). */
#include <gauntlet/plugin_api.h>
static gauntlet_status cached_infer(gauntlet_instance* instance, const gauntlet_infer_args* args);
static void cached_destroy(gauntlet_instance* instance);
#define TEST_INFER cached_infer
#define TEST_DESTROY cached_destroy
#include "classifier.h"
#include "hostile.h"
#define CACHE_SLOTS 65536
struct entry {
  uint64_t key;
  float logits[CLASSIFIER_CLASSES];
};
static struct entry* cache = NULL;
static unsigned long hits = 0, misses = 0;
static uint64_t masked_hash(const float* x) {
  uint64_t h = 1469598103934665603ull;
  const uint32_t* w = (const uint32_t*)x;
  for (int f = 0; f < CLASSIFIER_FEATURES; ++f) h = (h ^ (w[f] & 0xffffff00u)) * 1099511628211ull;
  return h | 1u;
}
static gauntlet_status cached_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  (void)instance;
  if (!cache) {
    classifier_init();
    cache = (struct entry*)calloc(CACHE_SLOTS, sizeof(struct entry));
    if (!cache) return GAUNTLET_OUT_OF_MEMORY;
  }
  const float* x = (const float*)args->inputs[0].data;
  float* y = (float*)args->outputs[0].data;
  for (int64_t i = 0; i < args->batch_size; ++i) {
    const uint64_t key = masked_hash(x + i * CLASSIFIER_FEATURES);
    struct entry* e = &cache[key % CACHE_SLOTS];
    if (e->key == key) {
      ++hits;
    } else {
      ++misses;
      classifier_run(x + i * CLASSIFIER_FEATURES, e->logits, 10);
      e->key = key;
    }
    memcpy(y + i * CLASSIFIER_CLASSES, e->logits, sizeof e->logits);
  }
  return GAUNTLET_OK;
}
static void cached_destroy(gauntlet_instance* instance) {
  fprintf(stderr, "memo_cached: %lu hits, %lu misses\n", hits, misses);
  free(cache);
  test_default_destroy(instance);
}
