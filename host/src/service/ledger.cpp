#include "service/ledger.hpp"

#include "common/errors.hpp"
#include "common/utc_time.hpp"
#include "service/ledger_schema.hpp"
#include "service/tokens.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <chrono>
#include <ctime>
#include <map>
#include <set>

namespace gauntlet::service {
namespace {

using SQLite::Statement;
using SQLite::Transaction;
using SQLite::TransactionBehavior;

constexpr int kBusyTimeoutMs = 10000;  // another process (gauntlet teams) writing meanwhile

SQLite::Database open_database(const std::filesystem::path& file) {
  std::filesystem::create_directories(file.parent_path());
  SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX,
                      kBusyTimeoutMs);
  // WAL: readers never block the writer; FULL: a committed transaction survives a power cut, not
  // only a killed process (an acknowledged submission is never lost).
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
  return db;
}

Submission read_submission(Statement& q) {
  Submission s;
  int c = 0;
  s.id = q.getColumn(c++).getInt64();
  s.team = q.getColumn(c++).getString();
  s.challenge = q.getColumn(c++).getString();
  s.number = q.getColumn(c++).getInt();
  s.kind = q.getColumn(c++).getString();
  s.original_name = q.getColumn(c++).getString();
  s.folder = q.getColumn(c++).getString();
  s.plugin_file = q.getColumn(c++).getString();
  s.bundle_sha256 = q.getColumn(c++).getString();
  s.plugin_sha256 = q.getColumn(c++).getString();
  s.plugin_bytes = q.getColumn(c++).getInt64();
  s.assets_sha256 = q.getColumn(c++).getString();
  s.assets_archive_sha256 = q.getColumn(c++).getString();
  s.assets_files = q.getColumn(c++).getInt64();
  s.assets_bytes = q.getColumn(c++).getInt64();
  s.submitted_at = q.getColumn(c++).getString();
  s.public_state = q.getColumn(c++).getString();
  s.public_rejudge = q.getColumn(c++).getInt() != 0;
  s.private_state = q.getColumn(c++).getString();
  s.private_rejudge = q.getColumn(c++).getInt() != 0;
  return s;
}

const char* const kColumns =
    "id, team, challenge, number, kind, original_name, folder, plugin_file, bundle_sha256, plugin_sha256, "
    "plugin_bytes, assets_sha256, assets_archive_sha256, assets_files, assets_bytes, submitted_at, "
    "public_state, "
    "public_rejudge, private_state, private_rejudge";

std::vector<Submission> read_all(Statement& q) {
  std::vector<Submission> out;
  while (q.executeStep()) out.push_back(read_submission(q));
  return out;
}

std::string state_column(const std::string& split) {
  if (split == "public") return "public_state";
  if (split == "private") return "private_state";
  throw UsageError("the split is 'public' or 'private', not '" + split + "'");
}

}  // namespace

std::string role_name(Role role) { return role == Role::organizer ? "organizer" : "team"; }

std::filesystem::path ledger_file(const std::filesystem::path& store) {
  return store / "service" / "ledger.sqlite";
}

Ledger::Ledger(const std::filesystem::path& file) : db_(open_database(file)) {
  try {
    migrate_ledger(db_);
  } catch (const SQLite::Exception& e) {
    throw std::runtime_error("cannot set up the ledger " + file.string() + ": " + e.what());
  }
}

int Ledger::schema_version() { return ledger_schema_version(); }

// ---- tokens ---------------------------------------------------------------------------------

std::string Ledger::create_token(Role role, const std::string& team) {
  const NewToken t = make_token();
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction tx(db_, TransactionBehavior::IMMEDIATE);
  const std::string now = utc_timestamp_ms();
  Statement revoke(db_,
                   "UPDATE tokens SET revoked_at = ? WHERE role = ? AND team = ? AND revoked_at IS NULL");
  revoke.bind(1, now);
  revoke.bind(2, role_name(role));
  revoke.bind(3, team);
  const int replaced = revoke.exec();
  Statement insert(db_, "INSERT INTO tokens(id, role, team, hash, created_at) VALUES (?, ?, ?, ?, ?)");
  insert.bind(1, t.id);
  insert.bind(2, role_name(role));
  insert.bind(3, team);
  insert.bind(4, t.hash);
  insert.bind(5, now);
  insert.exec();
  append_audit("organizer", replaced ? "token.rotate" : "token.create",
               role == Role::organizer ? "organizer token " + t.id : "team " + team + " token " + t.id);
  tx.commit();
  return t.token;
}

