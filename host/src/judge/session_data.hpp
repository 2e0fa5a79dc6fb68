// A challenge's data made ready for judging: inputs (and training data) preprocessed once
// into host memory, evaluation targets kept there too. Prepared once and reused for any
// number of plugins judged on the same challenge and split. None of it is mapped by a worker:
// each job gets its own copy of the training tensors (revoked after train()) and sees
// evaluation inputs only through its presentation regions, one call at a time
// (presentation.hpp).
#pragma once

#include "challenge/challenge.hpp"
#include "data/dataset.hpp"

#include <cstdint>
#include <vector>

namespace gauntlet::judge {

struct SessionData {
  ChallengeData data;
  int64_t eval_samples = 0;
  int64_t train_samples = 0;
  int64_t max_batch = 0;  // largest batch size infer() will see
};

// Batch sizes prepare() announces: timing batch sizes plus the evaluation batch size,
// ascending and unique.
std::vector<int64_t> announced_batch_sizes(const Challenge& challenge);

// Throws DataError (bad dataset).
SessionData prepare_session_data(const Challenge& challenge, const DataRequest& request);

}  // namespace gauntlet::judge
