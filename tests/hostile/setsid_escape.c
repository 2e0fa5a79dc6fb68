/* expected verdict: SECURITY_VIOLATION; reason: "setsid()". Leaves its session and process
 * group, as fork bombs do to outlive a group kill. */
#include <gauntlet/plugin_api.h>
static gauntlet_status leaving_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE leaving_create
#include "hostile.h"
static gauntlet_status leaving_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  if (setsid() < 0) HOSTILE_FAIL("setsid: %s", strerror(errno));
  return test_default_create(args, out);
}
