/* expected verdict: LOAD_ERROR; reason: "declares a size of 4294967295 bytes". The entry
 * returns a table claiming to be 4 GiB long: nothing past the fields a v1 table has is read. */
#define TEST_TABLE_SIZE 0xffffffffu
#include "hostile.h"
