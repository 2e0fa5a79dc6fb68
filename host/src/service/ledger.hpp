// The submission service's ledger: an SQLite database (WAL, synchronous FULL) that says who
// submitted what, when, with which hashes, and where each submission stands in the judging
// queue; the team and organizer tokens (hashes only); the finals teams chose; the request
// nonces that make a replayed request a refusal; the event's phase (frozen, published); and an
// append-only audit log. Results are not here: the result store (host/src/store) holds them.
//
// Every change is one transaction: a submission is recorded whole, with its nonce and its
// audit line, or not at all, and a refusal (replay, cap, frozen event, duplicate) writes
// nothing. kill -9 at any moment leaves the last committed state; judging that was under way
// is queued again by recover(). The schema has a version (PRAGMA user_version) and migrations
// (ledger_schema.cpp).
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace gauntlet::service {

enum class Role { team, organizer };
std::string role_name(Role role);

// Whoever a request's token belongs to.
struct Principal {
  std::string token_id;
  Role role = Role::team;
  std::string team;  // empty for the organizer
  std::string actor() const { return role == Role::organizer ? "organizer" : "team:" + team; }
};

struct TokenInfo {
  std::string id, team, created_at, revoked_at;
  Role role = Role::team;
};

struct Submission {
  int64_t id = 0;
  std::string team, challenge;
  int number = 0;             // the team's n-th submission on the challenge
  std::string kind;           // "library" | "model"
  std::string original_name;  // the file name as uploaded
  std::string folder;         // relative to the service folder
  std::string plugin_file;    // in `folder`: plugin.so | model.onnx
  std::string bundle_sha256, plugin_sha256, assets_sha256, assets_archive_sha256;
  int64_t plugin_bytes = 0, assets_files = 0, assets_bytes = 0;
  std::string submitted_at;  // ISO 8601 UTC
  std::string public_state;  // queued | judging | judged
  bool public_rejudge = false;
  std::string private_state = "none";  // none | queued | judging | judged (only finals, after the freeze)
  bool private_rejudge = false;
};

// A request the ledger refuses, and the HTTP status that says why (4xx).
struct Refusal {
  int status = 400;
  std::string message;
  // For a replayed request: what the first one did ("submission", "12"), so that a client that
  // lost the first answer knows what became of it.
  std::string replay_action{}, replay_ref{};
};

struct AcceptRules {
  int max_total = 0;  // per team and challenge; 0: none
  int per_day = 0;    // per team, challenge and UTC day; 0: none
  int queue_limit = 0;
};

struct AuditEntry {
  int64_t id = 0;
  std::string at, actor, action, detail;
};

// Where an event's ledger lives: <store>/service/ledger.sqlite.
[[nodiscard]] std::filesystem::path ledger_file(const std::filesystem::path& store);

class Ledger {
 public:
  // Opens (creating it when missing) and migrates the database. Throws std::runtime_error for a
  // database of a newer schema than this build knows, or one that cannot be opened.
  explicit Ledger(const std::filesystem::path& file);

  // The schema version of this build.
  static int schema_version();

  // Tokens: a new one for a team (or the organizer) replaces every earlier one; the token is
  // returned once and never stored.
  [[nodiscard]] std::string create_token(Role role, const std::string& team);
  [[nodiscard]] int revoke_tokens(Role role, const std::string& team);
  [[nodiscard]] std::vector<TokenInfo> tokens();
  // The holder of a token, when it is a valid, unrevoked one.
  [[nodiscard]] std::optional<Principal> authenticate(const std::string& token);

  // Records a staged submission (its files are already durable in `s.folder`); `s.id`,
  // `s.number` and `s.submitted_at` are filled in. A refusal changes nothing.
  [[nodiscard]] std::optional<Refusal> accept(Submission& s, const Principal& who, const std::string& nonce,
                                              const AcceptRules& rules);
  // accept()'s refusals that do not depend on the bundle (a replayed nonce, a frozen event, a cap
  // reached, a full queue), checked before an upload is staged. accept() checks them again.
  [[nodiscard]] std::optional<Refusal> precheck(const Principal& who, const std::string& nonce,
                                                const std::string& challenge, const AcceptRules& rules);

  [[nodiscard]] std::optional<Submission> submission(int64_t id);
  // Oldest first; empty team or challenge: all of them.
  [[nodiscard]] std::vector<Submission> submissions(const std::string& team = "",
                                                    const std::string& challenge = "");
  // Submissions waiting on the public split, ahead of `id` (0 when it is not queued).
  [[nodiscard]] int queue_ahead(int64_t id);
  [[nodiscard]] int queued(const std::string& split);
  // The next submissions to judge: the public queue first, one per team in turn (a team with
  // many uploads does not hold the others back), then the finals' private judging.
  struct Queued {
    Submission submission;
    std::string split;  // public | private
    bool rejudge = false;
  };
  [[nodiscard]] std::vector<Queued> next_batch(std::size_t n);
  void set_state(int64_t id, const std::string& split, const std::string& state);
  // At start-up: judging that a killed server left under way is queued again. Returns how many.
  int recover();
  // Judged submissions of `split` to queue again (their record is missing): see Service.
  void requeue(const std::vector<int64_t>& ids, const std::string& split);

  // The finals a team chose on a challenge (empty: it did not choose; the default applies).
  [[nodiscard]] std::vector<int64_t> chosen_finals(const std::string& team, const std::string& challenge);
  // Replaces them (empty: back to the default). Every id must be the team's on that challenge.
  [[nodiscard]] std::optional<Refusal> choose_finals(const Principal& who, const std::string& nonce,
                                                     const std::string& challenge,
                                                     const std::vector<int64_t>& ids, int max_finals);

  // The event's phase.
  [[nodiscard]] bool frozen();
  [[nodiscard]] bool published();
  [[nodiscard]] std::string published_at();
  // Freezing stops uploads and changes of finals. Once the public queue is empty, the judging
  // loop fixes the finals (fix_finals: their ids) and queues them on the private split; every
  // other submission leaves the private queue.
  [[nodiscard]] std::optional<Refusal> freeze(const Principal& who, const std::string& nonce);
  [[nodiscard]] bool finals_fixed();
  void fix_finals(const std::vector<int64_t>& finals);
  [[nodiscard]] std::optional<Refusal> unfreeze(const Principal& who, const std::string& nonce);
  // Only when frozen and every final is judged on the private split.
  [[nodiscard]] std::optional<Refusal> publish(const Principal& who, const std::string& nonce);
  // Queues the matching submissions again on `split` (private: finals only). Empty filters match
  // all. Returns how many, or a refusal.
  struct RejudgeFilter {
    int64_t submission = 0;
    std::string team, challenge, split = "public";
  };
  [[nodiscard]] std::variant<int, Refusal> rejudge(const Principal& who, const std::string& nonce,
                                                   const RejudgeFilter& filter);

  // The newest `limit` audit entries, newest first.
  [[nodiscard]] std::vector<AuditEntry> audit(int limit);

 private:
  // Refusal when `nonce` was used before by this token, naming what it did.
  std::optional<Refusal> check_nonce(const Principal& who, const std::string& nonce);
  std::optional<Refusal> check_caps(const std::string& team, const std::string& challenge,
                                    const AcceptRules& rules, const std::string& day, int* last_number);
  void record_nonce(const Principal& who, const std::string& nonce, const std::string& action,
                    const std::string& ref);
  void append_audit(const std::string& actor, const std::string& action, const std::string& detail);
  std::string meta(const std::string& key);
  void set_meta(const std::string& key, const std::string& value);

  std::mutex mutex_;
  SQLite::Database db_;
};

}  // namespace gauntlet::service
