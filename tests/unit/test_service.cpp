// The submission service's building blocks without a server: tokens (format, hashing, constant-time
// comparison) and the SQLite ledger (tokens stored hashed, rotation and revocation, a submission
// recorded whole or refused without a trace, replays, caps, the frozen phase, the queue's
// round robin over teams, a database from a newer build refused).
#include <doctest/doctest.h>

#include "service/asset_archive.hpp"
#include "service/ledger.hpp"
#include "service/tokens.hpp"
#include "support/run_command.hpp"

#include <SQLiteCpp/Database.h>

#include <filesystem>
#include <fstream>

using namespace gauntlet::service;
namespace fs = std::filesystem;

namespace {

Submission staged(const std::string& team, const std::string& bundle) {
  Submission s;
  s.team = team;
  s.challenge = "challenge";
  s.kind = "library";
  s.original_name = "lib.so";
  s.folder = std::string("bundles/").append(team).append("/challenge/").append(bundle);
  s.plugin_file = "plugin.so";
  s.bundle_sha256 = bundle;
  s.plugin_sha256 = bundle;
  return s;
}

int count_submissions(Ledger& ledger) { return static_cast<int>(ledger.submissions().size()); }

}  // namespace

TEST_CASE("tokens: random, parsed strictly, only their hash kept, compared in constant time") {
  init_crypto();
  const NewToken a = make_token(), b = make_token();
  CHECK(a.token != b.token);
  CHECK(a.token.size() == 4 + 16 + 1 + 43);
  CHECK(a.token.rfind("gnt_" + a.id + "_", 0) == 0);
  const auto parts = parse_token(a.token);
  REQUIRE(parts);
  CHECK(parts->id == a.id);
  CHECK(hash_secret(parts->secret) == a.hash);
  CHECK(a.hash.find(parts->secret) == std::string::npos);
  CHECK(same_hash(a.hash, hash_secret(parts->secret)));
  CHECK_FALSE(same_hash(a.hash, b.hash));
  CHECK_FALSE(same_hash(a.hash, a.hash.substr(1)));
  const std::vector<std::string> bad_tokens{"",
                                            "gnt_",
                                            "xyz_" + a.token.substr(4),
                                            a.token.substr(0, a.token.size() - 1),
                                            a.token + "A",
                                            "gnt_" + std::string(16, 'G') + a.token.substr(20),
                                            a.token + "\n"};
  for (const std::string& bad : bad_tokens) CHECK_FALSE(parse_token(bad));
}

