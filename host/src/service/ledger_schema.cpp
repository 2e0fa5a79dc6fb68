#include "service/ledger_schema.hpp"

#include <SQLiteCpp/Transaction.h>

#include <iterator>
#include <stdexcept>
#include <string>

namespace gauntlet::service {
namespace {

// Append only: a released migration is never edited, a change is a new one.
const char* const kMigrations[] = {
    // 1: the first schema.
    R"SQL(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE tokens(
  id TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK(role IN ('team', 'organizer')),
  team TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
) STRICT;
CREATE TABLE submissions(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  team TEXT NOT NULL,
  challenge TEXT NOT NULL,
  number INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('library', 'model')),
  original_name TEXT NOT NULL,
  folder TEXT NOT NULL,
  plugin_file TEXT NOT NULL,
  bundle_sha256 TEXT NOT NULL,
  plugin_sha256 TEXT NOT NULL,
  plugin_bytes INTEGER NOT NULL,
  assets_sha256 TEXT NOT NULL,
  assets_archive_sha256 TEXT NOT NULL,
  assets_files INTEGER NOT NULL,
  assets_bytes INTEGER NOT NULL,
  submitted_at TEXT NOT NULL,
  submitted_day TEXT NOT NULL,
  token_id TEXT NOT NULL,
  public_state TEXT NOT NULL DEFAULT 'queued' CHECK(public_state IN ('queued', 'judging', 'judged')),
  public_rejudge INTEGER NOT NULL DEFAULT 0,
  private_state TEXT NOT NULL DEFAULT 'none' CHECK(private_state IN ('none', 'queued', 'judging', 'judged')),
  private_rejudge INTEGER NOT NULL DEFAULT 0,
  UNIQUE(team, challenge, number),
  UNIQUE(team, challenge, bundle_sha256)
) STRICT;
CREATE INDEX submissions_by_state ON submissions(public_state, private_state);
CREATE TABLE finals(
  team TEXT NOT NULL,
  challenge TEXT NOT NULL,
  submission INTEGER NOT NULL REFERENCES submissions(id),
  PRIMARY KEY(team, challenge, submission)
) STRICT;
CREATE TABLE requests(
  token_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  ref TEXT NOT NULL,
  PRIMARY KEY(token_id, nonce)
) STRICT;
CREATE TABLE audit(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)SQL",
};

}  // namespace

int ledger_schema_version() { return static_cast<int>(std::size(kMigrations)); }

void migrate_ledger(SQLite::Database& db) {
  for (;;) {
    // The version is read inside the write transaction: two processes opening a new ledger at
    // once (the server and `gauntlet teams`) do not both apply a migration.
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const int have = db.execAndGet("PRAGMA user_version").getInt();
    if (have > ledger_schema_version())
      throw std::runtime_error("the ledger " + db.getFilename() + " has schema version " +
                               std::to_string(have) + ", newer than this gauntlet knows (" +
                               std::to_string(ledger_schema_version()) + "); use a newer gauntlet");
    if (have == ledger_schema_version()) return;
    db.exec(kMigrations[have]);
    db.exec("PRAGMA user_version = " + std::to_string(have + 1));
    tx.commit();
  }
}

}  // namespace gauntlet::service
