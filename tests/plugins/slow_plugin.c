/* expected verdict: OK. Like null_plugin, but every infer() sleeps 15 ms: a job that takes
 * long enough (about half a second on the tiny challenge) for a test to kill the judge in the
 * middle of an event. */
#define _POSIX_C_SOURCE 199309L
#include <time.h>

#include <gauntlet/plugin_api.h>
static gauntlet_status slow_infer(struct gauntlet_instance* instance, const gauntlet_infer_args* args);
#define TEST_INFER slow_infer
#define TEST_NAME "slow"
#include "minimal_plugin.h"

static gauntlet_status slow_infer(struct gauntlet_instance* instance, const gauntlet_infer_args* args) {
  struct timespec pause = {0, 15 * 1000 * 1000};
  while (nanosleep(&pause, &pause) != 0) {
  }
  return test_default_infer(instance, args);
}
