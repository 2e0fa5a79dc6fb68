#include "common/file_check.hpp"

#include "common/errors.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gauntlet {

std::optional<std::string> why_not_regular_file(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  switch (status.type()) {
    case fs::file_type::regular:
      return std::nullopt;
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

void prepare_output_folder(const std::filesystem::path& folder) {
  const std::filesystem::path where = folder.empty() ? "." : folder;
  std::error_code ec;
  std::filesystem::create_directories(where, ec);
  if (ec) throw EnvironmentError("cannot create the output folder " + where.string() + ": " + ec.message());
  if (!std::filesystem::is_directory(where, ec))
    throw EnvironmentError("the output folder " + where.string() + " is not a folder");
  if (::access(where.c_str(), W_OK | X_OK) != 0)
    throw EnvironmentError("cannot write in the output folder " + where.string() + ": " +
                           std::strerror(errno));
}

}  // namespace gauntlet
