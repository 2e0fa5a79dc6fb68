// The setup socket: a SOCK_SEQPACKET pair carrying one JSON message per packet, optionally
// with file descriptors (SCM_RIGHTS). Used for everything but the infer hot path: hello,
// create, region hand-over, prepare, train, destroy, and errors.
//
// Messages from the worker are untrusted: size-capped, parsed by nlohmann::json (which throws
// on malformed input), and validated field by field by the receiver.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace gauntlet::ipc {

inline constexpr std::size_t kMaxMessageBytes = 1 << 20;
inline constexpr std::size_t kMaxMessageFds = 16;

class MessageSocket {
 public:
  MessageSocket() = default;
  explicit MessageSocket(int fd) : fd_(fd) {}  // takes ownership
  ~MessageSocket();
  MessageSocket(MessageSocket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  MessageSocket& operator=(MessageSocket&& other) noexcept;
  MessageSocket(const MessageSocket&) = delete;
  MessageSocket& operator=(const MessageSocket&) = delete;

  // Creates a connected pair (both ends close-on-exec).
  static void make_pair(MessageSocket& a, MessageSocket& b);

  int fd() const { return fd_; }
  int release();

  // Sends one message with optional fds (borrowed, not closed). Returns false when the peer
  // is gone (EPIPE/ECONNRESET); throws std::runtime_error on other failures.
  [[nodiscard]] bool send(const nlohmann::json& message, const std::vector<int>& fds = {});

  enum class Status { ok, timed_out, closed, malformed };
  struct Received {
    Status status = Status::closed;
    nlohmann::json message;
    std::vector<int> fds;  // owned by the caller
    std::string error;     // for malformed
  };
  // Waits until `deadline` for one message.
  Received receive(std::chrono::steady_clock::time_point deadline);

 private:
  int fd_ = -1;
};

}  // namespace gauntlet::ipc