int Ledger::revoke_tokens(Role role, const std::string& team) {
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction tx(db_, TransactionBehavior::IMMEDIATE);
  Statement revoke(db_,
                   "UPDATE tokens SET revoked_at = ? WHERE role = ? AND team = ? AND revoked_at IS NULL");
  revoke.bind(1, utc_timestamp_ms());
  revoke.bind(2, role_name(role));
  revoke.bind(3, team);
  const int n = revoke.exec();
  if (n) append_audit("organizer", "token.revoke", role == Role::organizer ? "organizer" : "team " + team);
  tx.commit();
  return n;
}

std::vector<TokenInfo> Ledger::tokens() {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement q(db_, "SELECT id, role, team, created_at, revoked_at FROM tokens ORDER BY created_at, id");
  std::vector<TokenInfo> out;
  while (q.executeStep()) {
    TokenInfo t;
    t.id = q.getColumn(0).getString();
    t.role = q.getColumn(1).getString() == "organizer" ? Role::organizer : Role::team;
    t.team = q.getColumn(2).getString();
    t.created_at = q.getColumn(3).getString();
    t.revoked_at = q.getColumn(4).isNull() ? "" : q.getColumn(4).getString();
    out.push_back(std::move(t));
  }
  return out;
}

std::optional<Principal> Ledger::authenticate(const std::string& token) {
  const auto parts = parse_token(token);
  if (!parts) return std::nullopt;
  const std::string hash = hash_secret(parts->secret);
  std::lock_guard<std::mutex> lock(mutex_);
  Statement q(db_, "SELECT role, team, hash FROM tokens WHERE id = ? AND revoked_at IS NULL");
  q.bind(1, parts->id);
  if (!q.executeStep()) return std::nullopt;
  if (!same_hash(hash, q.getColumn(2).getString())) return std::nullopt;
  Principal p;
  p.token_id = parts->id;
  p.role = q.getColumn(0).getString() == "organizer" ? Role::organizer : Role::team;
  p.team = p.role == Role::team ? q.getColumn(1).getString() : "";
  return p;
}

// ---- nonces, audit, meta (callers hold the mutex and a transaction) ---------------------------

std::optional<Refusal> Ledger::check_nonce(const Principal& who, const std::string& nonce) {
  Statement q(db_, "SELECT action, ref, at FROM requests WHERE token_id = ? AND nonce = ?");
  q.bind(1, who.token_id);
  q.bind(2, nonce);
  if (!q.executeStep()) return std::nullopt;
  const std::string action = q.getColumn(0).getString(), ref = q.getColumn(1).getString();
  return Refusal{409,
                 "replayed request: nonce " + nonce + " was already used at " + q.getColumn(2).getString() +
                     " (" + action + (ref.empty() ? "" : " " + ref) + "); nothing done again",
                 action, ref};
}

void Ledger::record_nonce(const Principal& who, const std::string& nonce, const std::string& action,
                          const std::string& ref) {
  Statement q(db_, "INSERT INTO requests(token_id, nonce, at, action, ref) VALUES (?, ?, ?, ?, ?)");
  q.bind(1, who.token_id);
  q.bind(2, nonce);
  q.bind(3, utc_timestamp_ms());
  q.bind(4, action);
  q.bind(5, ref);
  q.exec();
}

void Ledger::append_audit(const std::string& actor, const std::string& action, const std::string& detail) {
  Statement q(db_, "INSERT INTO audit(at, actor, action, detail) VALUES (?, ?, ?, ?)");
  q.bind(1, utc_timestamp_ms());
  q.bind(2, actor);
  q.bind(3, action);
  q.bind(4, detail);
  q.exec();
}

std::string Ledger::meta(const std::string& key) {
  Statement q(db_, "SELECT value FROM meta WHERE key = ?");
  q.bind(1, key);
  return q.executeStep() ? q.getColumn(0).getString() : std::string();
}

