#include "challenge/challenge_loader.hpp"

#include "challenge/yaml_fields.hpp"
#include "challenge/yaml_tree.hpp"
#include "common/file_check.hpp"
#include "common/sha256.hpp"
#include "scoring/score.hpp"
#include "scoring/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>
#include <string_view>

namespace gauntlet {
namespace {

namespace fs = std::filesystem;
using namespace yaml;  // Node, Kind and the field helpers (yaml_fields.hpp)

// Sanity caps: far above any real challenge, low enough that no later computation (time
// conversions to nanoseconds, buffer sizes) can overflow.
constexpr double kMaxSeconds = 1e6;
constexpr int64_t kMaxBatch = int64_t{1} << 20;
constexpr int64_t kMaxExtent = int64_t{1} << 24;
constexpr int64_t kMaxSampleElements = int64_t{1} << 28;
constexpr std::size_t kMaxRank = 8;
constexpr int64_t kMaxSyntheticSamples = 10'000'000;
constexpr int64_t kMaxSyntheticValues = int64_t{1} << 28;
constexpr std::size_t kMaxNameLength = 64;

const std::vector<std::string> kClassificationMetrics = {"accuracy", "top_k_accuracy", "macro_f1",
                                                         "log_loss"};
const std::vector<std::string> kRegressionMetrics = {"mse", "mae"};

std::string format_shape(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + (shape[i] < 0 ? std::string("batch") : std::to_string(shape[i]));
  return s + "]";
}

// The interface tensors' nodes, kept for cross-checks that must point at a precise field.
struct TensorNodes {
  const Node* map = nullptr;
  const Node* dtype = nullptr;
  const Node* shape = nullptr;
};

// ---------------------------------------------------------------------------------------------

class Loader : yaml::FieldReader {
 public:
  Loader(std::string file, const yaml::Document& doc) : FieldReader(std::move(file)), doc_(doc) {}

  Challenge load();

 private:
  // Interface -------------------------------------------------------------------------------

  std::vector<int64_t> shape(const Node& n, const std::string& field) const {
    if (n.kind != Kind::sequence) fail(n, field, "expected a shape such as [batch, 10], got " + describe(n));
    if (n.children.empty()) fail(n, field, "expected a shape starting with batch, got []");
    if (n.children.size() > kMaxRank)
      fail(n, field,
           "expected at most " + std::to_string(kMaxRank) + " dimensions, got " +
               std::to_string(n.children.size()));
    std::vector<int64_t> dims;
    int64_t elements = 1;
    for (std::size_t i = 0; i < n.children.size(); ++i) {
      const Node& d = n.children[i];
      const std::string dim_field = item_path(field, i);
      const bool is_batch = d.kind == Kind::scalar && d.plain && d.value == "batch";
      if (i == 0) {
        if (!is_batch) fail(d, dim_field, "the first dimension must be 'batch', got " + describe(d));
        dims.push_back(-1);
        continue;
      }
      if (is_batch) fail(d, dim_field, "only the first dimension may be 'batch'");
      dims.push_back(integer(d, dim_field, 1, kMaxExtent));
      elements *= dims.back();
      if (elements > kMaxSampleElements)
        fail(n, field, "over " + std::to_string(kMaxSampleElements) + " elements per sample");
    }
    return dims;
  }

  TensorSpec tensor(const Node& n, const std::string& path, DType default_dtype, TensorNodes& nodes) const {
    mapping(n, path, {"name", "dtype", "shape"});
    TensorSpec spec;
    spec.where = at(n);
    nodes.map = &n;

    const std::string name_field = child_path(path, "name");
    const Node& name = required(n, path, "name");
    spec.name = string(name, name_field);
    const bool valid_name = !spec.name.empty() && spec.name.size() <= kMaxNameLength &&
                            (std::isalpha(static_cast<unsigned char>(spec.name[0])) || spec.name[0] == '_') &&
                            std::all_of(spec.name.begin(), spec.name.end(), [](char c) {
                              return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                            });
    if (!valid_name)
      fail(name, name_field,
           "expected a name of letters, digits and '_' (not starting with a digit, at most " +
               std::to_string(kMaxNameLength) + " characters), got " + describe(name));

    spec.dtype = default_dtype;
    if (const Node* d = find_key(n, "dtype")) {
      nodes.dtype = d;
      const std::string dtype_field = child_path(path, "dtype");
      spec.dtype = *parse_dtype(choice(*d, dtype_field, {"f32", "s32", "s64", "u8"}));
    }
    nodes.shape = &required(n, path, "shape");
    spec.shape = shape(*nodes.shape, child_path(path, "shape"));
    return spec;
  }

