/* expected verdict: PLUGIN_ERROR; reason: "could not start helper 2"; challenge: hostile-threads.
 * With a budget of two threads, infer() tries to run three: its own and two helpers it starts
 * inside the call (idle between calls, so an average over the job's life would not see them).
 * The job's task limit is exactly the budget: the second helper is refused, and the plugin
 * says so. */
#include <gauntlet/plugin_api.h>
#include <pthread.h>
static gauntlet_status threaded_infer(gauntlet_instance* instance, const gauntlet_infer_args* args);
#define TEST_INFER threaded_infer
#include "hostile.h"
static void* helper(void* unused) {
  (void)unused;
  volatile unsigned long x = 0;
  for (int i = 0; i < 100000; ++i) x += (unsigned long)i;
  return NULL;
}
static gauntlet_status threaded_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  pthread_t t[2];
  int started = 0;
  for (; started < 2; ++started)
    if (pthread_create(&t[started], NULL, helper, NULL) != 0) break;
  for (int i = 0; i < started; ++i) pthread_join(t[i], NULL);
  if (started < 2) HOSTILE_FAIL("could not start helper %d of 2 (task limit)", started + 1);
  return test_default_infer(instance, args);
}
