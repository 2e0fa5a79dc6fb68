/* expected verdict: SECURITY_VIOLATION; reason: "ptrace()". Attaches to its parent (and to
 * the judge) with ptrace. */
#include <gauntlet/plugin_api.h>
#include <sys/ptrace.h>
static gauntlet_status tracing_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE tracing_create
#include "hostile.h"
static gauntlet_status tracing_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  if (ptrace(PTRACE_ATTACH, getppid(), NULL, NULL) != 0 &&
      ptrace(PTRACE_ATTACH, (pid_t)hostile_host_pid(), NULL, NULL) != 0)
    HOSTILE_FAIL("ptrace: %s", strerror(errno));
  return test_default_create(args, out);
}