  // One input / one output in v1; the list form is kept so that v2 can take several.
  TensorSpec single_tensor(const Node& iface, const std::string& key, const char* what,
                           TensorNodes& nodes) const {
    const std::string path = child_path("interface", key);
    const Node& list = required(iface, "interface", key);
    if (list.kind != Kind::sequence)
      fail(list, path, std::string("expected a sequence of ") + what + "s, got " + describe(list));
    if (list.children.size() != 1)
      fail(list.children.empty() ? list : list.children[1], path,
           std::string("v1 supports exactly one ") + what + ", got " + std::to_string(list.children.size()));
    return tensor(list.children[0], item_path(path, 0), DType::f32, nodes);
  }

  void load_interface(const Node& root, Challenge& c);
  void load_data(const Node& root, Challenge& c);
  void load_preprocess(const Node& root, Challenge& c);
  void load_limits(const Node& root, Challenge& c);
  void load_timing(const Node& root, Challenge& c);
  void load_metrics(const Node& root, Challenge& c);
  void load_score(const Node& root, Challenge& c);
  void load_plugin_config(const Node& root, Challenge& c);

  // A muparser expression. Column offsets into the expression are only meaningful when the
  // YAML text holds it verbatim on one line (a plain scalar); otherwise point at its start.
  void check_formula(const Node& n, const std::string& field,
                     const std::vector<std::string>& variables) const {
    const std::string& expr = n.value;
    const bool verbatim =
        n.plain && n.offset <= doc_.text.size() && doc_.text.compare(n.offset, expr.size(), expr) == 0;
    try {
      check_expression(expr, variables, at(n), field);
    } catch (const ConfigError& e) {
      if (verbatim) throw;
      throw ConfigError(at(n), e.field(), e.message());
    }
  }

