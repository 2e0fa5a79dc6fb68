/* expected verdict: SECURITY_VIOLATION; reason: "symlink". Plants a symlink (then a FIFO)
 * for the judge to follow, as in go-judge #176 and judge0's CVE-2024-28185: the host never
 * opens anything the worker wrote, and making either is forbidden anyway. */
#include <gauntlet/plugin_api.h>
#include <sys/stat.h>
static gauntlet_status planting_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE planting_create
#include "hostile.h"
static gauntlet_status planting_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  if (symlink("/etc/shadow", "result.json") != 0) HOSTILE_FAIL("symlink: %s", strerror(errno));
  if (mkfifo("stdout.fifo", 0600) != 0) HOSTILE_FAIL("mkfifo: %s", strerror(errno));
  return test_default_create(args, out);
}
