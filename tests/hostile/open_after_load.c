/* expected verdict: PLUGIN_ERROR; reason: "open /etc/ld.so.cache: Permission denied". The
 * loader's cache is in the sandbox (libraries load through it) and readable while the plugin
 * loads, but once it is loaded the second Landlock layer leaves only its assets, /tmp and the
 * devices. */
#include <fcntl.h>
#include <gauntlet/plugin_api.h>
static int opened_at_load = -1;
__attribute__((constructor)) static void open_at_load(void) {
  opened_at_load = open("/etc/ld.so.cache", O_RDONLY);
}
static gauntlet_status late_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE late_create
#include "hostile.h"
static gauntlet_status late_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  (void)args;
  (void)out;
  if (opened_at_load < 0) HOSTILE_FAIL("could not even open /etc/ld.so.cache while loading");
  int fd = open("/etc/ld.so.cache", O_RDONLY);
  if (fd < 0) HOSTILE_FAIL("open /etc/ld.so.cache: %s", strerror(errno));
  close(fd);
  return test_default_create(args, out);
}
