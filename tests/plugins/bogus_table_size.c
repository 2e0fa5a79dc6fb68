/* expected verdict: LOAD_ERROR (the table declares 8 bytes: nothing past that may be read). */
#define TEST_TABLE_SIZE 8
#include "minimal_plugin.h"
