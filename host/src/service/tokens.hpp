// Access tokens of the submission service: random (libsodium's CSPRNG), shown once, stored only
// as a keyed BLAKE2b hash, compared in constant time.
//
//   gnt_<id: 16 hex digits>_<secret: 43 base64url characters, 256 bits>
//
// The id finds the token's row; only the secret's hash is kept, so the database (or a copy of
// it) lets nobody in. 256 random bits need no slow password hash: nothing can be guessed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gauntlet::service {

// Initialises libsodium once (thread-safe). Throws std::runtime_error when it cannot.
void init_crypto();

struct NewToken {
  std::string id;     // 16 hex digits
  std::string token;  // the whole token, given to its holder once
  std::string hash;   // what is stored: hash_secret(secret), hex
};
[[nodiscard]] NewToken make_token();

struct TokenParts {
  std::string id, secret;
};
// The parts of a token as written above; nothing for anything else.
[[nodiscard]] std::optional<TokenParts> parse_token(std::string_view token);

// Keyed BLAKE2b-256 of a token's secret, hex.
[[nodiscard]] std::string hash_secret(std::string_view secret);

// Whether two hex hashes are equal, in time independent of where they differ.
[[nodiscard]] bool same_hash(std::string_view a, std::string_view b);

// `bytes` random bytes as hex (request nonces, staging folder names).
[[nodiscard]] std::string random_hex(std::size_t bytes);

}  // namespace gauntlet::service
