/* expected verdict: TIME_LIMIT; reason: "kept running after the last call returned"; challenge:
 * hostile-threads. create() starts a second thread (the budget is limits.threads = 2) that
 * spins whenever no call is running, so that every call still returns promptly: after the last
 * call the host watches the job's CPU time (its cgroup, or without one its process group's
 * threads) and finds it busy when it must be idle. */
#include <gauntlet/plugin_api.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
static volatile int in_call = 0;
static void* spin(void* unused) {
  (void)unused;
  struct timespec pause_100us = {0, 100000};
  for (volatile unsigned long i = 0;; ++i)
    if (in_call) nanosleep(&pause_100us, NULL);
  return NULL;
}
static gauntlet_status busy_create(const gauntlet_create_args* args, gauntlet_instance** out);
static gauntlet_status flagged_infer(gauntlet_instance* instance, const gauntlet_infer_args* args);
#define TEST_CREATE busy_create
#define TEST_INFER flagged_infer
#include "hostile.h"
static gauntlet_status busy_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  pthread_t t;
  if (pthread_create(&t, NULL, spin, NULL) != 0) HOSTILE_FAIL("pthread_create failed");
  pthread_detach(t);
  return test_default_create(args, out);
}
static gauntlet_status flagged_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  in_call = 1;
  gauntlet_status s = test_default_infer(instance, args);
  in_call = 0;
  return s;
}
