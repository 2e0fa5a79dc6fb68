/* A plugin linked against "its own" oneDNN 3 (libdnnl.so.3, here a stub) instead of the judge's
 * Debian oneDNN 2.6 (libdnnl.so.2). The judge's machine has no libdnnl.so.3, so the load fails
 * with a LOAD_ERROR that names the missing library. */
#define TEST_NAME "needs-dnnl3"
#define TEST_CUSTOM_ENTRY
#include "minimal_plugin.h"

const void* dnnl_version(void);

GAUNTLET_EXPORT const gauntlet_plugin_api* gauntlet_plugin_entry(uint32_t host_abi_major,
                                                                 uint32_t host_abi_minor,
                                                                 const gauntlet_host_api* host) {
  (void)host_abi_minor;
  test_host = host;
  return host_abi_major == GAUNTLET_ABI_MAJOR && dnnl_version() ? &test_api : NULL;
}
