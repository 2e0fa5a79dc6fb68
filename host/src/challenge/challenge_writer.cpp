// A challenge as schema 2 YAML (team kits): every rule as the loader read it, the data
// section given by the caller.
#include "challenge/challenge_writer.hpp"

#include "common/text.hpp"
#include "quality/metric_registry.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <sstream>

namespace gauntlet {
namespace {

// JSON's string quoting is valid YAML (a double-quoted scalar).
std::string quoted(const std::string& s) { return nlohmann::json(s).dump(); }

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string numbers(const std::vector<double>& v) {
  if (v.size() == 1) return num(v[0]);
  std::vector<std::string> items;
  items.reserve(v.size());
  for (const double x : v) items.push_back(num(x));
  std::string out = "[";  // appended: `"[" + std::string&&` trips GCC 12's false -Wrestrict
  out.append(join(items)).append("]");
  return out;
}

void tensor(std::ostringstream& o, const TensorSpec& t, bool input) {
  o << "    - name: " << t.name << "\n      dtype: " << dtype_name(t.dtype)
    << "\n      shape: " << format_shape(t.shape) << "\n";
  if (!input) return;
  const InputPreprocess& p = t.preprocess;
  if (p.kind == InputPreprocess::Kind::raw) o << "      preprocess: raw\n";
  if (p.kind == InputPreprocess::Kind::standardize) o << "      preprocess: standardize\n";
  if (p.kind == InputPreprocess::Kind::affine) {
    o << "      preprocess:\n        scale: " << numbers(p.scale) << "\n        mean: " << numbers(p.mean)
      << "\n        std: " << numbers(p.stddev) << "\n";
    if (t.shape.size() == 4) o << "        layout: " << (p.layout == Layout::nchw ? "nchw" : "nhwc") << "\n";
  }
}

}  // namespace

std::string challenge_yaml(const Challenge& c, const std::string& data_section) {
  std::ostringstream o;
  o << "schema: 2\nid: " << c.id << "\ntitle: " << quoted(c.title)
    << "\ndescription: " << quoted(c.description) << "\ntask: " << task_name(c.task) << "\n";
  if (c.task != Task::regression) o << "output: " << score_form_name(c.output_form) << "\n";
  o << "\n" << data_section << "\ninterface:\n  inputs:\n";
  for (const TensorSpec& t : c.inputs) tensor(o, t, /*input=*/true);
  o << "  outputs:\n";
  for (const TensorSpec& t : c.outputs) tensor(o, t, /*input=*/false);
  o << "  target:\n    name: " << c.target.name << "\n    dtype: " << dtype_name(c.target.dtype)
    << "\n    shape: " << format_shape(c.target.shape)
    << "\n\ntraining:\n  allowed: " << (c.training_allowed ? "true" : "false") << "\n\nlimits:\n";
  const Limits& l = c.limits;
  o << "  setup_seconds: " << num(l.setup_seconds) << "\n";
  if (c.training_allowed) o << "  train_seconds: " << num(l.train_seconds) << "\n";
  o << "  ms_per_batch: " << num(l.ms_per_batch) << "\n  total_seconds: " << num(l.total_seconds)
    << "\n  threads: " << l.threads << "\n  memory_mb: " << l.memory_mb << "\n\ntiming:\n";
  const TimingRules& t = c.timing;
  std::vector<std::string> sizes;
  for (const int64_t b : t.batch_sizes) sizes.push_back(std::to_string(b));
  o << "  batch_sizes: [" << join(sizes) << "]\n  eval_batch_size: " << t.eval_batch_size
    << "\n  warmup_batches: " << t.warmup_batches << "\n  min_batches: " << t.min_batches
    << "\n  min_seconds: " << num(t.min_seconds) << "\n  max_batches: " << t.max_batches
    << "\n  spin_us: " << (t.spin_auto ? std::string("auto") : num(t.spin_us)) << "\n\nmetrics:\n";
  for (const MetricSpec& m : c.metrics) {
    const quality::MetricEntry* e = quality::find_metric(m.kind);
    if (e && e->param == quality::ParamKind::count)
      o << "  - " << m.kind << ": " << m.k << "\n";
    else if (e && e->param == quality::ParamKind::choice)
      o << "  - " << m.kind << ": " << m.option << "\n";
    else
      o << "  - " << m.kind << "\n";
  }
  o << "\nscore:\n  formula: " << quoted(c.score.formula)
    << "\n  higher_is_better: " << (c.score.higher_is_better ? "true" : "false") << "\n";
  if (!c.score.qualify.empty()) o << "  qualify: " << quoted(c.score.qualify) << "\n";
  if (!c.score.tie_break.empty()) {
    o << "  tie_break:\n";
    for (const TieBreak& tb : c.score.tie_break)
      o << "    - " << tb.variable << ": " << (tb.descending ? "desc" : "asc") << "\n";
  }
  if (!c.plugin_config.empty()) {
    o << "\nplugin_config:\n";
    for (const auto& [k, v] : c.plugin_config) o << "  " << k << ": " << quoted(v) << "\n";
  }
  return o.str();
}

}  // namespace gauntlet
