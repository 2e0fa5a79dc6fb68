// load_challenge_data: reads the sets through the challenge's source, divides them, checks
// them against the interface and preprocesses them into the caller's memory. One concern per
// file: split (who goes where), preprocess (conversion, oneDNN).
#include "data/dataset.hpp"

#include "common/text.hpp"
#include "data/preprocess.hpp"
#include "data/split.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <numeric>

namespace gauntlet {
namespace {

std::vector<int64_t> batch_shape(int64_t n, const TensorSpec& spec) {
  std::vector<int64_t> shape{n};
  shape.insert(shape.end(), spec.shape.begin() + (spec.shape.empty() ? 0 : 1), spec.shape.end());
  return shape;
}

std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), int64_t{0});
  return v;
}

// One set as read, and the rows of it that belong to a part.
struct View {
  const formats::Table* table = nullptr;
  std::vector<int64_t> rows;
};

// Every wanted tensor is there, with one sample count; targets hold valid labels.
void check_table(const Challenge& c, const formats::Table& t) {
  const HostTensor* target = t.find(c.target.name);
  const std::string target_from = t.origin_of(c.target.name);
  for (const TensorSpec& in : c.inputs) {
    const HostTensor* x = t.find(in.name);
    if (!x) throw DataError("challenge '" + c.id + "': the source gave no tensor '" + in.name + "'");
    if (x->samples() != target->samples()) {
      const bool schema1 = c.schema == 1;
      throw DataError(target_from + ": holds " + std::to_string(target->samples()) +
                      (schema1 ? " labels but " : " samples of '" + c.target.name + "' but ") +
                      t.origin_of(in.name) + " holds " + std::to_string(x->samples()) +
                      (schema1 ? " images" : " samples of '" + in.name + "'"));
    }
    data::check_input(*x, in, t.origin_of(in.name));
  }
  if (target->sample_numel() != sample_elements(c.target.shape))
    throw DataError(target_from + ": holds " + std::to_string(target->sample_numel()) +
                    " values per sample " + format_shape(target->shape) + " but target '" + c.target.name +
                    "' is " + format_shape(c.target.shape));
  if (c.task == Task::regression) return;
  const int64_t limit = c.task == Task::classification ? c.num_classes : 2;
  for (int64_t i = 0; i < target->numel(); ++i) {
    const double v = target->value(static_cast<std::size_t>(i));
    if (!(v >= 0 && v < static_cast<double>(limit)) || v != static_cast<double>(static_cast<int64_t>(v))) {
      throw DataError(target_from + ": label " + format_number(v) + " of item " +
                      std::to_string(i / target->sample_numel()) + " is outside [0, " +
                      std::to_string(limit) + ")");
    }
  }
}

std::vector<int32_t> class_of(const Challenge& c, const View& v) {
  std::vector<int32_t> out;
  const HostTensor& t = *v.table->find(c.target.name);
  for (const int64_t r : v.rows) out.push_back(static_cast<int32_t>(t.value(static_cast<std::size_t>(r))));
  return out;
}

// The target's rows, converted to its dtype and shape.
HostTensor targets_of(const Challenge& c, const View& v, const BufferAllocator& alloc,
                      const std::string& label) {
  const HostTensor& src = *v.table->find(c.target.name);
  const auto n = static_cast<int64_t>(v.rows.size());
  HostTensor out =
      HostTensor::allocate(c.target.dtype, batch_shape(n, c.target), alloc, label + "." + c.target.name);
  TensorSpec raw = c.target;
  raw.preprocess = {};
  data::fill_input(src, v.rows, raw, nullptr, out, v.table->origin_of(c.target.name));
  return out;
}

std::string values_list(const std::vector<double>& v) {
  std::vector<std::string> items;
  char buf[40];
  for (const double x : v) {
    std::snprintf(buf, sizeof buf, "%.9g", x);
    items.emplace_back(buf);
  }
  return join(items, ",");
}

// The sets as read, and which of their rows make each part of a request.
struct Selection {
  formats::Table all, test, train;
  View test_view, train_view;       // the whole test and training sets
  View eval, train_part;            // the requested part of the test set; the training samples given
  std::vector<int64_t> eval_index;  // eval's positions in the test set
  std::vector<std::string> class_names;
};

