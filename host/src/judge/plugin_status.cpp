#include "judge/plugin_status.hpp"

#include <gauntlet/plugin_api.h>

namespace gauntlet::judge {

std::string plugin_status_name(int32_t status) {
  switch (status) {
    case GAUNTLET_ERROR:
      return "ERROR";
    case GAUNTLET_INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case GAUNTLET_UNSUPPORTED:
      return "UNSUPPORTED";
    case GAUNTLET_OUT_OF_MEMORY:
      return "OUT_OF_MEMORY";
    case GAUNTLET_CANCELLED:
      return "CANCELLED";
    default:
      return "status " + std::to_string(status);
  }
}

}  // namespace gauntlet::judge
