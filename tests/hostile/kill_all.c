/* expected verdict: SECURITY_VIOLATION; reason: "kill()". kill(-1, SIGKILL): every process
 * the plugin's uid may signal. */
#include <gauntlet/plugin_api.h>
#include <signal.h>
static gauntlet_status killing_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE killing_create
#include "hostile.h"
static gauntlet_status killing_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  if (kill(-1, SIGKILL) != 0) HOSTILE_FAIL("kill(-1): %s", strerror(errno));
  return test_default_create(args, out);
}
