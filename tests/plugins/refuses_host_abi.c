/* expected verdict: ABI_MISMATCH (the entry returns NULL: it only serves ABI 7). */
#define TEST_CUSTOM_ENTRY
#include "minimal_plugin.h"
GAUNTLET_EXPORT const gauntlet_plugin_api* gauntlet_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor,
                                                                 const gauntlet_host_api* host) {
  (void)host_abi_minor;
  test_host = host;
  return host_abi_major == 7 ? &test_api : NULL;
}
