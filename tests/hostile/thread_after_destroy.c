/* expected verdict: OK. destroy() starts a thread and returns at once, leaving it running: it
 * writes into the output region of the last call and to stdout. Harmless by construction:
 * outputs were copied the moment each call returned, and the worker exits right after
 * destroy() (exit_group ends every thread, then the judge kills the job's cgroup). */
#include <gauntlet/plugin_api.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
static volatile float* last_output = NULL;
static void* scribble(void* unused) {
  (void)unused;
  struct timespec ms = {0, 1000000};
  for (;;) {
    if (last_output) last_output[0] = 12345.0f;
    if (write(1, "still here\n", 11) < 0) break;
    nanosleep(&ms, NULL);
  }
  return NULL;
}
static gauntlet_status remembering_infer(gauntlet_instance* instance, const gauntlet_infer_args* args);
static void lingering_destroy(gauntlet_instance* instance);
#define TEST_INFER remembering_infer
#define TEST_DESTROY lingering_destroy
#include "hostile.h"
static gauntlet_status remembering_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  gauntlet_status s = test_default_infer(instance, args);
  last_output = (volatile float*)args->outputs[0].data;
  return s;
}
static void lingering_destroy(gauntlet_instance* instance) {
  pthread_t t;
  if (pthread_create(&t, NULL, scribble, NULL) == 0) pthread_detach(t);
  test_default_destroy(instance);
}
