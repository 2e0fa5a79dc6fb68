// Words for a path that should be a regular file but is not. Uploads and configs name
// dangling symlinks, folders and pipes too; "No such file or directory" for a link that `ls`
// shows, or a read that blocks forever on a FIFO, are not acceptable answers.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace gauntlet {

// Nothing when `path` is a regular file (symbolic links followed); otherwise what it is instead:
// "no such file", "a symbolic link to 'x', which does not exist", "a folder, not a file",
// "a named pipe, not a file", "a device, not a file", ...
[[nodiscard]] std::optional<std::string> why_not_regular_file(const std::filesystem::path& path);

// Creates `folder` (and its parents) if needed and checks that files can be written in it, so
// that a command refuses an unusable output before its work rather than after. An empty path
// is the current folder. Throws EnvironmentError naming the folder and the reason.
void prepare_output_folder(const std::filesystem::path& folder);

}  // namespace gauntlet
