/* expected verdict: SECURITY_VIOLATION; reason: "io_uring_setup()". Sets up an io_uring
 * (raw system call): io_uring work runs in kernel threads that seccomp does not see. */
#include <gauntlet/plugin_api.h>
#include <linux/io_uring.h>
#include <sys/syscall.h>
static gauntlet_status ring_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE ring_create
#include "hostile.h"
static gauntlet_status ring_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  struct io_uring_params params;
  memset(&params, 0, sizeof params);
  long fd = syscall(SYS_io_uring_setup, 8, &params);
  if (fd < 0) HOSTILE_FAIL("io_uring_setup: %s", strerror(errno));
  return test_default_create(args, out);
}
