// The judge's data: reads a challenge's dataset through its source (formats/source.hpp),
// divides it into training and test sets and the test set into public and private parts,
// and preprocesses every input straight into the memory the caller provides (the shared
// memory the worker maps: zero copy afterwards).
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

// True when test sample `index` belongs to the private part (see SplitRule).
[[nodiscard]] bool is_private_sample(const SplitRule& rule, int64_t index);

struct DataRequest {
  SplitName split = SplitName::public_split;
  int64_t eval_limit = -1;    // < 0: every sample of the split; else at most this many (the first ones)
  int64_t train_limit = -1;   // < 0: the whole training set; else at most this many (the first ones)
  bool include_train = true;  // false: do not read the training set at all
};

struct SplitData {
  // One per challenge input, in challenge.inputs order, preprocessed to the input's dtype,
  // shape [N, spec.shape[1:]...].
  std::vector<HostTensor> inputs;
  // In the target's dtype, shape [N, target.shape[1:]...] (class indices, 0/1 labels, values).
  HostTensor targets;
  // Index of each sample in the source set (test set for eval, train set for train).
  std::vector<int64_t> source_index;
};

struct ChallengeData {
  SplitData train;  // empty (no tensors) unless include_train
  SplitData eval;   // the requested part of the test set
  // What the plugin is told next to plugin_config in create(): preprocess_entries(challenge)
  // plus, for each standardised input x, `gauntlet.preprocess.x.mean` and `.std` (the fitted
  // values, comma-separated per element).
  std::vector<std::pair<std::string, std::string>> preprocess_entries;
  std::vector<std::string> class_names;  // when the source knows them (folders, files per class)
};

// `worker_alloc` provides the memory of everything the worker will see: train inputs, train
// targets and eval inputs. Eval targets are hidden from the worker and always live on the
// host's heap. Throws DataError.
// The labels passed to worker_alloc are "train.<input name>", "train.<target name>" and
// "eval.<input name>". The training set is read (for fitted preprocessing) even when it is not
// included.
ChallengeData load_challenge_data(const Challenge& challenge, const DataRequest& request,
                                  const BufferAllocator& worker_alloc);

// The training set and the requested part of the test set as the source holds them (no
// conversion, no preprocessing), each tensor's rows gathered: what a team kit copies.
struct RawParts {
  formats::Table train, test;
};
RawParts raw_parts(const Challenge& challenge, SplitName split);

}  // namespace gauntlet
