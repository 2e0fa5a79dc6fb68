// The service's live leaderboard page in a real browser (Debian's headless chromium, driven over
// the DevTools protocol on a pipe): the page loads from a real `gauntlet serve` without a console
// message, and once a team's submission is judged its row appears in the ranking without a
// reload (a marker set on the page's window before the submission is still there after it). A
// screenshot of the page after the update is kept: build/tests/integration/live-page-screenshot.png.
#include "service_support.hpp"

#include <poll.h>

using namespace gauntlet::testing;
using namespace gauntlet::testing::service;

namespace {

const char* kChromium = "/usr/bin/chromium";

// Chromium with --remote-debugging-pipe: it reads commands on its fd 3 and writes on its fd 4,
// each message JSON ended by a NUL byte.
class Browser {
 public:
  explicit Browser(const fs::path& profile) {
    int to[2], from[2];
    REQUIRE(::pipe2(to, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(from, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to[0], 3);
    posix_spawn_file_actions_adddup2(&actions, from[1], 4);
    const fs::path log = profile.string() + ".log";
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<std::string> args{kChromium,
                                  "--headless",
                                  "--no-sandbox",
                                  "--disable-gpu",
                                  "--no-first-run",
                                  "--disable-background-networking",
                                  "--disable-component-update",
                                  "--disable-sync",
                                  "--remote-debugging-pipe",
                                  "--user-data-dir=" + profile.string(),
                                  "about:blank"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    REQUIRE(posix_spawn(&pid_, kChromium, &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(to[0]);
    ::close(from[1]);
    out_ = to[1];
    in_ = from[0];
  }
  ~Browser() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(out_);
    ::close(in_);
  }

  // Sends a command (to the page's session once attached) and returns its result.
  json call(const std::string& method, const json& params = json::object(), bool to_page = true) {
    json message{{"id", ++id_}, {"method", method}, {"params", params}};
    if (to_page && !session_.empty()) message["sessionId"] = session_;
    const std::string text = message.dump() + '\0';
    REQUIRE(::write(out_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    for (;;) {
      const json m = next(60);
      if (m.value("id", 0) == id_) {
        INFO(m.dump());
        REQUIRE_FALSE(m.contains("error"));
        return m["result"];
      }
      events_.push_back(m);
    }
  }
  // Opens a page and attaches to it, with its console and log reported.
  void open(const std::string& url) {
    const json target = call("Target.createTarget", {{"url", "about:blank"}}, false);
    session_ = call("Target.attachToTarget", {{"targetId", target["targetId"]}, {"flatten", true}},
                    false)["sessionId"];
    call("Runtime.enable");
    call("Log.enable");
    call("Page.enable");
    call("Page.navigate", {{"url", url}});
  }
  json eval(const std::string& expression) {
    return call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}})["result"].value(
        "value", json());
  }
  // Evaluates until the expression is true.
  bool wait_until(const std::string& expression, double seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      if (eval(expression) == true) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }
  // Console calls, exceptions and log entries of the page so far.
  std::vector<std::string> messages() {
    std::vector<std::string> out;
    for (const auto& e : events_) {
      const std::string m = e.value("method", "");
      if (m == "Runtime.consoleAPICalled" || m == "Runtime.exceptionThrown" || m == "Log.entryAdded")
        out.push_back(e.dump());
    }
    return out;
  }

 private:
  json next(double seconds) {
    for (;;) {
      const auto nul = buffer_.find('\0');
      if (nul != std::string::npos) {
        const std::string one = buffer_.substr(0, nul);
        buffer_.erase(0, nul + 1);
        return json::parse(one);
      }
      pollfd p{in_, POLLIN, 0};
      REQUIRE_MESSAGE(::poll(&p, 1, static_cast<int>(seconds * 1000)) == 1, "chromium did not answer");
      char buf[65536];
      const ssize_t n = ::read(in_, buf, sizeof buf);
      REQUIRE_MESSAGE(n > 0, "chromium closed its pipe");
      buffer_.append(buf, static_cast<std::size_t>(n));
    }
  }

  pid_t pid_ = -1;
  int out_ = -1, in_ = -1, id_ = 0;
  std::string session_, buffer_;
  std::vector<json> events_;
};

std::string base64_decode(const std::string& in) {
  static const std::string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned value = 0;
  int bits = -8;
  for (const char c : in) {
    const auto at = chars.find(c);
    if (at == std::string::npos) continue;  // '=' and line breaks
    value = (value << 6) + static_cast<unsigned>(at);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((value >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("the live page loads without console messages and shows a judged submission without a reload") {
  REQUIRE_MESSAGE(fs::exists(kChromium), "Debian's chromium is needed: scripts/setup.sh --browser");
  const fs::path dir = temp_dir("service-live");
  const std::string config = write_event(dir, "teams:\n  - name: alpha\n  - name: beta\n");
  make_tokens(config, dir);
  Server server(config, dir);
  Browser browser(dir / "profile");
  browser.open(server.url() + "/");
  REQUIRE(browser.wait_until("document.documentElement.getAttribute('data-live') === 'ready'", 60));
  CHECK(browser.eval("document.querySelectorAll('#challenge-tiny-regression tr.ranked').length") == 0);
  CHECK(browser.eval("document.getElementById('generated') !== null") == true);
  browser.eval("window.gauntletMarker = 'no reload'");

  auto sub = run_command({gauntlet_binary(), "submit", "--server", server.url(), "--token-file",
                          (dir / "tokens/alpha.token").string(), "--challenge", "tiny-regression",
                          sample_plugin("least_squares")},
                         180);
  INFO(sub.out << sub.err << server.log());
  REQUIRE(sub.exit_code == 0);

  // The row appears by itself (the page polls every 2 s), in the same page.
  CHECK(browser.wait_until(
      "document.querySelectorAll('#challenge-tiny-regression tr.ranked[data-team=\"alpha\"]').length === 1",
      30));
  CHECK(browser.eval("window.gauntletMarker") == "no reload");
  CHECK(browser.eval("Number(document.documentElement.getAttribute('data-updates')) >= 1") == true);
  CHECK(browser.eval("document.querySelector('#activity tr[data-team=\"alpha\"] td.n').textContent") == "1");
  // Sorting still works on the swapped-in tables.
  CHECK(browser.eval("document.querySelectorAll('main table.sortable th').length > 0") == true);
  const auto messages = browser.messages();
  for (const auto& m : messages) INFO(m);
  CHECK(messages.empty());
  // The page was loaded once; the rest were the script's requests.
  const std::string log = server.log();
  int page_loads = 0;
  for (auto at = log.find(" GET / "); at != std::string::npos; at = log.find(" GET / ", at + 1)) ++page_loads;
  CHECK(page_loads == 1);

  browser.call("Emulation.setDeviceMetricsOverride",
               {{"width", 1280}, {"height", 1600}, {"deviceScaleFactor", 1}, {"mobile", false}});
  const json shot = browser.call("Page.captureScreenshot", {{"format", "png"}});
  const std::string png = base64_decode(shot["data"].get<std::string>());
  CHECK(png.rfind("\x89PNG\r\n\x1a\n", 0) == 0);
  const fs::path file = fs::path(GAUNTLET_BINARY_DIR) / "tests/integration/live-page-screenshot.png";
  std::ofstream(file, std::ios::binary) << png;
  CHECK(server.stop() == 0);
}
