#include "confine/privileges.hpp"

#include "common/sys_text.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace gauntlet::confine {

std::string drop_capabilities() {
  // The bounding set first (needs CAP_SETPCAP, which goes last): a capability outside it can
  // never come back. EINVAL marks the end of the kernel's list.
  for (int cap = 0; cap < 64; ++cap)
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      if (errno == EINVAL) break;
      if (errno != EPERM) return errno_text("PR_CAPBSET_DROP", errno);
    }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    return errno_text("PR_CAP_AMBIENT_CLEAR_ALL", errno);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capset, &header, data) != 0) return errno_text("capset", errno);
  return {};
}

}  // namespace gauntlet::confine
