// The clock formats of records, ledgers, logs and file names: one place for each.
#pragma once

#include <string>

namespace gauntlet {

// ISO 8601 UTC timestamp of now, e.g. 2026-11-29T14:22:33Z (records, results).
[[nodiscard]] std::string utc_timestamp();

// The same with milliseconds, e.g. 2026-11-29T14:22:33.047Z: ordering events within a second
// (the service's ledger).
[[nodiscard]] std::string utc_timestamp_ms();

// Compact, for file names: 20261129T142233Z.
[[nodiscard]] std::string utc_file_stamp();

}  // namespace gauntlet