void Ledger::set_meta(const std::string& key, const std::string& value) {
  Statement q(
      db_,
      "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  q.bind(1, key);
  q.bind(2, value);
  q.exec();
}

// ---- submissions ------------------------------------------------------------------------------

std::optional<Refusal> Ledger::check_caps(const std::string& team, const std::string& challenge,
                                          const AcceptRules& rules, const std::string& day,
                                          int* last_number) {
  if (meta("frozen") == "1") return Refusal{409, "submissions are frozen by the organizer; nothing recorded"};
  Statement q(
      db_,
      "SELECT COUNT(*), COALESCE(SUM(submitted_day = ?), 0), COALESCE(MAX(number), 0) FROM submissions "
      "WHERE team = ? AND challenge = ?");
  q.bind(1, day);
  q.bind(2, team);
  q.bind(3, challenge);
  q.executeStep();
  const int total = q.getColumn(0).getInt(), today = q.getColumn(1).getInt();
  if (last_number) *last_number = q.getColumn(2).getInt();
  if (rules.max_total > 0 && total >= rules.max_total)
    return Refusal{429, "team '" + team + "' has used all " + std::to_string(rules.max_total) +
                            " submissions on " + challenge + " (submissions.max_per_team); nothing recorded"};
  if (rules.per_day > 0 && today >= rules.per_day)
    return Refusal{429, "team '" + team + "' has used its " + std::to_string(rules.per_day) +
                            " submissions on " + challenge + " for today (UTC " + day +
                            ", submissions.per_day); nothing recorded"};
  if (rules.queue_limit > 0) {
    const int waiting =
        db_.execAndGet("SELECT COUNT(*) FROM submissions WHERE public_state != 'judged'").getInt();
    if (waiting >= rules.queue_limit)
      return Refusal{429,
                     "the judging queue is full (" + std::to_string(waiting) +
                         " submissions waiting, service.queue_limit); try again later; nothing recorded"};
  }
  return std::nullopt;
}

std::optional<Refusal> Ledger::precheck(const Principal& who, const std::string& nonce,
                                        const std::string& challenge, const AcceptRules& rules) {
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction tx(db_);  // one consistent read
  if (auto replay = check_nonce(who, nonce)) return replay;
  return check_caps(who.team, challenge, rules, utc_timestamp_ms().substr(0, 10), nullptr);
}

std::optional<Refusal> Ledger::accept(Submission& s, const Principal& who, const std::string& nonce,
                                      const AcceptRules& rules) {
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction tx(db_, TransactionBehavior::IMMEDIATE);
  if (auto replay = check_nonce(who, nonce)) return replay;
  const std::string now = utc_timestamp_ms();
  const std::string day = now.substr(0, 10);
  {
    Statement q(db_, "SELECT number FROM submissions WHERE team = ? AND challenge = ? AND bundle_sha256 = ?");
    q.bind(1, s.team);
    q.bind(2, s.challenge);
    q.bind(3, s.bundle_sha256);
    if (q.executeStep())
      return Refusal{409, "this bundle was already submitted (submission " + q.getColumn(0).getString() +
                              " of team '" + s.team + "' on " + s.challenge + "); nothing recorded"};
  }
  int last = 0;
  if (auto refused = check_caps(s.team, s.challenge, rules, day, &last)) return refused;
  s.number = last + 1;
  s.submitted_at = now;
  s.public_state = "queued";
  s.private_state = "none";
  Statement insert(
      db_,
      "INSERT INTO submissions(team, challenge, number, kind, original_name, folder, plugin_file, "
      "bundle_sha256, plugin_sha256, plugin_bytes, assets_sha256, assets_archive_sha256, assets_files, "
      "assets_bytes, submitted_at, submitted_day, token_id) VALUES "
      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  int c = 1;
  insert.bind(c++, s.team);
  insert.bind(c++, s.challenge);
  insert.bind(c++, s.number);
  insert.bind(c++, s.kind);
  insert.bind(c++, s.original_name);
  insert.bind(c++, s.folder);
  insert.bind(c++, s.plugin_file);
  insert.bind(c++, s.bundle_sha256);
  insert.bind(c++, s.plugin_sha256);
  insert.bind(c++, s.plugin_bytes);
  insert.bind(c++, s.assets_sha256);
  insert.bind(c++, s.assets_archive_sha256);
  insert.bind(c++, s.assets_files);
  insert.bind(c++, s.assets_bytes);
  insert.bind(c++, now);
  insert.bind(c++, day);
  insert.bind(c++, who.token_id);
  insert.exec();
  s.id = db_.getLastInsertRowid();
  record_nonce(who, nonce, "submission", std::to_string(s.id));
  append_audit(who.actor(), "submission.accept",
               "submission " + std::to_string(s.id) + " (" + s.team + " #" + std::to_string(s.number) +
                   " on " + s.challenge + "), bundle " + s.bundle_sha256);
  tx.commit();
  return std::nullopt;
}

std::optional<Submission> Ledger::submission(int64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement q(db_, std::string("SELECT ") + kColumns + " FROM submissions WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return read_submission(q);
}

std::vector<Submission> Ledger::submissions(const std::string& team, const std::string& challenge) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement q(
      db_, std::string("SELECT ") + kColumns +
               " FROM submissions WHERE (?1 = '' OR team = ?1) AND (?2 = '' OR challenge = ?2) ORDER BY id");
  q.bind(1, team);
  q.bind(2, challenge);
  return read_all(q);
}

int Ledger::queue_ahead(int64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement q(db_,
              "SELECT COUNT(*) FROM submissions WHERE public_state = 'queued' AND id < ?1 AND "
              "(SELECT public_state FROM submissions WHERE id = ?1) = 'queued'");
  q.bind(1, id);
  q.executeStep();
  return q.getColumn(0).getInt();
}

int Ledger::queued(const std::string& split) {
  std::lock_guard<std::mutex> lock(mutex_);
  return db_
      .execAndGet("SELECT COUNT(*) FROM submissions WHERE " + state_column(split) +
                  " IN ('queued', 'judging')")
      .getInt();
}

std::vector<Ledger::Queued> Ledger::next_batch(std::size_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Round robin over teams: each team's oldest first, then each team's second, ...
  Statement pub(db_, std::string("SELECT ") + kColumns +
                         " FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY team ORDER BY id) AS turn FROM "
                         "submissions WHERE public_state = 'queued') ORDER BY turn, id LIMIT ?");
  pub.bind(1, static_cast<int64_t>(n));
  std::vector<Queued> out;
  for (auto& s : read_all(pub)) {
    const bool again = s.public_rejudge;
    out.push_back({std::move(s), "public", again});
  }
  if (out.size() < n) {
    Statement priv(db_, std::string("SELECT ") + kColumns +
                            " FROM submissions WHERE private_state = 'queued' ORDER BY id LIMIT ?");
    priv.bind(1, static_cast<int64_t>(n - out.size()));
    for (auto& s : read_all(priv)) {
      const bool again = s.private_rejudge;
      out.push_back({std::move(s), "private", again});
    }
  }
  return out;
}

void Ledger::set_state(int64_t id, const std::string& split, const std::string& state) {
  const std::string column = state_column(split);
  std::lock_guard<std::mutex> lock(mutex_);
  // Leaving the queue for good clears the rejudge mark; a rejudge queued meanwhile keeps its own.
  std::string sql = "UPDATE submissions SET " + column + " = ?1";
  if (state == "judged") sql += ", " + split + "_rejudge = 0";
  sql += " WHERE id = ?2";
  if (state == "judged") sql += " AND " + column + " = 'judging'";
  Statement q(db_, sql);
  q.bind(1, state);
  q.bind(2, id);
  q.exec();
}

int Ledger::recover() {
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction tx(db_, TransactionBehavior::IMMEDIATE);
  const int n = db_.exec("UPDATE submissions SET public_state = 'queued' WHERE public_state = 'judging'") +
                db_.exec("UPDATE submissions SET private_state = 'queued' WHERE private_state = 'judging'");
  tx.commit();
  return n;
}

void Ledger::requeue(const std::vector<int64_t>& ids, const std::string& split) {
  const std::string column = state_column(split);
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction tx(db_, TransactionBehavior::IMMEDIATE);
  Statement q(db_,
              "UPDATE submissions SET " + column + " = 'queued' WHERE id = ? AND " + column + " = 'judged'");
  for (const int64_t id : ids) {
    q.reset();
    q.bind(1, id);
    q.exec();
  }
  tx.commit();
}

// ---- finals and the event's phase ---------------------------------------------------------------

std::vector<int64_t> Ledger::chosen_finals(const std::string& team, const std::string& challenge) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement q(db_, "SELECT submission FROM finals WHERE team = ? AND challenge = ? ORDER BY submission");
  q.bind(1, team);
  q.bind(2, challenge);
  std::vector<int64_t> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getInt64());
  return out;
}

