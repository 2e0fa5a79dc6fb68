// The service under load (issue 14; label service_load, not in the sanitizer suite): 20 teams
// upload 5 bundles each, all at once, over loopback. The server is killed with SIGKILL once 40
// uploads are acknowledged, and started again; each team then goes on, sending an upload whose
// answer was lost again with the same nonce (the server names the submission it made, or
// records it now). Nothing acknowledged is lost, nothing is recorded twice, every submission
// is judged and stored exactly once. The p95 acknowledgement time is printed (a figure, not an
// assertion: the machine is shared).
#include "service_support.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>

using namespace gauntlet::testing;
using namespace gauntlet::testing::service;

namespace {

constexpr int kTeams = 20;
constexpr int kUploads = 5;
constexpr int kKillAfter = 40;

std::string team_name(int t) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "team%02d", t);
  return buf;
}

struct Upload {
  std::string nonce;
  std::string assets;
  int64_t id = 0;  // once acknowledged
};

}  // namespace

TEST_CASE(
    "20 teams x 5 uploads at once, the server killed with SIGKILL mid-load: nothing lost, each judged once") {
  const fs::path dir = temp_dir("service-load");
  std::string teams = "teams:\n";
  for (int t = 1; t <= kTeams; ++t) teams += "  - name: " + team_name(t) + "\n";
  const std::string config = write_event(
      dir, teams + "service:\n  rate_per_minute: 100000\n  queue_limit: 1000\njudge:\n  attempts: 1\n");
  const auto tokens = make_tokens(config, dir);
  const std::string plugin = read_file(test_plugin("null_plugin"));

  std::vector<std::vector<Upload>> uploads(kTeams + 1);
  for (int t = 1; t <= kTeams; ++t)
    for (int i = 0; i < kUploads; ++i)
      uploads[t].push_back(
          {fresh_nonce(), make_tar({{"weights.bin", team_name(t) + " upload " + std::to_string(i)}}), 0});

  std::mutex mutex;
  std::vector<double> ack_ms;
  std::atomic<int> acked{0};
  std::atomic<int> replays{0};
  // Each team's thread sends its uploads in order until one gets no answer (the server is gone).
  auto run_teams = [&](int port) {
    std::vector<std::thread> threads;
    for (int t = 1; t <= kTeams; ++t)
      threads.emplace_back([&, t, port] {
        httplib::Client c("127.0.0.1", port);
        c.set_read_timeout(60, 0);
        for (auto& u : uploads[t]) {
          if (u.id) continue;
          httplib::MultipartFormDataItems items{
              {"challenge", "tiny-regression", "", ""},
              {"plugin", plugin, "libnull_plugin.so", "application/octet-stream"},
              {"assets", u.assets, "assets.tar", "application/octet-stream"}};
          const auto start = std::chrono::steady_clock::now();
          auto r = c.Post("/api/v1/submissions", auth(tokens.at(team_name(t)), u.nonce), items);
          const double ms =
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
          if (!r) return;  // no answer: not acknowledged, sent again after the restart
          std::lock_guard<std::mutex> lock(mutex);
          if (r->status == 201) {
            u.id = json::parse(r->body)["id"].get<int64_t>();
            ack_ms.push_back(ms);
            ++acked;
          } else if (r->status == 409 && json::parse(r->body).contains("replay_of")) {
            u.id = std::stoll(json::parse(r->body)["replay_of"]["ref"].get<std::string>());
            ++replays;
          } else {
            FAIL_CHECK("upload refused: " << r->status << " " << r->body);
            return;
          }
        }
      });
    return threads;
  };

  std::map<int64_t, std::string> acknowledged;  // id -> team, before the kill
  {
    Server server(config, dir);
    auto threads = run_teams(server.port());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (acked.load() < kKillAfter && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    server.kill9();
    for (auto& th : threads) th.join();
    for (int t = 1; t <= kTeams; ++t)
      for (const auto& u : uploads[t])
        if (u.id) acknowledged[u.id] = team_name(t);
    MESSAGE(acknowledged.size() << " uploads acknowledged before SIGKILL");
    REQUIRE(acknowledged.size() >= kKillAfter);
    REQUIRE(acknowledged.size() < kTeams * kUploads);
  }

  Server server(config, dir);
  // Every acknowledged submission survived the kill.
  const std::string org = tokens.at("organizer");
  {
    auto c = server.client();
    auto r = c.Get("/api/v1/admin/submissions", auth(org));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    std::map<int64_t, std::string> there;
    const json body = json::parse(r->body);
    for (const auto& s : body["submissions"]) there[s["id"].get<int64_t>()] = s["team"].get<std::string>();
    for (const auto& [id, team] : acknowledged) CHECK_MESSAGE(there[id] == team, "submission " << id);
  }
  auto threads = run_teams(server.port());
  for (auto& th : threads) th.join();
  for (int t = 1; t <= kTeams; ++t)
    for (const auto& u : uploads[t]) CHECK_MESSAGE(u.id != 0, team_name(t));

  const auto start = std::chrono::steady_clock::now();
  const json subs = wait_for(
      server, "/api/v1/admin/submissions", org,
      [](const json& j) {
        if (j["submissions"].size() != kTeams * kUploads) return false;
        for (const auto& s : j["submissions"])
          if (s["status"] != "judged" || s["public"].is_null()) return false;
        return true;
      },
      600);
  const double judge_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Nothing lost, nothing twice: 100 submissions, 5 a team, each bundle once, each the one uploaded.
  std::map<std::string, std::set<std::string>> bundles;
  std::set<int64_t> ids;
  for (const auto& s : subs["submissions"]) {
    ids.insert(s["id"].get<int64_t>());
    bundles[s["team"].get<std::string>()].insert(s["bundle"]["assets"]["archive_sha256"].get<std::string>());
    CHECK(s["public"]["verdict"] == "OK");
  }
  CHECK(ids.size() == kTeams * kUploads);
  CHECK(bundles.size() == kTeams);
  for (const auto& [team, b] : bundles) CHECK_MESSAGE(b.size() == kUploads, team);
  for (int t = 1; t <= kTeams; ++t)
    for (const auto& u : uploads[t]) CHECK(ids.count(u.id));
  // Judged once each: one stored record per submission, each from one attempt, and no
  // submission's verdict logged twice (across both servers' logs).
  int records = 0;
  for (const auto& f : fs::recursive_directory_iterator(dir / "store" / "public")) {
    if (f.path().extension() != ".json" || f.path().filename().string()[0] == '.') continue;
    ++records;
    CHECK(json::parse(read_file(f.path())).value("attempts", 1) == 1);
  }
  CHECK(records == kTeams * kUploads);
  std::string logs;
  for (const auto& f : fs::directory_iterator(dir))
    if (f.path().filename().string().rfind("serve-", 0) == 0) logs += read_file(f.path());
  std::map<std::string, int> judged_lines;
  static const std::regex judged(R"(judged submission ([0-9]+) )");
  for (std::sregex_iterator it(logs.begin(), logs.end(), judged), end; it != end; ++it)
    ++judged_lines[(*it)[1]];
  for (const auto& [id, n] : judged_lines)
    CHECK_MESSAGE(n == 1, "submission " << id << " judged " << n << " times");

  std::sort(ack_ms.begin(), ack_ms.end());
  const double p50 = ack_ms[ack_ms.size() / 2];
  const double p95 = ack_ms[std::min(ack_ms.size() - 1, ack_ms.size() * 95 / 100)];
  std::printf(
      "service load: %d teams x %d uploads, %zu acknowledged before SIGKILL, %d answers lost and resent "
      "(replays recognised), upload acknowledgement p50 %.1f ms, p95 %.1f ms, max %.1f ms (%zu acks); all "
      "judged "
      "%.1f s after the last upload\n",
      kTeams, kUploads, acknowledged.size(), replays.load(), p50, p95, ack_ms.back(), ack_ms.size(),
      judge_seconds);
  CHECK(server.stop() == 0);
}
