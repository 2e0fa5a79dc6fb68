// The IPC layer between judge and worker, exercised across a real second process.
#include <doctest/doctest.h>

#include "ipc/channel.hpp"
#include "ipc/control_page.hpp"
#include "ipc/message_socket.hpp"
#include "ipc/shared_memory.hpp"

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <new>

using namespace gauntlet::ipc;
using Clock = std::chrono::steady_clock;

TEST_CASE("a sealed region can only be mapped read-only by others, while the host keeps writing") {
  auto shm = SharedMemory::create("test", 100);
  CHECK(shm->size() % static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) == 0);
  CHECK(shm->size() >= 100);
  std::memcpy(shm->data(), "before", 7);
  shm->seal_read_only_for_others();

  errno = 0;
  void* writable = mmap(nullptr, shm->size(), PROT_READ | PROT_WRITE, MAP_SHARED, shm->fd(), 0);
  CHECK(writable == MAP_FAILED);
  CHECK(errno == EPERM);

  Mapping view = Mapping::map(shm->fd(), shm->size(), false);
  CHECK(std::strcmp(reinterpret_cast<const char*>(view.data()), "before") == 0);
  // The read-only view cannot be upgraded either.
  CHECK(mprotect(view.data(), view.size(), PROT_READ | PROT_WRITE) != 0);
  // The host's own mapping stays writable, and the view sees the change (same pages).
  std::memcpy(shm->data(), "after", 6);
  CHECK(std::strcmp(reinterpret_cast<const char*>(view.data()), "after") == 0);
}

TEST_CASE("the setup socket carries JSON messages with file descriptors, and reports timeouts and hang-ups") {
  MessageSocket a, b;
  MessageSocket::make_pair(a, b);
  auto shm = SharedMemory::create("passed", 4096);
  std::memcpy(shm->data(), "through the fd", 15);
  REQUIRE(a.send(nlohmann::json{{"type", "hello"}, {"n", 42}}, {shm->fd()}));

  auto r = b.receive(Clock::now() + std::chrono::seconds(5));
  REQUIRE(r.status == MessageSocket::Status::ok);
  CHECK(r.message["type"] == "hello");
  CHECK(r.message["n"] == 42);
  REQUIRE(r.fds.size() == 1);
  CHECK(r.fds[0] != shm->fd());  // a new descriptor of the same memory
  {
    Mapping m = Mapping::map(r.fds[0], 4096, false);
    CHECK(std::strcmp(reinterpret_cast<const char*>(m.data()), "through the fd") == 0);
  }
  close(r.fds[0]);

  auto t0 = Clock::now();
  r = b.receive(t0 + std::chrono::milliseconds(50));
  CHECK(r.status == MessageSocket::Status::timed_out);
  CHECK(Clock::now() - t0 >= std::chrono::milliseconds(50));

  // Not JSON: refused as malformed, not thrown.
  const char junk[] = "{not json";
  REQUIRE(write(a.fd(), junk, sizeof junk - 1) == static_cast<ssize_t>(sizeof junk - 1));
  r = b.receive(Clock::now() + std::chrono::seconds(5));
  CHECK(r.status == MessageSocket::Status::malformed);
  CHECK(r.error.find("malformed") != std::string::npos);

  // Invalid UTF-8 from a plugin is replaced, never a reason to fail.
  REQUIRE(a.send(nlohmann::json{{"message", std::string("bad \xff byte")}}));
  r = b.receive(Clock::now() + std::chrono::seconds(5));
  REQUIRE(r.status == MessageSocket::Status::ok);
  CHECK(r.message["message"].get<std::string>().find("bad ") == 0);

  a = MessageSocket();  // hang up
  r = b.receive(Clock::now() + std::chrono::seconds(5));
  CHECK(r.status == MessageSocket::Status::closed);
  CHECK_FALSE(b.send(nlohmann::json{{"x", 1}}));
}

namespace {

// Serves `rounds` requests on the page from a forked child: answers seq with seq * 3.
pid_t start_echo_server(ControlPage* page, int rounds, std::chrono::microseconds spin) {
  pid_t pid = fork();
  if (pid == 0) {
    uint32_t seq = 0;
    for (int i = 0; i < rounds; ++i) {
      ++seq;
      if (wait_for(page->request, seq, spin, Clock::time_point::max()) != WaitResult::ready) _exit(3);
      page->self_reported_ns = static_cast<uint64_t>(page->batch_size) * 3;
      post(page->response, seq);
    }
    _exit(0);
  }
  return pid;
}

}  // namespace

TEST_CASE("the control channel answers across processes, spinning and sleeping alike") {
  for (auto spin : {std::chrono::microseconds(500), std::chrono::microseconds(0)}) {
    CAPTURE(spin.count());
    auto shm = SharedMemory::create("control", kControlPageBytes);
    auto* page = new (shm->data()) ControlPage();
    constexpr int kRounds = 200;
    pid_t child = start_echo_server(page, kRounds, spin);
    for (uint32_t seq = 1; seq <= kRounds; ++seq) {
      page->batch_size = seq;
      post(page->request, seq);
      REQUIRE(wait_for(page->response, seq, spin, Clock::now() + std::chrono::seconds(10)) ==
              WaitResult::ready);
      REQUIRE(page->self_reported_ns == seq * 3u);
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
}

TEST_CASE("waiting on the channel ends at the deadline, or when the peer is found dead") {
  auto shm = SharedMemory::create("control", kControlPageBytes);
  auto* page = new (shm->data()) ControlPage();
  auto t0 = Clock::now();
  CHECK(wait_for(page->response, 1, std::chrono::microseconds(100), t0 + std::chrono::milliseconds(30)) ==
        WaitResult::timed_out);
  CHECK(Clock::now() - t0 >= std::chrono::milliseconds(30));

  int checks = 0;
  auto result =
      wait_for(page->response, 1, std::chrono::microseconds(0), Clock::now() + std::chrono::seconds(10),
               std::chrono::milliseconds(5), [&] { return ++checks < 3; });
  CHECK(result == WaitResult::aborted);
  CHECK(checks == 3);
}
