// The challenge loader: the two real challenges, defaults, and one exact error message per
// kind of mistake (file:line:column, field, message), including hostile files.
#include "challenge/challenge_loader.hpp"
#include "common/sha256.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace gauntlet;

namespace {

const fs::path kSource = GAUNTLET_SOURCE_DIR;

// A fresh folder per test, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("gauntlet-test-challenge-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path write(const std::string& name, const std::string& content) const {
    const fs::path p = path / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
};

// The message load_challenge throws for `yaml`, or "" when it loads.
std::string load_error(const TempDir& dir, const std::string& yaml) {
  const fs::path file = dir.write("challenge.yaml", yaml);
  try {
    load_challenge(file);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  REQUIRE_MESSAGE(pos != std::string::npos, "base text lacks: " << from);
  return text.replace(pos, from.size(), to);
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
  return text;
}

// Line numbers of the expected errors below refer to these two texts.
const std::string kClassification = R"(schema: 1
id: demo
task: classification
data:
  source: idx
  train: {images: tr-img.gz, labels: tr-lbl.gz}
  test: {images: te-img.gz, labels: te-lbl.gz}
interface:
  inputs:
    - name: image
      shape: [batch, 1, 28, 28]
  outputs:
    - name: logits
      shape: [batch, 10]
  target:
    name: label
    shape: [batch]
training:
  allowed: true
limits:
  train_seconds: 60
  ms_per_batch: 100
timing:
  batch_sizes: [1, 64]
metrics:
  - accuracy
  - top_k_accuracy: 3
score:
  formula: 100 * accuracy - latency_ms
  qualify: accuracy >= 0.5
  tie_break:
    - accuracy: desc
)";

const std::string kRegression = R"(schema: 1
id: reg
task: regression
data:
  source: synthetic_regression
  num_train: 100
  num_test: 50
  num_features: 4
interface:
  inputs: [{name: x, shape: [batch, 4]}]
  outputs: [{name: y, shape: [batch, 1]}]
  target: {name: t, shape: [batch, 1]}
timing: {batch_sizes: [1]}
metrics: [mse]
score: {formula: -mse}
)";

struct BadCase {
  const char* name;
  std::string yaml;
  std::string expected;  // "{F}" stands for the file's path
};

