/* expected verdict: SECURITY_VIOLATION; reason: "process_vm_readv()". Reads the judge's
 * memory with process_vm_readv(). */
#include <gauntlet/plugin_api.h>
#include <sys/uio.h>
static gauntlet_status reading_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE reading_create
#include "hostile.h"
static gauntlet_status reading_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  char buf[64];
  struct iovec local = {buf, sizeof buf}, remote = {(void*)0x400000, sizeof buf};
  if (process_vm_readv((pid_t)hostile_host_pid(), &local, 1, &remote, 1, 0) < 0)
    HOSTILE_FAIL("process_vm_readv: %s", strerror(errno));
  return test_default_create(args, out);
}
