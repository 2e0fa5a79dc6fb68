#include "worker/host_services.hpp"

#include <unistd.h>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>

namespace gauntlet::worker {
namespace {

std::atomic<ipc::ControlPage*> g_page{nullptr};

// A plugin that logs in a loop must not slow the judge down or fill its disk: after this
// many lines the rest are counted and dropped (the host also caps what it keeps).
constexpr int kMaxLogLines = 2000;
constexpr std::size_t kMaxLineBytes = 1024;
std::atomic<int> g_lines{0};

const char* level_name(int32_t level) {
  switch (level) {
    case GAUNTLET_LOG_DEBUG:
      return "debug";
    case GAUNTLET_LOG_INFO:
      return "info";
    case GAUNTLET_LOG_WARNING:
      return "warning";
    case GAUNTLET_LOG_ERROR:
      return "error";
    default:
      return "log";
  }
}

void log_line(const gauntlet_host_api*, int32_t level, const char* message) {
  int n = g_lines.fetch_add(1, std::memory_order_relaxed);
  if (n > kMaxLogLines) return;
  std::string line = "[plugin ";
  line += level_name(level);
  line += "] ";
  if (n == kMaxLogLines) {
    line += "(log limit reached: further lines dropped)";
  } else if (message) {
    std::size_t len = strnlen(message, kMaxLineBytes);
    line.append(message, len);
  }
  line += '\n';
  // One write() per line, so that lines from several threads do not interleave.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

int32_t should_cancel(const gauntlet_host_api*) {
  ipc::ControlPage* page = g_page.load(std::memory_order_acquire);
  return page && page->cancel.load(std::memory_order_relaxed) != 0 ? 1 : 0;
}

const gauntlet_host_api kHostApi = {
    sizeof(gauntlet_host_api),
    GAUNTLET_ABI_MAJOR,
    GAUNTLET_ABI_MINOR,
    0,
    "gauntlet " GAUNTLET_VERSION,
    nullptr,
    &log_line,
    &should_cancel,
};

}  // namespace

const gauntlet_host_api* host_services() { return &kHostApi; }

void attach_control_page(ipc::ControlPage* page) { g_page.store(page, std::memory_order_release); }

}  // namespace gauntlet::worker
