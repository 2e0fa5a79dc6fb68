/* expected verdict: TIME_LIMIT on the tiny challenge (its second infer call sleeps 0.6 s, past
 * the 300 ms per-call limit), and OK under `gauntlet judge --debug`, which lifts the limits as a
 * debugger needs. */
#define _POSIX_C_SOURCE 199309L
#include <time.h>

#include <gauntlet/plugin_api.h>

static int calls = 0;

static gauntlet_status slow_infer(struct gauntlet_instance* instance, const gauntlet_infer_args* args);
#define TEST_INFER slow_infer
#define TEST_NAME "slow-second-call"
#include "minimal_plugin.h"

static gauntlet_status slow_infer(struct gauntlet_instance* instance, const gauntlet_infer_args* args) {
  if (++calls == 2) {
    struct timespec pause = {0, 600 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  return test_default_infer(instance, args);
}
