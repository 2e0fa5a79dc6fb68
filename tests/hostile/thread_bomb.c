/* expected verdict: PLUGIN_ERROR; reason: "Resource temporarily unavailable". Starts 256
 * threads with a thread budget of 1 (its own thread): the job's task limit refuses them all (EAGAIN), and the
 * plugin reports it. */
#include <gauntlet/plugin_api.h>
#include <pthread.h>
static gauntlet_status spawning_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE spawning_create
#include "hostile.h"
static void* idle(void* unused) {
  (void)unused;
  for (;;) pause();
  return NULL;
}
static gauntlet_status spawning_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  for (int i = 0; i < 256; ++i) {
    pthread_t t;
    int rc = pthread_create(&t, NULL, idle, NULL);
    if (rc != 0) HOSTILE_FAIL("thread %d: pthread_create: %s", i, strerror(rc));
  }
  return test_default_create(args, out);
}
