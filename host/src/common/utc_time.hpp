// The one clock format of records, ledgers and logs.
#pragma once

#include <string>

namespace gauntlet {

// ISO 8601 UTC timestamp of now, e.g. 2026-11-29T14:22:33Z.
[[nodiscard]] std::string utc_timestamp();

}  // namespace gauntlet