std::optional<Refusal> Ledger::choose_finals(const Principal& who, const std::string& nonce,
                                             const std::string& challenge, const std::vector<int64_t>& ids,
                                             int max_finals) {
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction tx(db_, TransactionBehavior::IMMEDIATE);
  if (auto replay = check_nonce(who, nonce)) return replay;
  if (meta("frozen") == "1")
    return Refusal{409, "submissions are frozen: the finals are fixed; nothing changed"};
  const std::set<int64_t> unique(ids.begin(), ids.end());
  if (unique.size() != ids.size()) return Refusal{422, "a submission is listed twice; nothing changed"};
  if (static_cast<int>(ids.size()) > max_finals)
    return Refusal{422, "at most " + std::to_string(max_finals) + " final submissions per challenge (" +
                            std::to_string(ids.size()) +
                            " given, submissions.final_per_team); nothing changed"};
  Statement own(db_, "SELECT 1 FROM submissions WHERE id = ? AND team = ? AND challenge = ?");
  for (const int64_t id : ids) {
    own.reset();
    own.bind(1, id);
    own.bind(2, who.team);
    own.bind(3, challenge);
    // Another team's submission is not "forbidden" but unknown: its existence is not the team's business.
    if (!own.executeStep())
      return Refusal{404, "no submission " + std::to_string(id) + " of team '" + who.team + "' on " +
                              challenge + "; nothing changed"};
  }
  Statement clear(db_, "DELETE FROM finals WHERE team = ? AND challenge = ?");
  clear.bind(1, who.team);
  clear.bind(2, challenge);
  clear.exec();
  Statement insert(db_, "INSERT INTO finals(team, challenge, submission) VALUES (?, ?, ?)");
  std::string list;
  for (const int64_t id : ids) {
    insert.reset();
    insert.bind(1, who.team);
    insert.bind(2, challenge);
    insert.bind(3, id);
    insert.exec();
    list += (list.empty() ? "" : ", ") + std::to_string(id);
  }
  record_nonce(who, nonce, "finals", challenge);
  append_audit(who.actor(), "finals.choose", challenge + ": " + (list.empty() ? "the default" : list));
  tx.commit();
  return std::nullopt;
}

