/* expected verdict: SECURITY_VIOLATION; reason: "kill()". SIGKILL to the judge itself. */
#include <gauntlet/plugin_api.h>
#include <signal.h>
static gauntlet_status killing_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE killing_create
#include "hostile.h"
static gauntlet_status killing_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  if (kill((pid_t)hostile_host_pid(), SIGKILL) != 0) HOSTILE_FAIL("kill: %s", strerror(errno));
  return test_default_create(args, out);
}
