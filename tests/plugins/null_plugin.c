/* expected verdict: OK. Writes zeros and returns at once: the judge's own per-call
 * overhead is what is left to measure. */
#define TEST_NAME "null"
#include "minimal_plugin.h"
