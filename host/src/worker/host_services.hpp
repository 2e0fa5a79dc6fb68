// The gauntlet_host_api the worker gives the plugin: log() writes rate-limited lines to the
// worker's stderr (captured by the host), should_cancel() reads the control page.
#pragma once

#include "ipc/control_page.hpp"

#include <gauntlet/plugin_api.h>

namespace gauntlet::worker {

// The table lives as long as the process. `page` may be attached later (before serving).
const gauntlet_host_api* host_services();
void attach_control_page(ipc::ControlPage* page);

}  // namespace gauntlet::worker
