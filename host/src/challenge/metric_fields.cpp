// The metrics and score sections of challenge.yaml: metrics come from the registry
// (quality/metric_registry.hpp), formulas are checked against the variables they define.
#include "challenge/loader.hpp"
#include "common/host_tensor.hpp"
#include "common/suggest.hpp"
#include "quality/metric_registry.hpp"
#include "scoring/score.hpp"

#include <algorithm>
#include <cctype>

namespace gauntlet::challenge_loader {

using namespace yaml;

void Loader::load_metrics(const Node& root, Challenge& c) {
  const Node& list = required(root, "", "metrics");
  if (list.kind != Kind::sequence)
    fail(list, "metrics", "expected a sequence of metrics such as [accuracy], got " + describe(list));
  if (list.children.empty()) fail(list, "metrics", "expected at least one metric, got []");
  // Schema 1 knew six metrics; its files keep meaning what they meant.
  std::vector<std::string> all = quality::metric_names();
  if (schema_ == 1) all = {"accuracy", "top_k_accuracy", "macro_f1", "log_loss", "mse", "mae"};
  const int64_t width = sample_elements(c.outputs[0].shape);

  for (std::size_t i = 0; i < list.children.size(); ++i) {
    const Node& item = list.children[i];
    const std::string field = item_path("metrics", i);
    MetricSpec m;
    m.where = at(item);
    const Node* name_node = &item;
    const Node* param_node = nullptr;
    if (item.kind == Kind::mapping && item.size() == 1) {
      name_node = &item.key_at(0);
      param_node = &item.value_at(0);
    } else if (item.kind != Kind::scalar) {
      fail(item, field, "expected a metric name or '- top_k_accuracy: k', got " + describe(item));
    }
    if (name_node->kind != Kind::scalar)
      fail(*name_node, field, "expected a metric name, got " + describe(*name_node));
    m.kind = name_node->value;
    const quality::MetricEntry* entry = contains(all, m.kind) ? quality::find_metric(m.kind) : nullptr;
    if (!entry) {
      const std::string suggestion = did_you_mean(m.kind, all);
      fail(*name_node, field,
           "unknown metric '" + excerpt(m.kind) + "'" +
               (suggestion.empty() ? "; expected one of: " + join(all) : suggestion));
    }
    if (!entry->applies_to(c.task)) {
      std::vector<std::string> tasks;
      for (const Task t : entry->tasks)
        if (schema_ >= 2 || t == Task::classification || t == Task::regression)
          tasks.emplace_back(task_name(t));
      fail(*name_node, field,
           "'" + m.kind + "' is a " + join(tasks, " or ") + " metric; this challenge's task is " +
               std::string(task_name(c.task)));
    }
    quality::MetricParam param;
    switch (entry->param) {
      case quality::ParamKind::count:
        if (!param_node) fail(item, field, m.kind + " needs k: write '- " + m.kind + ": 3'");
        param.k = integer(*param_node, field + "." + m.kind, 1, c.num_classes, "", "num_classes");
        m.k = static_cast<int>(param.k);
        break;
      case quality::ParamKind::choice: {
        const std::vector<std::string> options = entry->options(c.task);
        param.option = param_node ? choice(*param_node, field + "." + m.kind, options) : options.front();
        m.option = param.option;
        break;
      }
      case quality::ParamKind::none:
        if (param_node)
          fail(*name_node, field, "'" + m.kind + "' takes no parameter: write '- " + m.kind + "'");
        break;
    }
    m.variables = entry->variables(m.kind, param, c.task, width);
    m.variable = m.variables.front();
    for (const MetricSpec& earlier : c.metrics)
      for (const std::string& v : m.variables)
        if (contains(earlier.variables, v)) fail(item, field, "duplicate metric '" + v + "'");
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

}  // namespace gauntlet::challenge_loader
