/* expected verdict: CRASH; reason: "SIGABRT". A C++ exception thrown out of infer(), through
 * the C ABI: the worker's noexcept call boundary turns it into std::terminate (and says so on
 * stderr), never into an error of the judge. */
#include <gauntlet/plugin_api.h>

#include <stdexcept>

static gauntlet_status throwing_infer(gauntlet_instance*, const gauntlet_infer_args*) {
  throw std::runtime_error("thrown through the C ABI");
}
#define TEST_INFER throwing_infer
#include "hostile.h"
