#include "event/eta.hpp"

#include "store/result_store.hpp"

#include <algorithm>
#include <vector>

namespace gauntlet::event {

EtaEstimate::EtaEstimate(const std::map<std::string, int>& to_judge, std::map<std::string, double> earlier,
                         int parallel)
    : earlier_(std::move(earlier)), parallel_(std::max(1, parallel)) {
  for (const auto& [challenge, jobs] : to_judge) counts_[challenge].left = jobs;
}

void EtaEstimate::job_finished(const std::string& challenge, double seconds) {
  Counts& c = counts_[challenge];
  c.left = std::max(0, c.left - 1);
  ++c.finished;
  c.seconds += seconds;
}

void EtaEstimate::job_added(const std::string& challenge) { ++counts_[challenge].left; }

std::optional<double> EtaEstimate::remaining_seconds() const {
  std::map<std::string, double> per_job;
  for (const auto& [challenge, c] : counts_) {
    if (c.finished > 0)
      per_job[challenge] = c.seconds / c.finished;
    else if (const auto it = earlier_.find(challenge); it != earlier_.end())
      per_job[challenge] = it->second;
  }
  if (per_job.empty()) return std::nullopt;
  double known_mean = 0;
  for (const auto& [challenge, seconds] : per_job) known_mean += seconds;
  known_mean /= static_cast<double>(per_job.size());
  double total = 0;
  for (const auto& [challenge, c] : counts_) {
    const auto it = per_job.find(challenge);
    total += c.left * (it != per_job.end() ? it->second : known_mean);
  }
  return total / parallel_;
}

std::map<std::string, double> seconds_per_job_in_store(const std::filesystem::path& store,
                                                       const std::string& split) {
  std::map<std::string, std::vector<double>> seen;
  for (const auto& record : store::read_split(store, split)) {
    const auto& result = record["result"];
    const auto challenge = result.find("challenge");
    const auto seconds = result.find("seconds");
    if (challenge == result.end() || seconds == result.end() || !challenge->is_object() ||
        !seconds->is_object())
      continue;
    const double total = seconds->value("total", -1.0);
    const std::string id = challenge->value("id", "");
    if (total > 0 && !id.empty()) seen[id].push_back(total);
  }
  std::map<std::string, double> median;
  for (auto& [challenge, values] : seen) {
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2),
                     values.end());
    median[challenge] = values[values.size() / 2];
  }
  return median;
}

}  // namespace gauntlet::event
