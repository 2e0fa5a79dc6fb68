// The HTML leaderboard: one static page that needs nothing but itself. The charts are SVG
// drawn here, the only script sorts tables, and the Content-Security-Policy forbids every
// load from anywhere, so the page works offline and cannot leak what it shows.
#include "common/untrusted_text.hpp"
#include "leaderboard/render.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace gauntlet::leaderboard {
namespace {

// Everything shown comes from results, and some of it from plugins (error messages): it is
// all escaped (common/untrusted_text.hpp).
std::string esc(const std::string& s) { return untrusted::html_text(s); }

std::string num(double v, const char* fmt = "%.6g") {
  char buf[48];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::optional<double> variable(const Entry& e, const std::string& name) {
  const auto it = e.variables.find(name);
  if (it == e.variables.end() || !std::isfinite(it->second)) return std::nullopt;
  return it->second;
}

std::optional<double> spread(const Entry& e, const std::string& name) {
  const auto it = e.spreads.find(name);
  if (it == e.spreads.end()) return std::nullopt;
  return it->second;
}

const char* kStyle = R"CSS(
:root { --ink:#1d2330; --muted:#667085; --line:#e4e7ec; --accent:#d9480f; --ok:#2b8a3e; --bad:#c92a2a; --warn:#b35c00; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink);
       margin: 0; background: #f6f7f9; }
header { background: #1d2330; color: #fff; padding: 20px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: #c9ced8; }
main { padding: 8px 32px 40px; max-width: 1280px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 20px 0; }
h2 { font-size: 18px; margin: 0 0 4px; }
.rule { color: var(--muted); margin: 0 0 12px; font-size: 13px; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; background: #f2f4f7; padding: 1px 4px; border-radius: 3px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); cursor: pointer; user-select: none; white-space: nowrap; }
th[data-dir=asc]::after { content: " \25B2"; } th[data-dir=desc]::after { content: " \25BC"; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.unranked td { color: var(--muted); }
td.rank { font-weight: 700; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 11px; font-weight: 600; color: #fff; background: var(--bad); }
.badge.OK { background: var(--ok); } .badge.NOT_QUALIFIED { background: var(--warn); }
.badge.NO_PLUGIN, .badge.NOT_JUDGED { background: #98a2b3; }
.tie { color: var(--accent); font-weight: 600; }
.unreliable { color: #b42318; font-weight: 600; }
.note { font-size: 12px; max-width: 420px; }
.charts svg { max-width: 100%; height: auto; }
footer { color: var(--muted); font-size: 12px; padding: 0 32px 24px; }
)CSS";

// gauntletSortable(root) binds the tables under root: a live page calls it again on the tables
// it swaps in.
const char* kScript = R"JS(
window.gauntletSortable = function (root) {
  var tables = root.querySelectorAll('table.sortable');
  Array.prototype.forEach.call(tables, function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.addEventListener('click', function () {
        var asc = th.getAttribute('data-dir') !== 'asc';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('data-dir'); });
        th.setAttribute('data-dir', asc ? 'asc' : 'desc');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
          if (x === null) x = a.cells[col].textContent;
          if (y === null) y = b.cells[col].textContent;
          if (x === '' || y === '') return (x === '') - (y === '');  /* no value: always last */
          var nx = Number(x), ny = Number(y);
          var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
};
window.gauntletSortable(document);
/* Tells a headless test that the script ran to the end. */
document.documentElement.setAttribute('data-sortable', 'ready');
)JS";

std::string td_num(const std::optional<double>& v, const std::string& shown) {
  if (!v) return "<td class=\"n\" data-v=\"\">-</td>";
  return "<td class=\"n\" data-v=\"" + num(*v, "%.17g") + "\">" + esc(shown) + "</td>";
}

std::string verdict_badge(const Row& r) {
  const std::string v = r.entry.status == Status::not_qualified ? "NOT_QUALIFIED" : r.entry.verdict;
  return "<span class=\"badge " + esc(v) + "\">" + esc(v) + "</span>";
}

std::string challenge_table(const ChallengeBoard& c) {
  std::ostringstream out;
  out << "<table class=\"sortable board\" data-challenge=\"" << esc(c.rule.id) << "\"><thead><tr>"
      << "<th>Rank</th><th>Team</th><th>Score</th>";
  for (const auto& [m, higher] : c.rule.metrics)
    out << "<th>" << esc(m) << (higher ? " &#8593;" : " &#8595;") << "</th>";
  out << "<th>" << esc(c.rule.latency_variable)
      << " (ms)</th><th>Verdict</th><th>Note</th></tr></thead><tbody>\n";
  for (const auto& r : c.rows) {
    out << "<tr class=\"" << (r.ranked ? "ranked" : "unranked") << "\" data-team=\"" << esc(r.entry.team)
        << "\">";
    if (r.ranked)
      out << "<td class=\"n rank\" data-v=\"" << r.rank << "\">" << esc(rank_label(r)) << "</td>";
    else
      out << "<td class=\"n rank\" data-v=\"\">-</td>";
    out << "<td>" << esc(r.entry.team) << "</td>";
    out << (r.ranked ? td_num(r.entry.score, format_fixed(r.entry.score, 3)) : td_num(std::nullopt, ""));
    for (const auto& [m, higher] : c.rule.metrics) {
      const auto v = variable(r.entry, m);
      out << td_num(v, v ? format_fixed(*v, 4) : "");
    }
    const auto lat = variable(r.entry, c.rule.latency_variable);
    std::string lat_text;
    if (lat) {
      lat_text = num(*lat, "%.4g");
      if (const auto sp = spread(r.entry, c.rule.latency_variable))
        lat_text += " \u00b1" + format_fixed(*sp * 50, 0) + "%";
      if (r.entry.latency_unreliable) lat_text += " (unreliable)";
    }
    out << td_num(lat, lat_text);
    out << "<td>" << verdict_badge(r) << "</td><td class=\"note\">";
    if (!r.statistical_ties.empty()) {
      std::string teams;
      for (const auto& t : r.statistical_ties) teams += (teams.empty() ? "" : ", ") + t;
      out << "<span class=\"tie\" title=\"their order is within the measured timing noise\">&#8776; "
             "statistical tie with "
          << esc(teams) << "</span>" << (r.entry.reason.empty() ? "" : "<br>");
    }
    out << esc(r.entry.reason);
    if (r.entry.latency_unreliable)
      out << (r.entry.reason.empty() ? "" : "<br>")
          << "<span class=\"unreliable\">latency unreliable: " << esc(r.entry.latency_note) << "</span>";
    out << "</td></tr>\n";
  }
  out << "</tbody></table>\n";
  return out.str();
}

// A "nice" tick step (1, 2 or 5 times a power of ten) giving about `count` ticks.
double nice_step(double range, int count) {
  const double raw = range / count;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double f : {1.0, 2.0, 5.0, 10.0})
    if (f * mag >= raw) return f * mag;
  return 10 * mag;
}

// One chart axis: linear, or logarithmic for values spanning more than a decade or so.
struct Axis {
  bool log = false;
  double lo = 0, hi = 1;  // in axis units (log10 of the value on a log axis)
  double pixel_lo = 0, pixel_hi = 1;

  static Axis fit(const std::vector<double>& values, bool log, double pixel_lo, double pixel_hi) {
    Axis a;
    a.log = log;
    a.pixel_lo = pixel_lo;
    a.pixel_hi = pixel_hi;
    double mn = 1e300, mx = -1e300;
    for (double v : values) {
      const double u = log ? std::log10(v) : v;
      mn = std::min(mn, u);
      mx = std::max(mx, u);
    }
    double pad = (mx - mn) * 0.12;
    if (log) pad = std::max(pad, 0.15);  // at least a little room around close points
    if (pad == 0) pad = std::max(std::abs(mx) * 0.05, 0.05);
    a.lo = mn - pad;
    a.hi = mx + pad;
    return a;
  }
  double unit(double v) const { return log ? std::log10(v) : v; }
  double pixel(double v) const { return pixel_lo + (unit(v) - lo) / (hi - lo) * (pixel_hi - pixel_lo); }
  // Tick values: 1-2-5 per decade on a log axis (only decades when it spans many), else nice steps.
  std::vector<double> ticks() const {
    std::vector<double> out;
    if (log && hi - lo >= 0.8) {
      const bool dense = hi - lo <= 2.5;
      // Integer counters: a floating-point one accumulates rounding (CERT FLP30-C).
      for (int d = static_cast<int>(std::floor(lo)); d <= static_cast<int>(std::ceil(hi)); ++d)
        for (double f : {1.0, 2.0, 5.0}) {
          if (!dense && f != 1.0) continue;
          const double v = f * std::pow(10.0, d);
          if (std::log10(v) >= lo && std::log10(v) <= hi) out.push_back(v);
        }
      return out;
    }
    // Linear steps (also on a log axis spanning less than a decade, where 1-2-5 are too few).
    const double vlo = log ? std::pow(10.0, lo) : lo, vhi = log ? std::pow(10.0, hi) : hi;
    const double step = nice_step(vhi - vlo, log ? 4 : 5);
    const double first = std::ceil(vlo / step);
    for (int k = 0; k < 1000 && (first + k) * step <= vhi + step * 1e-9; ++k) {
      const double v = (first + k) * step;
      out.push_back(std::abs(v) < step * 1e-6 ? 0.0 : v);
    }
    return out;
  }
};

bool wants_log(const std::vector<double>& values) {
  double mn = 1e300, mx = 0;
  for (double v : values) {
    if (!(v > 0)) return false;
    mn = std::min(mn, v);
    mx = std::max(mx, v);
  }
  return mx / mn > 20;
}

// Quality (the challenge's first metric) against latency. Scored entries are filled when on
// the Pareto front (no other scored entry is both at least as fast and at least as good);
// entries that did not qualify are drawn in grey and are never on the front.
std::string chart(const ChallengeBoard& c) {
  if (c.rule.metrics.empty()) return "";
  const std::string metric = c.rule.metrics.front().first;
  const bool higher = c.rule.metrics.front().second;
  struct Point {
    double latency, quality;
    const Row* row;
    bool front = false;
  };
  std::vector<Point> points;
  for (const auto& r : c.rows) {
    if (r.entry.status != Status::scored && r.entry.status != Status::not_qualified) continue;
    const auto lat = variable(r.entry, c.rule.latency_variable), q = variable(r.entry, metric);
    if (lat && q && *lat > 0) points.push_back({*lat, *q, &r});
  }
  std::ostringstream out;
  if (points.empty()) {
    out << "<p class=\"rule\">No entry with both " << esc(metric) << " and " << esc(c.rule.latency_variable)
        << " to chart.</p>\n";
    return out.str();
  }
  std::vector<std::size_t> scored;
  std::vector<std::pair<double, double>> lq;
  for (std::size_t i = 0; i < points.size(); ++i)
    if (points[i].row->ranked) {
      scored.push_back(i);
      lq.emplace_back(points[i].latency, points[i].quality);
    }
  std::vector<std::size_t> front;
  for (auto k : pareto_front(lq, higher)) {
    front.push_back(scored[k]);
    points[scored[k]].front = true;
  }

  const double W = 760, H = 400, L = 72, R = 150, T = 24, B = 54;
  std::vector<double> lats, quals;
  for (const auto& p : points) {
    lats.push_back(p.latency);
    quals.push_back(p.quality);
  }
  const Axis x = Axis::fit(lats, true, L, W - R);
  const Axis y = Axis::fit(quals, wants_log(quals), H - B, T);

  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-challenge=\"" << esc(c.rule.id)
      << "\" viewBox=\"0 0 " << W << " " << H << "\" width=\"" << W << "\" height=\"" << H
      << "\" role=\"img\">"
      << "<title>" << esc(metric) << " against " << esc(c.rule.latency_variable) << " for " << esc(c.rule.id)
      << "</title>\n";
  out << "<rect x=\"" << L << "\" y=\"" << T << "\" width=\"" << W - L - R << "\" height=\"" << H - T - B
      << "\" fill=\"#fbfcfd\" stroke=\"#d0d5dd\"/>\n";
  for (double v : x.ticks()) {
    const double px = x.pixel(v);
    out << "<line x1=\"" << num(px) << "\" y1=\"" << T << "\" x2=\"" << num(px) << "\" y2=\"" << H - B
        << "\" stroke=\"#eaecf0\"/><text x=\"" << num(px) << "\" y=\"" << H - B + 16
        << "\" font-size=\"11\" text-anchor=\"middle\" fill=\"#667085\">" << num(v, "%g") << "</text>\n";
  }
  for (double v : y.ticks()) {
    const double py = y.pixel(v);
    out << "<line x1=\"" << L << "\" y1=\"" << num(py) << "\" x2=\"" << W - R << "\" y2=\"" << num(py)
        << "\" stroke=\"#eaecf0\"/><text x=\"" << L - 6 << "\" y=\"" << num(py + 4)
        << "\" font-size=\"11\" text-anchor=\"end\" fill=\"#667085\">" << num(v, "%g") << "</text>\n";
  }
  out << "<text x=\"" << (L + W - R) / 2 << "\" y=\"" << H - 14
      << "\" font-size=\"12\" text-anchor=\"middle\" fill=\"#344054\">" << esc(c.rule.latency_variable)
      << " (ms, log scale; left is faster)</text>\n";
  out << "<text transform=\"translate(18 " << (T + H - B) / 2 << ") rotate(-90)\" font-size=\"12\" "
      << "text-anchor=\"middle\" fill=\"#344054\">" << esc(metric) << (y.log ? " (log scale, " : " (")
      << (higher ? "higher is better)" : "lower is better)") << "</text>\n";
  // The Pareto front, fastest first.
  if (front.size() > 1) {
    out << "<polyline class=\"pareto\" fill=\"none\" stroke=\"#d9480f\" stroke-width=\"2\" "
           "stroke-dasharray=\"5 3\" "
           "points=\"";
    for (auto i : front)
      out << num(x.pixel(points[i].latency)) << "," << num(y.pixel(points[i].quality)) << " ";
    out << "\"/>\n";
  }
  for (const auto& p : points) {
    const bool qualified = p.row->ranked;
    const double px = x.pixel(p.latency), py = y.pixel(p.quality);
    // Labels near the right edge go to the left of their point.
    const bool left = px > W - R - 110;
    out << "<g class=\"point" << (p.front ? " front" : "") << "\" data-team=\"" << esc(p.row->entry.team)
        << "\">"
        << "<title>" << esc(p.row->entry.team) << ": " << esc(metric) << " " << format_fixed(p.quality, 4)
        << ", " << num(p.latency, "%.4g") << " ms" << (qualified ? "" : " (not qualified)")
        << (p.front ? ", on the Pareto front" : "") << "</title><circle cx=\"" << num(px) << "\" cy=\""
        << num(py) << "\" r=\"" << (p.front ? 6 : 5) << "\" fill=\"" << (p.front ? "#d9480f" : "#ffffff")
        << "\" stroke=\"" << (qualified ? "#1d2330" : "#98a2b3") << "\" stroke-width=\"1.5\"/><text x=\""
        << num(left ? px - 9 : px + 9) << "\" y=\"" << num(py - 8) << "\" font-size=\"12\" text-anchor=\""
        << (left ? "end" : "start") << "\" fill=\"" << (qualified ? "#1d2330" : "#98a2b3") << "\">"
        << esc(p.row->entry.team) << "</text></g>\n";
  }
  const double lx = W - R + 18;
  out << "<g font-size=\"12\" fill=\"#344054\"><circle cx=\"" << lx << "\" cy=\"" << T + 10
      << "\" r=\"6\" fill=\"#d9480f\" stroke=\"#1d2330\"/><text x=\"" << lx + 12 << "\" y=\"" << T + 14
      << "\">Pareto front</text><circle cx=\"" << lx << "\" cy=\"" << T + 32
      << "\" r=\"5\" fill=\"#fff\" stroke=\"#1d2330\"/><text x=\"" << lx + 12 << "\" y=\"" << T + 36
      << "\">dominated</text><circle cx=\"" << lx << "\" cy=\"" << T + 54
      << "\" r=\"5\" fill=\"#fff\" stroke=\"#98a2b3\"/><text x=\"" << lx + 12 << "\" y=\"" << T + 58
      << "\">not qualified</text></g>\n";
  out << "</svg>\n";
  return out.str();
}

std::string event_table(const Leaderboard& b) {
  const auto& e = b.event;
  std::ostringstream out;
  out << "<table class=\"sortable board\" data-challenge=\"event\"><thead><tr><th>Rank</th><th>Team</th><th>"
      << (e.rule == EventRule::sum_of_ranks ? "Sum of ranks" : "Mean normalized score") << "</th>";
  for (const auto& id : e.challenge_ids) out << "<th>" << esc(id) << "</th>";
  out << "</tr></thead><tbody>\n";
  for (const auto& r : e.rows) {
    out << "<tr data-team=\"" << esc(r.team) << "\"><td class=\"n rank\" data-v=\"" << r.rank << "\">"
        << (r.exact_tie ? "=" : "") << r.rank << "</td><td>" << esc(r.team) << "</td>"
        << td_num(r.value,
                  e.rule == EventRule::sum_of_ranks ? format_fixed(r.value, 0) : format_fixed(r.value, 3));
    for (std::size_t i = 0; i < e.challenge_ids.size(); ++i) {
      const double v = e.rule == EventRule::sum_of_ranks ? r.ranks[i] : r.normalized[i];
      std::string shown =
          e.rule == EventRule::sum_of_ranks ? std::to_string(r.ranks[i]) : format_fixed(r.normalized[i], 3);
      if (!r.ranked[i]) shown += "*";
      out << td_num(v, shown);
    }
    out << "</tr>\n";
  }
  out << "</tbody></table>\n<p class=\"rule\">* unranked on that challenge (did not qualify, failed or no "
         "result). "
      << esc(event_rule_text(e.rule)) << ".</p>\n";
  return out.str();
}

}  // namespace

std::string render_html(const Leaderboard& b) { return render_html(b, HtmlExtras{}); }

std::string render_html(const Leaderboard& b, const HtmlExtras& extras) {
  std::ostringstream out;
  const std::string title = b.event_title + ": " + b.split + " leaderboard";
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
         "'unsafe-inline'; "
         "script-src 'unsafe-inline'"
      << (extras.connect_self ? "; connect-src 'self'" : "") << "\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>" << esc(title) << "</title>\n<style>" << kStyle << "</style></head>\n<body>\n"
      << "<header><h1>" << esc(b.event_title) << "</h1><p>" << esc(b.split) << " split leaderboard &middot; "
      << b.challenges.size() << " challenge" << (b.challenges.size() == 1 ? "" : "s") << " &middot; "
      << b.teams.size() << " team" << (b.teams.size() == 1 ? "" : "s") << " &middot; " << b.records
      << " result" << (b.records == 1 ? "" : "s");
  if (!extras.generated_at.empty())
    out << " &middot; generated <time id=\"generated\">" << esc(extras.generated_at) << "</time>";
  out << "</p></header>\n<main>\n";
  out << "<section id=\"event\"><h2>Event ranking</h2>\n" << event_table(b) << "</section>\n";
  for (const auto& c : b.challenges) {
    out << "<section class=\"challenge\" id=\"challenge-" << esc(c.rule.id) << "\"><h2>" << esc(c.rule.title)
        << " <code>" << esc(c.rule.id) << "</code></h2>\n<p class=\"rule\">Score <code>"
        << esc(c.rule.formula) << "</code> (" << (c.rule.higher_is_better ? "higher" : "lower")
        << " is better)";
    if (!c.rule.qualify.empty()) out << "; qualifies when <code>" << esc(c.rule.qualify) << "</code>";
    if (!c.rule.tie_break.empty()) {
      out << "; ties broken by ";
      for (std::size_t i = 0; i < c.rule.tie_break.size(); ++i)
        out << (i ? ", " : "") << "<code>" << esc(c.rule.tie_break[i].variable) << "</code> "
            << (c.rule.tie_break[i].descending ? "desc" : "asc");
    }
    out << ". <span class=\"tie\">=</span> exact tie, <span class=\"tie\">&#8776;</span> statistical tie "
           "(the "
           "order is within the measured timing spread).</p>\n";
    for (const auto& w : c.warnings) out << "<p class=\"unreliable\">Warning: " << esc(w) << "</p>\n";
    out << challenge_table(c) << "<div class=\"charts\">" << chart(c) << "</div></section>\n";
  }
  out << extras.sections << "</main>\n<footer>Generated by gauntlet from the " << esc(b.split)
      << " split of the result store only. Click a column header to sort.</footer>\n<script>" << kScript
      << extras.script << "</script>\n</body></html>\n";
  return out.str();
}

}  // namespace gauntlet::leaderboard
