// The in-memory model of a challenge (challenge.yaml, schema 1 or 2). The loader
// (challenge_loader.hpp) builds it from YAML and validates it completely, so every other
// layer may trust its invariants (stated next to each field).
#pragma once

#include "common/dtype.hpp"
#include "common/errors.hpp"
#include "formats/source.hpp"
#include "quality/task.hpp"
#include "scoring/score_rule.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace gauntlet {

inline constexpr int kChallengeSchemaVersion = 2;  // the newest this judge reads; 1 still works

// Where the data comes from (formats/source.hpp): a source of the registry, parsed by it.
struct DataSpec {
  std::string source;  // a name of formats::source_registry()
  std::shared_ptr<const formats::SourceConfig> config;
};

// How a source that reads one set ("all") is divided into training and test sets: exactly
// round(test_fraction * n) samples to test (halves rounded up), chosen by `seed`; stratified:
// each class gets its share, the remainders going to the classes with the largest fractions.
struct Holdout {
  double test_fraction = 0.2;  // in (0, 1)
  uint64_t seed = 0;
  bool stratify = false;
};

// How the test set is divided into a public and a private part.
// Schema 1: sample i is private iff splitmix64(seed ^ i) / 2^64 < private_fraction (the count
// drifts from the fraction on small sets; kept so that schema 1 results stay comparable).
// Schema 2 (exact): exactly round(private_fraction * n) samples are private, chosen as the
// holdout chooses (optionally stratified by class).
struct SplitRule {
  double private_fraction = 0.5;  // in (0, 1)
  uint64_t seed = 0;
  bool exact = false;
  bool stratify = false;
};

enum class Layout { nchw, nhwc };

// Host-side preprocessing of one input, told to the plugin (preprocess_entries()).
// raw: the values as the source holds them, converted to the input's dtype (exactly, or
// refused); affine: x' = (x * scale - mean) / std, each of scale, mean and std one number or
// one per channel (4-D images: the channel axis of the layout; otherwise the last axis);
// standardize: per element of a sample, mean and standard deviation fitted on the whole
// training set (a constant feature gets std 1). `layout` orders 4-D image inputs.
struct InputPreprocess {
  enum class Kind { raw, affine, standardize };
  Kind kind = Kind::raw;
  std::vector<double> scale{1.0}, mean{0.0}, stddev{1.0};
  Layout layout = Layout::nchw;
};

// Schema 1's one global preprocessing, kept for reading schema 1 files.
struct Preprocess {
  double scale = 1.0;
  double mean = 0.0;
  double stddev = 1.0;  // > 0
  Layout layout = Layout::nchw;
};

// A tensor of the plugin interface. shape[0] == -1 is the symbolic batch dimension (written
// `batch` in YAML); every other extent is > 0.
struct TensorSpec {
  std::string name;
  DType dtype = DType::f32;
  std::vector<int64_t> shape;
  SourceLocation where;
  InputPreprocess preprocess;  // inputs only
};

struct Limits {
  double setup_seconds = 30;   // load + create + prepare, wall clock, > 0
  double train_seconds = 0;    // wall clock for train(); 0 when training is not allowed
  double ms_per_batch = 1000;  // wall-clock limit of ONE infer call, > 0
  double total_seconds = 600;  // whole judging of one plugin, > 0
  int threads = 1;             // thread budget given to the plugin, >= 1
  int64_t memory_mb = 4096;    // memory of the whole worker (its cgroup; see sandbox/), > 0
};

struct TimingRules {
  std::vector<int64_t> batch_sizes;  // ascending, unique, each > 0
  int64_t eval_batch_size = 0;       // batch size of the accuracy pass, > 0
  int warmup_batches = 3;            // untimed calls per batch size, >= 0
  int min_batches = 10;              // timed calls per batch size, >= 1
  double min_seconds = 0.1;          // and at least this long per batch size, >= 0
  int max_batches = 10000;           // never more than this, >= min_batches
  // Spin-then-block policy of the control channel (docs/performance.md). `auto` (the
  // default): the judge spins through the whole call when the plugin's thread budget leaves
  // it a core of the job's own, and spins kAutoSpinUs then sleeps otherwise. A number: spin
  // that many microseconds, then sleep. >= 0.
  bool spin_auto = true;
  double spin_us = 50;
};

