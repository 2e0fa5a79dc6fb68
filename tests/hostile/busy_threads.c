/* expected verdict: TIME_LIMIT; reason: "kept running after the last call returned". create()
 * starts two threads that spin for ever (the budget is limits.threads = 1) while every call
 * returns promptly: after the last call the host watches the job's CPU time (its cgroup) and
 * finds it busy when it must be idle. */
#include <gauntlet/plugin_api.h>
#include <pthread.h>
#include <stdlib.h>
static void* spin(void* unused) {
  (void)unused;
  for (volatile unsigned long i = 0;; ++i) {
  }
  return NULL;
}
static gauntlet_status busy_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE busy_create
#include "hostile.h"
static gauntlet_status busy_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  for (int i = 0; i < 2; ++i) {
    pthread_t t;
    if (pthread_create(&t, NULL, spin, NULL) != 0) HOSTILE_FAIL("pthread_create failed");
    pthread_detach(t);
  }
  return test_default_create(args, out);
}
