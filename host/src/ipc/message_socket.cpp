#include "ipc/message_socket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace gauntlet::ipc {

MessageSocket::~MessageSocket() {
  if (fd_ >= 0) ::close(fd_);
}

MessageSocket& MessageSocket::operator=(MessageSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

void MessageSocket::make_pair(MessageSocket& a, MessageSocket& b) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    throw std::runtime_error(std::string("socketpair: ") + std::strerror(errno));
  a = MessageSocket(sv[0]);
  b = MessageSocket(sv[1]);
}

int MessageSocket::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

bool MessageSocket::send(const nlohmann::json& message, const std::vector<int>& fds) {
  // Invalid UTF-8 (a plugin's strings) is replaced, never a reason to fail.
  const std::string text = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > kMaxMessageBytes) throw std::runtime_error("message too large for the setup socket");
  if (fds.size() > kMaxMessageFds) throw std::runtime_error("too many fds in one message");

  iovec iov{const_cast<char*>(text.data()), text.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  std::vector<char> control;
  if (!fds.empty()) {
    control.assign(CMSG_SPACE(sizeof(int) * fds.size()), 0);
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  for (;;) {
    ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (n >= 0) return true;
    if (errno == EINTR) continue;
    if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN) return false;
    throw std::runtime_error(std::string("sendmsg: ") + std::strerror(errno));
  }
}

MessageSocket::Received MessageSocket::receive(std::chrono::steady_clock::time_point deadline) {
  Received r;
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) left = std::chrono::milliseconds(0);
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count() + 1, 1 << 30)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    }
    if (ready == 0) {
      if (std::chrono::steady_clock::now() >= deadline) {
        r.status = Status::timed_out;
        return r;
      }
      continue;
    }
    break;
  }

  std::string buffer(kMaxMessageBytes, '\0');
  iovec iov{buffer.data(), buffer.size()};
  std::vector<char> control(CMSG_SPACE(sizeof(int) * kMaxMessageFds), 0);
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  ssize_t n;
  do {
    n = ::recvmsg(fd_, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == ECONNRESET) {
      r.status = Status::closed;
      return r;
    }
    throw std::runtime_error(std::string("recvmsg: ") + std::strerror(errno));
  }
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (std::size_t i = 0; i < count; ++i) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
        r.fds.push_back(fd);
      }
    }
  }
  if (n == 0) {
    r.status = Status::closed;
    return r;
  }
  if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) {
    r.status = Status::malformed;
    r.error = "message larger than the setup socket allows";
    return r;
  }
  buffer.resize(static_cast<std::size_t>(n));
  try {
    r.message = nlohmann::json::parse(buffer);
  } catch (const std::exception& e) {
    r.status = Status::malformed;
    r.error = std::string("malformed message: ") + e.what();
    return r;
  }
  if (!r.message.is_object()) {
    r.status = Status::malformed;
    r.error = "message is not a JSON object";
    return r;
  }
  r.status = Status::ok;
  return r;
}

}  // namespace gauntlet::ipc
