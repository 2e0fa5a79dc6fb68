// SHA-256 through OpenSSL's libcrypto (a maintained implementation; no hand-written crypto).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace gauntlet {

// Lower-case hex digest.
std::string sha256_hex(std::string_view bytes);
// Digest of a file's content; throws std::runtime_error when it cannot be read.
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace gauntlet
