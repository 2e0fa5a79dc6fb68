// Durable, atomic replacement of a file: write a temporary file in the same folder, fsync
// it, rename it over the target, fsync the folder. A reader sees the old content or the new
// content, never a mix, even after a crash or kill -9 at any moment.
#pragma once

#include <filesystem>
#include <string_view>

namespace gauntlet {

// Throws std::runtime_error naming the step that failed. `mode`: the file's permissions (0600
// for a secret: the temporary file is created with 0600, so it is never readable by others).
void write_file_atomic(const std::filesystem::path& target, std::string_view content, unsigned mode = 0644);

}  // namespace gauntlet
