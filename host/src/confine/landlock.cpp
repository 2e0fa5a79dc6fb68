#include "confine/landlock.hpp"

#include "common/sys_text.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace gauntlet::confine {
namespace {

// The kernel's UAPI, spelled out: Debian's headers predate ABI 4 to 7.
constexpr uint64_t kExecute = 1ull << 0, kWriteFile = 1ull << 1, kReadFile = 1ull << 2, kReadDir = 1ull << 3,
                   kRemoveDir = 1ull << 4, kRemoveFile = 1ull << 5, kMakeChar = 1ull << 6,
                   kMakeDir = 1ull << 7, kMakeReg = 1ull << 8, kMakeSock = 1ull << 9, kMakeFifo = 1ull << 10,
                   kMakeBlock = 1ull << 11, kMakeSym = 1ull << 12, kRefer = 1ull << 13,
                   kTruncate = 1ull << 14, kIoctlDev = 1ull << 15;
constexpr uint64_t kNetBindTcp = 1ull << 0, kNetConnectTcp = 1ull << 1;
constexpr uint64_t kScopeAbstractUnix = 1ull << 0, kScopeSignal = 1ull << 1;
constexpr uint32_t kCreateRulesetVersion = 1u << 0;
constexpr int kRulePathBeneath = 1;

struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

struct __attribute__((packed)) PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
};

uint64_t handled_fs(int abi) {
  uint64_t fs = kExecute | kWriteFile | kReadFile | kReadDir | kRemoveDir | kRemoveFile | kMakeChar |
                kMakeDir | kMakeReg | kMakeSock | kMakeFifo | kMakeBlock | kMakeSym;
  if (abi >= 2) fs |= kRefer;
  if (abi >= 3) fs |= kTruncate;
  if (abi >= 5) fs |= kIoctlDev;
  return fs;
}

}  // namespace

int landlock_abi() {
  long abi = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, kCreateRulesetVersion);
  return abi > 0 ? static_cast<int>(abi) : 0;
}

std::string landlock_restrict(int abi, const LandlockRules& rules) {
  if (abi <= 0) return "Landlock is not available";
  RulesetAttr attr{handled_fs(abi), abi >= 4 ? (kNetBindTcp | kNetConnectTcp) : 0,
                   abi >= 6 ? (kScopeAbstractUnix | kScopeSignal) : 0};
  // The struct grew with the ABI: pass the size this kernel knows.
  const std::size_t size = abi >= 6   ? sizeof(RulesetAttr)
                           : abi >= 4 ? 2 * sizeof(uint64_t)
                                      : sizeof(uint64_t);
  int ruleset = static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, size, 0));
  if (ruleset < 0) return errno_text("landlock_create_ruleset", errno);

  const uint64_t fs = handled_fs(abi);
  auto add = [&](const std::string& path, uint64_t access) -> std::string {
    int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? std::string() : errno_text("open " + path, errno);
    PathBeneathAttr rule{access & fs, fd};
    long rc = ::syscall(SYS_landlock_add_rule, ruleset, kRulePathBeneath, &rule, 0);
    int err = errno;
    ::close(fd);
    return rc == 0 ? std::string() : errno_text("landlock_add_rule " + path, err);
  };
  std::string failure;
  for (const auto& p : rules.read_dirs)
    if (failure.empty()) failure = add(p, kReadFile | kReadDir);
  for (const auto& p : rules.read_files)
    if (failure.empty()) failure = add(p, kReadFile);
  for (const auto& p : rules.write_dirs)
    if (failure.empty())
      failure = add(p, kReadFile | kReadDir | kWriteFile | kRemoveDir | kRemoveFile | kMakeDir | kMakeReg |
                           kRefer | kTruncate);
  for (const auto& p : rules.devices)
    if (failure.empty()) failure = add(p, kReadFile | kWriteFile | kTruncate | kIoctlDev);
  if (failure.empty() && ::syscall(SYS_landlock_restrict_self, ruleset, 0) != 0)
    failure = errno_text("landlock_restrict_self", errno);
  ::close(ruleset);
  return failure;
}

}  // namespace gauntlet::confine
