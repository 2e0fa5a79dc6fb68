/* expected verdict: CRASH; reason: "during loading the plugin (killed by SIGSEGV". A static
 * constructor that crashes: it runs inside dlopen(), already under the whole sandbox. */
#include "hostile.h"
static int* volatile nowhere = NULL; /* volatile: the compiler may not drop the bad write */
__attribute__((constructor)) static void crash_at_load(void) { *nowhere = 1; }
