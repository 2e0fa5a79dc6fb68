#include "event/progress.hpp"

#include "common/untrusted_text.hpp"

#include "common/errors.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace gauntlet::event {
namespace {

int terminal_columns() {
  winsize w{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 20) return w.ws_col;
  return 100;
}

std::string score_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

ProgressDisplay::ProgressDisplay(std::ostream& out, bool terminal, const EventConfig& config, int to_judge,
                                 bool show_scores)
    : out_(out),
      terminal_(terminal),
      config_(config),
      total_(to_judge),
      show_scores_(show_scores),
      start_(std::chrono::steady_clock::now()) {}

void ProgressDisplay::estimate_with(EtaEstimate estimate) {
  std::lock_guard<std::mutex> lock(mutex_);
  eta_ = std::move(estimate);
}

std::string ProgressDisplay::eta_text(double elapsed) const {
  if (eta_) {
    const std::optional<double> left = eta_->remaining_seconds();
    return left ? format_duration(*left) : "--:--";
  }
  return done_ > 0 ? format_duration(elapsed / done_ * (total_ - done_)) : "--:--";
}

std::string ProgressDisplay::label(const Job& job) const {
  return job.team + " on " + config_.challenges[job.challenge].id;
}

void ProgressDisplay::job_started(const Job& job, std::size_t slot) {
  job_started_at(job, "job slot " + std::to_string(slot));
}

void ProgressDisplay::job_started_at(const Job& job, const std::string& where) {
  std::lock_guard<std::mutex> lock(mutex_);
  running_[label(job)] = "starting";
  if (terminal_) {
    redraw();
  } else {
    out_ << "[gauntlet] [" << done_ + static_cast<int>(running_.size()) << "/" << total_ << "] judging "
         << label(job) << " (" << where << ")\n"
         << std::flush;
  }
}

void ProgressDisplay::job_phase(const Job& job, const std::string& line) {
  std::lock_guard<std::mutex> lock(mutex_);
  running_[label(job)] = line;
  if (terminal_) redraw();
}

void ProgressDisplay::job_finished(const Job& job, const JobOutcome& o) {
  std::lock_guard<std::mutex> lock(mutex_);
  running_.erase(label(job));
  ++done_;
  if (o.again) ++total_;  // judged once more at the end of the run
  if (eta_) {
    const std::string& challenge = config_.challenges[job.challenge].id;
    eta_->job_finished(challenge, o.seconds);
    if (o.again) eta_->job_added(challenge);
  }
  std::string line =
      std::string("[").append(std::to_string(done_)).append("/").append(std::to_string(total_));
  line += "] " + label(job) + ": " + o.verdict;
  if (o.verdict == "OK" && !o.qualified) line += " (not qualified)";
  if (show_scores_ && o.score) line += ", score " + score_text(*o.score);
  char secs[32];
  std::snprintf(secs, sizeof secs, " in %.1f s", o.seconds);
  line += secs;
  if (o.verdict != "OK" && !o.reason.empty())
    line += ": " + untrusted::terminal_line(o.reason);  // from the plugin: shown, never obeyed
  if (o.latency_unreliable) line += " (latency unreliable)";
  if (o.again)
    line += "; judged again later (attempt " + std::to_string(o.attempt + 1) + " of " +
            std::to_string(o.max_attempts) + ")";
  if (!o.store_error.empty()) line += " [NOT STORED: " + o.store_error + "]";
  if (terminal_) {
    const int cols = terminal_columns();
    if (static_cast<int>(line.size()) > cols - 1)
      line = line.substr(0, static_cast<std::size_t>(cols - 4)) + "...";
    out_ << "\r\033[K" << line << "\n";
    redraw();
  } else {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    out_ << "[gauntlet] " << line << " (" << format_duration(elapsed) << " elapsed, ETA " << eta_text(elapsed)
         << ")\n"
         << std::flush;
  }
}

std::string ProgressDisplay::status_line() const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const int width = 24;
  const int filled = total_ > 0 ? done_ * width / total_ : width;
  // Appended piece by piece: `"[" + std::string(...)` trips GCC 12's false -Wrestrict.
  std::string bar = "[";
  bar.append(static_cast<std::size_t>(filled), '#').append(static_cast<std::size_t>(width - filled), '.');
  bar += ']';
  const std::string eta = eta_text(elapsed);
  std::string s = bar + " " + std::to_string(done_) + "/" + std::to_string(total_) + "  " +
                  format_duration(elapsed) + " elapsed, ETA " + eta;
  for (const auto& [job, phase] : running_) s.append("  | ").append(job).append(": ").append(phase);
  return s;
}

void ProgressDisplay::redraw() {
  std::string s = status_line();
  const int cols = terminal_columns();
  if (static_cast<int>(s.size()) > cols - 1) s = s.substr(0, static_cast<std::size_t>(cols - 1));
  out_ << "\r\033[K" << s << std::flush;
}

void ProgressDisplay::tick() {
  if (!terminal_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  redraw();
}

void ProgressDisplay::finish() {
  if (!terminal_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  out_ << "\r\033[K" << std::flush;
}

}  // namespace gauntlet::event
