/* expected verdict: ABI_MISMATCH (its table says it was built for ABI 2). */
#define TEST_ABI_MAJOR 2
#include "minimal_plugin.h"
