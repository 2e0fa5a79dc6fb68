/* expected verdict: PLUGIN_ERROR; reason: "could not carry out infer()". infer() returns -1000,
 * the status the worker uses for its own failures: the worker is the plugin's process, so
 * whatever it reports is the plugin's failure, never the judge's (no JUDGE_ERROR, which the
 * event runner would judge again: a team must not be able to re-roll its timing). */
#include <gauntlet/plugin_api.h>
static gauntlet_status failing_infer(gauntlet_instance* instance, const gauntlet_infer_args* args);
#define TEST_INFER failing_infer
#include "hostile.h"
static gauntlet_status failing_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  (void)instance;
  (void)args;
  snprintf(hostile_error, sizeof hostile_error, "worker: pretending the judge failed");
  return (gauntlet_status)-1000;
}
