// The IPC layer between judge and worker, exercised across a real second process.
#include <doctest/doctest.h>

#include "ipc/channel.hpp"
#include "ipc/control_page.hpp"
#include "ipc/message_socket.hpp"
#include "ipc/messages.hpp"
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

TEST_CASE("waiting for a change sees whatever value the peer writes, expected or not") {
  auto shm = SharedMemory::create("control", kControlPageBytes);
  auto* page = new (shm->data()) ControlPage();
  uint32_t seen = 0;
  CHECK(wait_for_change(page->response, 0, &seen, std::chrono::microseconds(10),
                        Clock::now() + std::chrono::milliseconds(20)) == WaitResult::timed_out);
  post(page->response, 7);  // not the 1 a caller would expect next: caught at once
  CHECK(wait_for_change(page->response, 0, &seen, std::chrono::microseconds(10),
                        Clock::now() + std::chrono::seconds(5)) == WaitResult::ready);
  CHECK(seen == 7);
  // A long spin still notices a dead peer (here: a keep_waiting that says stop).
  const auto t0 = Clock::now();
  CHECK(wait_for_change(page->response, 7, &seen, std::chrono::seconds(10),
                        Clock::now() + std::chrono::seconds(10), std::chrono::milliseconds(20),
                        [] { return false; }) == WaitResult::aborted);
  CHECK(Clock::now() - t0 < std::chrono::seconds(1));
}

TEST_CASE("setup messages round-trip through their typed structs, and a malformed one is refused") {
  CreateRequest create{2, "fashion-mnist", 7, {{"epochs", "3"}}};
  const CreateRequest c = decode_create(encode(create));
  CHECK(c.threads == 2);
  CHECK(c.challenge_id == "fashion-mnist");
  CHECK(c.seed == 7);
  CHECK(c.config == create.config);

  RegionsMessage regions{
      {{"control", "", "", {}, 0, 8192}, {"input", "image", "f32", {256, 1, 28, 28}, 256, 802816}}};
  const RegionsMessage r = decode_regions(encode(regions));
  REQUIRE(r.regions.size() == 2);
  CHECK(r.regions[1].shape == std::vector<int64_t>{256, 1, 28, 28});
  CHECK(r.regions[1].bytes == 802816);

  PrepareRequest prepare{{{"image", "f32", {-1, 1, 28, 28}}}, {{"logits", "f32", {-1, 10}}}, {1, 64, 256}};
  const PrepareRequest p = decode_prepare(encode(prepare));
  CHECK(p.inputs[0].name == "image");
  CHECK(p.outputs[0].shape == std::vector<int64_t>{-1, 10});
  CHECK(p.batch_sizes == prepare.batch_sizes);
  CHECK(decode_train(encode(TrainRequest{12.5})).time_limit_seconds == 12.5);
  CHECK(decode_serve(encode(ServeRequest{300})).spin_us == 300);

  Hello hello;
  hello.ok = true;
  hello.plugin_abi_major = 1;
  hello.table_size = 72;
  hello.name = "n";
  hello.capabilities = 1;
  CHECK(decode_hello(encode(hello)).table_size == 72);
  Reply reply{"prepare", 3, "why", 99};
  const Reply back = decode_reply(encode(reply));
  CHECK(back.to == "prepare");
  CHECK(back.status == 3);
  CHECK(back.self_ns == 99);

  // From the worker, anything: each of these is a ProtocolError, never a crash of the judge.
  using nlohmann::json;
  CHECK_THROWS_AS(decode_reply(json{{"type", "reply"}, {"to", "x"}}), ProtocolError);
  CHECK_THROWS_AS(decode_reply(json{{"type", "reply"}, {"to", 5}, {"status", 0}}), ProtocolError);
  CHECK_THROWS_AS(decode_reply(json{{"type", "hello"}, {"to", "x"}, {"status", 0}}), ProtocolError);
  CHECK_THROWS_AS(decode_reply(json{{"type", "reply"}, {"to", "x"}, {"status", 1ll << 40}}), ProtocolError);
  CHECK_THROWS_AS(decode_hello(json{{"type", "hello"}, {"ok", true}, {"plugin_abi_major", -1}}),
                  ProtocolError);
  CHECK_THROWS_AS(decode_hello(json::array()), ProtocolError);
  CHECK_THROWS_AS(decode_violation(json{{"type", "violation"}, {"nr", "x"}}), ProtocolError);
  // Strings are bounded.
  Reply huge{"prepare", 1, std::string(100000, 'x'), 0};
  CHECK(decode_reply(encode(huge)).message.size() == 4096);
}
