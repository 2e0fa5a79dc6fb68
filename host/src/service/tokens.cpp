#include "service/tokens.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace gauntlet::service {
namespace {

constexpr std::string_view kPrefix = "gnt_";
constexpr std::size_t kIdBytes = 8;
constexpr std::size_t kSecretBytes = 32;
// Domain separation: these hashes are of Gauntlet service tokens and nothing else.
constexpr unsigned char kHashKey[crypto_generichash_KEYBYTES] = "gauntlet.service.token/1";

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, n);
  out.pop_back();
  return out;
}

bool all_of(std::string_view s, int (*pred)(int)) {
  return std::all_of(s.begin(), s.end(), [pred](char c) { return pred(static_cast<unsigned char>(c)) != 0; });
}

int is_base64url(int c) { return std::isalnum(c) || c == '-' || c == '_' ? 1 : 0; }
int is_lower_hex(int c) { return std::isdigit(c) || (c >= 'a' && c <= 'f') ? 1 : 0; }

}  // namespace

void init_crypto() {
  static std::once_flag once;
  static int status = 0;
  std::call_once(once, [] { status = sodium_init(); });
  if (status < 0) throw std::runtime_error("libsodium could not be initialised");
}

std::string random_hex(std::size_t bytes) {
  init_crypto();
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  return to_hex(buf.data(), buf.size());
}

NewToken make_token() {
  init_crypto();
  unsigned char secret[kSecretBytes];
  randombytes_buf(secret, sizeof secret);
  std::string text(sodium_base64_ENCODED_LEN(kSecretBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(text.data(), text.size(), secret, sizeof secret,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  text.resize(std::char_traits<char>::length(text.c_str()));
  sodium_memzero(secret, sizeof secret);
  NewToken t;
  t.id = random_hex(kIdBytes);
  t.token = std::string(kPrefix) + t.id + "_" + text;
  t.hash = hash_secret(text);
  sodium_memzero(text.data(), text.size());
  return t;
}

std::optional<TokenParts> parse_token(std::string_view token) {
  constexpr std::size_t kIdChars = kIdBytes * 2, kSecretChars = 43;
  if (token.size() != kPrefix.size() + kIdChars + 1 + kSecretChars ||
      token.substr(0, kPrefix.size()) != kPrefix || token[kPrefix.size() + kIdChars] != '_')
    return std::nullopt;
  TokenParts p{std::string(token.substr(kPrefix.size(), kIdChars)),
               std::string(token.substr(kPrefix.size() + kIdChars + 1))};
  if (!all_of(p.id, is_lower_hex) || !all_of(p.secret, is_base64url)) return std::nullopt;
  return p;
}

std::string hash_secret(std::string_view secret) {
  init_crypto();
  unsigned char out[crypto_generichash_BYTES];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                     kHashKey, sizeof kHashKey);
  return to_hex(out, sizeof out);
}

bool same_hash(std::string_view a, std::string_view b) {
  // Both are hashes of fixed length: the length says nothing about the secret.
  if (a.size() != b.size() || a.empty()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace gauntlet::service
