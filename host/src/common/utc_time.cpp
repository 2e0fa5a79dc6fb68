#include "common/utc_time.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace gauntlet {
namespace {

std::tm utc_now(std::chrono::system_clock::time_point now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

std::string format(const char* pattern) {
  const std::tm tm = utc_now(std::chrono::system_clock::now());
  char buf[32];
  std::strftime(buf, sizeof buf, pattern, &tm);
  return buf;
}

}  // namespace

std::string utc_timestamp() { return format("%Y-%m-%dT%H:%M:%SZ"); }

std::string utc_file_stamp() { return format("%Y%m%dT%H%M%SZ"); }

std::string utc_timestamp_ms() {
  const auto now = std::chrono::system_clock::now();
  const std::tm tm = utc_now(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  char buf[96];  // room for any int the format could get (keeps -Wformat-truncation quiet)
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace gauntlet
