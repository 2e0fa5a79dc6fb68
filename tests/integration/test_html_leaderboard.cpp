// The HTML leaderboard in a real browser: Debian's chromium, headless. The page must load
// without a console message (errors, CSP violations), hold the expected rows, run its script
// to the end, load nothing from anywhere, and render to a screenshot (kept for people to look
// at: build/tests/integration/leaderboard-screenshot.png).
#include <doctest/doctest.h>

#include "support/run_command.hpp"

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

using gauntlet::testing::gauntlet_binary;
using gauntlet::testing::read_file;
using gauntlet::testing::run_command;
using gauntlet::testing::sample_plugin;
using gauntlet::testing::test_plugin;
namespace fs = std::filesystem;

namespace {

const char* kChromium = "/usr/bin/chromium";

std::vector<std::string> chromium(const fs::path& profile, std::vector<std::string> extra,
                                  const fs::path& page) {
  std::vector<std::string> args{kChromium,
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--user-data-dir=" + profile.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back("file://" + page.string());
  return args;
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("the HTML leaderboard loads in headless Chromium, without console errors, with the expected rows") {
  REQUIRE_MESSAGE(fs::exists(kChromium), "Debian's chromium is needed: scripts/setup.sh --browser");
  const fs::path dir = gauntlet::testing::temp_dir("html");
  fs::create_directories(dir / "empty-team");
  {
    std::ofstream cfg(dir / "event.yaml");
    cfg << "schema: 1\nname: html-test\ntitle: HTML <test> & event\nchallenges: ["
        << gauntlet::testing::source_path("tests/data/tiny-regression") << "]\nteams:\n"
        << "  - {name: zero, plugin: " << test_plugin("null_plugin") << "}\n"
        << "  - {name: ls, plugin: " << sample_plugin("least_squares") << "}\n"
        << "  - {name: broken, plugin: " << test_plugin("error_status") << "}\n"
        << "  - {name: absent, folder: empty-team}\n"
        << "store: store\n";
  }
  auto run = run_command({gauntlet_binary(), "run", (dir / "event.yaml").string()});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const fs::path page = dir / "store/leaderboard-public.html";
  CHECK(run.out.find("HTML leaderboard: " + page.string()) != std::string::npos);
  REQUIRE(fs::exists(page));

  // Self-contained: nothing to fetch (the only URL is the SVG namespace, which is not loaded).
  const std::string html = read_file(page);
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("href=") == std::string::npos);
  CHECK(html.find("url(") == std::string::npos);
  CHECK(html.find("@import") == std::string::npos);
  CHECK(count(html, "http") == count(html, "http://www.w3.org/2000/svg") + count(html, "http-equiv"));
  CHECK(html.find("Content-Security-Policy") != std::string::npos);
  CHECK(html.find("HTML &lt;test&gt; &amp; event") != std::string::npos);

  // The DOM after the page ran, and every console message.
  auto dom = run_command(
      chromium(dir / "profile-dom", {"--enable-logging=stderr", "--v=0", "--dump-dom"}, page), 120);
  INFO(dom.err);
  REQUIRE(dom.exit_code == 0);
  CHECK(dom.err.find("CONSOLE") == std::string::npos);
  CHECK(dom.err.find("Uncaught") == std::string::npos);
  CHECK(dom.err.find("Content Security Policy") == std::string::npos);
  CHECK(dom.out.find("data-sortable=\"ready\"") != std::string::npos);  // the script ran to its end

  // The challenge table: two ranked rows, then the failure and the team without a plugin.
  const std::regex row(R"re(<tr class="(ranked|unranked)" data-team="([a-z]+)">)re");
  std::vector<std::string> rows;
  const auto table_at = dom.out.find("data-challenge=\"tiny-regression\"");
  REQUIRE(table_at != std::string::npos);
  const std::string table = dom.out.substr(table_at, dom.out.find("</table>", table_at) - table_at);
  for (std::sregex_iterator it(table.begin(), table.end(), row), end; it != end; ++it)
    rows.push_back((*it)[1].str() + ":" + (*it)[2].str());
  CHECK(rows == std::vector<std::string>{"ranked:ls", "ranked:zero", "unranked:broken", "unranked:absent"});
  CHECK(table.find("PLUGIN_ERROR") != std::string::npos);
  CHECK(table.find("NO_PLUGIN") != std::string::npos);
  // The event ranking lists every team; the chart marks the Pareto front.
  const auto event_at = dom.out.find("data-challenge=\"event\"");
  REQUIRE(event_at != std::string::npos);
  CHECK(count(dom.out.substr(event_at, dom.out.find("</table>", event_at) - event_at), "<tr data-team=") ==
        4);
  CHECK(dom.out.find("<svg") != std::string::npos);
  CHECK(count(dom.out, "class=\"point front\"") >= 1);

  // A screenshot, kept in the build tree.
  const fs::path shot = fs::path(GAUNTLET_BINARY_DIR) / "tests/integration/leaderboard-screenshot.png";
  fs::remove(shot);
  auto png = run_command(
      chromium(dir / "profile-shot", {"--screenshot=" + shot.string(), "--window-size=1280,1400"}, page),
      120);
  INFO(png.err);
  CHECK(png.exit_code == 0);
  REQUIRE(fs::exists(shot));
  const std::string bytes = read_file(shot);
  CHECK(bytes.rfind("\x89PNG\r\n\x1a\n", 0) == 0);
  CHECK(bytes.size() > 20000);  // not a blank page
}
