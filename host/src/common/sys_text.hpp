// Small system-call helpers the sandbox's mechanisms (host and worker side) share: a failed step as one line, and a
// control file (cgroupfs, /proc/self/*_map) written with the single write(2) it expects.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace gauntlet {

// "<step>: <strerror(err)>", the form every confinement step reports a failure in.
inline std::string errno_text(const std::string& step, int err) { return step + ": " + std::strerror(err); }

// open + one write + close; returns an errno (0 on success, EIO for a short write).
inline int write_once(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  const ssize_t n = ::write(fd, text.data(), text.size());
  const int err = n == static_cast<ssize_t>(text.size()) ? 0 : (n < 0 ? errno : EIO);
  ::close(fd);
  return err;
}

}  // namespace gauntlet
