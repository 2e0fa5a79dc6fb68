/* expected verdict: OK. A thread started in create() is never stopped: it keeps writing into
 * the output region and to stdout after destroy() returned. Harmless by construction: the
 * outputs were snapshotted when each call returned, and the worker exits (exit_group, then
 * the host kills the job's cgroup) right after destroy(). */
#include <gauntlet/plugin_api.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static volatile float* last_output = NULL;
static void* scribble(void* unused) {
  (void)unused;
  struct timespec ms = {0, 1000000};
  for (;;) {
    if (last_output) last_output[0] = 12345.0f;
    nanosleep(&ms, NULL);
  }
  return NULL;
}
static gauntlet_status lingering_create(const gauntlet_create_args* args, gauntlet_instance** out);
static gauntlet_status remembering_infer(gauntlet_instance* instance, const gauntlet_infer_args* args);
#define TEST_CREATE lingering_create
#define TEST_INFER remembering_infer
#include "hostile.h"
static gauntlet_status lingering_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  pthread_t t;
  if (pthread_create(&t, NULL, scribble, NULL) != 0) HOSTILE_FAIL("pthread_create failed");
  pthread_detach(t);
  return test_default_create(args, out);
}
static gauntlet_status remembering_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  gauntlet_status s = test_default_infer(instance, args);
  last_output = (volatile float*)args->outputs[0].data;
  return s;
}
