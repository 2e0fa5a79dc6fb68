// The judge's secret randomness: which samples each timed call carries and every request's
// nonce. A ChaCha20 keystream (OpenSSL) under a 256-bit key drawn from the kernel
// (getrandom) for each judging: nothing the plugin can see (its create() seed, the challenge,
// earlier results) predicts it. The key is written into the result afterwards, so that an
// auditor can re-derive the whole schedule; by then the worker is gone, and the next judging
// draws a new key.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace gauntlet::judge {

class SecretStream {
 public:
  using Key = std::array<uint8_t, 32>;

  // A fresh key from getrandom(2). Throws std::runtime_error when the kernel has none to give.
  static SecretStream fresh();
  // The stream of a known key (audits and tests).
  explicit SecretStream(const Key& key);
  ~SecretStream();
  SecretStream(SecretStream&&) noexcept;
  SecretStream& operator=(SecretStream&&) noexcept;

  uint64_t next();
  // Uniform in [0, n) without modulo bias (rejection sampling); n > 0.
  uint64_t below(uint64_t n);

  std::string key_hex() const;

 private:
  void refill();

  Key key_{};
  struct Cipher;
  std::unique_ptr<Cipher> cipher_;
  std::array<uint8_t, 4096> block_{};
  std::size_t used_ = sizeof(block_);
};

}  // namespace gauntlet::judge
