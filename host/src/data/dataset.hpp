// The judge's data: reads or generates a challenge's dataset, divides its test set into the
// public and private parts, and preprocesses inputs with oneDNN straight into the memory the
// caller provides (the shared memory the worker maps: zero copy afterwards).
#pragma once

#include "challenge/challenge.hpp"
#include "common/errors.hpp"
#include "common/host_tensor.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace gauntlet {

// whole_test = public and private together: the figure a baseline is quoted with
// (organizers only; events judge public or private).
enum class SplitName { public_split, private_split, whole_test };
const char* split_name(SplitName split);  // "public" / "private" / "all"

// A dataset file that is missing, truncated or corrupt. The message names the file and
// what is wrong with it; commands exit with code 2.
class DataError : public std::runtime_error {
 public:
  // The message is made one printable line (paths come from challenge files).
  explicit DataError(const std::string& message) : std::runtime_error(printable_line(message)) {}
};

// True when test sample `index` belongs to the private part (see SplitRule).
bool is_private_sample(const SplitRule& rule, int64_t index);

struct DataRequest {
  SplitName split = SplitName::public_split;
  int64_t eval_limit = -1;    // < 0: every sample of the split; else at most this many (the first ones)
  int64_t train_limit = -1;   // < 0: the whole training set; else at most this many (the first ones)
  bool include_train = true;  // false: do not read the training set at all
};

struct SplitData {
  // One per challenge input, preprocessed to the input's dtype, shape [N, spec.shape[1:]...].
  std::vector<HostTensor> inputs;
  // classification: s32 [N] class indices; regression: f32 [N, target.shape[1:]...].
  HostTensor targets;
  // Index of each sample in the source set (test set for eval, train set for train).
  std::vector<int64_t> source_index;
};

struct ChallengeData {
  SplitData train;  // empty (no tensors) unless include_train
  SplitData eval;   // the requested part of the test set
};

// `worker_alloc` provides the memory of everything the worker will see: train inputs, train
// targets and eval inputs. Eval targets are hidden from the worker and always live on the
// host's heap. Throws DataError.
// The labels passed to worker_alloc are "train.<input name>", "train.<target name>" and
// "eval.<input name>". Preprocessed inputs are f32 (another input dtype is a DataError).
ChallengeData load_challenge_data(const Challenge& challenge, const DataRequest& request,
                                  const BufferAllocator& worker_alloc);

}  // namespace gauntlet