TEST_CASE("the ledger: tokens hashed, rotated and revoked; submissions whole or refused without a trace") {
  init_crypto();
  const fs::path dir = gauntlet::testing::temp_dir("ledger");
  const fs::path file = dir / "ledger.sqlite";
  Ledger ledger(file);
  const std::string alpha1 = ledger.create_token(Role::team, "alpha");
  const std::string beta = ledger.create_token(Role::team, "beta");
  const std::string org = ledger.create_token(Role::organizer, "");
  REQUIRE(ledger.authenticate(alpha1));
  CHECK(ledger.authenticate(alpha1)->team == "alpha");
  CHECK(ledger.authenticate(org)->role == Role::organizer);
  CHECK_FALSE(ledger.authenticate(alpha1.substr(0, alpha1.size() - 1) + (alpha1.back() == 'A' ? "B" : "A")));
  const std::string alpha2 = ledger.create_token(Role::team, "alpha");  // rotation
  CHECK_FALSE(ledger.authenticate(alpha1));
  const Principal alpha = *ledger.authenticate(alpha2);
  CHECK(ledger.revoke_tokens(Role::team, "beta") == 1);
  CHECK_FALSE(ledger.authenticate(beta));

  AcceptRules rules{2, 0, 100};
  Submission s1 = staged("alpha", "b1");
  REQUIRE_FALSE(ledger.accept(s1, alpha, "nonce-0000000001", rules));
  CHECK(s1.id > 0);
  CHECK(s1.number == 1);
  CHECK(s1.public_state == "queued");
  const int audit_lines = static_cast<int>(ledger.audit(1000).size());

  // Each refusal: its status, and nothing recorded (no submission, no audit line).
  Submission replay = staged("alpha", "b2");
  auto r = ledger.accept(replay, alpha, "nonce-0000000001", rules);
  REQUIRE(r);
  CHECK(r->status == 409);
  CHECK(r->replay_action == "submission");
  CHECK(r->replay_ref == std::to_string(s1.id));
  Submission again = staged("alpha", "b1");
  r = ledger.accept(again, alpha, "nonce-0000000002", rules);
  REQUIRE(r);
  CHECK(r->status == 409);
  CHECK(count_submissions(ledger) == 1);
  CHECK(static_cast<int>(ledger.audit(1000).size()) == audit_lines);

  Submission s2 = staged("alpha", "b2");
  REQUIRE_FALSE(ledger.accept(s2, alpha, "nonce-0000000003", rules));
  CHECK(s2.number == 2);
  Submission over = staged("alpha", "b3");
  r = ledger.accept(over, alpha, "nonce-0000000004", rules);  // max_total 2
  REQUIRE(r);
  CHECK(r->status == 429);
  CHECK(count_submissions(ledger) == 2);

  // The queue takes teams in turn.
  const Principal gamma{"x", Role::team, "gamma"};
  Submission g1 = staged("gamma", "g1");
  REQUIRE_FALSE(ledger.accept(g1, gamma, "nonce-0000000005", rules));
  const auto batch = ledger.next_batch(10);
  REQUIRE(batch.size() == 3);
  CHECK(batch[0].submission.id == s1.id);
  CHECK(batch[1].submission.id == g1.id);
  CHECK(batch[2].submission.id == s2.id);

  // Frozen: uploads refused.
  const Principal organizer = *ledger.authenticate(org);
  REQUIRE_FALSE(ledger.freeze(organizer, "nonce-0000000006"));
  Submission late = staged("gamma", "g2");
  r = ledger.accept(late, gamma, "nonce-0000000007", rules);
  REQUIRE(r);
  CHECK(r->status == 409);
  CHECK(count_submissions(ledger) == 3);
  // A replayed organizer request too.
  r = ledger.freeze(organizer, "nonce-0000000006");
  REQUIRE(r);
  CHECK(r->status == 409);

  // Nothing of any token in the database file, in clear.
  std::string bytes;
  for (const auto& f : fs::directory_iterator(dir)) bytes += gauntlet::testing::read_file(f.path());
  for (const auto& t : {alpha1, alpha2, beta, org}) CHECK(bytes.find(t.substr(21)) == std::string::npos);
}

TEST_CASE("the ledger refuses a database written by a newer build") {
  const fs::path dir = gauntlet::testing::temp_dir("ledger-newer");
  const fs::path file = dir / "ledger.sqlite";
  { Ledger ledger(file); }
  {
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version = " + std::to_string(Ledger::schema_version() + 1));
  }
  CHECK_THROWS_AS(Ledger{file}, std::runtime_error);
}

TEST_CASE("asset archives as tar writes them: `tar -C weights .` (a './' root entry), gzip, folders") {
  const fs::path dir = gauntlet::testing::temp_dir("assets-tar");
  fs::create_directories(dir / "weights/vocab");
  std::ofstream(dir / "weights/weights.bin") << "0123456789";
  std::ofstream(dir / "weights/vocab/words.txt") << "a b c\n";
  for (const std::string flags : {"-cf", "-czf"}) {
    const fs::path archive = dir / ("weights" + flags + ".tar");
    const auto r = gauntlet::testing::run_command(
        {"/bin/tar", flags, archive.string(), "-C", (dir / "weights").string(), "."});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const fs::path into = dir / ("into" + flags);
    fs::create_directories(into);
    const AssetTree tree = unpack_assets(gauntlet::testing::read_file(archive), into, ArchiveLimits{});
    REQUIRE(tree.files.size() == 2);
    CHECK(tree.files[0].path == "vocab/words.txt");
    CHECK(tree.files[1].path == "weights.bin");
    CHECK(tree.bytes == 16);
    CHECK(gauntlet::testing::read_file(into / "weights.bin") == "0123456789");
    CHECK(gauntlet::testing::read_file(into / "vocab/words.txt") == "a b c\n");
  }
}
