#include "confine/namespaces.hpp"

#include "common/sys_text.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

namespace gauntlet::confine {

std::string namespace_list(const NamespaceRequest& r) {
  std::string out;
  for (auto [wanted, name] : {std::pair{r.user, "user"},
                              {r.mount, "mount"},
                              {r.net, "net"},
                              {r.ipc, "ipc"},
                              {r.pid, "pid"},
                              {r.uts, "uts"}}) {
    if (!wanted) continue;
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

std::optional<NamespaceRequest> parse_namespace_list(const std::string& list) {
  NamespaceRequest r;
  std::size_t start = 0;
  while (start < list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    const std::string name = list.substr(start, end - start);
    if (name == "user")
      r.user = true;
    else if (name == "mount")
      r.mount = true;
    else if (name == "net")
      r.net = true;
    else if (name == "ipc")
      r.ipc = true;
    else if (name == "pid")
      r.pid = true;
    else if (name == "uts")
      r.uts = true;
    else
      return std::nullopt;
    start = end + 1;
  }
  return r;
}

std::string enter_namespaces(const NamespaceRequest& r) {
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  int flags = 0;
  if (r.user) flags |= CLONE_NEWUSER;
  if (r.mount) flags |= CLONE_NEWNS;
  if (r.net) flags |= CLONE_NEWNET;
  if (r.ipc) flags |= CLONE_NEWIPC;
  if (r.pid) flags |= CLONE_NEWPID;
  if (r.uts) flags |= CLONE_NEWUTS;
  if (flags == 0) return {};
  if (::unshare(flags) != 0) return errno_text("unshare", errno);
  if (r.user) {
    if (int e = write_once("/proc/self/setgroups", "deny"))
      return errno_text("write /proc/self/setgroups", e);
    if (int e = write_once("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1\n"))
      return errno_text("write /proc/self/uid_map", e);
    if (int e = write_once("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1\n"))
      return errno_text("write /proc/self/gid_map", e);
  }
  if (r.uts) {
    const std::size_t n = std::strlen(kSandboxHostname);
    if (::sethostname(kSandboxHostname, n) != 0) return errno_text("sethostname", errno);
    if (::setdomainname(kSandboxHostname, n) != 0) return errno_text("setdomainname", errno);
  }
  return {};
}

namespace {

// Runs `test` in a child process; returns "" or the one line it wrote on failure.
template <class Test>
std::string in_child(Test test) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return errno_text("pipe", errno);
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return errno_text("fork", e);
  }
  if (pid == 0) {
    ::close(fds[0]);
    std::string why = test();
    if (!why.empty()) {
      ssize_t ignored = ::write(fds[1], why.data(), why.size());
      (void)ignored;
    }
    ::_exit(why.empty() ? 0 : 1);
  }
  ::close(fds[1]);
  char buf[512];
  ssize_t n = ::read(fds[0], buf, sizeof buf);
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  if (n > 0) return std::string(buf, static_cast<std::size_t>(n));
  return "the probe process failed";
}

}  // namespace

int probe_namespaces_main() {
  nlohmann::json out;
  out["user"] = in_child([] { return enter_namespaces({true, false, false, false, false, false}); });
  // As the worker will: inside a user namespace when there is one (root or not).
  const bool user = out["user"].get<std::string>().empty();
  out["mount"] = in_child([&] {
    std::string e = enter_namespaces({user, true, false, false, false, false});
    if (!e.empty()) return e;
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      return errno_text("make / private", errno);
    if (::mount("gauntlet-probe", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") != 0)
      return errno_text("mount tmpfs", errno);
    return std::string();
  });
  out["net"] = in_child([&] { return enter_namespaces({user, false, true, false, false, false}); });
  out["ipc"] = in_child([&] { return enter_namespaces({user, false, false, true, false, false}); });
  out["uts"] = in_child([&] { return enter_namespaces({user, false, false, false, false, true}); });
  out["pid"] = in_child([&] {
    std::string e = enter_namespaces({user, false, false, false, true, false});
    if (!e.empty()) return e;
    pid_t init = ::fork();
    if (init < 0) return errno_text("fork the namespace's init", errno);
    if (init == 0) ::_exit(::getpid() == 1 ? 0 : 1);
    int status = 0;
    ::waitpid(init, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? std::string()
                                                         : std::string("the child is not pid 1");
  });
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace gauntlet::confine
