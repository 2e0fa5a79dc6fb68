#include "bench.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <mutex>
#include <numeric>
#include <sstream>
#include <thread>

namespace gauntlet::bench {
namespace {

std::vector<Row>& rows() {
  static std::vector<Row> r;
  return r;
}
std::vector<std::string>& notes() {
  static std::vector<std::string> n;
  return n;
}
std::map<std::string, double>& values() {
  static std::map<std::string, double> v;
  return v;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

}  // namespace

Stats stats(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    const double idx = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(idx);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    const double f = idx - static_cast<double>(lo);
    return v[lo] * (1 - f) + v[hi] * f;
  };
  s.p10 = at(0.10);
  s.p50 = at(0.50);
  s.p90 = at(0.90);
  s.p99 = at(0.99);
  s.p999 = at(0.999);
  s.min = v.front();
  s.max = v.back();
  s.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  s.n = v.size();
  return s;
}

std::vector<std::function<void()>>& builders() {
  static std::vector<std::function<void()>> b;
  return b;
}

void add_row(const Row& row) { rows().push_back(row); }
void on_summary(std::function<void()> build) { builders().push_back(std::move(build)); }
void build_rows() {
  for (auto& b : builders()) b();
}
void add_note(const std::string& note) { notes().push_back(note); }
void set_value(const std::string& key, double v) { values()[key] = v; }

void set_tails(const std::string& key, const Stats& s) {
  set_value(key + ".p50", s.p50);
  set_value(key + ".p99", s.p99);
  set_value(key + ".p999", s.p999);
}
std::optional<double> value(const std::string& key) {
  auto it = values().find(key);
  if (it == values().end()) return std::nullopt;
  return it->second;
}

std::string fmt(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}
std::string us(double ns, int digits) { return fmt(ns / 1e3, digits) + " us"; }
std::string ms(double ns, int digits) { return fmt(ns / 1e6, digits) + " ms"; }
std::string ratio(double v) {
  if (!std::isfinite(v)) return "-";
  return fmt(v, v >= 100 ? 0 : v >= 10 ? 1 : 2) + "x";
}
std::string yes_no(bool ok) { return ok ? "yes" : "NO"; }

std::string source_path(const std::string& relative) {
  return std::string(GAUNTLET_SOURCE_DIR) + "/" + relative;
}
std::string bin_path(const std::string& name) { return std::string(GAUNTLET_BIN_DIR) + "/" + name; }
std::string sample_plugin(const std::string& name) {
  return std::string(GAUNTLET_PLUGIN_DIR) + "/lib" + name + ".so";
}
std::string test_plugin(const std::string& name) {
  return std::string(GAUNTLET_TEST_PLUGIN_DIR) + "/lib" + name + ".so";
}
std::string bench_path(const std::string& name) { return std::string(GAUNTLET_BENCH_DIR) + "/" + name; }
std::string work_dir() {
  const std::string dir = bench_path("work");
  std::filesystem::create_directories(dir);
  return dir;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}
double load_1min() {
  std::ifstream in("/proc/loadavg");
  double a = 0;
  in >> a;
  return a;
}

void print_summary(std::ostream& out, double seconds, const std::string& load_start) {
  utsname u{};
  ::uname(&u);
  out << "\nGauntlet benchmark summary (docs/performance.md)\n";
  out << "machine: " << cpu_model() << ", " << std::thread::hardware_concurrency() << " CPUs, Linux "
      << u.release << "\n";
  out << "load average (1, 5, 15 min): " << load_start << " at start, " << load_average()
      << " at end; suite ran " << fmt(seconds, 0) << " s\n\n";
  const std::vector<std::string> head{
      "figure", "measured (median [p10-p90] or spread)", "target", "met?", "machine limit (this run)",
      "ratio"};
  std::vector<std::size_t> w(head.size());
  for (std::size_t i = 0; i < head.size(); ++i) w[i] = head[i].size();
  auto cells = [](const Row& r) {
    return std::vector<std::string>{r.figure, r.measured, r.target, r.met, r.limit, r.ratio};
  };
  // Column widths in characters (UTF-8 continuation bytes do not count).
  auto width = [](const std::string& s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
  };
  for (const Row& r : rows()) {
    auto c = cells(r);
    for (std::size_t i = 0; i < c.size(); ++i) w[i] = std::max(w[i], width(c[i]));
  }
  auto line = [&](const std::vector<std::string>& c) {
    out << "|";
    for (std::size_t i = 0; i < c.size(); ++i)
      out << " " << c[i] << std::string(w[i] - width(c[i]), ' ') << " |";
    out << "\n";
  };
  line(head);
  out << "|";
  for (std::size_t i = 0; i < head.size(); ++i) out << std::string(w[i] + 2, '-') << "|";
  out << "\n";
  for (const Row& r : rows()) line(cells(r));
  if (!notes().empty()) {
    out << "\n";
    for (const auto& n : notes()) out << "- " << n << "\n";
  }
  out.flush();
}

}  // namespace gauntlet::bench
