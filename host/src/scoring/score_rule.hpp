// A challenge's ranking rule, as the scoring layer evaluates it. Defined here, below the
// challenge model that holds one, so that scoring depends on nothing above it.
#pragma once

#include "common/errors.hpp"

#include <string>
#include <vector>

namespace gauntlet {

struct TieBreak {
  std::string variable;  // a known result variable (see result_variables())
  bool descending = true;
  SourceLocation where;
};

// `formula` and `qualify` are muparser expressions over result variables; both were checked
// to parse and to use only known variables when the challenge was loaded.
struct ScoreRule {
  std::string formula;
  bool higher_is_better = true;
  std::string qualify;  // may be empty: every OK result qualifies
  std::vector<TieBreak> tie_break;
  SourceLocation formula_at, qualify_at;
};

}  // namespace gauntlet
