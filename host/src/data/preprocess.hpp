// Private to the data layer: an input's selected samples converted and preprocessed, written
// straight into the caller's (shared) memory. oneDNN does u8 images with one scale, mean and
// std (the common case, one reorder); every other case is a plain loop in double.
#pragma once

#include "challenge/challenge.hpp"
#include "common/host_tensor.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace gauntlet::data {

// Per-element mean and standard deviation of an input over the training set.
struct FeatureStats {
  std::vector<double> mean, stddev;
};

// Population statistics of every element of `src` [n, ...] over `rows`; a constant element
// gets std 1 (it then only loses its mean). Fitted in double.
FeatureStats fit_standardize(const HostTensor& src, const std::vector<int64_t>& rows);

// Throws DataError (naming `origin`) unless `src` [n, ...] can feed input `spec`: the same
// number of values per sample, or, for a 4-D input, images [n, h, w] or [n, h, w, c] whose
// sizes the input's layout takes.
void check_input(const HostTensor& src, const TensorSpec& spec, const std::string& origin);

// Writes src's `rows` into `dst` ([rows, spec.shape[1:]...] of spec.dtype), preprocessed as
// spec.preprocess says (`stats` for standardize). Throws DataError when a raw value does not
// fit the input's dtype.
void fill_input(const HostTensor& src, const std::vector<int64_t>& rows, const TensorSpec& spec,
                const FeatureStats* stats, HostTensor& dst, const std::string& origin);

}  // namespace gauntlet::data
