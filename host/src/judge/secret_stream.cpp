#include "judge/secret_stream.hpp"

#include <openssl/evp.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace gauntlet::judge {

struct SecretStream::Cipher {
  EVP_CIPHER_CTX* ctx = nullptr;
  ~Cipher() { EVP_CIPHER_CTX_free(ctx); }
};

SecretStream SecretStream::fresh() {
  Key key{};
  std::size_t got = 0;
  while (got < key.size()) {
    const ssize_t n = ::getrandom(key.data() + got, key.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
    }
    got += static_cast<std::size_t>(n);
  }
  return SecretStream(key);
}

SecretStream::SecretStream(const Key& key) : key_(key), cipher_(std::make_unique<Cipher>()) {
  cipher_->ctx = EVP_CIPHER_CTX_new();
  // ChaCha20's 16-byte IV is the block counter and nonce: all zero, one stream per key.
  const std::array<uint8_t, 16> iv{};
  if (!cipher_->ctx || EVP_EncryptInit_ex(cipher_->ctx, EVP_chacha20(), nullptr, key_.data(), iv.data()) != 1)
    throw std::runtime_error("OpenSSL: cannot set up ChaCha20");
}

SecretStream::~SecretStream() = default;
SecretStream::SecretStream(SecretStream&&) noexcept = default;
SecretStream& SecretStream::operator=(SecretStream&&) noexcept = default;

void SecretStream::refill() {
  // The keystream is the encryption of zeros.
  std::array<uint8_t, sizeof(block_)> zeros{};
  int written = 0;
  if (EVP_EncryptUpdate(cipher_->ctx, block_.data(), &written, zeros.data(),
                        static_cast<int>(zeros.size())) != 1 ||
      written != static_cast<int>(block_.size()))
    throw std::runtime_error("OpenSSL: ChaCha20 keystream failed");
  used_ = 0;
}

uint64_t SecretStream::next() {
  if (used_ + sizeof(uint64_t) > block_.size()) refill();
  uint64_t v = 0;
  std::memcpy(&v, block_.data() + used_, sizeof v);
  used_ += sizeof v;
  return v;
}

uint64_t SecretStream::below(uint64_t n) {
  // Reject the top partial range: every value in [0, n) then has the same chance.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  for (;;) {
    const uint64_t v = next();
    if (v < limit) return v % n;
  }
}

std::string SecretStream::key_hex() const {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : key_) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

}  // namespace gauntlet::judge
