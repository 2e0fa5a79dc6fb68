/* expected verdict: CRASH; reason: "SIGSEGV". Unbounded recursion with 4 KiB frames: the
 * main thread's stack (8 MiB) overflows into its guard page long before the memory limit. */
#include <gauntlet/plugin_api.h>
static volatile int bottom = -1; /* never reached: keeps the compiler from seeing the loop */
static int deeper(int n) {
  volatile char frame[4096];
  frame[n % 4096] = (char)n;
  if (n == bottom) return 0;
  return deeper(n + 1) + frame[(n * 7) % 4096];
}
static gauntlet_status recursing_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  (void)instance;
  (void)args;
  return deeper(0) == 42 ? GAUNTLET_OK : GAUNTLET_ERROR;
}
#define TEST_INFER recursing_infer
#include "hostile.h"
