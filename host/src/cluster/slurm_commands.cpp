#include "cluster/slurm_commands.hpp"

#include "common/text.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <sstream>

extern char** environ;

namespace gauntlet::cluster {
namespace {

std::string first_line_of(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

}  // namespace

std::string ProgramOutput::first_line() const {
  if (!first_line_of(err).empty()) return first_line_of(err);
  if (!first_line_of(out).empty()) return first_line_of(out);
  return error;
}

ProgramOutput run_program(const std::vector<std::string>& argv, double timeout_seconds) {
  ProgramOutput r;
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    ::close(out[0]);
    ::close(out[1]);
    return r;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  // The caller may block SIGINT/SIGTERM (the submitter waits for them) and ignores SIGPIPE
  // (cli/main.cpp): the child must not.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, pipe;
  sigemptyset(&none);
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &pipe);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    r.error = "cannot run " + argv[0] + ": " + std::strerror(rc);
    ::close(out[0]);
    ::close(err[0]);
    return r;
  }
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1e3));
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_fds = 2;
  bool timed_out = false;
  while (open_fds > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
            .count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    if (::poll(fds, 2, static_cast<int>(left)) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0 && sinks[i]->size() < (1u << 20)) sinks[i]->append(buf, static_cast<std::size_t>(n));
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) ::close(f.fd);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out)
    r.error = argv[0] + " did not answer within " + std::to_string(static_cast<int>(timeout_seconds)) + " s";
  else if (WIFEXITED(status))
    r.exit_code = WEXITSTATUS(status);
  else
    r.error = argv[0] + " was killed by signal " + std::to_string(WTERMSIG(status));
  return r;
}

std::map<std::string, TaskState> parse_squeue(const std::string& text) {
  std::map<std::string, TaskState> tasks;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    // id|state|name|node; the node is after the last '|' (a name is anyone's text).
    const auto a = line.find('|');
    const auto b = a == std::string::npos ? a : line.find('|', a + 1);
    const auto c = line.rfind('|');
    if (b == std::string::npos || c <= b) continue;
    std::string node = line.substr(c + 1);
    // squeue shows the reason a task waits where the node goes: "(Priority)", "(None)".
    if (!node.empty() && node.front() == '(') node.clear();
    tasks[line.substr(0, a)] = TaskState{line.substr(a + 1, b - a - 1), line.substr(b + 1, c - b - 1), node};
  }
  return tasks;
}

std::optional<std::map<std::string, TaskState>> queued_tasks(const std::vector<std::string>& array_ids,
                                                             std::string& error) {
  if (array_ids.empty()) return std::map<std::string, TaskState>{};
  const ProgramOutput r =
      run_program({"squeue", "-h", "-r", "-j", join(array_ids, ","), "-o", "%i|%T|%j|%N"});
  if (r.ok()) return parse_squeue(r.out);
  // Jobs purged from the controller's memory (MinJobAge after their end) are unknown ids:
  // ended, as far as the caller is concerned.
  if (r.exit_code > 0 && r.err.find("Invalid job id") != std::string::npos)
    return std::map<std::string, TaskState>{};
  error = "squeue: " + r.first_line();
  return std::nullopt;
}

std::string cancel_arrays(const std::vector<std::string>& array_ids) {
  if (array_ids.empty()) return {};
  std::vector<std::string> argv{"scancel"};
  argv.insert(argv.end(), array_ids.begin(), array_ids.end());
  const ProgramOutput r = run_program(argv);
  return r.ok() ? std::string() : "scancel: " + r.first_line();
}

int max_array_size() {
  const ProgramOutput r = run_program({"scontrol", "show", "config"}, 30);
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("MaxArraySize", 0) != 0) continue;
    const auto eq = line.find('=');
    try {
      if (eq != std::string::npos) return std::max(1, std::stoi(line.substr(eq + 1)));
    } catch (const std::exception&) {
      break;
    }
  }
  return 1001;
}

}  // namespace gauntlet::cluster