void select(const Challenge& c, const DataRequest& req, Selection& s) {
  if (!c.data.config) throw DataError("challenge '" + c.id + "': no data source");
  const std::vector<formats::TensorWant> want = source_tensors(c);

  const bool fitted = std::any_of(c.inputs.begin(), c.inputs.end(), [](const TensorSpec& t) {
    return t.preprocess.kind == InputPreprocess::Kind::standardize;
  });
  const bool need_train = req.include_train || fitted;
  const bool labels = c.task == Task::classification || c.task == Task::binary;
  if (c.data.config->sets() == std::vector<std::string>{"all"}) {
    s.all = c.data.config->read("all", want);
    check_table(c, s.all);
    const View whole{&s.all, iota(s.all.samples())};
    const std::vector<int32_t> classes = labels ? class_of(c, whole) : std::vector<int32_t>{};
    const Holdout h = c.holdout.value_or(Holdout{});
    const std::vector<bool> to_test = data::exact_choice(s.all.samples(), h.test_fraction, h.seed,
                                                         h.stratify && labels ? &classes : nullptr);
    s.test_view.table = s.train_view.table = &s.all;
    for (int64_t i = 0; i < s.all.samples(); ++i)
      (to_test[i] ? s.test_view.rows : s.train_view.rows).push_back(i);
    s.class_names = s.all.classes;
  } else {
    s.test = c.data.config->read("test", want);
    check_table(c, s.test);
    s.test_view = {&s.test, iota(s.test.samples())};
    if (need_train) {
      s.train = c.data.config->read("train", want);
      check_table(c, s.train);
      s.train_view = {&s.train, iota(s.train.samples())};
    }
    s.class_names = s.test.classes;
  }

  // The public/private division and the limit, in test-set order.
  const std::vector<int32_t> test_classes = labels ? class_of(c, s.test_view) : std::vector<int32_t>{};
  s.eval_index = data::eval_indices(c.split, req.split, static_cast<int64_t>(s.test_view.rows.size()),
                                    req.eval_limit, labels ? &test_classes : nullptr);
  s.eval = {s.test_view.table, {}};
  for (const int64_t i : s.eval_index) s.eval.rows.push_back(s.test_view.rows[i]);

  s.train_part = {s.train_view.table, s.train_view.rows};
  if (req.train_limit >= 0 && static_cast<int64_t>(s.train_part.rows.size()) > req.train_limit)
    s.train_part.rows.resize(static_cast<std::size_t>(req.train_limit));
}

formats::Table gather(const View& v) {
  formats::Table out;
  if (!v.table) return out;
  out.classes = v.table->classes;
  for (std::size_t k = 0; k < v.table->names.size(); ++k) {
    const HostTensor& src = v.table->tensors[k];
    std::vector<int64_t> shape = src.shape;
    shape[0] = static_cast<int64_t>(v.rows.size());
    HostTensor t = HostTensor::allocate(src.dtype, shape);
    const std::size_t bytes = src.sample_bytes();
    for (std::size_t i = 0; i < v.rows.size(); ++i)
      std::memcpy(t.raw() + i * bytes, src.raw() + static_cast<std::size_t>(v.rows[i]) * bytes, bytes);
    out.add(v.table->names[k], std::move(t), v.table->origin[k]);
  }
  return out;
}

}  // namespace

RawParts raw_parts(const Challenge& challenge, SplitName split) {
  Selection s;
  select(challenge, {split, -1, -1, true}, s);
  return {gather(s.train_part), gather(s.eval)};
}

ChallengeData load_challenge_data(const Challenge& c, const DataRequest& req,
                                  const BufferAllocator& worker_alloc) {
  Selection s;
  select(c, req, s);
  ChallengeData out;
  out.class_names = s.class_names;
  out.eval.source_index = s.eval_index;
  const View& eval = s.eval;
  const View& train_part = s.train_part;
  const View& train_view = s.train_view;

  out.preprocess_entries = preprocess_entries(c);
  for (const TensorSpec& in : c.inputs) {
    data::FeatureStats stats;
    if (in.preprocess.kind == InputPreprocess::Kind::standardize) {
      stats = data::fit_standardize(*train_view.table->find(in.name), train_view.rows);
      out.preprocess_entries.emplace_back("gauntlet.preprocess." + in.name + ".mean",
                                          values_list(stats.mean));
      out.preprocess_entries.emplace_back("gauntlet.preprocess." + in.name + ".std",
                                          values_list(stats.stddev));
    }
    auto fill = [&](const View& v, SplitData& part, const std::string& label) {
      HostTensor t = HostTensor::allocate(in.dtype, batch_shape(static_cast<int64_t>(v.rows.size()), in),
                                          worker_alloc, label + "." + in.name);
      data::fill_input(*v.table->find(in.name), v.rows, in, &stats, t, v.table->origin_of(in.name));
      part.inputs.push_back(std::move(t));
    };
    fill(eval, out.eval, "eval");
    if (req.include_train) fill(train_part, out.train, "train");
  }
  out.eval.targets = targets_of(c, eval, heap_allocator(), "eval");
  if (req.include_train) {
    out.train.targets = targets_of(c, train_part, worker_alloc, "train");
    out.train.source_index = train_part.rows;
  }
  return out;
}

}  // namespace gauntlet