std::vector<BadCase> bad_cases() {
  const std::string& C = kClassification;
  const std::string& R = kRegression;
  std::string nested = "plugin_config: ";
  for (int i = 0; i < 200; ++i) nested += "[";
  for (int i = 0; i < 200; ++i) nested += "]";
  const std::string laughs = R"(a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
)";
  std::string big = C + "# padding\n";
  big += std::string(1024 * 1024 + 1 - big.size() - 1, '#') + "\n";

  return {
      // Files that are not YAML challenges at all.
      {"empty file", "", "{F}: error: empty file, expected a challenge mapping"},
      {"only comments", "# nothing yet\n", "{F}: error: empty file, expected a challenge mapping"},
      {"root is a sequence", "- a\n- b\n",
       "{F}:1:1: error: expected a challenge mapping at the top level, got a sequence"},
      {"binary file", std::string("schema: 1\nid: \x00\x01\x02\x03", 18),
       "{F}:2:5: error: NUL byte (is this a binary file?); a challenge file must be UTF-8 text"},
      {"not UTF-8", "schema: 1\ntitle: caf\xe9\n",
       "{F}:2:11: error: invalid UTF-8 byte 0xe9; a challenge file must be UTF-8 text"},
      {"over 1 MiB", big,
       "{F}: error: file is 1048577 bytes, over the 1048576-byte (1 MiB) limit for challenge files"},
      {"syntax error", replace_once(C, "batch_sizes: [1, 64]", "batch_sizes: [1, 64"),
       "{F}:24:16: error: YAML syntax error: no ']' closes this '[' (still open at line 25, column 8)"},
      {"deep nesting", C + nested + "\n", "{F}:33:79: error: nested deeper than 64 levels"},
      {"alias bomb", laughs,
       "{F}:1:4: error: anchors (&a) are not allowed in challenge files; write the value out"},
      {"alias", replace_once(C, "ms_per_batch: 100", "ms_per_batch: *x"),
       "{F}:22:17: error: YAML syntax error: the referenced anchor is not defined"},
      {"two documents", C + "---\nschema: 1\n",
       "{F}:33:1: error: a second YAML document; a challenge file holds exactly one"},
      {"bad schema version", replace_once(C, "schema: 1", "schema: 3"),
       "{F}:1:9: error: schema: unsupported schema version 3; this gauntlet reads schemas 1 to 2"},
      {"missing schema", replace_once(C, "schema: 1\n", ""),
       "{F}:1:1: error: schema: missing required key 'schema' (this gauntlet reads schemas 1 to 2)"},

      // Keys.
      {"unknown key with suggestion", replace_once(C, "batch_sizes: [1, 64]", "batch_size: [1, 64]"),
       "{F}:24:3: error: timing.batch_size: unknown key 'batch_size'; did you mean 'batch_sizes'?"},
      {"unknown top-level key", C + "colour: red\n",
       "{F}:33:1: error: colour: unknown key 'colour'; expected one of: schema, id, title, description, "
       "task, "
       "num_classes, data, preprocess, interface, training, limits, timing, metrics, score, plugin_config"},
      {"duplicate key", replace_once(C, "  ms_per_batch: 100\n", "  ms_per_batch: 100\n  ms_per_batch: 5\n"),
       "{F}:23:3: error: limits.ms_per_batch: duplicate key 'ms_per_batch'"},
      {"missing required key", replace_once(C, "  formula: 100 * accuracy - latency_ms\n", ""),
       "{F}:29:3: error: score.formula: missing required key 'formula'"},
      {"missing required section", replace_once(C, "timing:\n  batch_sizes: [1, 64]\n", ""),
       "{F}:1:1: error: timing: missing required key 'timing'"},
      {"train_seconds required with training", replace_once(C, "  train_seconds: 60\n", ""),
       "{F}:21:3: error: limits.train_seconds: missing required key 'train_seconds' (training.allowed is "
       "true)"},
      {"key of the other data source", replace_once(C, "source: idx", "source: synthetic_regression"),
       "{F}:6:3: error: data.train: 'train' is not used by source synthetic_regression"},

      // Types and ranges.
      {"negative limit", replace_once(C, "ms_per_batch: 100", "ms_per_batch: -3"),
       "{F}:22:17: error: limits.ms_per_batch: expected a number > 0, got -3"},
      {"zero limit", replace_once(C, "train_seconds: 60", "train_seconds: 0"),
       "{F}:21:18: error: limits.train_seconds: expected a number > 0, got 0"},
      {"text for a number", replace_once(C, "ms_per_batch: 100", "ms_per_batch: fast"),
       "{F}:22:17: error: limits.ms_per_batch: expected a number > 0, got 'fast'"},
      {"quoted number", replace_once(C, "ms_per_batch: 100", "ms_per_batch: \"100\""),
       "{F}:22:17: error: limits.ms_per_batch: expected a number > 0, got \"100\" (quoted, so a string)"},
      {"limit over the cap", replace_once(C, "train_seconds: 60", "train_seconds: 1e300"),
       "{F}:21:18: error: limits.train_seconds: expected at most 1e+06, got 1e300"},
      {"threads zero", replace_once(C, "  ms_per_batch: 100\n", "  ms_per_batch: 100\n  threads: 0\n"),
       "{F}:23:12: error: limits.threads: expected an integer > 0, got 0"},
      {"train time without training", replace_once(C, "allowed: true", "allowed: false"),
       "{F}:21:18: error: limits.train_seconds: training.allowed is false, so no training time; remove this "
       "key"},
      {"boolean", replace_once(C, "allowed: true", "allowed: yes"),
       "{F}:19:12: error: training.allowed: expected true or false, got 'yes'"},
      {"enum with suggestion", replace_once(C, "task: classification", "task: clasification"),
       "{F}:3:7: error: task: expected one of: classification, regression; got 'clasification'; did you mean "
       "'classification'?"},
      {"private fraction", replace_once(C, "  test: {", "  split: {private_fraction: 1}\n  test: {"),
       "{F}:7:29: error: data.split.private_fraction: expected a number in (0, 1), got 1"},
      {"empty value", replace_once(C, "id: demo", "id:"), "{F}:2:1: error: id: expected a string, got null"},
      {"bad id", replace_once(C, "id: demo", "id: Demo Challenge"),
       "{F}:2:5: error: id: expected lower-case letters, digits, '-' and '_', starting with a letter or "
       "digit (at "
       "most 64 characters), got 'Demo Challenge'"},
      {"plugin_config nested", C + "plugin_config: {layers: [64, 32]}\n",
       "{F}:33:25: error: plugin_config.layers: expected a string, number or boolean, got a sequence"},

      // Timing.
      {"batch size 0", replace_once(C, "batch_sizes: [1, 64]", "batch_sizes: [0, 64]"),
       "{F}:24:17: error: timing.batch_sizes[0]: expected an integer > 0, got 0"},
      {"batch sizes not ascending", replace_once(C, "batch_sizes: [1, 64]", "batch_sizes: [64, 1]"),
       "{F}:24:21: error: timing.batch_sizes[1]: batch sizes must be ascending and unique: 1 follows 64"},
      {"batch sizes not a list", replace_once(C, "batch_sizes: [1, 64]", "batch_sizes: 64"),
       "{F}:24:16: error: timing.batch_sizes: expected a sequence of batch sizes such as [1, 64], got 64"},
      {"eval batch size 0",
       replace_once(C, "batch_sizes: [1, 64]\n", "batch_sizes: [1, 64]\n  eval_batch_size: 0\n"),
       "{F}:25:20: error: timing.eval_batch_size: expected an integer > 0, got 0"},
      {"max below min batches",
       replace_once(C, "batch_sizes: [1, 64]\n",
                    "batch_sizes: [1, 64]\n  min_batches: 20\n  max_batches: 5\n"),
       "{F}:26:16: error: timing.max_batches: expected an integer >= min_batches (20), got 5"},

      // Interface.
      {"batch not first", replace_once(C, "[batch, 1, 28, 28]", "[1, batch, 28, 28]"),
       "{F}:11:15: error: interface.inputs[0].shape[0]: the first dimension must be 'batch', got 1"},
      {"batch twice", replace_once(C, "[batch, 1, 28, 28]", "[batch, batch, 28, 28]"),
       "{F}:11:22: error: interface.inputs[0].shape[1]: only the first dimension may be 'batch'"},
      {"shape mismatch with num_classes",
       replace_once(C, "task: classification\n", "task: classification\nnum_classes: 12\n"),
       "{F}:15:22: error: interface.outputs[0].shape[1]: expected 12 (num_classes), got 10"},
      {"one class", replace_once(C, "[batch, 10]", "[batch, 1]"),
       "{F}:14:22: error: interface.outputs[0].shape[1]: expected at least 2 classes, got 1"},
      {"classification target shape", replace_once(C, "    shape: [batch]", "    shape: [batch, 1]"),
       "{F}:17:12: error: interface.target.shape: expected [batch] for a classification target, got [batch, "
       "1]"},
      {"classification target dtype",
       replace_once(C, "    name: label\n", "    name: label\n    dtype: f32\n"),
       "{F}:17:12: error: interface.target.dtype: expected s32 (class indices) for a classification target, "
       "got "
       "'f32'"},
      {"unknown dtype", replace_once(C, "    - name: image\n", "    - name: image\n      dtype: f64\n"),
       "{F}:11:14: error: interface.inputs[0].dtype: expected one of: f32, s32, s64, u8; got 'f64'; did you "
       "mean "
       "'s64'?"},
      {"two inputs",
       replace_once(C, "  outputs:\n", "    - name: mask\n      shape: [batch, 3]\n  outputs:\n"),
       "{F}:12:7: error: interface.inputs: v1 supports exactly one input, got 2"},
      {"regression target shape",
       replace_once(R, "target: {name: t, shape: [batch, 1]}", "target: {name: t, shape: [batch, 2]}"),
       "{F}:12:28: error: interface.target.shape: expected the output's shape [batch, 1] for a regression "
       "target, "
       "got [batch, 2]"},
      {"num_features mismatch", replace_once(R, "num_features: 4", "num_features: 5"),
       "{F}:8:17: error: data.num_features: expected 4 (the per-sample size of input 'x' [batch, 4]), got 5"},

      // Metrics.
      {"unknown metric", replace_once(C, "  - accuracy\n", "  - acuracy\n"),
       "{F}:26:5: error: metrics[0]: unknown metric 'acuracy'; did you mean 'accuracy'?"},
      {"metric for the other task", replace_once(C, "  - accuracy\n", "  - mse\n"),
       "{F}:26:5: error: metrics[0]: 'mse' is a regression metric; this challenge's task is classification"},
      {"classification metric in regression", replace_once(R, "metrics: [mse]", "metrics: [accuracy]"),
       "{F}:14:11: error: metrics[0]: 'accuracy' is a classification metric; this challenge's task is "
       "regression"},
      {"top_k over num_classes", replace_once(C, "top_k_accuracy: 3", "top_k_accuracy: 11"),
       "{F}:27:21: error: metrics[1].top_k_accuracy: expected at most 10 (num_classes), got 11"},
      {"top_k without k", replace_once(C, "  - top_k_accuracy: 3\n", "  - top_k_accuracy\n"),
       "{F}:27:5: error: metrics[1]: top_k_accuracy needs k: write '- top_k_accuracy: 3'"},
      {"duplicate metric", replace_once(C, "  - top_k_accuracy: 3\n", "  - accuracy\n"),
       "{F}:27:5: error: metrics[1]: duplicate metric 'accuracy'"},

      // Score.
      {"formula does not parse",
       replace_once(C, "100 * accuracy - latency_ms", "100 * accuracy -* latency_ms"),
       "{F}:29:28: error: score.formula: syntax error at '*' (character 17): unexpected operator \"*\""},
      {"unknown variable in formula",
       replace_once(C, "100 * accuracy - latency_ms", "100 * acuracy - latency_ms"),
       "{F}:29:18: error: score.formula: unknown variable 'acuracy'; did you mean 'accuracy'?"},
      {"unknown variable in quoted formula",
       replace_once(C, "100 * accuracy - latency_ms", "\"100 * acuracy - latency_ms\""),
       "{F}:29:12: error: score.formula: unknown variable 'acuracy'; did you mean 'accuracy'?"},
      {"unknown variable in multi-line formula",
       replace_once(C, "100 * accuracy - latency_ms\n", "100 * accuracy\n    - latncy_ms\n"),
       "{F}:29:12: error: score.formula: unknown variable 'latncy_ms'; did you mean 'latency_ms'?"},
      {"unknown batch size in qualify", replace_once(C, "accuracy >= 0.5", "latency_ms_p50_b2 < 5"),
       "{F}:30:12: error: score.qualify: unknown variable 'latency_ms_p50_b2'; did you mean "
       "'latency_ms_p50_b1'?"},
      {"assignment in formula", replace_once(C, "100 * accuracy - latency_ms", "accuracy = 1"),
       "{F}:29:21: error: score.formula: '=' would assign to a variable; use '==' to compare"},
      {"empty formula", replace_once(C, "100 * accuracy - latency_ms", "\"\""),
       "{F}:29:12: error: score.formula: expected a non-empty string, got \"\""},
      {"tie_break unknown variable", replace_once(C, "    - accuracy: desc", "    - acuracy: desc"),
       "{F}:32:7: error: score.tie_break[0]: unknown variable 'acuracy'; did you mean 'accuracy'?"},
      {"tie_break direction", replace_once(C, "    - accuracy: desc", "    - accuracy: down"),
       "{F}:32:17: error: score.tie_break[0].accuracy: expected one of: asc, desc; got 'down'"},
  };
}

}  // namespace

