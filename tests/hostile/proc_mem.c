/* expected verdict: PLUGIN_ERROR; reason: "No such file or directory". Opens the judge's
 * memory through /proc/<host pid>/mem to read the evaluation targets: there is no /proc in
 * the sandbox (and the host is not in the plugin's pid namespace). */
#include <fcntl.h>
#include <gauntlet/plugin_api.h>
static gauntlet_status peeking_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE peeking_create
#include "hostile.h"
static gauntlet_status peeking_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/mem", hostile_host_pid());
  int fd = open(path, O_RDONLY);
  if (fd < 0) HOSTILE_FAIL("open %s: %s", path, strerror(errno));
  char byte;
  ssize_t n = pread(fd, &byte, 1, 0x400000);
  close(fd);
  (void)n;
  return test_default_create(args, out);
}
