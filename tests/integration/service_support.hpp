// Shared by the service tests (test_service*.cpp): a real `gauntlet serve` started in the
// background on an ephemeral loopback port, tokens made by `gauntlet teams`, HTTP through
// cpp-httplib, and small tar archives written byte by byte (so that a test can write the names
// and entry types a careful archiver would refuse to).
#pragma once

#include "support/run_command.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace gauntlet::testing::service {

namespace fs = std::filesystem;
using json = nlohmann::json;

inline const std::string kTiny = source_path("tests/data/tiny-regression");

// An event on the tiny regression challenge; `body` holds teams and other sections.
inline std::string write_event(const fs::path& dir, const std::string& body) {
  fs::create_directories(dir);
  const fs::path file = dir / "event.yaml";
  std::ofstream(file) << "schema: 1\nname: service-test\ntitle: Service test\nchallenges: [" << kTiny << "]\n"
                      << body << "store: store\n";
  return file.string();
}

// `gauntlet teams --out-dir <dir>/tokens`: name -> token (organizer included).
inline std::map<std::string, std::string> make_tokens(const std::string& config, const fs::path& dir) {
  const auto r = run_command({gauntlet_binary(), "teams", config, "--out-dir", (dir / "tokens").string()});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  std::map<std::string, std::string> out;
  for (const auto& f : fs::directory_iterator(dir / "tokens")) {
    std::string t = read_file(f.path());
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
    out[f.path().stem().string()] = t;
  }
  return out;
}

// `gauntlet serve` in the background, its log in <dir>/serve-<n>.log.
class Server {
 public:
  Server(const std::string& config, const fs::path& dir, std::vector<std::string> extra = {}) : dir_(dir) {
    static int n = 0;
    log_ = dir / ("serve-" + std::to_string(++n) + ".log");
    const fs::path port_file = dir / "port";
    fs::remove(port_file);
    std::vector<std::string> args{gauntlet_binary(), "serve",           config, "--listen", "127.0.0.1:0",
                                  "--port-file",     port_file.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(rc == 0);
    for (int i = 0; i < 600 && !fs::exists(port_file); ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        FAIL("gauntlet serve ended at start: " << read_file(log_));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE_MESSAGE(fs::exists(port_file), read_file(log_));
    port_ = std::stoi(read_file(port_file));
  }
  ~Server() {
    if (pid_ > 0) kill9();
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return read_file(log_); }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    c.set_connection_timeout(10, 0);
    return c;
  }
  void kill9() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // SIGTERM and the exit code.
  int stop() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  fs::path dir_, log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

inline httplib::Headers auth(const std::string& token, const std::string& nonce = "") {
  httplib::Headers h{{"Authorization", "Bearer " + token}};
  if (!nonce.empty()) h.emplace("X-Gauntlet-Nonce", nonce);
  return h;
}

inline std::string fresh_nonce() {
  static int n = 0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "test-%d-%d-%lld", ::getpid(), ++n,
                static_cast<long long>(std::chrono::steady_clock::now().time_since_epoch().count()));
  return buf;
}

inline httplib::MultipartFormDataItems upload_items(const std::string& challenge, const fs::path& plugin,
                                                    const std::string& assets = "",
                                                    const std::string& assets_name = "assets.tar") {
  httplib::MultipartFormDataItems items{
      {"challenge", challenge, "", ""},
      {"plugin", read_file(plugin), plugin.filename().string(), "application/octet-stream"}};
  if (!assets.empty()) items.push_back({"assets", assets, assets_name, "application/octet-stream"});
  return items;
}

// A tar archive, entry by entry: type '0' a file, '5' a folder, '2' a symbolic link, '1' a hard
// link, '3' a character device.
struct TarEntry {
  std::string name;
  std::string content;
  char type = '0';
  std::string link{};
};
inline std::string make_tar(const std::vector<TarEntry>& entries) {
  std::string out;
  for (const auto& e : entries) {
    std::string h(512, '\0');
    auto put = [&h](std::size_t at, std::size_t len, const std::string& v) {
      h.replace(at, std::min(len, v.size()), v.substr(0, len));
    };
    auto octal = [](std::size_t v, int width) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%0*zo", width - 1, v);
      return std::string(buf);
    };
    put(0, 100, e.name);
    put(100, 8, octal(e.type == '5' ? 0755 : 0644, 8));
    put(108, 8, octal(0, 8));
    put(116, 8, octal(0, 8));
    put(124, 12, octal(e.type == '0' ? e.content.size() : 0, 12));
    put(136, 12, octal(1700000000, 12));
    put(148, 8, std::string(8, ' '));
    h[156] = e.type;
    put(157, 100, e.link);
    put(257, 6, std::string("ustar\0", 6));
    put(263, 2, "00");
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    char chk[8];
    std::snprintf(chk, sizeof chk, "%06o", sum);
    h.replace(148, 7, std::string(chk, 6) + '\0');
    out += h;
    if (e.type == '0') {
      out += e.content;
      out.append((512 - e.content.size() % 512) % 512, '\0');
    }
  }
  out.append(1024, '\0');
  return out;
}

// Number tokens of a text ("-0.123", "17", "4.5e-3"), for exact comparisons (no substrings).
inline std::set<std::string> number_tokens(const std::string& text) {
  static const std::regex number(R"(-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
  std::set<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), number), end; it != end; ++it) out.insert(it->str());
  return out;
}

// Every way an output may print a record's score and metrics (as the leaderboard tests do).
inline std::set<std::string> value_strings(const fs::path& store, const std::string& split) {
  std::set<std::string> out;
  std::error_code ec;
  if (!fs::exists(store / split, ec)) return out;
  for (const auto& f : fs::recursive_directory_iterator(store / split)) {
    if (!f.is_regular_file() || f.path().extension() != ".json" || f.path().filename().string()[0] == '.')
      continue;
    const json j = json::parse(read_file(f.path()));
    const json& result = j["result"];
    std::vector<double> values;
    if (result["score"].is_object() && result["score"]["value"].is_number())
      values.push_back(result["score"]["value"].get<double>());
    for (const auto& [name, v] : result["metrics"].items())
      if (v.is_number()) values.push_back(v.get<double>());
    for (double v : values) {
      for (int d : {3, 4, 6}) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.*f", d, v);
        out.insert(buf);
      }
      out.insert(json(v).dump());
    }
  }
  return out;
}

// Polls GET `path` until `done(body)` holds; the last body.
template <class Done>
json wait_for(const Server& server, const std::string& path, const std::string& token, Done done,
              double seconds = 120) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  json body;
  for (;;) {
    auto c = server.client();
    auto r = c.Get(path, auth(token));
    if (r && r->status == 200) {
      body = json::parse(r->body);
      if (done(body)) return body;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      FAIL("timed out waiting on " << path << ": " << body.dump() << "\n" << server.log());
      return body;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// A 4xx refusal: one line of JSON with an "error" string.
inline void check_refusal(const httplib::Result& r, int status) {
  REQUIRE(r);
  INFO(r->status << " " << r->body);
  CHECK(r->status == status);
  CHECK(r->get_header_value("Content-Type").rfind("application/json", 0) == 0);
  REQUIRE(!r->body.empty());
  CHECK(r->body.back() == '\n');
  CHECK(r->body.find('\n') == r->body.size() - 1);
  const json j = json::parse(r->body);
  CHECK(j["error"].is_string());
  CHECK_FALSE(j["error"].get<std::string>().empty());
}

}  // namespace gauntlet::testing::service
