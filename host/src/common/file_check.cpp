#include "common/file_check.hpp"

namespace gauntlet {

std::string why_not_regular_file(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  switch (status.type()) {
    case fs::file_type::regular:
      return {};
    case fs::file_type::directory:
      return "a folder, not a file";
    case fs::file_type::fifo:
      return "a named pipe, not a file";
    case fs::file_type::socket:
      return "a socket, not a file";
    case fs::file_type::block:
    case fs::file_type::character:
      return "a device, not a file";
    case fs::file_type::none:  // stat failed: permissions, a loop of symbolic links
      return "cannot be read: " + ec.message();
    case fs::file_type::not_found:
      break;
    default:
      return "not a regular file";
  }
  if (fs::is_symlink(fs::symlink_status(path, ec)))
    return "a symbolic link to '" + fs::read_symlink(path, ec).string() + "', which does not exist";
  return "no such file";
}

}  // namespace gauntlet
