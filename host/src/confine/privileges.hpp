// The worker's privileges, dropped before any team code runs (worker/confinement.cpp).
#pragma once

#include <string>

namespace gauntlet::confine {

// Empties the bounding, ambient, effective, permitted and inheritable capability sets: the
// process keeps its uid but loses every privilege, including those the user namespace gave.
std::string drop_capabilities();

}  // namespace gauntlet::confine
