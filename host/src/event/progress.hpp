// What `gauntlet run` shows while it works. On a terminal: one status line redrawn in place
// (bar, done/total, elapsed, ETA, the jobs running and their phase) with a line per finished
// job above it. Elsewhere (a file, a CI log): plain lines only, one when a job starts and one
// when it ends.
#pragma once

#include "event/eta.hpp"
#include "event/runner.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>

namespace gauntlet::event {

class ProgressDisplay : public RunObserver {
 public:
  // `to_judge`: jobs this run will judge. `show_scores` false keeps scores out of the lines
  // (the private split: its scores appear only when the organizer asks for them).
  ProgressDisplay(std::ostream& out, bool terminal, const EventConfig& config, int to_judge,
                  bool show_scores);

  void job_started(const Job& job, std::size_t slot) override;
  void job_started_at(const Job& job, const std::string& where) override;
  void job_phase(const Job& job, const std::string& line) override;
  void job_finished(const Job& job, const JobOutcome& outcome) override;

  // The ETA from per-challenge figures (eta.hpp) instead of elapsed time over jobs done.
  void estimate_with(EtaEstimate estimate);

  // Redraws the status line (terminal only); call every few hundred milliseconds.
  void tick();
  // Clears the status line.
  void finish();

 private:
  std::string label(const Job& job) const;
  std::string status_line() const;  // without the lock
  std::string eta_text(double elapsed) const;
  void redraw();  // with the lock held

  std::ostream& out_;
  bool terminal_;
  const EventConfig& config_;
  int total_;
  bool show_scores_;
  int done_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::map<std::string, std::string> running_;  // job label -> current phase
  std::optional<EtaEstimate> eta_;
  mutable std::mutex mutex_;
};

// "1:05", "12:00:03".
std::string format_duration(double seconds);

}  // namespace gauntlet::event
