#include "judge/worker_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include "ipc/protocol.hpp"
#include "sandbox/job_sandbox.hpp"

namespace gauntlet::judge {
namespace {

[[noreturn]] void fail(const std::string& step, int err) {
  throw std::runtime_error("cannot start the worker (" + step + "): " + std::strerror(err));
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  const char* text = strsignal(sig);
  std::string s = abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
  if (text) s += std::string(" (") + text + ")";
  return s;
}

}  // namespace

std::string ExitStatus::describe() const {
  return exited ? "exit code " + std::to_string(code) : "killed by " + signal_name(code);
}

std::filesystem::path default_worker_executable() {
  if (const char* env = std::getenv("GAUNTLET_WORKER"); env && *env) return env;
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "gauntlet-worker";
  return self.parent_path() / "gauntlet-worker";
}

WorkerProcess::WorkerProcess(const Options& options)
    : sandbox_(options.sandbox),
      started_(std::chrono::steady_clock::now()),
      capture_bytes_(options.capture_bytes) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) fail("stdout pipe", errno);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    int e = errno;
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    fail("stderr pipe", e);
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  // dup2 clears CLOEXEC on the copy: fd 3 is the only other descriptor the worker gets.
  posix_spawn_file_actions_adddup2(&actions, options.socket_fd, ipc::kWorkerSocketFd);
  // Not the host's folder: the worker moves on to its private one (sandbox/mounts.hpp).
  posix_spawn_file_actions_addchdir_np(&actions, "/");

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);  // own process group: kill_all() reaches every descendant
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  const std::string exe = options.worker_executable.string();
  const std::string plugin = options.plugin.string();
  const std::string host_pid = std::to_string(::getpid());
  std::vector<char*> argv{const_cast<char*>(exe.c_str()),      const_cast<char*>("--plugin"),
                          const_cast<char*>(plugin.c_str()),   const_cast<char*>("--host-pid"),
                          const_cast<char*>(host_pid.c_str()), nullptr};
  std::string cpus;
  for (int c : options.cpus) cpus.append(cpus.empty() ? "" : ",").append(std::to_string(c));
  if (!cpus.empty()) argv.insert(argv.end() - 1, {const_cast<char*>("--cpus"), cpus.data()});
  for (const auto& a : options.extra_args) argv.insert(argv.end() - 1, const_cast<char*>(a.c_str()));
  // A clean environment: nothing of the host's (tokens, paths) reaches team code.
  std::vector<std::string> environment{"PATH=/usr/bin:/bin", "LC_ALL=C"};
  environment.insert(environment.end(), options.environment.begin(), options.environment.end());
  std::vector<char*> envp;
  envp.reserve(environment.size() + 1);
  for (auto& v : environment) envp.push_back(v.data());
  envp.push_back(nullptr);

  int rc = ::posix_spawn(&pid_, exe.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    pid_ = -1;
    fail("posix_spawn " + exe, rc);
  }
  capture_thread_ = std::thread([this, o = out_pipe[0], e = err_pipe[0]] { capture_loop(o, e); });
}

WorkerProcess::~WorkerProcess() {
  if (pid_ > 0 && !exit_) {
    kill_all();
    wait(std::chrono::milliseconds(2000));
  }
  if (capture_thread_.joinable()) capture_thread_.join();
}

void WorkerProcess::capture_loop(int out_fd, int err_fd) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  CapturedStream* streams[2] = {&out_, &err_};
  char buf[16384];
  int open_count = 2;
  while (open_count > 0) {
    // Once the worker is reaped, drain what is buffered and stop: a descendant that escaped
    // the process group could otherwise hold the pipes open forever.
    const bool stopping = stop_capture_.load();
    int n = ::poll(fds, 2, stopping ? 0 : 100);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (n == 0) {
      if (stopping) break;
      continue;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got <= 0) {
        if (got < 0 && errno == EINTR) continue;
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
        continue;
      }
      std::lock_guard<std::mutex> lock(capture_mutex_);
      CapturedStream& s = *streams[i];
      s.total_bytes += static_cast<std::size_t>(got);
      if (s.head.size() < capture_bytes_)
        s.head.append(buf,
                      std::min<std::size_t>(static_cast<std::size_t>(got), capture_bytes_ - s.head.size()));
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) ::close(f.fd);
}

void WorkerProcess::adopt(sandbox::JobSandbox* sandbox) {
  sandbox_ = sandbox;
  started_ = std::chrono::steady_clock::now();
}

bool WorkerProcess::alive() {
  if (exit_ || pid_ <= 0) return false;
  siginfo_t info{};
  // WNOWAIT: look without reaping, so that wait() still gets the status.
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return false;
  return info.si_pid == 0;
}

void WorkerProcess::kill_all() {
  if (pid_ > 0 && !exit_) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);  // in case it left its group
    if (sandbox_) sandbox_->kill_all();
  }
}

ExitStatus WorkerProcess::wait(std::chrono::milliseconds timeout) {
  if (exit_) return *exit_;
  if (pid_ <= 0) return ExitStatus{true, 0};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  rusage ru{};
  for (;;) {
    pid_t r = ::wait4(pid_, &status, WNOHANG, &ru);
    if (r == pid_) break;
    if (r < 0 && errno != EINTR) {
      exit_ = ExitStatus{true, 0};
      return *exit_;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      kill_all();
      while (::wait4(pid_, &status, 0, &ru) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  usage_.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  usage_.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                       static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  usage_.max_rss_bytes = static_cast<uint64_t>(ru.ru_maxrss) * 1024;
  // Reap the group's leftovers too: a plugin's children must not outlive the job.
  ::kill(-pid_, SIGKILL);
  if (sandbox_) sandbox_->kill_all();
  exit_ = WIFSIGNALED(status) ? ExitStatus{false, WTERMSIG(status)} : ExitStatus{true, WEXITSTATUS(status)};
  stop_capture_.store(true);
  if (capture_thread_.joinable()) capture_thread_.join();
  return *exit_;
}

CapturedStream WorkerProcess::stdout_capture() {
  std::lock_guard<std::mutex> lock(capture_mutex_);
  return out_;
}

CapturedStream WorkerProcess::stderr_capture() {
  std::lock_guard<std::mutex> lock(capture_mutex_);
  return err_;
}

}  // namespace gauntlet::judge
