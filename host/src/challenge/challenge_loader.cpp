#include "challenge/challenge_loader.hpp"

#include "challenge/loader.hpp"
#include "common/file_check.hpp"
#include "common/names.hpp"
#include "common/sha256.hpp"
#include "common/suggest.hpp"
#include "scoring/score.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace gauntlet {
namespace challenge_loader {

namespace fs = std::filesystem;
using namespace yaml;  // the field helpers (yaml_fields.hpp)

void Loader::check_formula(const Node& n, const std::string& field,
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

Challenge Loader::load() {
  if (doc_.empty || doc_.root.kind == Kind::null)
    throw ConfigError({file_, 0, 0}, "", "empty file, expected a challenge mapping");
  const Node& root = doc_.root;
  if (root.kind != Kind::mapping)
    fail(root, "", "expected a challenge mapping at the top level, got " + describe(root));

  schema_ = check_schema(root, kChallengeSchemaVersion, 1);
  std::vector<std::string> keys = {"schema",      "id",      "title",     "description",  "task",
                                   "num_classes", "data",    "interface", "training",     "limits",
                                   "timing",      "metrics", "score",     "plugin_config"};
  keys.insert(keys.begin() + 7, schema_ == 1 ? "preprocess" : "output");
  check_keys(root, "", keys);

  Challenge c;
  c.schema = schema_;

  const Node& id = required(root, "", "id");
  c.id = string(id, "id");
  if (!is_valid_id(c.id)) fail(id, "id", "expected " + id_rule() + ", got " + describe(id));

  c.title = c.id;
  if (const Node* t = find_key(root, "title")) c.title = non_empty_string(*t, "title");
  if (const Node* d = find_key(root, "description")) {
    c.description = string(*d, "description");
    // A folded block (`>`) ends with a newline that is not part of the text.
    while (!c.description.empty() && std::isspace(static_cast<unsigned char>(c.description.back())))
      c.description.pop_back();
  }

  const std::vector<std::string> tasks =
      schema_ == 1 ? std::vector<std::string>{"classification", "regression"} : task_names();
  c.task = *parse_task(choice(required(root, "", "task"), "task", tasks));
  if (const Node* o = find_key(root, "output")) {
    if (c.task == Task::regression)
      fail(*o, "output", "only used by the classification tasks; this task is regression");
    c.output_form = choice(*o, "output", {"logits", "probabilities"}) == "logits" ? ScoreForm::logits
                                                                                  : ScoreForm::probabilities;
  }

  if (schema_ == 1) load_schema1_preprocess(root, c);
  load_interface(root, c);
  load_data(root, c);

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
    if (key.value.starts_with("gauntlet."))
      fail(key, field,
           "keys starting with 'gauntlet.' are the judge's (what the plugin is told of the challenge)");
    if (value.kind != Kind::scalar)
      fail(value, field, "expected a string, number or boolean, got " + describe(value));
    c.plugin_config.emplace_back(key.value, value.value);
  }
}

}  // namespace challenge_loader

namespace fs = std::filesystem;

Challenge parse_challenge(const std::string& file, std::string bytes) {
  const yaml::Document doc = yaml::parse_document(file, std::move(bytes));
  Challenge c = challenge_loader::Loader(file, doc).load();
  c.rules_sha256 = sha256_hex(canonical_challenge(c).dump());
  return c;
}

Challenge load_challenge(const std::filesystem::path& dir_or_yaml) {
  fs::path file = dir_or_yaml;
  std::error_code ec;
  fs::file_status status = fs::status(file, ec);
  if (!fs::exists(status))
    throw ConfigError({file.string(), 0, 0}, "",
                      fs::is_symlink(fs::symlink_status(file, ec)) ? why_not_regular_file(file).value_or("")
                                                                   : "no such file or folder");
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
