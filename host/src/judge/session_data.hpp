// A challenge's data made ready for workers: inputs (and training data) preprocessed straight
// into sealed shared memory, evaluation targets kept in host memory only. Prepared once and
// reusable for any number of plugins judged on the same challenge and split.
#pragma once

#include "challenge/challenge.hpp"
#include "data/dataset.hpp"
#include "judge/worker_client.hpp"

#include <vector>

namespace gauntlet::judge {

struct SessionData {
  ChallengeData data;
  std::vector<RegionSpec> eval_regions;   // one per input; capacity padded by the largest batch
  std::vector<RegionSpec> train_regions;  // train inputs and targets; empty without training
  int64_t eval_samples = 0;
  int64_t train_samples = 0;
  int64_t max_batch = 0;  // largest batch size infer() will see
};

// Batch sizes prepare() announces: timing batch sizes plus the evaluation batch size,
// ascending and unique.
std::vector<int64_t> announced_batch_sizes(const Challenge& challenge);

// Throws DataError (bad dataset) or std::runtime_error (shared memory setup).
SessionData prepare_session_data(const Challenge& challenge, const DataRequest& request);

}  // namespace gauntlet::judge
