/* expected verdict: PLUGIN_ERROR; reason: "clone3: Function not implemented". Forks with a
 * raw clone3(), whose flags seccomp cannot inspect (the hole QingdaoU's Judger left open):
 * the filter answers ENOSYS, glibc's own fallback to clone() is then checked as usual. */
#include <gauntlet/plugin_api.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
static gauntlet_status cloning_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE cloning_create
#include "hostile.h"
static gauntlet_status cloning_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  struct clone_args ca;
  memset(&ca, 0, sizeof ca);
  ca.exit_signal = SIGCHLD;
  long child = syscall(SYS_clone3, &ca, sizeof ca);
  if (child == 0) _exit(0);
  if (child < 0) HOSTILE_FAIL("clone3: %s", strerror(errno));
  return test_default_create(args, out);
}
