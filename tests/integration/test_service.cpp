// The submission service end to end (issue 14): a real `gauntlet serve` on a loopback port, tokens
// from `gauntlet teams`, uploads with the team client (`gauntlet submit --server`) and with raw
// HTTP, verdicts from the real worker and sandbox; every refusal a 4xx with one JSON line that
// writes nothing; tokens never in clear in the log or the store; Kaggle-style selection (public
// on every submission, private on finals only, the private leaderboard only once published, and
// no private value on any endpoint before that).
#include "service_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

using namespace gauntlet::testing;
using namespace gauntlet::testing::service;

namespace {

// Everything a refusal must leave as it was: the submissions and audit the organizer sees, the
// bundle and staging folders, the stored results.
std::string snapshot(const Server& server, const std::string& organizer, const fs::path& store) {
  auto c = server.client();
  auto subs = c.Get("/api/v1/admin/submissions", auth(organizer));
  auto audit = c.Get("/api/v1/admin/audit?limit=10000", auth(organizer));
  REQUIRE(subs);
  REQUIRE(audit);
  std::string out =
      json::parse(subs->body)["submissions"].dump() + "\n" + json::parse(audit->body).dump() + "\n";
  for (const auto& sub : {"service/bundles", "service/incoming", "public", "private"}) {
    std::error_code ec;
    if (!fs::exists(store / sub)) continue;
    for (const auto& f : fs::recursive_directory_iterator(store / sub, ec)) out += f.path().string() + "\n";
  }
  return out;
}

// A raw request whose body stops short of its Content-Length: the client closes its side.
std::string truncated_upload(int port, const std::string& token) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"challenge\"\r\n\r\ntiny-regression\r\n--XyZ\r\n"
      "Content-Disposition: form-data; name=\"plugin\"; filename=\"a.so\"\r\n\r\n\x7f"
      "ELF and then nothing";
  const std::string head =
      "POST /api/v1/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
      "\r\nX-Gauntlet-Nonce: truncated-upload-0001\r\nContent-Type: multipart/form-data; "
      "boundary=XyZ\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n";
  const std::string sent = head + body;
  REQUIRE(::send(fd, sent.data(), sent.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(sent.size()));
  ::shutdown(fd, SHUT_WR);
  std::string answer;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) answer.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return answer;
}

// Team -> score of the first challenge of a leaderboard in JSON.
std::map<std::string, double> board_scores(const json& board) {
  std::map<std::string, double> out;
  for (const auto& row : board["challenges"][0]["rows"])
    if (row["score"].is_number()) out[row["team"].get<std::string>()] = row["score"].get<double>();
  return out;
}

