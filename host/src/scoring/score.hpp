// Score formulas and qualifying conditions, evaluated with muparser (a maintained
// expression library) over the result variables of a challenge.
#pragma once

#include "common/errors.hpp"
#include "scoring/score_rule.hpp"

#include <map>
#include <string>
#include <vector>

namespace gauntlet {

// Throws ConfigError at `where` (pointing at the offending character when muparser tells
// which) when `expression` does not parse or uses a name that is not in `variables`.
void check_expression(const std::string& expression, const std::vector<std::string>& variables,
                      const SourceLocation& where, const std::string& field);

struct ScoreOutcome {
  bool qualified = false;
  double score = 0.0;  // meaningful when qualified
  std::string reason;  // why it did not qualify / could not be scored; empty otherwise
};

// Evaluates `rule` with the given variable values. A missing variable or a non-finite
// result makes the outcome unqualified, with the reason.
ScoreOutcome evaluate_score(const ScoreRule& rule, const std::map<std::string, double>& values);

}  // namespace gauntlet
