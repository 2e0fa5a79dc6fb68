// Every metric of the registry against scikit-learn (tests/metrics/sklearn_reference.py, run
// with Debian's /usr/bin/python3 and python3-sklearn) on the fixed prediction files of
// tests/data/metrics: each variable to 1e-9 relative. A registry metric that no case checks,
// or a reference figure no metric produced, fails the test: a new metric needs its line in
// the reference script.
#include <doctest/doctest.h>

#include "formats/npy.hpp"
#include "quality/metric_registry.hpp"
#include "support/read_json.hpp"
#include "support/run_command.hpp"

#include <cmath>
#include <map>
#include <set>

using namespace gauntlet;

namespace {

const std::string kData = std::string(GAUNTLET_SOURCE_DIR) + "/tests/data/metrics";

nlohmann::json reference() {
  const auto r = testing::run_command(
      {"/usr/bin/python3", std::string(GAUNTLET_SOURCE_DIR) + "/tests/metrics/sklearn_reference.py", kData},
      120);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

// Every parameter a metric takes on a task: each averaging option, k = 1..3.
std::vector<quality::MetricParam> params(const quality::MetricEntry& e, Task task) {
  if (e.param == quality::ParamKind::count) return {{1, ""}, {2, ""}, {3, ""}};
  if (e.param == quality::ParamKind::choice) {
    std::vector<quality::MetricParam> out;
    for (const std::string& o : e.options(task)) out.push_back({0, o});
    return out;
  }
  return {{}};
}

}  // namespace

TEST_CASE("every registry metric matches scikit-learn to 1e-9 on the fixed prediction files") {
  const nlohmann::json ref = reference();
  const nlohmann::json cases = testing::read_json(kData + "/cases.json");
  std::set<std::string> metrics_checked;
  for (const auto& [name, spec] : cases.items()) {
    CAPTURE(name);
    const Task task = *parse_task(spec.at("task").get<std::string>());
    const ScoreForm form = spec.at("output") == "logits" ? ScoreForm::logits : ScoreForm::probabilities;
    const HostTensor outputs = formats::read_npy(kData + "/" + name + ".outputs.npy");
    const HostTensor targets = formats::read_npy(kData + "/" + name + ".targets.npy");
    const quality::Evaluation e = quality::make_evaluation(task, form, outputs, targets);
    std::set<std::string> seen;
    for (const quality::MetricEntry& entry : quality::metric_registry()) {
      if (!entry.applies_to(task)) continue;
      for (const quality::MetricParam& p : params(entry, task)) {
        const auto names = entry.variables(entry.name, p, task, e.width);
        const auto values = entry.compute(e, p);
        REQUIRE(names.size() == values.size());
        for (std::size_t i = 0; i < names.size(); ++i) {
          CAPTURE(names[i]);
          REQUIRE(ref[name].contains(names[i]));
          const double want = ref[name][names[i]].get<double>();
          CHECK(std::fabs(values[i] - want) <= 1e-9 * std::max(1.0, std::fabs(want)));
          seen.insert(names[i]);
          metrics_checked.insert(entry.name);
        }
      }
    }
    for (const auto& [variable, value] : ref[name].items()) {
      CAPTURE(variable);
      CHECK(seen.count(variable) == 1);
    }
  }
  for (const quality::MetricEntry& entry : quality::metric_registry()) {
    CAPTURE(entry.name);
    CHECK(metrics_checked.count(entry.name) == 1);
  }
}

TEST_CASE("metric directions come from the registry") {
  CHECK(quality::variable_higher_is_better("macro_f1") == true);
  CHECK(quality::variable_higher_is_better("f1_class_12") == true);
  CHECK(quality::variable_higher_is_better("top5_accuracy") == true);
  CHECK(quality::variable_higher_is_better("log_loss") == false);
  CHECK(quality::variable_higher_is_better("rmse_target_2") == false);
  CHECK(quality::variable_higher_is_better("r2") == true);
  CHECK_FALSE(quality::variable_higher_is_better("latency_ms").has_value());
  CHECK_FALSE(quality::variable_higher_is_better("top_accuracy").has_value());
}
