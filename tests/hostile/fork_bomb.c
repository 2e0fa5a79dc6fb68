/* expected verdict: SECURITY_VIOLATION; reason: "clone()". A fork bomb in infer(): glibc's
 * fork() is clone() without CLONE_THREAD, which the seccomp filter traps at the first call. */
#include <gauntlet/plugin_api.h>
#include <unistd.h>
static gauntlet_status forking_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  (void)instance;
  (void)args;
  for (;;) fork();
  return GAUNTLET_OK;
}
#define TEST_INFER forking_infer
#include "hostile.h"
