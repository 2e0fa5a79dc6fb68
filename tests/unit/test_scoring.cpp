// Score formulas and qualifying conditions (muparser), and the name suggestions.
#include "common/suggest.hpp"
#include "scoring/score.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

using namespace gauntlet;

namespace {

const std::vector<std::string> kVariables = {"accuracy",   "top3_accuracy", "latency_ms_p50_b1",
                                             "latency_ms", "throughput",    "train_seconds"};

// The one-line error of check_expression, or "" when the expression is accepted.
std::string check(const std::string& expression, SourceLocation where = {"c.yaml", 7, 12}) {
  try {
    check_expression(expression, kVariables, where, "score.formula");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

ScoreRule rule(std::string formula, std::string qualify = "") {
  ScoreRule r;
  r.formula = std::move(formula);
  r.qualify = std::move(qualify);
  return r;
}

}  // namespace

TEST_CASE("check_expression accepts muparser expressions over the variables") {
  CHECK(check("100 * accuracy - 2 * log10(max(latency_ms_p50_b1, 0.001))") == "");
  CHECK(check("accuracy >= 0.5 && latency_ms < 10") == "");
  CHECK(check("accuracy > 0.9 ? throughput : 0") == "");
  CHECK(check("-train_seconds + _pi") == "");
  CHECK(check("accuracy == 1 || accuracy != 0 || accuracy <= 2") == "");
}

TEST_CASE("check_expression errors point at the offending character") {
  CHECK(check("100 * acuracy") ==
        "c.yaml:7:18: error: score.formula: unknown variable 'acuracy'; did you mean 'accuracy'?");
  CHECK(check("accuracy + speed") ==
        "c.yaml:7:23: error: score.formula: unknown variable 'speed'; known variables: accuracy, "
        "top3_accuracy, "
        "latency_ms_p50_b1, latency_ms, throughput, train_seconds");
  CHECK(check("mx(accuracy, 1)") ==
        "c.yaml:7:12: error: score.formula: unknown function 'mx'; did you mean 'max'?");
  CHECK(check("accuracy **2") ==
        "c.yaml:7:22: error: score.formula: syntax error at '*' (character 11): unexpected operator \"*\"");
  CHECK(check("accuracy +") ==
        "c.yaml:7:22: error: score.formula: syntax error at the end of the expression: unexpected end of "
        "expression");
  CHECK(check("(accuracy") ==
        "c.yaml:7:21: error: score.formula: syntax error at the end of the expression: missing parenthesis");
  CHECK(check("accuracy ? 1") ==
        "c.yaml:7:12: error: score.formula: syntax error: if-then-else operator is missing an else clause");
  CHECK(check("accuracy, latency_ms") ==
        "c.yaml:7:12: error: score.formula: expected one expression, got 2 separated by commas");
  CHECK(check("accuracy += 1") ==
        "c.yaml:7:22: error: score.formula: '=' would assign to a variable; use '==' to compare");
  CHECK(check("  ") == "c.yaml:7:12: error: score.formula: expected an expression, got an empty string");
}

TEST_CASE("check_expression without a known column reports the line only") {
  CHECK(check("100 * acuracy", {"c.yaml", 7, 0}) ==
        "c.yaml:7: error: score.formula: unknown variable 'acuracy'; did you mean 'accuracy'?");
}

TEST_CASE("evaluate_score: qualified results get the formula's value") {
  const auto out = evaluate_score(rule("100 * accuracy - latency_ms", "accuracy >= 0.5"),
                                  {{"accuracy", 0.9}, {"latency_ms", 2.0}});
  CHECK(out.qualified);
  CHECK(out.score == doctest::Approx(88.0));
  CHECK(out.reason.empty());
}

TEST_CASE("evaluate_score: an empty condition qualifies everything") {
  const auto out = evaluate_score(rule("-mse"), {{"mse", 0.25}});
  CHECK(out.qualified);
  CHECK(out.score == -0.25);
}

TEST_CASE("evaluate_score: a failed condition does not qualify") {
  const auto out = evaluate_score(rule("accuracy", "accuracy >= 0.5"), {{"accuracy", 0.4}});
  CHECK_FALSE(out.qualified);
  CHECK(out.reason == "qualifying condition not met: accuracy >= 0.5");
}

TEST_CASE("evaluate_score: missing variables are named") {
  auto out = evaluate_score(rule("100 * accuracy - latency_ms"), {{"accuracy", 0.9}});
  CHECK_FALSE(out.qualified);
  CHECK(out.reason == "missing result variable 'latency_ms' in score.formula");

  out = evaluate_score(rule("accuracy", "mse < 1 && mae < 1"), {{"accuracy", 0.9}});
  CHECK_FALSE(out.qualified);
  CHECK(out.reason == "missing result variables 'mse', 'mae' in score.qualify");
}

TEST_CASE("evaluate_score: non-finite results do not qualify") {
  auto out = evaluate_score(rule("sqrt(mse - 1)"), {{"mse", 0.5}});
  CHECK_FALSE(out.qualified);
  CHECK(out.reason == "score formula evaluated to nan, not a finite number");

  out = evaluate_score(rule("1 / mse"), {{"mse", 0.0}});
  CHECK_FALSE(out.qualified);
  CHECK(out.reason == "score formula evaluated to inf, not a finite number");

  out = evaluate_score(rule("mse", "log_loss < 1"), {{"mse", 1.0}, {"log_loss", std::nan("")}});
  CHECK_FALSE(out.qualified);
  CHECK(out.reason == "qualifying condition not met: log_loss < 1");  // NaN < 1 is false

  out = evaluate_score(rule("mse", "log_loss"), {{"mse", 1.0}, {"log_loss", std::nan("")}});
  CHECK_FALSE(out.qualified);
  CHECK(out.reason == "qualifying condition 'log_loss' evaluated to nan");
}

TEST_CASE("evaluate_score: unchecked rules fail safely") {
  auto out = evaluate_score(rule("accuracy = 2"), {{"accuracy", 0.5}});
  CHECK_FALSE(out.qualified);
  CHECK(out.reason == "score.formula contains an assignment '='");

  out = evaluate_score(rule("accuracy +"), {{"accuracy", 0.5}});
  CHECK_FALSE(out.qualified);
  CHECK(out.reason == "cannot evaluate score.formula: unexpected end of expression");
}

TEST_CASE("suggestions") {
  CHECK(edit_distance("batch_size", "batch_sizes") == 1);
  CHECK(edit_distance("Accuracy", "accuracy") == 0);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("accuarcy", "accuracy") == 1);  // a transposition is one edit
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(closest_match("acuracy", {"mse", "accuracy"}) == "accuracy");
  CHECK(closest_match("Accuracy", {"accuracy"}) == "accuracy");
  CHECK_FALSE(closest_match("xyz", {"accuracy", "mse"}));
  CHECK_FALSE(closest_match("ab", {"cd"}));  // two edits of two letters is not a typo
  CHECK(did_you_mean("mea", {"mse", "mae"}) == "; did you mean 'mae'?");
  CHECK(did_you_mean("zzzz", {"mse"}) == "");
}
