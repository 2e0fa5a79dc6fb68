// The host's view of the policy vocabulary it shares with the worker (confine/policy.hpp): the
// modes, mechanisms, report and limits, under the host-side sandbox's own names. Host code
// never calls the worker-side mechanisms themselves (confine/*).
#pragma once

#include "confine/namespaces.hpp"
#include "confine/policy.hpp"

namespace gauntlet::sandbox {

using confine::all_mechanisms;
using confine::from_hex;
using confine::Mechanism;
using confine::Mode;
using confine::mode_name;
using confine::namespace_list;
using confine::NamespaceRequest;
using confine::parse_mode;
using confine::parse_status;
using confine::policy_from_json;
using confine::Report;
using confine::report_from_json;
using confine::ResourceLimits;
using confine::Status;
using confine::status_name;
using confine::task_limit;
using confine::to_hex;
using confine::to_json;
using confine::WorkerPolicy;
namespace mech = confine::mech;

}  // namespace gauntlet::sandbox