// A quality metric of the registry (quality/metric_registry.hpp) with its parameter.
// `variables` are the result variables it defines (e.g. macro_f1, or f1_class_0..9);
// `variable` is the first.
struct MetricSpec {
  std::string kind;    // the registry name
  int k = 0;           // ParamKind::count
  std::string option;  // ParamKind::choice (defaulted from the task)
  std::string variable;
  std::vector<std::string> variables;
  SourceLocation where;
};

struct Challenge {
  std::filesystem::path file;  // the YAML file
  std::filesystem::path dir;   // its folder, for relative paths
  std::string sha256;          // of the YAML bytes (shown in results; not a result key)
  std::string rules_sha256;    // of canonical_challenge(): what a result key holds of the rules

  int schema = kChallengeSchemaVersion;
  std::string id;  // [a-z0-9][a-z0-9_-]*
  std::string title;
  std::string description;
  Task task = Task::classification;
  ScoreForm output_form = ScoreForm::logits;  // how the metrics read the first output
  int64_t num_classes = 0;  // classification: > 1, the output's last extent; binary: 2; multilabel: labels

  DataSpec data;
  std::optional<Holdout> holdout;  // when the source reads one set
  SplitRule split;
  Preprocess preprocess;  // schema 1's global form (also copied into each input)

  std::vector<TensorSpec> inputs;   // >= 1 (schema 1: exactly one, f32)
  std::vector<TensorSpec> outputs;  // >= 1; the metrics read the first (schema 1: exactly one)
  // classification, binary: integer [batch] or [batch, 1]; multilabel: integer [batch, L];
  // regression: f32 of the first output's shape.
  TensorSpec target;

  bool training_allowed = false;
  Limits limits;
  TimingRules timing;
  std::vector<MetricSpec> metrics;  // >= 1
  ScoreRule score;
  std::vector<std::pair<std::string, std::string>> plugin_config;  // in file order
};

// Every variable a formula, qualifying condition or tie-break may use for this challenge:
// - each metric's `variables`;
// - per timed batch size B: latency_ms_p50_b<B>, latency_ms_p90_b<B>, latency_ms_p99_b<B>,
//   latency_ms_mean_b<B>, throughput_b<B> (samples per second);
// - latency_ms (p50 at the smallest batch size), throughput (at the largest batch size);
// - train_seconds (0 when there was no training).
std::vector<std::string> result_variables(const Challenge& challenge);

// What the data source must feed: each input (in the dtype the host reads it in: f32 when it
// preprocesses it, else the input's own), then the target.
std::vector<formats::TensorWant> source_tensors(const Challenge& challenge);

// The entries the plugin is told next to plugin_config in create() (documented in
// challenges/README.md): for each input `x`, `gauntlet.preprocess.x` = raw|affine|standardize,
// and for affine `...x.scale`, `...x.mean`, `...x.std` (comma-separated per channel), and
// `...x.layout` for 4-D inputs; plus `gauntlet.task` and `gauntlet.output`. A standardised
// input's fitted values come with the data (ChallengeData::preprocess_entries).
std::vector<std::pair<std::string, std::string>> preprocess_entries(const Challenge& challenge);

// The challenge as the judge reads it, without comments, formatting or key order: what a
// result key hashes (with the data files' contents), so that a comment edit keeps results.
nlohmann::json canonical_challenge(const Challenge& challenge);

// SHA-256 over the data files' paths and contents (formats::SourceConfig::files()): a result
// key's view of the data. Each file is hashed once per process (by path, size and mtime).
// Throws DataError when a file cannot be read.
std::string data_sha256(const Challenge& challenge);

}  // namespace gauntlet
