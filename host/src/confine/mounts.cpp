#include "confine/mounts.hpp"

#include "common/sys_text.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <climits>
#include <cstring>

namespace gauntlet::confine {
namespace {

// Where the new root is assembled before pivot_root (bubblewrap does the same): a folder
// every system has; the tmpfs mounted on it exists only in this mount namespace.
constexpr const char* kStaging = "/tmp";

struct Source {
  std::string path;    // host path
  std::string target;  // path inside the sandbox (the host path, but for plugin and assets)
  enum Kind { dir, file, symlink } kind = dir;
  std::string link;       // symlink target
  int fd = -1;            // O_PATH descriptor of the source
  bool writable = false;  // devices
};

struct Fds {
  std::vector<Source> sources;
  ~Fds() {
    for (auto& s : sources)
      if (s.fd >= 0) ::close(s.fd);
  }
};

// Opens `path` as a source. Returns false (with errno, and no descriptor left open) when it
// does not exist or is not of the required kind.
bool open_source(const std::string& path, bool required_dir, bool required_file, Source& out) {
  auto fail = [&out](int err) {
    if (out.fd >= 0) ::close(out.fd);
    out.fd = -1;
    errno = err;
    return false;
  };
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return false;
  out.path = path;
  out.target = path;
  if (S_ISLNK(st.st_mode) && !required_dir && !required_file) {
    char buf[PATH_MAX];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
    if (n < 0) return false;
    out.kind = Source::symlink;
    out.link.assign(buf, static_cast<std::size_t>(n));
    return true;
  }
  out.fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
  if (out.fd < 0) return false;
  if (::fstat(out.fd, &st) != 0) return fail(errno);
  out.kind = S_ISDIR(st.st_mode) ? Source::dir : Source::file;
  if ((required_dir && out.kind != Source::dir) || (required_file && out.kind == Source::dir))
    return fail(required_dir ? ENOTDIR : EISDIR);
  return true;
}

// mkdir -p of the parents of `path` below the staging root.
int make_parents(const std::string& path) {
  std::string sofar = kStaging;
  std::size_t pos = 1;
  for (;;) {
    std::size_t next = path.find('/', pos);
    if (next == std::string::npos) return 0;
    sofar += path.substr(pos - 1, next - pos + 1);
    if (::mkdir(sofar.c_str(), 0755) != 0 && errno != EEXIST) return errno;
    pos = next + 1;
  }
}

// Read-only (or not), nosuid, and nodev unless it is a device: on the mount and every
// submount. mount_setattr() only ever adds restrictions here, which a user namespace allows
// even on mounts whose flags it inherited locked.
int restrict_mount(const std::string& target, bool read_only, bool device) {
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_NOSUID | (read_only ? MOUNT_ATTR_RDONLY : 0) |
                  (device ? MOUNT_ATTR_NOEXEC : MOUNT_ATTR_NODEV);
  if (::syscall(SYS_mount_setattr, AT_FDCWD, target.c_str(), AT_RECURSIVE, &attr, sizeof attr) == 0) return 0;
  if (errno != ENOSYS) return errno;
  // Kernels before 5.12: a remount keeping the flags the source mount has (they are locked).
  struct statvfs sv {};
  if (::statvfs(target.c_str(), &sv) != 0) return errno;
  unsigned long flags =
      MS_REMOUNT | MS_BIND | MS_NOSUID | (read_only ? MS_RDONLY : 0) | (device ? MS_NOEXEC : MS_NODEV);
  if (sv.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (sv.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (sv.f_flag & ST_RDONLY) flags |= MS_RDONLY;
  if (sv.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return ::mount(nullptr, target.c_str(), nullptr, flags, nullptr) == 0 ? 0 : errno;
}

std::string place(const Source& s) {
  const std::string target = std::string(kStaging) + s.target;
  if (int e = make_parents(s.target)) return errno_text("mkdir for " + s.target, e);
  struct stat st {};
  // Already visible through an earlier bind (e.g. a plugin under /usr/lib): nothing to add.
  if (::lstat(target.c_str(), &st) == 0) return {};
  if (s.kind == Source::symlink) {
    if (::symlink(s.link.c_str(), target.c_str()) != 0) return errno_text("symlink " + s.path, errno);
    return {};
  }
  if (s.kind == Source::dir) {
    if (::mkdir(target.c_str(), 0755) != 0) return errno_text("mkdir " + s.path, errno);
  } else {
    int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return errno_text("create mount point " + s.path, errno);
    ::close(fd);
  }
  const std::string from = "/proc/self/fd/" + std::to_string(s.fd);
  if (::mount(from.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
    return errno_text("bind " + s.path, errno);
  if (int e = restrict_mount(target, !s.writable, s.writable))
    return errno_text("remount read-only " + s.path, e);
  return {};
}

}  // namespace

std::string sandbox_plugin_path(const std::string& host_plugin) {
  const std::size_t slash = host_plugin.find_last_of('/');
  return std::string(kSandboxPluginDir) + "/" +
         (slash == std::string::npos ? host_plugin : host_plugin.substr(slash + 1));
}

std::string build_root(const MountPlan& plan) {
  // Nothing mounted from here on propagates back to the host.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return errno_text("make / private", errno);

  Fds fds;
  for (const auto& p : plan.system_paths) {
    Source s;
    if (open_source(p, false, false, s)) fds.sources.push_back(std::move(s));
  }
  if (!plan.plugin.empty()) {
    Source s;
    if (!open_source(plan.plugin, false, true, s)) return errno_text("open plugin " + plan.plugin, errno);
    s.target = sandbox_plugin_path(plan.plugin);
    fds.sources.push_back(std::move(s));
  }
  if (!plan.asset_dir.empty()) {
    Source s;
    if (!open_source(plan.asset_dir, true, false, s))
      return errno_text("open asset folder " + plan.asset_dir, errno);
    s.target = kSandboxAssetDir;
    fds.sources.push_back(std::move(s));
  }
  for (const auto& d : plan.devices) {
    Source s;
    if (open_source(d, false, true, s)) {
      s.writable = true;
      fds.sources.push_back(std::move(s));
    }
  }

  // The new root: a tiny tmpfs that only holds mount points.
  if (::mount("gauntlet-root", kStaging, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,nr_inodes=4096,mode=0755") !=
      0)
    return errno_text("mount the root tmpfs", errno);
  // The private working directory. Its files count against the job's memory cgroup.
  const std::string tmp = std::string(kStaging) + kSandboxTmp;
  if (::mkdir(tmp.c_str(), 0755) != 0) return errno_text("mkdir /tmp", errno);
  const std::string tmp_options = "size=" + std::to_string(plan.tmp_bytes) + ",nr_inodes=4096,mode=0700";
  if (::mount("gauntlet-tmp", tmp.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, tmp_options.c_str()) !=
      0)
    return errno_text("mount the private /tmp", errno);

  for (const auto& s : fds.sources)
    if (std::string e = place(s); !e.empty()) return e;

  // pivot_root(".", "."): the old root ends up stacked on the new one and is detached at
  // once; nothing of it stays reachable.
  if (::chdir(kStaging) != 0) return errno_text("chdir to the new root", errno);
  if (::syscall(SYS_pivot_root, ".", ".") != 0) return errno_text("pivot_root", errno);
  if (::umount2(".", MNT_DETACH) != 0) return errno_text("detach the old root", errno);
  if (::chdir("/") != 0) return errno_text("chdir /", errno);
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  if (::syscall(SYS_mount_setattr, AT_FDCWD, "/", 0, &attr, sizeof attr) != 0 &&
      ::mount(nullptr, "/", nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) != 0)
    return errno_text("remount / read-only", errno);
  if (::chdir(kSandboxTmp) != 0) return errno_text("chdir /tmp", errno);
  return {};
}

}  // namespace gauntlet::confine
