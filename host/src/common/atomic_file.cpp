#include "common/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace gauntlet {
namespace {

[[noreturn]] void fail(const std::string& step, const std::filesystem::path& p) {
  throw std::runtime_error("cannot write " + p.string() + " (" + step + "): " + std::strerror(errno));
}

}  // namespace

void write_file_atomic(const std::filesystem::path& target, std::string_view content, unsigned mode) {
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::string name = ".";  // appended, not `"." + ...`: GCC 12 reports a false -Wrestrict
  name.append(target.filename().string()).append(".tmp.XXXXXX");
  std::string tmpl = (dir / name).string();
  int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) fail("create temporary file", target);
  const char* p = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      ::unlink(tmpl.c_str());
      errno = e;
      fail("write", target);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0 || ::fsync(fd) != 0) {
    int e = errno;
    ::close(fd);
    ::unlink(tmpl.c_str());
    errno = e;
    fail("fsync", target);
  }
  ::close(fd);
  if (::rename(tmpl.c_str(), target.c_str()) != 0) {
    int e = errno;
    ::unlink(tmpl.c_str());
    errno = e;
    fail("rename", target);
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // makes the rename itself durable
    ::close(dfd);
  }
}

}  // namespace gauntlet