// The same from `gauntlet leaderboard <event.yaml>`, run offline next to the server.
std::map<std::string, double> offline_scores(const std::string& config, const std::string& split) {
  const auto r =
      run_command({gauntlet_binary(), "leaderboard", config, "--split", split, "--format", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto scores = board_scores(json::parse(r.out));
  CHECK_FALSE(scores.empty());
  return scores;
}

}  // namespace

TEST_CASE(
    "the service: tokens, uploads by the team client and raw HTTP, verdicts, refusals that write nothing") {
  const fs::path dir = temp_dir("service");
  // The upload cap: just above the largest library uploaded (a sanitized build's are larger).
  const auto cap_mb = static_cast<int>(fs::file_size(sample_plugin("least_squares")) >> 20) + 1;
  const std::string config = write_event(dir,
                                         "teams:\n  - name: alpha\n  - name: beta\n"
                                         "submissions:\n  max_upload_mb: " +
                                             std::to_string(cap_mb) +
                                             "\n  final_per_team: 1\n"
                                             "service:\n  rate_per_minute: 100000\n  timeout_seconds: 3\n");
  const auto tokens = make_tokens(config, dir);
  REQUIRE(tokens.size() == 3);
  for (const auto& f : fs::directory_iterator(dir / "tokens"))
    CHECK((f.status().permissions() & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
  const std::string alpha = tokens.at("alpha"), beta = tokens.at("beta"), org = tokens.at("organizer");
  const fs::path store = dir / "store";
  Server server(config, dir);

  // The team client: uploads, waits, prints the verdict; then lists the team's submissions.
  auto sub = run_command({gauntlet_binary(), "submit", "--server", server.url(), "--token-file",
                          (dir / "tokens/alpha.token").string(), "--challenge", "tiny-regression",
                          sample_plugin("least_squares")},
                         180);
  INFO(sub.out << sub.err << server.log());
  REQUIRE(sub.exit_code == 0);
  CHECK(sub.out.find("submission 1 accepted: team alpha #1 on tiny-regression") != std::string::npos);
  CHECK(sub.out.find("submission 1: OK, public score ") != std::string::npos);
  auto status = run_command({gauntlet_binary(), "status", "--server", server.url(), "--token-file",
                             (dir / "tokens/alpha.token").string()});
  CHECK(status.exit_code == 0);
  CHECK(status.out.find("judged") != std::string::npos);
  CHECK(status.out.find("libleast_squares.so") != std::string::npos);

  // Raw HTTP: a library with an asset archive.
  auto c = server.client();
  const std::string beta_nonce = fresh_nonce();
  const std::string assets =
      make_tar({{"weights", "", '5'}, {"weights/w.bin", "0123456789"}, {"vocab.txt", "a b c"}});
  auto up = c.Post("/api/v1/submissions", auth(beta, beta_nonce),
                   upload_items("tiny-regression", test_plugin("null_plugin"), assets));
  REQUIRE(up);
  INFO(up->body);
  REQUIRE(up->status == 201);
  const json accepted = json::parse(up->body);
  CHECK(accepted["team"] == "beta");
  CHECK(accepted["bundle"]["assets"]["files"] == 2);
  const int64_t beta_id = accepted["id"].get<int64_t>();
  const json judged =
      wait_for(server, "/api/v1/submissions/" + std::to_string(beta_id), beta,
               [](const json& j) { return j["status"] == "judged" && !j["public"].is_null(); });
  CHECK(judged["public"]["verdict"] == "OK");
  // The record names the bundle by its hashes.
  int records = 0;
  for (const auto& f : fs::recursive_directory_iterator(store / "public" / "tiny-regression" / "beta")) {
    if (f.path().extension() != ".json") continue;
    const json r = json::parse(read_file(f.path()));
    CHECK(r["result"]["bundle"]["sha256"] == accepted["bundle"]["sha256"]);
    CHECK(r["job"]["assets_sha256"] == accepted["bundle"]["assets"]["sha256"]);
    ++records;
  }
  CHECK(records == 1);
  auto log = c.Get("/api/v1/submissions/" + std::to_string(beta_id) + "/log", auth(beta));
  REQUIRE(log);
  CHECK(log->status == 200);

  // Refusals: each a 4xx with one JSON line, each leaving everything as it was.
  const std::string before = snapshot(server, org, store);
  const fs::path plugin = sample_plugin("least_squares");
  {
    check_refusal(c.Post("/api/v1/submissions", httplib::Headers{}, upload_items("tiny-regression", plugin)),
                  401);
    check_refusal(c.Get("/api/v1/submissions",
                        auth("gnt_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")),
                  401);
    check_refusal(
        c.Post("/api/v1/submissions", auth(org, fresh_nonce()), upload_items("tiny-regression", plugin)),
        403);
    check_refusal(c.Post("/api/v1/submissions", auth(alpha), upload_items("tiny-regression", plugin)),
                  400);  // no nonce
    check_refusal(c.Post("/api/v1/submissions", auth(alpha, fresh_nonce()), "{}", "application/json"), 415);
    check_refusal(
        c.Post("/api/v1/submissions", auth(alpha, fresh_nonce()), upload_items("no-such-challenge", plugin)),
        404);
    // Oversized: a part beyond submissions.max_upload_mb.
    httplib::MultipartFormDataItems big{
        {"challenge", "tiny-regression", "", ""},
        {"plugin", std::string((std::size_t(cap_mb) << 20) + (512 << 10), 'x'), "big.so",
         "application/octet-stream"}};
    check_refusal(c.Post("/api/v1/submissions", auth(alpha, fresh_nonce()), big), 413);
    // Not a library.
    httplib::MultipartFormDataItems text{{"challenge", "tiny-regression", "", ""},
                                         {"plugin", "hello", "hello.so", "application/octet-stream"}};
    check_refusal(c.Post("/api/v1/submissions", auth(alpha, fresh_nonce()), text), 422);
    // Archives that aim outside the bundle or at the host.
    for (const auto& bad : std::vector<std::vector<TarEntry>>{{{"../escaped.bin", "x"}},
                                                              {{"ok/../../escaped.bin", "x"}},
                                                              {{"/tmp/escaped.bin", "x"}},
                                                              {{"link", "", '2', "/etc/passwd"}},
                                                              {{"a.bin", "x"}, {"hard", "", '1', "a.bin"}},
                                                              {{"dev", "", '3'}},
                                                              {{"a.bin", "x"}, {"a.bin", "y"}},
                                                              {{"./", "a file named as the root"}}}) {
      INFO(bad.front().name);
      check_refusal(c.Post("/api/v1/submissions", auth(alpha, fresh_nonce()),
                           upload_items("tiny-regression", test_plugin("null_plugin"), make_tar(bad))),
                    422);
    }
    // Not an archive at all.
    check_refusal(c.Post("/api/v1/submissions", auth(alpha, fresh_nonce()),
                         upload_items("tiny-regression", test_plugin("null_plugin"), "just text")),
                  422);
    // A truncated upload: refused (or dropped) without a trace.
    const std::string answer = truncated_upload(server.port(), alpha);
    if (!answer.empty()) {
      INFO(answer);
      CHECK(answer.rfind("HTTP/1.1 4", 0) == 0);
    }
    // Another team's token: its submissions and logs do not exist for it; its finals are not choosable.
    check_refusal(c.Get("/api/v1/submissions/1", auth(beta)), 404);
    check_refusal(c.Get("/api/v1/submissions/1/log", auth(beta)), 404);
    check_refusal(c.Post("/api/v1/finals", auth(beta, fresh_nonce()),
                         R"({"challenge": "tiny-regression", "submissions": [1]})", "application/json"),
                  404);
    auto beta_list = c.Get("/api/v1/submissions", auth(beta));
    REQUIRE(beta_list);
    const json beta_subs = json::parse(beta_list->body);
    CHECK(beta_subs["submissions"].size() == 1);
    for (const auto& s : beta_subs["submissions"]) CHECK(s["team"] == "beta");
    // A replayed request: the nonce of beta's accepted upload, named in the answer.
    auto replay = c.Post("/api/v1/submissions", auth(beta, beta_nonce),
                         upload_items("tiny-regression", sample_plugin("least_squares")));
    check_refusal(replay, 409);
    CHECK(json::parse(replay->body)["replay_of"]["ref"] == std::to_string(beta_id));
    // The same bundle twice.
    check_refusal(
        c.Post("/api/v1/submissions", auth(alpha, fresh_nonce()), upload_items("tiny-regression", plugin)),
        409);
    // The organizer's routes are not a team's.
    check_refusal(c.Post("/api/v1/admin/publish", auth(alpha, fresh_nonce()), "{}", "application/json"), 403);
    check_refusal(c.Get("/api/v1/leaderboard?split=private"), 403);
    check_refusal(c.Get("/no/such/route"), 404);
  }
  CHECK(snapshot(server, org, store) == before);
  std::error_code ec;
  for (const auto& f : fs::recursive_directory_iterator(dir, ec)) CHECK(f.path().filename() != "escaped.bin");

  // Tokens never in clear: not in the server's log, not anywhere in the store (the ledger and its WAL).
  std::string everything = server.log();
  for (const auto& f : fs::recursive_directory_iterator(store))
    if (f.is_regular_file()) everything += read_file(f.path());
  for (const auto& [holder, token] : tokens) {
    INFO(holder);
    CHECK(everything.find(token) == std::string::npos);
    // gnt_<16 hex>_<secret>: the secret itself may hold '_' (base64url).
    REQUIRE(token.size() == 4 + 16 + 1 + 43);
    CHECK(everything.find(token.substr(21)) == std::string::npos);
  }
  CHECK(server.stop() == 0);
}

TEST_CASE("the service's rate limit: a 429 with Retry-After, one JSON line") {
  const fs::path dir = temp_dir("service-rate");
  const std::string config = write_event(dir, "teams:\n  - name: alpha\nservice:\n  rate_per_minute: 3\n");
  const auto tokens = make_tokens(config, dir);
  Server server(config, dir);
  auto c = server.client();
  for (int i = 0; i < 3; ++i) {
    auto r = c.Get("/api/v1/me", auth(tokens.at("alpha")));
    REQUIRE(r);
    CHECK(r->status == 200);
  }
  auto r = c.Get("/api/v1/me", auth(tokens.at("alpha")));
  check_refusal(r, 429);
  CHECK(std::stoi(r->get_header_value("Retry-After")) >= 1);
}

TEST_CASE("Kaggle-style selection: public on every submission, private on finals only, published last") {
  const fs::path dir = temp_dir("service-selection");
  const std::string config = write_event(dir,
                                         "teams:\n  - name: alpha\n  - name: beta\n"
                                         "submissions:\n  final_per_team: 1\n"
                                         "service:\n  rate_per_minute: 100000\n");
  const auto tokens = make_tokens(config, dir);
  const std::string alpha = tokens.at("alpha"), beta = tokens.at("beta"), org = tokens.at("organizer");
  const fs::path store = dir / "store";
  Server server(config, dir);
  auto c = server.client();
  auto upload = [&](const std::string& token, const fs::path& plugin, const std::string& assets = "") {
    auto r = c.Post("/api/v1/submissions", auth(token, fresh_nonce()),
                    upload_items("tiny-regression", plugin, assets));
    REQUIRE(r);
    INFO(r->body);
    REQUIRE(r->status == 201);
    return json::parse(r->body)["id"].get<int64_t>();
  };
  // alpha: a good model, then a worse one; beta: two of the same worse library (other assets).
  const int64_t a_good = upload(alpha, sample_plugin("least_squares"));
  const int64_t a_worse = upload(alpha, test_plugin("null_plugin"));
  const int64_t b_first = upload(beta, test_plugin("null_plugin"), make_tar({{"w.bin", "1"}}));
  const int64_t b_second = upload(beta, test_plugin("null_plugin"), make_tar({{"w.bin", "2"}}));
  const auto all_judged = [](const json& j) {
    for (const auto& s : j["submissions"])
      if (s["status"] != "judged") return false;
    return j["submissions"].size() == 4;
  };
  json subs = wait_for(server, "/api/v1/admin/submissions", org, all_judged);
  std::map<int64_t, json> by_id;
  for (const auto& s : subs["submissions"]) by_id[s["id"].get<int64_t>()] = s;
  const double good = by_id[a_good]["public"]["score"].get<double>();
  const double worse = by_id[a_worse]["public"]["score"].get<double>();
  REQUIRE(good > worse);
  // Every submission judged on the public split, none on the private one yet.
  CHECK_FALSE(fs::exists(store / "private"));

  // The public leaderboard ranks each team's best, not its latest.
  auto board = c.Get("/api/v1/leaderboard");
  REQUIRE(board);
  REQUIRE(board->status == 200);
  const json b = json::parse(board->body);
  bool seen = false;
  for (const auto& row : b["challenges"][0]["rows"])
    if (row["team"] == "alpha") {
      seen = true;
      CHECK(row["score"].get<double>() == doctest::Approx(good));
    }
  CHECK(seen);
  // The organizer's offline `gauntlet leaderboard` on the service's store ranks the same way
  // (alpha's latest submission is its worse one).
  CHECK(offline_scores(config, "public") == board_scores(b));

  // Finals: alpha's default is its best; beta chooses its second; more than final_per_team is refused.
  auto finals = c.Get("/api/v1/finals", auth(alpha));
  REQUIRE(finals);
  CHECK(json::parse(finals->body)["finals"][0]["submissions"] == json::array({a_good}));
  CHECK(json::parse(finals->body)["finals"][0]["source"] == "default");
  check_refusal(c.Post("/api/v1/finals", auth(beta, fresh_nonce()),
                       json{{"challenge", "tiny-regression"}, {"submissions", {b_first, b_second}}}.dump(),
                       "application/json"),
                422);
  auto chose =
      c.Post("/api/v1/finals", auth(beta, fresh_nonce()),
             json{{"challenge", "tiny-regression"}, {"submissions", {b_second}}}.dump(), "application/json");
  REQUIRE(chose);
  CHECK(chose->status == 200);

  // Publishing before the freeze is refused; freezing stops uploads and judges the finals privately.
  check_refusal(c.Post("/api/v1/admin/publish", auth(org, fresh_nonce()), "{}", "application/json"), 409);
  auto freeze = c.Post("/api/v1/admin/freeze", auth(org, fresh_nonce()), "{}", "application/json");
  REQUIRE(freeze);
  CHECK(freeze->status == 200);
  check_refusal(
      c.Post("/api/v1/submissions", auth(alpha, fresh_nonce()),
             upload_items("tiny-regression", test_plugin("null_plugin"), make_tar({{"w.bin", "3"}}))),
      409);
  subs = wait_for(server, "/api/v1/admin/submissions", org, [](const json& j) {
    int done = 0;
    for (const auto& s : j["submissions"]) done += s["private_state"] == "judged";
    return done == 2;
  });
  for (const auto& s : subs["submissions"]) {
    const int64_t id = s["id"].get<int64_t>();
    CHECK((s["private_state"] == "judged") == (id == a_good || id == b_second));
  }
  // Only the finals have private records.
  int private_records = 0;
  for (const auto& f : fs::recursive_directory_iterator(store / "private"))
    private_records += f.path().extension() == ".json" && f.path().filename().string()[0] != '.';
  CHECK(private_records == 2);

  // The embargo: no private-only value on any endpoint, whoever asks.
  const std::set<std::string> open = value_strings(store, "public");
  std::set<std::string> private_only;
  for (const auto& s : value_strings(store, "private"))
    if (!open.count(s) && s.find('.') != std::string::npos && s.size() >= 6) private_only.insert(s);
  REQUIRE(private_only.size() >= 4);
  const std::vector<std::string> paths{"/",
                                       "/leaderboard",
                                       "/api/v1/status",
                                       "/api/v1/leaderboard",
                                       "/api/v1/leaderboard?format=csv",
                                       "/api/v1/leaderboard?format=markdown",
                                       "/api/v1/leaderboard?format=table",
                                       "/api/v1/leaderboard?format=html",
                                       "/api/v1/leaderboard?split=private",
                                       "/?split=private",
                                       "/api/v1/me",
                                       "/api/v1/submissions",
                                       "/api/v1/finals",
                                       "/api/v1/finals?team=alpha",
                                       "/api/v1/admin/submissions",
                                       "/api/v1/admin/audit"};
  std::vector<std::string> ids_paths;
  for (const int64_t id : {a_good, a_worse, b_first, b_second}) {
    ids_paths.push_back("/api/v1/submissions/" + std::to_string(id));
    ids_paths.push_back("/api/v1/submissions/" + std::to_string(id) + "/log");
  }
  int answers = 0;
  for (const std::string& token : {std::string(), alpha, beta, org}) {
    for (const std::vector<std::string>* list :
         {&paths, static_cast<const std::vector<std::string>*>(&ids_paths)})
      for (const auto& p : *list) {
        auto r = token.empty() ? c.Get(p) : c.Get(p, auth(token));
        REQUIRE(r);
        ++answers;
        INFO(p << " -> " << r->status);
        for (const auto& t : number_tokens(r->body)) CHECK_MESSAGE(!private_only.count(t), t);
      }
  }
  CHECK(answers == 4 * static_cast<int>(paths.size() + ids_paths.size()));
  CHECK(server.log().find(private_only.begin()->substr(0, 6)) == std::string::npos);

  // Published: the private leaderboard ranks the finals.
  auto published = c.Post("/api/v1/admin/publish", auth(org, fresh_nonce()), "{}", "application/json");
  REQUIRE(published);
  INFO(published->body);
  CHECK(published->status == 200);
  auto priv = c.Get("/api/v1/leaderboard?split=private&format=csv");
  REQUIRE(priv);
  CHECK(priv->status == 200);
  int private_shown = 0;
  for (const auto& t : number_tokens(priv->body)) private_shown += private_only.count(t) > 0;
  CHECK(private_shown >= 1);
  auto priv_json = c.Get("/api/v1/leaderboard?split=private");
  REQUIRE(priv_json);
  CHECK(offline_scores(config, "private") == board_scores(json::parse(priv_json->body)));
}

TEST_CASE(
    "a judging whose record cannot be stored is queued again, a bounded number of times, and never stays "
    "'judging'; an organizer's rejudge stores it once the store is mended") {
  const fs::path dir = temp_dir("service-store-failure");
  const std::string config = write_event(dir,
                                         "teams:\n  - name: alpha\n"
                                         "judge:\n  attempts: 2\n"
                                         "service:\n  rate_per_minute: 100000\n");
  const auto tokens = make_tokens(config, dir);
  const std::string alpha = tokens.at("alpha"), org = tokens.at("organizer");
  // A file where alpha's record folder goes: every record write fails (root ignores modes).
  const fs::path blocker = dir / "store/public/tiny-regression/alpha";
  fs::create_directories(blocker.parent_path());
  std::ofstream(blocker) << "in the way\n";
  Server server(config, dir);
  auto c = server.client();
  auto r = c.Post("/api/v1/submissions", auth(alpha, fresh_nonce()),
                  upload_items("tiny-regression", sample_plugin("least_squares")));
  REQUIRE(r);
  REQUIRE_MESSAGE(r->status == 201, r->body);
  const int64_t id = json::parse(r->body)["id"].get<int64_t>();
  const auto judged = [](const json& j) {
    return j["submissions"].size() == 1 && j["submissions"][0]["status"] == "judged";
  };
  json mine = wait_for(server, "/api/v1/submissions", alpha, judged);
  CHECK(mine["submissions"][0]["public"].is_null());
  CHECK(mine["submissions"][0]["note"] == "judged, but no result is stored: the organizer can rejudge it");
  const std::string log = server.log();
  CHECK_MESSAGE(
      log.find("submission " + std::to_string(id) +
               " (public split) queued again after a failed judging (1 of 2 attempts)") != std::string::npos,
      log);
  CHECK(log.find("submission " + std::to_string(id) + " (public split) not judged after 2 attempts") !=
        std::string::npos);

  fs::remove(blocker);
  auto again = c.Post("/api/v1/admin/rejudge", auth(org, fresh_nonce()), json{{"submission", id}}.dump(),
                      "application/json");
  REQUIRE(again);
  REQUIRE_MESSAGE(again->status == 200, again->body);
  mine = wait_for(server, "/api/v1/submissions", alpha, [](const json& j) {
    return j["submissions"][0]["status"] == "judged" && !j["submissions"][0]["public"].is_null();
  });
  CHECK(mine["submissions"][0]["public"]["verdict"] == "OK");
  CHECK(fs::is_directory(blocker));
}
