// load_challenge_data: reads or generates the dataset, selects the requested samples and
// preprocesses them into the caller's memory. One concern per file: idx_reader (files),
// synthetic (generator), split (public/private), preprocess (oneDNN).
#include "data/dataset.hpp"

#include "data/idx_reader.hpp"
#include "data/preprocess.hpp"
#include "data/split.hpp"
#include "data/synthetic.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace gauntlet {
namespace {

using data::IdxArray;

std::vector<int64_t> batch_shape(int64_t n, const TensorSpec& spec) {
  std::vector<int64_t> shape{n};
  shape.insert(shape.end(), spec.shape.begin() + (spec.shape.empty() ? 0 : 1), spec.shape.end());
  return shape;
}

int64_t per_sample(const TensorSpec& spec) {
  int64_t n = 1;
  for (std::size_t i = 1; i < spec.shape.size(); ++i) n *= spec.shape[i];
  return n;
}

std::filesystem::path resolve(const Challenge& c, const std::filesystem::path& p) {
  return p.is_absolute() || c.dir.empty() ? p : c.dir / p;
}

std::string where(const Challenge& c) { return "challenge '" + c.id + "'"; }

// ---------------------------------------------------------------------------------------------
// IDX images + labels

struct IdxPair {
  IdxArray images, labels;
  data::RawImages raw(const std::vector<int64_t>& select) const;
};

int64_t dim_or_1(const IdxArray& a, std::size_t i) { return i < a.dims.size() ? a.dims[i] : 1; }

IdxPair read_idx_pair(const Challenge& c, const std::filesystem::path& images_path,
                      const std::filesystem::path& labels_path) {
  IdxPair p;
  p.images = data::read_idx_u8(resolve(c, images_path), 3, 4, "images");
  p.labels = data::read_idx_u8(resolve(c, labels_path), 1, 1, "labels");
  if (p.images.items() != p.labels.items())
    throw DataError(p.labels.file.string() + ": holds " + std::to_string(p.labels.items()) + " labels but " +
                    p.images.file.string() + " holds " + std::to_string(p.images.items()) + " images");
  for (std::size_t i = 0; i < p.labels.data.size(); ++i)
    if (p.labels.data[i] >= c.num_classes)
      throw DataError(p.labels.file.string() + ": label " + std::to_string(p.labels.data[i]) + " of item " +
                      std::to_string(i) + " is outside [0, " + std::to_string(c.num_classes) + ")");
  data::check_image_input(c.inputs[0], c.preprocess.layout, dim_or_1(p.images, 1), dim_or_1(p.images, 2),
                          dim_or_1(p.images, 3), p.images.file.string());
  return p;
}

SplitData idx_split(const Challenge& c, const IdxPair& p, const std::vector<int64_t>& select, bool contiguous,
                    const BufferAllocator& input_alloc, const BufferAllocator& target_alloc,
                    const std::string& label) {
  const auto n = static_cast<int64_t>(select.size());
  const TensorSpec& in = c.inputs[0];
  SplitData s;
  s.source_index = select;
  s.inputs.push_back(
      HostTensor::allocate(DType::f32, batch_shape(n, in), input_alloc, label + "." + in.name));

  const auto item = static_cast<std::size_t>(p.images.item_size());
  data::RawImages raw{p.images.data.data(), n, dim_or_1(p.images, 1), dim_or_1(p.images, 2),
                      dim_or_1(p.images, 3)};
  std::vector<uint8_t> gathered;
  if (!contiguous) {  // gather the chosen u8 images (4x smaller than the f32 result) first
    gathered.resize(item * select.size());
    for (std::size_t i = 0; i < select.size(); ++i)
      std::memcpy(gathered.data() + i * item, p.images.data.data() + select[i] * item, item);
    raw.data = gathered.data();
  }
  data::preprocess_images(raw, in, c.preprocess, s.inputs[0].as<float>());

  s.targets = HostTensor::allocate(DType::s32, {n}, target_alloc, label + "." + c.target.name);
  auto* t = s.targets.as<int32_t>();
  for (int64_t i = 0; i < n; ++i) t[i] = p.labels.data[select[i]];
  return s;
}

void load_idx(const Challenge& c, const IdxDataSource& src, const DataRequest& req,
              const BufferAllocator& worker_alloc, ChallengeData& out) {
  if (c.task != Task::classification)
    throw DataError(where(c) + ": IDX data (images with class labels) needs task: classification");
  if (c.target.dtype != DType::s32 || per_sample(c.target) != 1)
    throw DataError(where(c) + ": IDX labels need a target of dtype s32 and shape [batch]");

  const IdxPair test = read_idx_pair(c, src.test_images, src.test_labels);
  const auto sel = data::eval_indices(c.split, req.split, test.images.items(), req.eval_limit);
  out.eval = idx_split(c, test, sel, false, worker_alloc, heap_allocator(), "eval");

  if (!req.include_train) return;
  const IdxPair train = read_idx_pair(c, src.train_images, src.train_labels);
  const int64_t total = train.images.items();
  std::vector<int64_t> first(req.train_limit < 0 ? total : std::min(total, req.train_limit));
  std::iota(first.begin(), first.end(), int64_t{0});
  out.train = idx_split(c, train, first, true, worker_alloc, worker_alloc, "train");
}

// ---------------------------------------------------------------------------------------------
// Synthetic regression

void load_synthetic(const Challenge& c, const SyntheticRegressionSource& src, const DataRequest& req,
                    const BufferAllocator& worker_alloc, ChallengeData& out) {
  if (c.task != Task::regression)
    throw DataError(where(c) + ": synthetic_regression data needs task: regression");
  const TensorSpec& in = c.inputs[0];
  if (in.dtype != DType::f32 || per_sample(in) != src.num_features)
    throw DataError(where(c) + ": synthetic_regression makes " + std::to_string(src.num_features) +
                    " f32 features per sample but input '" + in.name + "' takes " +
                    std::to_string(per_sample(in)) + " " + std::string(dtype_name(in.dtype)) + " values");
  if (c.target.dtype != DType::f32 || per_sample(c.target) != 1)
    throw DataError(where(c) + ": synthetic_regression makes one f32 target per sample but target '" +
                    c.target.name + "' takes " + std::to_string(per_sample(c.target)) + " " +
                    std::string(dtype_name(c.target.dtype)) + " values");
  const auto f = static_cast<std::size_t>(src.num_features);
  data::SyntheticRegressionGenerator gen(src);

  // Training samples come first in the stream, so they are drawn (or skipped) in any case.
  const int64_t n_train =
      !req.include_train ? 0
                         : (req.train_limit < 0 ? src.num_train : std::min(src.num_train, req.train_limit));
  if (req.include_train) {
    out.train.inputs.push_back(
        HostTensor::allocate(DType::f32, batch_shape(n_train, in), worker_alloc, "train." + in.name));
    out.train.targets = HostTensor::allocate(DType::f32, batch_shape(n_train, c.target), worker_alloc,
                                             "train." + c.target.name);
    out.train.source_index.resize(static_cast<std::size_t>(n_train));
    std::iota(out.train.source_index.begin(), out.train.source_index.end(), int64_t{0});
  }
  float* tx = n_train ? out.train.inputs[0].as<float>() : nullptr;
  float* ty = n_train ? out.train.targets.as<float>() : nullptr;
  for (int64_t i = 0; i < src.num_train; ++i) {
    const bool keep = i < n_train;
    const double y = gen.next(keep ? tx + i * f : nullptr);
    if (keep) ty[i] = static_cast<float>(y);
  }
  if (n_train) data::preprocess_features(tx, n_train * src.num_features, c.preprocess);

  const auto sel = data::eval_indices(c.split, req.split, src.num_test, req.eval_limit);
  const auto n_eval = static_cast<int64_t>(sel.size());
  SplitData& e = out.eval;
  e.source_index = sel;
  e.inputs.push_back(
      HostTensor::allocate(DType::f32, batch_shape(n_eval, in), worker_alloc, "eval." + in.name));
  e.targets = HostTensor::allocate(DType::f32, batch_shape(n_eval, c.target), heap_allocator(),
                                   "eval." + c.target.name);
  float* ex = e.inputs[0].as<float>();
  float* ey = e.targets.as<float>();
  std::size_t next = 0;  // sel is ascending: walk the test stream once, keeping the chosen ones
  for (int64_t i = 0; i < src.num_test && next < sel.size(); ++i) {
    const bool keep = sel[next] == i;
    const double y = gen.next(keep ? ex + next * f : nullptr);
    if (keep) ey[next++] = static_cast<float>(y);
  }
  data::preprocess_features(ex, n_eval * src.num_features, c.preprocess);
}

}  // namespace

ChallengeData load_challenge_data(const Challenge& challenge, const DataRequest& request,
                                  const BufferAllocator& worker_alloc) {
  if (challenge.inputs.size() != 1)
    throw DataError(where(challenge) + ": the data layer feeds exactly one input, the challenge declares " +
                    std::to_string(challenge.inputs.size()));
  ChallengeData out;
  std::visit(
      [&](const auto& src) {
        using T = std::decay_t<decltype(src)>;
        if constexpr (std::is_same_v<T, IdxDataSource>)
          load_idx(challenge, src, request, worker_alloc, out);
        else
          load_synthetic(challenge, src, request, worker_alloc, out);
      },
      challenge.data);
  return out;
}

}  // namespace gauntlet