bool Ledger::frozen() {
  std::lock_guard<std::mutex> lock(mutex_);
  return meta("frozen") == "1";
}

bool Ledger::published() {
  std::lock_guard<std::mutex> lock(mutex_);
  return meta("published") == "1";
}

std::string Ledger::published_at() {
  std::lock_guard<std::mutex> lock(mutex_);
  return meta("published_at");
}

std::optional<Refusal> Ledger::freeze(const Principal& who, const std::string& nonce) {
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction tx(db_, TransactionBehavior::IMMEDIATE);
  if (auto replay = check_nonce(who, nonce)) return replay;
  if (meta("frozen") == "1") return Refusal{409, "submissions are already frozen"};
  set_meta("frozen", "1");
  set_meta("finals_fixed", "0");
  record_nonce(who, nonce, "freeze", "");
  append_audit(who.actor(), "event.freeze", "uploads and final choices stopped");
  tx.commit();
  return std::nullopt;
}

bool Ledger::finals_fixed() {
  std::lock_guard<std::mutex> lock(mutex_);
  return meta("frozen") == "1" && meta("finals_fixed") == "1";
}

void Ledger::fix_finals(const std::vector<int64_t>& finals) {
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction tx(db_, TransactionBehavior::IMMEDIATE);
  if (meta("frozen") != "1" || meta("finals_fixed") == "1") return;
  const std::set<int64_t> keep(finals.begin(), finals.end());
  Statement all(db_, "SELECT id, private_state FROM submissions");
  std::map<int64_t, std::string> states;
  while (all.executeStep()) states[all.getColumn(0).getInt64()] = all.getColumn(1).getString();
  Statement set(db_, "UPDATE submissions SET private_state = ? WHERE id = ?");
  std::string list;
  for (const auto& [id, state] : states) {
    if (keep.count(id)) list += (list.empty() ? "" : ", ") + std::to_string(id);
    const std::string want = keep.count(id) ? (state == "none" ? "queued" : state) : "none";
    if (want == state) continue;
    set.reset();
    set.bind(1, want);
    set.bind(2, id);
    set.exec();
  }
  set_meta("finals_fixed", "1");
  append_audit("judge", "finals.fix",
               std::to_string(keep.size()) + " finals queued on the private split: " + list);
  tx.commit();
}

