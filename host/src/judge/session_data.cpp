#include "judge/session_data.hpp"

#include <algorithm>

namespace gauntlet::judge {

std::vector<int64_t> announced_batch_sizes(const Challenge& challenge) {
  std::vector<int64_t> sizes = challenge.timing.batch_sizes;
  sizes.push_back(challenge.timing.eval_batch_size);
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  return sizes;
}

SessionData prepare_session_data(const Challenge& challenge, const DataRequest& request) {
  SessionData s;
  s.max_batch = announced_batch_sizes(challenge).back();
  s.data = load_challenge_data(challenge, request, heap_allocator());
  s.eval_samples = s.data.eval.targets.samples();
  s.train_samples = s.data.train.targets.samples();
  return s;
}

}  // namespace gauntlet::judge
