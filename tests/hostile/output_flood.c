/* expected verdict: OK; check: /worker/stdout/truncated == true. Writes 64 MiB to stdout and
 * to stderr in create(): the host keeps the first 64 KiB of each, counts the rest, and is
 * neither slowed down nor filled up. */
#include <gauntlet/plugin_api.h>
static gauntlet_status flooding_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE flooding_create
#include "hostile.h"
static gauntlet_status flooding_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  static char line[65536];
  memset(line, 'x', sizeof line);
  line[sizeof line - 1] = '\n';
  for (int i = 0; i < 1024; ++i) {
    if (write(1, line, sizeof line) < 0 || write(2, line, sizeof line) < 0) break;
  }
  return test_default_create(args, out);
}