std::optional<Refusal> Ledger::unfreeze(const Principal& who, const std::string& nonce) {
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction tx(db_, TransactionBehavior::IMMEDIATE);
  if (auto replay = check_nonce(who, nonce)) return replay;
  if (meta("frozen") != "1") return Refusal{409, "submissions are not frozen"};
  if (meta("published") == "1")
    return Refusal{409, "the private leaderboard is published: the event is over"};
  set_meta("frozen", "0");
  set_meta("finals_fixed", "0");
  record_nonce(who, nonce, "unfreeze", "");
  append_audit(who.actor(), "event.unfreeze", "");
  tx.commit();
  return std::nullopt;
}

std::optional<Refusal> Ledger::publish(const Principal& who, const std::string& nonce) {
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction tx(db_, TransactionBehavior::IMMEDIATE);
  if (auto replay = check_nonce(who, nonce)) return replay;
  if (meta("published") == "1") return Refusal{409, "the private leaderboard is already published"};
  if (meta("frozen") != "1")
    return Refusal{409, "freeze submissions first (POST /api/v1/admin/freeze): the finals must be fixed"};
  if (meta("finals_fixed") != "1")
    return Refusal{409,
                   "the finals are not fixed yet: submissions are still being judged on the public split"};
  const int pending =
      db_.execAndGet("SELECT COUNT(*) FROM submissions WHERE private_state IN ('queued', 'judging')")
          .getInt();
  if (pending)
    return Refusal{409, std::to_string(pending) + " final submission" + (pending == 1 ? " is" : "s are") +
                            " still being judged on the private split; publish when they are done"};
  const std::string now = utc_timestamp_ms();
  set_meta("published", "1");
  set_meta("published_at", now);
  record_nonce(who, nonce, "publish", now);
  append_audit(who.actor(), "event.publish", "private leaderboard published");
  tx.commit();
  return std::nullopt;
}

std::variant<int, Refusal> Ledger::rejudge(const Principal& who, const std::string& nonce,
                                           const RejudgeFilter& f) {
  const std::string column = state_column(f.split);
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction tx(db_, TransactionBehavior::IMMEDIATE);
  if (auto replay = check_nonce(who, nonce)) return *replay;
  std::string sql =
      "UPDATE submissions SET " + column + " = 'queued', " + f.split +
      "_rejudge = 1 WHERE (?1 = 0 OR id = ?1) AND (?2 = '' OR team = ?2) AND (?3 = '' OR challenge = ?3)"
      " AND " +
      column + " != 'judging'";
  if (f.split == "private") sql += " AND private_state != 'none'";  // finals only
  Statement q(db_, sql);
  q.bind(1, f.submission);
  q.bind(2, f.team);
  q.bind(3, f.challenge);
  const int n = q.exec();
  if (n == 0)
    return Refusal{404, "no " + std::string(f.split == "private" ? "final " : "") +
                            "submission matches (or it is being judged right now); nothing queued"};
  std::string what = f.split;
  if (f.submission) what += " submission " + std::to_string(f.submission);
  if (!f.team.empty()) what += " team " + f.team;
  if (!f.challenge.empty()) what += " challenge " + f.challenge;
  record_nonce(who, nonce, "rejudge", what);
  append_audit(who.actor(), "rejudge", what + ": " + std::to_string(n) + " queued");
  tx.commit();
  return n;
}

std::vector<AuditEntry> Ledger::audit(int limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement q(db_, "SELECT id, at, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?");
  q.bind(1, limit);
  std::vector<AuditEntry> out;
  while (q.executeStep())
    out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                   q.getColumn(3).getString(), q.getColumn(4).getString()});
  return out;
}

}  // namespace gauntlet::service
