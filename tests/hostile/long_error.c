/* expected verdict: PLUGIN_ERROR; reason: "(status 2147483647): AAAA". Returns a status no
 * version of the ABI defines, with a 1 MiB error text (no control characters, no end in
 * sight): the judge keeps a bounded head of it. */
#include <gauntlet/plugin_api.h>
static char huge_message[1 << 20];
#define TEST_LAST_ERROR_TEXT huge_message
static gauntlet_status wrong_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  (void)instance;
  (void)args;
  for (unsigned i = 0; i + 1 < sizeof huge_message; ++i) huge_message[i] = 'A';
  return 0x7fffffff;
}
#define TEST_INFER wrong_infer
#include "hostile.h"
