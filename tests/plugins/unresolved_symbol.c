/* expected verdict: LOAD_ERROR (undefined symbol at load time: built without -z defs on
 * purpose, which the SDK's gauntlet_add_plugin would have caught at link time). */
#include "minimal_plugin.h"
extern int gauntlet_test_symbol_nobody_defines(void);
int test_uses_missing_symbol(void) { return gauntlet_test_symbol_nobody_defines(); }
