/* expected verdict: SECURITY_VIOLATION; reason: "tgkill()". SIGSTOP to the judge's main
 * thread with tgkill (the one signal call the filter allows, but only to the plugin itself),
 * which would freeze the judge and every job after this one. */
#include <gauntlet/plugin_api.h>
#include <signal.h>
#include <sys/syscall.h>
static gauntlet_status stopping_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE stopping_create
#include "hostile.h"
static gauntlet_status stopping_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  const long host = hostile_host_pid();
  if (syscall(SYS_tgkill, host, host, SIGSTOP) != 0) HOSTILE_FAIL("tgkill: %s", strerror(errno));
  return test_default_create(args, out);
}
