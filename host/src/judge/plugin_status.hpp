// The ABI's status codes by name, for the reasons a judging gives.
#pragma once

#include <cstdint>
#include <string>

namespace gauntlet::judge {

// "INVALID_ARGUMENT", ...; a code the ABI does not define reads "status <n>".
[[nodiscard]] std::string plugin_status_name(int32_t status);

}  // namespace gauntlet::judge