  const yaml::Document& doc_;
  TensorNodes input_nodes_, output_nodes_, target_nodes_;
  const Node* num_classes_node_ = nullptr;
};

Challenge Loader::load() {
  if (doc_.empty || doc_.root.kind == Kind::null)
    throw ConfigError({file_, 0, 0}, "", "empty file, expected a challenge mapping");
  const Node& root = doc_.root;
  if (root.kind != Kind::mapping)
    fail(root, "", "expected a challenge mapping at the top level, got " + describe(root));

  check_schema(root, kChallengeSchemaVersion);

  check_keys(root, "",
             {"schema", "id", "title", "description", "task", "num_classes", "data", "preprocess",
              "interface", "training", "limits", "timing", "metrics", "score", "plugin_config"});

  Challenge c;
  c.schema = kChallengeSchemaVersion;

  const Node& id = required(root, "", "id");
  c.id = string(id, "id");
  const bool valid_id = !c.id.empty() && c.id.size() <= kMaxNameLength &&
                        (std::islower(static_cast<unsigned char>(c.id[0])) ||
                         std::isdigit(static_cast<unsigned char>(c.id[0]))) &&
                        std::all_of(c.id.begin(), c.id.end(), [](char ch) {
                          return std::islower(static_cast<unsigned char>(ch)) ||
                                 std::isdigit(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
                        });
  if (!valid_id)
    fail(id, "id",
         "expected lower-case letters, digits, '-' and '_', starting with a letter or digit (at most " +
             std::to_string(kMaxNameLength) + " characters), got " + describe(id));

  c.title = c.id;
  if (const Node* t = find_key(root, "title")) c.title = non_empty_string(*t, "title");
  if (const Node* d = find_key(root, "description")) {
    c.description = string(*d, "description");
    // A folded block (`>`) ends with a newline that is not part of the text.
    while (!c.description.empty() && std::isspace(static_cast<unsigned char>(c.description.back())))
      c.description.pop_back();
  }

  const std::string task = choice(required(root, "", "task"), "task", {"classification", "regression"});
  c.task = task == "classification" ? Task::classification : Task::regression;

  load_interface(root, c);
  load_data(root, c);
  load_preprocess(root, c);

  c.training_allowed = false;
  if (const Node* t = find_key(root, "training")) {
    mapping(*t, "training", {"allowed"});
    if (const Node* a = find_key(*t, "allowed")) c.training_allowed = boolean(*a, "training.allowed");
  }

  load_limits(root, c);
  load_timing(root, c);
  load_metrics(root, c);
  load_score(root, c);
  load_plugin_config(root, c);
  return c;
}

void Loader::load_interface(const Node& root, Challenge& c) {
  const Node& iface = mapping(required(root, "", "interface"), "interface", {"inputs", "outputs", "target"});
  c.inputs.push_back(single_tensor(iface, "inputs", "input", input_nodes_));
  c.outputs.push_back(single_tensor(iface, "outputs", "output", output_nodes_));
  const bool classification = c.task == Task::classification;
  c.target = tensor(required(iface, "interface", "target"), "interface.target",
                    classification ? DType::s32 : DType::f32, target_nodes_);

  const TensorSpec& in = c.inputs[0];
  const TensorSpec& out = c.outputs[0];
  // Both data sources hand the plugin f32 values, and the metrics read f32 outputs.
  if (in.dtype != DType::f32)
    fail(*input_nodes_.dtype, "interface.inputs[0].dtype",
         "expected f32 (v1 data sources produce f32 inputs), got " + describe(*input_nodes_.dtype));
  if (out.dtype != DType::f32)
    fail(*output_nodes_.dtype, "interface.outputs[0].dtype",
         "expected f32 (v1 metrics read f32 outputs), got " + describe(*output_nodes_.dtype));
  if (out.name == in.name)
    fail(*find_key(*output_nodes_.map, "name"), "interface.outputs[0].name",
         "'" + out.name + "' is already the name of the input");

  num_classes_node_ = find_key(root, "num_classes");
  const std::string out_shape_field = "interface.outputs[0].shape";
  if (classification) {
    if (out.shape.size() != 2)
      fail(*output_nodes_.shape, out_shape_field,
           "expected [batch, num_classes] for a classification output, got " + format_shape(out.shape));
    c.num_classes = out.shape[1];
    const Node& classes_node = output_nodes_.shape->children[1];
    if (num_classes_node_) {
      const int64_t declared = integer(*num_classes_node_, "num_classes", 2, kMaxExtent);
      if (declared != c.num_classes)
        fail(classes_node, out_shape_field + "[1]",
             "expected " + std::to_string(declared) + " (num_classes), got " + std::to_string(c.num_classes));
    }
    if (c.num_classes < 2)
      fail(classes_node, out_shape_field + "[1]",
           "expected at least 2 classes, got " + std::to_string(c.num_classes));
    if (c.target.dtype != DType::s32)
      fail(*target_nodes_.dtype, "interface.target.dtype",
           "expected s32 (class indices) for a classification target, got " + describe(*target_nodes_.dtype));
    if (c.target.shape != std::vector<int64_t>{-1})
      fail(*target_nodes_.shape, "interface.target.shape",
           "expected [batch] for a classification target, got " + format_shape(c.target.shape));
  } else {
    if (num_classes_node_)
      fail(*num_classes_node_, "num_classes", "only used by task classification; this task is regression");
    if (out.shape.size() < 2)
      fail(*output_nodes_.shape, out_shape_field,
           "expected [batch, n, ...] for a regression output, got " + format_shape(out.shape));
    if (c.target.dtype != DType::f32)
      fail(*target_nodes_.dtype, "interface.target.dtype",
           "expected f32 for a regression target, got " + describe(*target_nodes_.dtype));
    if (c.target.shape != out.shape)
      fail(*target_nodes_.shape, "interface.target.shape",
           "expected the output's shape " + format_shape(out.shape) + " for a regression target, got " +
               format_shape(c.target.shape));
  }
}

void Loader::load_data(const Node& root, Challenge& c) {
  const Node& data = required(root, "", "data");
  expect_mapping(data, "data");
  const Node& source_node = required(data, "data", "source");
  const std::string source = choice(source_node, "data.source", {"idx", "synthetic_regression"});
  const std::vector<std::string> idx_keys = {"source", "train", "test", "split"};
  const std::vector<std::string> synthetic_keys = {"source",       "seed",  "num_train",        "num_test",
                                                   "num_features", "noise", "nonlinear_weight", "split"};
  const bool idx = source == "idx";
  check_keys(data, "data", idx ? idx_keys : synthetic_keys, idx ? synthetic_keys : idx_keys,
             "is not used by source " + source);

  if (idx) {
    if (c.task != Task::classification)
      fail(source_node, "data.source", "idx data holds class labels: it needs task classification");
    auto path = [&](const Node& files, const std::string& files_path, const char* key) {
      const std::string field = child_path(files_path, key);
      const Node& n = required(files, files_path, key);
      fs::path p = non_empty_string(n, field);
      if (p.is_relative()) p = fs::absolute(fs::path(file_)).parent_path() / p;
      return p.lexically_normal();
    };
    IdxDataSource src;
    const Node& train = mapping(required(data, "data", "train"), "data.train", {"images", "labels"});
    src.train_images = path(train, "data.train", "images");
    src.train_labels = path(train, "data.train", "labels");
    const Node& test = mapping(required(data, "data", "test"), "data.test", {"images", "labels"});
    src.test_images = path(test, "data.test", "images");
    src.test_labels = path(test, "data.test", "labels");
    c.data = src;
  } else {
    if (c.task != Task::regression)
      fail(source_node, "data.source", "synthetic_regression data needs task regression");
    SyntheticRegressionSource src;
    if (const Node* s = find_key(data, "seed")) src.seed = seed(*s, "data.seed");
    src.num_train = integer(required(data, "data", "num_train"), "data.num_train", 1, kMaxSyntheticSamples);
    src.num_test = integer(required(data, "data", "num_test"), "data.num_test", 1, kMaxSyntheticSamples);
    const Node& features = required(data, "data", "num_features");
    src.num_features = integer(features, "data.num_features", 1, kMaxExtent);
    if (const Node* n = find_key(data, "noise")) src.noise = number(*n, "data.noise", Bound::non_negative);
    if (const Node* w = find_key(data, "nonlinear_weight"))
      src.nonlinear_weight = number(*w, "data.nonlinear_weight", Bound::any);

    const TensorSpec& in = c.inputs[0];
    int64_t per_sample = 1;
    for (std::size_t i = 1; i < in.shape.size(); ++i) per_sample *= in.shape[i];
    if (src.num_features != per_sample)
      fail(features, "data.num_features",
           "expected " + std::to_string(per_sample) + " (the per-sample size of input '" + in.name + "' " +
               format_shape(in.shape) + "), got " + std::to_string(src.num_features));
    int64_t targets = 1;
    for (std::size_t i = 1; i < c.outputs[0].shape.size(); ++i) targets *= c.outputs[0].shape[i];
    if (targets != 1)
      fail(*output_nodes_.shape, "interface.outputs[0].shape",
           "synthetic_regression makes one value per sample: expected [batch, 1], got " +
               format_shape(c.outputs[0].shape));
    if ((src.num_train + src.num_test) > kMaxSyntheticValues / src.num_features)
      fail(data, "data",
           "a synthetic dataset of (" + std::to_string(src.num_train) + " + " + std::to_string(src.num_test) +
               ") x " + std::to_string(src.num_features) + " values is over the cap of " +
               std::to_string(kMaxSyntheticValues) + " values");
    c.data = src;
  }

  if (const Node* split = find_key(data, "split")) {
    mapping(*split, "data.split", {"private_fraction", "seed"});
    if (const Node* f = find_key(*split, "private_fraction"))
      c.split.private_fraction = number(*f, "data.split.private_fraction", Bound::fraction);
    if (const Node* s = find_key(*split, "seed")) c.split.seed = seed(*s, "data.split.seed");
  }
}

void Loader::load_preprocess(const Node& root, Challenge& c) {
  const Node* pp = find_key(root, "preprocess");
  if (!pp) return;
  mapping(*pp, "preprocess", {"scale", "mean", "std", "layout"});
  if (const Node* n = find_key(*pp, "scale"))
    c.preprocess.scale = number(*n, "preprocess.scale", Bound::non_zero);
  if (const Node* n = find_key(*pp, "mean")) c.preprocess.mean = number(*n, "preprocess.mean", Bound::any);
  if (const Node* n = find_key(*pp, "std"))
    c.preprocess.stddev = number(*n, "preprocess.std", Bound::positive);
  if (const Node* n = find_key(*pp, "layout"))
    c.preprocess.layout =
        choice(*n, "preprocess.layout", {"nchw", "nhwc"}) == "nchw" ? Layout::nchw : Layout::nhwc;
}

void Loader::load_limits(const Node& root, Challenge& c) {
  const Node* limits = find_key(root, "limits");
  if (limits)
    mapping(*limits, "limits",
            {"setup_seconds", "train_seconds", "ms_per_batch", "total_seconds", "threads", "memory_mb"});
  auto get = [&](const char* key) { return limits ? find_key(*limits, key) : nullptr; };
  Limits& l = c.limits;
  if (const Node* n = get("setup_seconds"))
    l.setup_seconds = number(*n, "limits.setup_seconds", Bound::positive, kMaxSeconds);
  if (const Node* n = get("ms_per_batch"))
    l.ms_per_batch = number(*n, "limits.ms_per_batch", Bound::positive, kMaxSeconds * 1000);
  if (const Node* n = get("total_seconds"))
    l.total_seconds = number(*n, "limits.total_seconds", Bound::positive, kMaxSeconds);
  if (const Node* n = get("threads")) l.threads = static_cast<int>(integer(*n, "limits.threads", 1, 1024));
  if (const Node* n = get("memory_mb")) l.memory_mb = integer(*n, "limits.memory_mb", 1, int64_t{1} << 24);

  const Node* train = get("train_seconds");
  if (c.training_allowed) {
    if (!train)
      fail(limits ? *limits : root, "limits.train_seconds",
           "missing required key 'train_seconds' (training.allowed is true)");
    l.train_seconds = number(*train, "limits.train_seconds", Bound::positive, kMaxSeconds);
  } else {
    l.train_seconds = 0;
    if (train && number(*train, "limits.train_seconds", Bound::non_negative) != 0)
      fail(*train, "limits.train_seconds", "training.allowed is false, so no training time; remove this key");
  }
}

void Loader::load_timing(const Node& root, Challenge& c) {
  const Node& timing = mapping(required(root, "", "timing"), "timing",
                               {"batch_sizes", "eval_batch_size", "warmup_batches", "min_batches",
                                "min_seconds", "max_batches", "spin_us"});
  TimingRules& t = c.timing;
  const Node& sizes = required(timing, "timing", "batch_sizes");
  if (sizes.kind != Kind::sequence)
    fail(sizes, "timing.batch_sizes",
         "expected a sequence of batch sizes such as [1, 64], got " + describe(sizes));
  if (sizes.children.empty()) fail(sizes, "timing.batch_sizes", "expected at least one batch size, got []");
  for (std::size_t i = 0; i < sizes.children.size(); ++i) {
    const Node& n = sizes.children[i];
    const std::string field = item_path("timing.batch_sizes", i);
    const int64_t b = integer(n, field, 1, kMaxBatch);
    if (!t.batch_sizes.empty() && b <= t.batch_sizes.back())
      fail(n, field,
           "batch sizes must be ascending and unique: " + std::to_string(b) + " follows " +
               std::to_string(t.batch_sizes.back()));
    t.batch_sizes.push_back(b);
  }
  t.eval_batch_size = t.batch_sizes.back();
  if (const Node* n = find_key(timing, "eval_batch_size"))
    t.eval_batch_size = integer(*n, "timing.eval_batch_size", 1, kMaxBatch);
  if (const Node* n = find_key(timing, "warmup_batches"))
    t.warmup_batches = static_cast<int>(integer(*n, "timing.warmup_batches", 0, 1'000'000));
  if (const Node* n = find_key(timing, "min_batches"))
    t.min_batches = static_cast<int>(integer(*n, "timing.min_batches", 1, 1'000'000));
  if (const Node* n = find_key(timing, "min_seconds"))
    t.min_seconds = number(*n, "timing.min_seconds", Bound::non_negative, kMaxSeconds);
  t.max_batches = std::max(t.max_batches, t.min_batches);
  if (const Node* n = find_key(timing, "max_batches"))
    t.max_batches =
        static_cast<int>(integer(*n, "timing.max_batches", t.min_batches, 1'000'000'000, "min_batches"));
  if (const Node* n = find_key(timing, "spin_us")) {
    if (n->kind == Kind::scalar && n->plain && n->value == "auto") {
      t.spin_auto = true;
    } else {
      t.spin_auto = false;
      t.spin_us = number(*n, "timing.spin_us", Bound::non_negative, 1e6);
    }
  }
}

void Loader::load_metrics(const Node& root, Challenge& c) {
  const Node& list = required(root, "", "metrics");
  if (list.kind != Kind::sequence)
    fail(list, "metrics", "expected a sequence of metrics such as [accuracy], got " + describe(list));
  if (list.children.empty()) fail(list, "metrics", "expected at least one metric, got []");
  std::vector<std::string> all = kClassificationMetrics;
  all.insert(all.end(), kRegressionMetrics.begin(), kRegressionMetrics.end());
  const bool classification = c.task == Task::classification;

  for (std::size_t i = 0; i < list.children.size(); ++i) {
    const Node& item = list.children[i];
    const std::string field = item_path("metrics", i);
    MetricSpec m;
    m.where = at(item);
    const Node* name_node = &item;
    const Node* k_node = nullptr;
    if (item.kind == Kind::mapping && item.size() == 1) {
      name_node = &item.key_at(0);
      k_node = &item.value_at(0);
    } else if (item.kind != Kind::scalar) {
      fail(item, field, "expected a metric name or '- top_k_accuracy: k', got " + describe(item));
    }
    if (name_node->kind != Kind::scalar)
      fail(*name_node, field, "expected a metric name, got " + describe(*name_node));
    m.kind = name_node->value;
    if (!contains(all, m.kind)) {
      const std::string suggestion = did_you_mean(m.kind, all);
      fail(*name_node, field,
           "unknown metric '" + excerpt(m.kind) + "'" +
               (suggestion.empty() ? "; expected one of: " + join(all) : suggestion));
    }
    if (classification != contains(kClassificationMetrics, m.kind))
      fail(*name_node, field,
           "'" + m.kind + "' is a " + (classification ? "regression" : "classification") +
               " metric; this challenge's task is " + (classification ? "classification" : "regression"));
    if (m.kind == "top_k_accuracy") {
      if (!k_node) fail(item, field, "top_k_accuracy needs k: write '- top_k_accuracy: 3'");
      m.k =
          static_cast<int>(integer(*k_node, field + ".top_k_accuracy", 1, c.num_classes, "", "num_classes"));
      m.variable = "top" + std::to_string(m.k) + "_accuracy";
    } else {
      if (k_node) fail(*name_node, field, "'" + m.kind + "' takes no parameter: write '- " + m.kind + "'");
      m.variable = m.kind;
    }
    for (const MetricSpec& earlier : c.metrics)
      if (earlier.variable == m.variable) fail(item, field, "duplicate metric '" + m.variable + "'");
    c.metrics.push_back(std::move(m));
  }
}

void Loader::load_score(const Node& root, Challenge& c) {
  const Node& score =
      mapping(required(root, "", "score"), "score", {"formula", "higher_is_better", "qualify", "tie_break"});
  const std::vector<std::string> variables = result_variables(c);
  ScoreRule& rule = c.score;

  const Node& formula = required(score, "score", "formula");
  rule.formula = non_empty_string(formula, "score.formula");
  rule.formula_at = at(formula);
  check_formula(formula, "score.formula", variables);

  if (const Node* n = find_key(score, "higher_is_better"))
    rule.higher_is_better = boolean(*n, "score.higher_is_better");

  rule.qualify_at = at(score);
  if (const Node* q = find_key(score, "qualify")) {
    rule.qualify = string(*q, "score.qualify");
    rule.qualify_at = at(*q);
    if (std::all_of(rule.qualify.begin(), rule.qualify.end(),
                    [](char ch) { return std::isspace(static_cast<unsigned char>(ch)); }))
      rule.qualify.clear();  // an empty condition: every result qualifies
    else
      check_formula(*q, "score.qualify", variables);
  }

  if (const Node* list = find_key(score, "tie_break")) {
    if (list->kind != Kind::sequence)
      fail(*list, "score.tie_break",
           "expected a sequence such as [{accuracy: desc}], got " + describe(*list));
    for (std::size_t i = 0; i < list->children.size(); ++i) {
      const Node& item = list->children[i];
      const std::string field = item_path("score.tie_break", i);
      if (item.kind != Kind::mapping || item.size() != 1 || item.key_at(0).kind != Kind::scalar)
        fail(item, field, "expected '- <variable>: asc' or '- <variable>: desc', got " + describe(item));
      TieBreak tb;
      tb.where = at(item);
      tb.variable = item.key_at(0).value;
      if (!contains(variables, tb.variable)) {
        const std::string suggestion = did_you_mean(tb.variable, variables);
        fail(item.key_at(0), field,
             "unknown variable '" + excerpt(tb.variable) + "'" +
                 (suggestion.empty() ? "; known variables: " + join(variables) : suggestion));
      }
      for (const TieBreak& earlier : rule.tie_break)
        if (earlier.variable == tb.variable)
          fail(item.key_at(0), field, "duplicate tie-break '" + tb.variable + "'");
      tb.descending = choice(item.value_at(0), field + "." + tb.variable, {"asc", "desc"}) == "desc";
      rule.tie_break.push_back(std::move(tb));
    }
  }
}

void Loader::load_plugin_config(const Node& root, Challenge& c) {
  const Node* config = find_key(root, "plugin_config");
  if (!config) return;
  expect_mapping(*config, "plugin_config");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < config->size(); ++i) {
    const Node& key = config->key_at(i);
    const Node& value = config->value_at(i);
    if (key.kind != Kind::scalar || key.value.empty())
      fail(key, "plugin_config", "expected a key name, got " + describe(key));
    const std::string field = child_path("plugin_config", key.value);
    if (!seen.insert(key.value).second) fail(key, field, "duplicate key '" + key.value + "'");
    if (value.kind != Kind::scalar)
      fail(value, field, "expected a string, number or boolean, got " + describe(value));
    c.plugin_config.emplace_back(key.value, value.value);
  }
}

}  // namespace

Challenge parse_challenge(const std::string& file, std::string bytes) {
  const yaml::Document doc = yaml::parse_document(file, std::move(bytes));
  return Loader(file, doc).load();
}

Challenge load_challenge(const std::filesystem::path& dir_or_yaml) {
  fs::path file = dir_or_yaml;
  std::error_code ec;
  fs::file_status status = fs::status(file, ec);
  if (!fs::exists(status))
    throw ConfigError(
        {file.string(), 0, 0}, "",
        fs::is_symlink(fs::symlink_status(file, ec)) ? why_not_regular_file(file) : "no such file or folder");
  if (fs::is_directory(status)) {
    file /= "challenge.yaml";
    status = fs::status(file, ec);
    if (!fs::exists(status))
      throw ConfigError({file.string(), 0, 0}, "", "no challenge.yaml in folder " + dir_or_yaml.string());
  }
  const std::string name = file.string();
  std::string bytes = yaml::read_file(file, "challenge");

  const std::string digest = sha256_hex(bytes);
  Challenge c = parse_challenge(name, std::move(bytes));
  c.file = fs::absolute(file).lexically_normal();
  c.dir = c.file.parent_path();
  c.sha256 = digest;
  return c;
}

}  // namespace gauntlet
