// The challenge as the judge reads it (result keys), and what the plugin is told of it.
#include "challenge/challenge.hpp"
#include "common/sha256.hpp"
#include "common/text.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>

namespace gauntlet {
namespace {

std::string list(const std::vector<double>& values) {
  std::vector<std::string> items;
  for (const double v : values) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    items.emplace_back(buf);
  }
  return join(items, ",");
}

const char* kind_name(InputPreprocess::Kind k) {
  switch (k) {
    case InputPreprocess::Kind::affine:
      return "affine";
    case InputPreprocess::Kind::standardize:
      return "standardize";
    case InputPreprocess::Kind::raw:
      break;
  }
  return "raw";
}

nlohmann::json tensor(const TensorSpec& t) {
  nlohmann::json j = {{"name", t.name}, {"dtype", std::string(dtype_name(t.dtype))}, {"shape", t.shape}};
  return j;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> preprocess_entries(const Challenge& c) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("gauntlet.task", std::string(task_name(c.task)));
  if (c.task != Task::regression)
    out.emplace_back("gauntlet.output", std::string(score_form_name(c.output_form)));
  for (const TensorSpec& in : c.inputs) {
    const std::string key = "gauntlet.preprocess." + in.name;
    const InputPreprocess& pp = in.preprocess;
    out.emplace_back(key, kind_name(pp.kind));
    if (pp.kind == InputPreprocess::Kind::affine) {
      out.emplace_back(key + ".scale", list(pp.scale));
      out.emplace_back(key + ".mean", list(pp.mean));
      out.emplace_back(key + ".std", list(pp.stddev));
    }
    if (in.shape.size() == 4) out.emplace_back(key + ".layout", pp.layout == Layout::nchw ? "nchw" : "nhwc");
  }
  return out;
}

nlohmann::json canonical_challenge(const Challenge& c) {
  nlohmann::json j;
  j["schema"] = c.schema;
  j["id"] = c.id;
  j["task"] = std::string(task_name(c.task));
  j["output"] = std::string(score_form_name(c.output_form));
  j["data"] = {{"source", c.data.source},
               {"config", c.data.config ? c.data.config->canonical() : nlohmann::json()}};
  if (c.holdout)
    j["holdout"] = {{"test_fraction", c.holdout->test_fraction},
                    {"seed", c.holdout->seed},
                    {"stratify", c.holdout->stratify}};
  j["split"] = {{"private_fraction", c.split.private_fraction},
                {"seed", c.split.seed},
                {"exact", c.split.exact},
                {"stratify", c.split.stratify}};
  for (const TensorSpec& t : c.inputs) {
    nlohmann::json in = tensor(t);
    in["preprocess"] = {{"kind", kind_name(t.preprocess.kind)},
                        {"scale", t.preprocess.scale},
                        {"mean", t.preprocess.mean},
                        {"std", t.preprocess.stddev},
                        {"layout", t.preprocess.layout == Layout::nchw ? "nchw" : "nhwc"}};
    j["inputs"].push_back(in);
  }
  for (const TensorSpec& t : c.outputs) j["outputs"].push_back(tensor(t));
  j["target"] = tensor(c.target);
  j["training"] = c.training_allowed;
  const Limits& l = c.limits;
  j["limits"] = {{"setup_seconds", l.setup_seconds},
                 {"train_seconds", l.train_seconds},
                 {"ms_per_batch", l.ms_per_batch},
                 {"total_seconds", l.total_seconds},
                 {"threads", l.threads},
                 {"memory_mb", l.memory_mb}};
  const TimingRules& t = c.timing;
  j["timing"] = {{"batch_sizes", t.batch_sizes},       {"eval_batch_size", t.eval_batch_size},
                 {"warmup_batches", t.warmup_batches}, {"min_batches", t.min_batches},
                 {"min_seconds", t.min_seconds},       {"max_batches", t.max_batches},
                 {"spin_auto", t.spin_auto},           {"spin_us", t.spin_us}};
  for (const MetricSpec& m : c.metrics)
    j["metrics"].push_back({{"kind", m.kind}, {"k", m.k}, {"option", m.option}});
  j["score"] = {{"formula", c.score.formula},
                {"higher_is_better", c.score.higher_is_better},
                {"qualify", c.score.qualify}};
  for (const TieBreak& tb : c.score.tie_break)
    j["score"]["tie_break"].push_back({tb.variable, tb.descending});
  for (const auto& [k, v] : c.plugin_config) j["plugin_config"].push_back({k, v});
  return j;
}

std::string data_sha256(const Challenge& c) {
  static std::mutex lock;
  static std::map<std::tuple<std::string, uintmax_t, int64_t>, std::string> cache;
  std::vector<std::string> lines;
  for (const auto& file : c.data.config ? c.data.config->files() : std::vector<std::filesystem::path>{}) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) throw DataError(file.string() + ": cannot read: " + ec.message());
    const auto mtime = std::filesystem::last_write_time(file, ec).time_since_epoch().count();
    const auto key = std::make_tuple(file.string(), size, static_cast<int64_t>(mtime));
    std::string digest;
    {
      const std::lock_guard<std::mutex> guard(lock);
      if (const auto it = cache.find(key); it != cache.end()) digest = it->second;
    }
    if (digest.empty()) {
      try {
        digest = sha256_file_hex(file);
      } catch (const std::exception& e) {
        throw DataError(file.string() + ": " + e.what());
      }
      const std::lock_guard<std::mutex> guard(lock);
      cache[key] = digest;
    }
    lines.push_back(file.string() + " " + digest + "\n");
  }
  std::sort(lines.begin(), lines.end());
  return sha256_hex(join(lines, ""));
}

}  // namespace gauntlet
