/* expected verdict: SECURITY_VIOLATION; reason: "execve()". Runs /bin/sh from create(). */
#include <gauntlet/plugin_api.h>
static gauntlet_status shell_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE shell_create
#include "hostile.h"
static gauntlet_status shell_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  (void)args;
  (void)out;
  char* argv[] = {"sh", "-c", "echo pwned", NULL};
  execv("/bin/sh", argv);
  HOSTILE_FAIL("execv: %s", strerror(errno));
}
