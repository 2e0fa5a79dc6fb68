// How long the rest of an event run will take. Jobs of one challenge take alike, jobs of
// different challenges do not (a Fashion-MNIST job that trains is ~30x a synthetic one), so the
// estimate is per challenge: the mean of this run's finished jobs of that challenge, else the
// median of the store's earlier results for it, else the mean of the challenges known so far;
// divided by the jobs judged at a time. (Elapsed over done, the old rule, said 0:01 before 9 s
// of work when a quick challenge came first.)
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace gauntlet::event {

class EtaEstimate {
 public:
  // `to_judge`: jobs of this run per challenge id; `earlier`: seconds per job of each challenge
  // from earlier runs (seconds_per_job_in_store); `parallel`: jobs judged at a time.
  EtaEstimate(const std::map<std::string, int>& to_judge, std::map<std::string, double> earlier,
              int parallel);

  void job_finished(const std::string& challenge, double seconds);
  void job_added(const std::string& challenge);  // a job judged once more later in the run

  // Seconds until every job is judged, or nothing while no challenge has a figure.
  [[nodiscard]] std::optional<double> remaining_seconds() const;

 private:
  struct Counts {
    int left = 0;
    int finished = 0;
    double seconds = 0;  // of the finished ones
  };
  std::map<std::string, Counts> counts_;
  std::map<std::string, double> earlier_;
  int parallel_;
};

// Median seconds per job of each challenge among the stored results of `split` (their
// result.seconds.total); challenges without any are absent. Unreadable records are skipped.
[[nodiscard]] std::map<std::string, double> seconds_per_job_in_store(const std::filesystem::path& store,
                                                                     const std::string& split);

}  // namespace gauntlet::event
