#include "scoring/score.hpp"

#include "common/suggest.hpp"
#include "common/text.hpp"

#include <muParser.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <deque>
#include <optional>
#include <string_view>

namespace gauntlet {
namespace {

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool is_blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

// muparser accepts `x = 3`, `x += 3`, ... as assignments to a variable: a formula could then
// overwrite a result variable. A '=' that is not part of ==, <=, >= or != is refused.
std::optional<std::size_t> find_assignment(const std::string& e) {
  for (std::size_t i = 0; i < e.size(); ++i) {
    if (e[i] != '=') continue;
    if (i + 1 < e.size() && e[i + 1] == '=') {
      ++i;
      continue;
    }
    if (i > 0 && (e[i - 1] == '<' || e[i - 1] == '>' || e[i - 1] == '!')) continue;
    return i;
  }
  return std::nullopt;
}

// The functions muparser defines by default, for suggestions on misspelled function names.
const std::vector<std::string>& builtin_functions() {
  static const std::vector<std::string> names = {"sin",  "cos",  "tan",   "asin",  "acos",  "atan", "sinh",
                                                 "cosh", "tanh", "asinh", "acosh", "atanh", "log2", "log10",
                                                 "log",  "ln",   "exp",   "sqrt",  "sign",  "rint", "abs",
                                                 "min",  "max",  "sum",   "avg"};
  return names;
}

// muparser's message without its own "at position N" (we report a column instead), lower-case.
std::string clean_message(std::string msg) {
  if (auto p = msg.find(" at position "); p != std::string::npos) msg.erase(p);
  for (const std::string_view suffix : {" found", "."})
    if (msg.ends_with(suffix)) msg.erase(msg.size() - suffix.size());
  if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
  return msg;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return format_number(v);
}

// Unknown names met while parsing are bound to NaN slots here so that evaluation can report
// every missing variable at once instead of failing on the first.
struct MissingVariables {
  std::deque<double> slots;  // deque: stable addresses, muparser keeps pointers
  std::vector<std::string> names;
};

mu::value_type* bind_missing(const mu::char_type* name, void* user) {
  auto* missing = static_cast<MissingVariables*>(user);
  missing->names.emplace_back(name);
  missing->slots.push_back(std::nan(""));
  return &missing->slots.back();
}

// Evaluates one expression; on failure returns nothing and says why in `reason`.
std::optional<double> evaluate(const std::string& expression, const std::string& field,
                               const std::map<std::string, double>& values, std::string& reason) {
  if (find_assignment(expression)) {
    reason = field + " contains an assignment '='";
    return std::nullopt;
  }
  mu::Parser parser;
  std::deque<double> storage;
  MissingVariables missing;
  try {
    for (const auto& [name, value] : values) {
      storage.push_back(value);
      try {
        parser.DefineVar(name, &storage.back());
      } catch (const mu::ParserError&) {
        // Not a valid muparser name, so no expression can refer to it: nothing to bind.
      }
    }
    parser.SetVarFactory(bind_missing, &missing);
    parser.SetExpr(expression);
    int results = 0;
    const double* result = parser.Eval(results);
    if (!missing.names.empty()) {
      std::string list;
      for (const auto& n : missing.names) list += (list.empty() ? "'" : ", '") + n + "'";
      reason = "missing result variable" + std::string(missing.names.size() > 1 ? "s " : " ") + list +
               " in " + field;
      return std::nullopt;
    }
    if (results != 1) {
      reason = field + " gives " + std::to_string(results) + " values, expected one";
      return std::nullopt;
    }
    return result[0];
  } catch (const mu::ParserError& e) {
    reason = "cannot evaluate " + field + ": " + clean_message(e.GetMsg());
    return std::nullopt;
  }
}

}  // namespace

void check_expression(const std::string& expression, const std::vector<std::string>& variables,
                      const SourceLocation& where, const std::string& field) {
  auto fail = [&](std::optional<std::size_t> pos, const std::string& message) {
    SourceLocation at = where;
    if (pos && at.column > 0) at.column += static_cast<int>(std::min(*pos, expression.size()));
    throw ConfigError(at, field, message);
  };
  if (is_blank(expression)) fail(std::nullopt, "expected an expression, got an empty string");
  if (auto pos = find_assignment(expression))
    fail(pos, "'=' would assign to a variable; use '==' to compare");

  mu::Parser parser;
  std::vector<double> storage(variables.size(), 1.0);  // never resized: muparser keeps pointers
  int results = 0;
  try {
    for (std::size_t i = 0; i < variables.size(); ++i) parser.DefineVar(variables[i], &storage[i]);
    parser.SetExpr(expression);
    parser.Eval(results);  // muparser parses lazily: the first evaluation is the real check
  } catch (const mu::ParserError& e) {
    const int raw_pos = e.GetPos();
    const std::size_t pos = raw_pos < 0 ? 0 : static_cast<std::size_t>(raw_pos);
    if (e.GetCode() == mu::ecUNASSIGNABLE_TOKEN && raw_pos >= 0 && pos < expression.size() &&
        is_ident_start(expression[pos])) {
      std::size_t end = pos;
      while (end < expression.size() && is_ident_char(expression[end])) ++end;
      const std::string name = expression.substr(pos, end - pos);
      std::size_t next = end;
      while (next < expression.size() && std::isspace(static_cast<unsigned char>(expression[next]))) ++next;
      if (next < expression.size() && expression[next] == '(')
        fail(pos, "unknown function '" + name + "'" + did_you_mean(name, builtin_functions()));
      const std::string suggestion = did_you_mean(name, variables);
      fail(pos, "unknown variable '" + name + "'" +
                    (suggestion.empty() ? "; known variables: " + join(variables) : suggestion));
    }
    const std::string message = clean_message(e.GetMsg());
    if (raw_pos < 0) fail(std::nullopt, "syntax error: " + message);
    if (pos >= expression.size()) fail(pos, "syntax error at the end of the expression: " + message);
    std::string token = e.GetToken();
    token = token.substr(0, token.find_first_of(" \t\n"));
    if (token.empty()) token = expression.substr(pos, 1);
    fail(pos, "syntax error at '" + token + "' (character " + std::to_string(pos + 1) + "): " + message);
  }
  if (results != 1)
    fail(std::nullopt, "expected one expression, got " + std::to_string(results) + " separated by commas");
}

ScoreOutcome evaluate_score(const ScoreRule& rule, const std::map<std::string, double>& values) {
  ScoreOutcome out;
  if (!is_blank(rule.qualify)) {
    const auto q = evaluate(rule.qualify, "score.qualify", values, out.reason);
    if (!q) return out;
    if (std::isnan(*q)) {
      out.reason = "qualifying condition '" + rule.qualify + "' evaluated to nan";
      return out;
    }
    if (*q == 0) {
      out.reason = "qualifying condition not met: " + rule.qualify;
      return out;
    }
  }
  const auto s = evaluate(rule.formula, "score.formula", values, out.reason);
  if (!s) return out;
  if (!std::isfinite(*s)) {
    out.reason = "score formula evaluated to " + format_value(*s) + ", not a finite number";
    return out;
  }
  out.qualified = true;
  out.score = *s;
  return out;
}

}  // namespace gauntlet
