/* expected verdict: SECURITY_VIOLATION; reason: "rt_sigaction()". Ignores SIGSYS first, to
 * survive the seccomp trap, then forks: replacing the worker's SIGSYS handler is itself
 * forbidden. */
#include <gauntlet/plugin_api.h>
#include <signal.h>
static gauntlet_status sneaky_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE sneaky_create
#include "hostile.h"
static gauntlet_status sneaky_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  signal(SIGSYS, SIG_IGN);
  pid_t child = fork();
  if (child == 0) _exit(0);
  if (child < 0) HOSTILE_FAIL("fork: %s", strerror(errno));
  return test_default_create(args, out);
}
