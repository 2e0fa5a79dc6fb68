/* expected verdict: BAD_OUTPUT; reason: "was not written"; challenge: hostile-threads. infer()
 * returns at once and a thread fills the outputs 20 ms later: the host snapshots outputs the
 * moment a call returns, so a late write counts for nothing (and cannot hide latency). */
#include <gauntlet/plugin_api.h>
#include <pthread.h>
#include <time.h>
static gauntlet_status early_infer(gauntlet_instance* instance, const gauntlet_infer_args* args);
#define TEST_INFER early_infer
#include "hostile.h"
static gauntlet_infer_args pending;
static gauntlet_tensor pending_outputs[4];
static void* fill_later(void* unused) {
  (void)unused;
  struct timespec wait = {0, 20000000};
  nanosleep(&wait, NULL);
  test_default_infer(NULL, &pending);
  return NULL;
}
static gauntlet_status early_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  (void)instance;
  pending = *args;
  for (uint32_t i = 0; i < args->num_outputs && i < 4; ++i) pending_outputs[i] = args->outputs[i];
  pending.outputs = pending_outputs;
  pthread_t t;
  if (pthread_create(&t, NULL, fill_later, NULL) != 0) HOSTILE_FAIL("pthread_create failed");
  pthread_detach(t);
  return GAUNTLET_OK;
}