TEST_CASE("fashion-mnist loads with every field") {
  const fs::path file = kSource / "challenges/fashion-mnist/challenge.yaml";
  const Challenge c = load_challenge(file);
  CHECK(c.file == fs::absolute(file).lexically_normal());
  CHECK(c.dir == c.file.parent_path());
  CHECK(c.sha256 == sha256_file_hex(file));
  CHECK(c.schema == 1);
  CHECK(c.id == "fashion-mnist");
  CHECK(c.title == "Fashion-MNIST image classification");
  CHECK(c.description.starts_with("Classify 28x28 grey-scale images"));
  CHECK(c.description.ends_with("(final ranking)."));
  CHECK(c.task == Task::classification);
  CHECK(c.num_classes == 10);

  CHECK(c.data.source == "idx");
  REQUIRE(c.data.config);
  const auto files = c.data.config->canonical();
  CHECK(files["train"]["image"] == "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
  CHECK(files["test"]["label"] == "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
  CHECK(c.split.private_fraction == 0.5);
  CHECK(c.split.seed == 20261129u);
  CHECK(c.preprocess.scale == doctest::Approx(1.0 / 255));
  CHECK(c.preprocess.mean == 0.2860);
  CHECK(c.preprocess.stddev == 0.3530);
  CHECK(c.preprocess.layout == Layout::nchw);

  REQUIRE(c.inputs.size() == 1);
  CHECK(c.inputs[0].name == "image");
  CHECK(c.inputs[0].dtype == DType::f32);
  CHECK(c.inputs[0].shape == std::vector<int64_t>{-1, 1, 28, 28});
  CHECK(c.inputs[0].where.line == 36);
  REQUIRE(c.outputs.size() == 1);
  CHECK(c.outputs[0].name == "logits");
  CHECK(c.outputs[0].shape == std::vector<int64_t>{-1, 10});
  CHECK(c.target.name == "label");
  CHECK(c.target.dtype == DType::s32);
  CHECK(c.target.shape == std::vector<int64_t>{-1});

  CHECK(c.training_allowed);
  CHECK(c.limits.setup_seconds == 30);
  CHECK(c.limits.train_seconds == 120);
  CHECK(c.limits.ms_per_batch == 2000);
  CHECK(c.limits.total_seconds == 900);
  CHECK(c.limits.threads == 1);
  CHECK(c.limits.memory_mb == 4096);
  CHECK(c.timing.batch_sizes == std::vector<int64_t>{1, 32, 128});
  CHECK(c.timing.eval_batch_size == 256);
  CHECK(c.timing.warmup_batches == 5);
  CHECK(c.timing.min_batches == 10);
  CHECK(c.timing.min_seconds == 0.2);
  CHECK(c.timing.max_batches == 5000);
  CHECK(c.timing.spin_auto);

  REQUIRE(c.metrics.size() == 4);
  CHECK(c.metrics[0].variable == "accuracy");
  CHECK(c.metrics[1].kind == "top_k_accuracy");
  CHECK(c.metrics[1].k == 3);
  CHECK(c.metrics[1].variable == "top3_accuracy");
  CHECK(c.metrics[2].variable == "macro_f1");
  CHECK(c.metrics[3].variable == "log_loss");
  CHECK(c.metrics[1].where.line == 73);

  CHECK(c.score.formula == "100 * accuracy - 2 * log10(max(latency_ms_p50_b1, 0.001))");
  CHECK(c.score.higher_is_better);
  CHECK(c.score.qualify == "accuracy >= 0.5");
  CHECK(c.score.formula_at.line == 79);
  CHECK(c.score.formula_at.column == 12);
  CHECK(c.score.qualify_at.line == 81);
  REQUIRE(c.score.tie_break.size() == 2);
  CHECK(c.score.tie_break[0].variable == "accuracy");
  CHECK(c.score.tie_break[0].descending);
  CHECK(c.score.tie_break[1].variable == "latency_ms_p50_b1");
  CHECK_FALSE(c.score.tie_break[1].descending);
  CHECK(c.plugin_config ==
        std::vector<std::pair<std::string, std::string>>{{"epochs", "8"}, {"learning_rate", "0.05"}});

  CHECK(result_variables(c) == std::vector<std::string>{"accuracy",
                                                        "top3_accuracy",
                                                        "macro_f1",
                                                        "log_loss",
                                                        "latency_ms_p50_b1",
                                                        "latency_ms_p90_b1",
                                                        "latency_ms_p99_b1",
                                                        "latency_ms_mean_b1",
                                                        "throughput_b1",
                                                        "latency_ms_p50_b32",
                                                        "latency_ms_p90_b32",
                                                        "latency_ms_p99_b32",
                                                        "latency_ms_mean_b32",
                                                        "throughput_b32",
                                                        "latency_ms_p50_b128",
                                                        "latency_ms_p90_b128",
                                                        "latency_ms_p99_b128",
                                                        "latency_ms_mean_b128",
                                                        "throughput_b128",
                                                        "latency_ms",
                                                        "throughput",
                                                        "train_seconds"});
}

TEST_CASE("synthetic-regression loads from its folder") {
  const fs::path dir = kSource / "challenges/synthetic-regression";
  const Challenge c = load_challenge(dir);
  CHECK(c.file == fs::absolute(dir / "challenge.yaml").lexically_normal());
  CHECK(c.sha256 == sha256_file_hex(dir / "challenge.yaml"));
  CHECK(c.id == "synthetic-regression");
  CHECK(c.task == Task::regression);
  CHECK(c.num_classes == 0);
  CHECK(c.data.source == "synthetic_regression");
  const auto s = c.data.config->canonical();
  CHECK(s["seed"] == 7);
  CHECK(s["num_train"] == 20000);
  CHECK(s["num_test"] == 5000);
  CHECK(s["num_features"] == 16);
  CHECK(s["noise"] == 0.1);
  CHECK(s["nonlinear_weight"] == 0.5);
  CHECK(c.split.seed == 99);
  CHECK(c.preprocess.scale == 1.0);  // defaults
  CHECK(c.preprocess.stddev == 1.0);
  CHECK(c.inputs[0].shape == std::vector<int64_t>{-1, 16});
  CHECK(c.target.dtype == DType::f32);
  CHECK(c.target.shape == std::vector<int64_t>{-1, 1});
  CHECK(c.limits.train_seconds == 60);
  CHECK(c.limits.memory_mb == 2048);
  CHECK(c.timing.batch_sizes == std::vector<int64_t>{1, 256});
  CHECK(c.timing.spin_auto);  // default
  REQUIRE(c.metrics.size() == 2);
  CHECK(c.metrics[0].variable == "mse");
  CHECK(c.metrics[1].variable == "mae");
  CHECK(c.score.formula == "-mse");
  CHECK(c.score.qualify == "mse < 10");
  CHECK(c.score.tie_break.size() == 2);
  CHECK(c.plugin_config.empty());
}

TEST_CASE("defaults of optional keys") {
  TempDir dir;
  dir.write("challenge.yaml", kRegression);
  const Challenge c = load_challenge(dir.path);
  CHECK(c.title == "reg");
  CHECK(c.description.empty());
  CHECK_FALSE(c.training_allowed);
  CHECK(c.limits.train_seconds == 0);
  CHECK(c.limits.setup_seconds == 30);
  CHECK(c.limits.ms_per_batch == 1000);
  CHECK(c.limits.total_seconds == 600);
  CHECK(c.limits.threads == 1);
  CHECK(c.limits.memory_mb == 4096);
  CHECK(c.timing.eval_batch_size == 1);  // the largest batch size
  CHECK(c.timing.warmup_batches == 3);
  CHECK(c.timing.min_batches == 10);
  CHECK(c.timing.min_seconds == 0.1);
  CHECK(c.timing.max_batches == 10000);
  CHECK(c.split.private_fraction == 0.5);
  CHECK(c.split.seed == 0);
  const auto s = c.data.config->canonical();
  CHECK(s["seed"] == 0);
  CHECK(s["noise"] == 0);
  CHECK(s["nonlinear_weight"] == 0);
  CHECK(c.inputs[0].dtype == DType::f32);
  CHECK(c.score.higher_is_better);
  CHECK(c.score.qualify.empty());
  CHECK(c.score.qualify_at.line == 15);  // the score mapping
  CHECK(c.score.tie_break.empty());
}

TEST_CASE("relative data paths resolve against the challenge folder") {
  TempDir dir;
  fs::create_directories(dir.path / "sub");
  dir.write("sub/challenge.yaml", replace_all(kClassification, "tr-img.gz", "../data/tr-img.gz"));
  const Challenge c = load_challenge(dir.path / "sub");
  const auto files = c.data.config->files();
  CHECK(std::find(files.begin(), files.end(), fs::absolute(dir.path / "data/tr-img.gz").lexically_normal()) !=
        files.end());
  CHECK(std::find(files.begin(), files.end(), fs::absolute(dir.path / "sub/te-lbl.gz").lexically_normal()) !=
        files.end());
}

TEST_CASE("missing files") {
  TempDir dir;
  const std::string base = dir.path.string();
  auto error_of = [](const fs::path& p) {
    try {
      load_challenge(p);
    } catch (const ConfigError& e) {
      CHECK(e.where().line == 0);
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(error_of(dir.path / "nope.yaml") == base + "/nope.yaml: error: no such file or folder");
  CHECK(error_of(dir.path) == base + "/challenge.yaml: error: no challenge.yaml in folder " + base);
}

TEST_CASE("malformed challenge files give one exact error each") {
  const auto cases = bad_cases();
  CHECK(cases.size() >= 25);
  for (const BadCase& bad : cases) {
    TempDir dir;
    const std::string file = (dir.path / "challenge.yaml").string();
    INFO("case: " << bad.name);
    CHECK(load_error(dir, bad.yaml) == replace_all(bad.expected, "{F}", file));
  }
}

TEST_CASE("errors carry the field and location separately") {
  TempDir dir;
  const fs::path file =
      dir.write("challenge.yaml", replace_once(kClassification, "ms_per_batch: 100", "ms_per_batch: -3"));
  try {
    load_challenge(file);
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(e.where().file == file.string());
    CHECK(e.where().line == 22);
    CHECK(e.where().column == 17);
    CHECK(e.field() == "limits.ms_per_batch");
    CHECK(e.message() == "expected a number > 0, got -3");
  }
}

TEST_CASE("deeply nested block mappings are refused without recursing") {
  TempDir dir;
  std::string yaml = "schema: 1\nplugin_config:\n";
  for (int i = 1; i < 900; ++i) yaml += std::string(2 * i, ' ') + "k:\n";
  CHECK(load_error(dir, yaml).ends_with("error: nested deeper than 64 levels"));
}
