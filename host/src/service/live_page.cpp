#include "service/live_page.hpp"

#include "common/untrusted_text.hpp"
#include "common/utc_time.hpp"
#include "leaderboard/ranking.hpp"
#include "leaderboard/render.hpp"

#include <map>
#include <sstream>

namespace gauntlet::service {
namespace {

using json = nlohmann::json;

std::string esc(const std::string& s) { return untrusted::html_text(s); }

// Polls the status; on a new version, fetches the page and swaps <header> and <main> in. The
// parsed page's scripts do not run (DOMParser): only this one does, and it rebinds the sorting.
const char* kLiveScript = R"JS(
(function () {
  var live = function () { return document.getElementById('live'); };
  function tick() {
    fetch('/api/v1/status', {cache: 'no-store'}).then(function (r) { return r.json(); }).then(function (s) {
      if (String(s.version) === live().getAttribute('data-version')) return null;
      return fetch('/leaderboard?split=' + encodeURIComponent(live().getAttribute('data-split')), {cache: 'no-store'})
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, 'text/html');
          if (!doc.querySelector('main') || !doc.getElementById('live')) return;
          var updates = Number(document.documentElement.getAttribute('data-updates') || '0') + 1;
          document.querySelector('header').innerHTML = doc.querySelector('header').innerHTML;
          document.querySelector('main').innerHTML = doc.querySelector('main').innerHTML;
          window.gauntletSortable(document.querySelector('main'));
          document.documentElement.setAttribute('data-updates', String(updates));
        });
    }).catch(function () { /* the server restarting: the next tick tries again */ })
      .then(function () { setTimeout(tick, 2000); });
  }
  setTimeout(tick, 2000);
  document.documentElement.setAttribute('data-live', 'ready');
})();
)JS";

}  // namespace

std::string live_page_html(Core& core, const std::string& split) {
  const uint64_t version = core.version();  // read first: a change meanwhile shows at the next poll
  const leaderboard::Leaderboard board = core.board(split);
  const std::vector<Submission> subs = core.ledger().submissions();

  std::map<std::string, int> count;
  std::map<std::string, std::string> last;
  for (const auto& s : subs) {
    ++count[s.team];
    last[s.team] = s.submitted_at;
  }
  std::ostringstream out;
  out << "<div id=\"live\" data-version=\"" << version << "\" data-split=\"" << esc(split)
      << "\" hidden></div>\n";
  out << "<section id=\"activity\"><h2>Teams</h2>\n<p class=\"rule\">Submissions so far and the latest one "
         "(UTC). "
         "Each team's history lists the submissions that improved its best public score.</p>\n"
      << "<table class=\"sortable\" data-activity=\"teams\"><thead><tr><th>Team</th><th>Submissions</th>"
      << "<th>Last submission</th></tr></thead><tbody>\n";
  for (const auto& t : core.config().teams) {
    out << "<tr data-team=\"" << esc(t.name) << "\"><td>" << esc(t.name) << "</td><td class=\"n\" data-v=\""
        << count[t.name] << "\">" << count[t.name] << "</td><td>"
        << esc(last.count(t.name) ? last[t.name] : "-") << "</td></tr>\n";
  }
  out << "</tbody></table>\n";

  // History: per team and challenge, the public results in submission order, each shown when it
  // beat the team's best so far.
  for (const auto& t : core.config().teams) {
    out << "<details class=\"history\" data-team=\"" << esc(t.name) << "\"><summary>" << esc(t.name) << ": "
        << count[t.name] << " submission" << (count[t.name] == 1 ? "" : "s") << "</summary>\n"
        << "<table><thead><tr><th>Challenge</th><th>#</th><th>Submitted</th><th>Best public "
           "score</th></tr></thead>"
           "<tbody>\n";
    for (const auto& c : core.description()["challenges"]) {
      const std::string id = c.value("id", "");
      const leaderboard::ChallengeRule rule = leaderboard::challenge_rule(c);
      std::optional<leaderboard::Entry> best;
      for (const auto& s : subs) {
        if (s.team != t.name || s.challenge != id) continue;
        const auto record = core.record(s, "public");
        if (!record) continue;
        leaderboard::Entry e = leaderboard::entry_from_record(*record);
        if (e.status != leaderboard::Status::scored) continue;
        if (best && leaderboard::compare_scored(rule, e, *best) >= 0) continue;
        best = e;
        out << "<tr data-submission=\"" << s.number << "\"><td>" << esc(id) << "</td><td class=\"n\">"
            << s.number << "</td><td>" << esc(s.submitted_at) << "</td><td class=\"n\">"
            << esc(leaderboard::format_fixed(e.score, 4)) << "</td></tr>\n";
      }
    }
    out << "</tbody></table></details>\n";
  }
  out << "</section>\n";

  leaderboard::HtmlExtras extras;
  extras.generated_at = utc_timestamp_ms();
  extras.sections = out.str();
  extras.script = kLiveScript;
  extras.connect_self = true;
  return leaderboard::render_html(board, extras);
}

}  // namespace gauntlet::service
