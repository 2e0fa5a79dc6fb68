// The ledger's schema and its migrations: PRAGMA user_version says which of them a database
// has had; each is applied once, in its own transaction, in order.
#pragma once

#include <SQLiteCpp/Database.h>

namespace gauntlet::service {

// The version this build writes (the number of migrations).
int ledger_schema_version();

// Brings `db` to ledger_schema_version(). Throws std::runtime_error for a database written by a
// newer build (a higher version than this one knows).
void migrate_ledger(SQLite::Database& db);

}  // namespace gauntlet::service
