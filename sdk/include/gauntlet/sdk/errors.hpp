// Gauntlet plugin SDK, part: Messages, errors and element types: what every other part of the SDK uses.
// Include <gauntlet/sdk.hpp>, not this file; the contract is stated there.
#pragma once

#include <gauntlet/plugin_api.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace gauntlet::sdk {

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

namespace detail {
inline void append_piece(std::string& out, std::string_view s) { out.append(s.data(), s.size()); }
inline void append_piece(std::string& out, const char* s) { out.append(s ? s : ""); }
inline void append_piece(std::string& out, char c) { out.push_back(c); }
template <class T, class = std::enable_if_t<std::is_arithmetic_v<T>>>
void append_piece(std::string& out, T v) {
  out.append(std::to_string(v));
}
}  // namespace detail

// Concatenates strings and numbers into one message: str("label ", 12, " of sample ", i).
// (Appending also sidesteps GCC 12's false -Wrestrict on `"literal" + std::to_string(n)`.)
template <class... Pieces>
std::string str(const Pieces&... pieces) {
  std::string out;
  (detail::append_piece(out, pieces), ...);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

// The exception to throw from a plugin when the status matters. The export layer turns it into
// the status it carries and makes last_error() return what().
class Error : public std::runtime_error {
 public:
  Error(gauntlet_status status, const std::string& message)
      : std::runtime_error(message), status_(status == GAUNTLET_OK ? GAUNTLET_ERROR : status) {}
  explicit Error(const std::string& message) : Error(GAUNTLET_ERROR, message) {}

  gauntlet_status status() const noexcept { return status_; }

  static Error unsupported(const std::string& m) { return Error(GAUNTLET_UNSUPPORTED, m); }
  static Error invalid_argument(const std::string& m) { return Error(GAUNTLET_INVALID_ARGUMENT, m); }
  static Error cancelled(const std::string& m) { return Error(GAUNTLET_CANCELLED, m); }

 private:
  gauntlet_status status_;
};

// ---------------------------------------------------------------------------------------------
// Element types
// ---------------------------------------------------------------------------------------------

namespace detail {
template <class T>
struct DTypeOf;  // only the element types below have a gauntlet_dtype
template <>
struct DTypeOf<float> {
  static constexpr gauntlet_dtype value{GAUNTLET_DTYPE_FLOAT, 32, 1};
};
template <>
struct DTypeOf<double> {
  static constexpr gauntlet_dtype value{GAUNTLET_DTYPE_FLOAT, 64, 1};
};
template <>
struct DTypeOf<int32_t> {
  static constexpr gauntlet_dtype value{GAUNTLET_DTYPE_INT, 32, 1};
};
template <>
struct DTypeOf<int64_t> {
  static constexpr gauntlet_dtype value{GAUNTLET_DTYPE_INT, 64, 1};
};
template <>
struct DTypeOf<int8_t> {
  static constexpr gauntlet_dtype value{GAUNTLET_DTYPE_INT, 8, 1};
};
template <>
struct DTypeOf<uint8_t> {
  static constexpr gauntlet_dtype value{GAUNTLET_DTYPE_UINT, 8, 1};
};
}  // namespace detail

// The gauntlet_dtype of a C++ element type (float, double, int32_t, int64_t, int8_t, uint8_t).
template <class T>
constexpr gauntlet_dtype dtype_of() noexcept {
  return detail::DTypeOf<std::remove_cv_t<T>>::value;
}

constexpr bool same_dtype(gauntlet_dtype a, gauntlet_dtype b) noexcept {
  return a.code == b.code && a.bits == b.bits && a.lanes == b.lanes;
}

// Bytes per element (lanes included).
constexpr size_t dtype_size(gauntlet_dtype d) noexcept {
  return (static_cast<size_t>(d.bits) * (d.lanes ? d.lanes : 1) + 7) / 8;
}

// "f32", "s32", "s64", "u8", ... as in the challenge YAML.
inline std::string dtype_name(gauntlet_dtype d) {
  const char* prefix = nullptr;
  switch (d.code) {
    case GAUNTLET_DTYPE_FLOAT:
      prefix = "f";
      break;
    case GAUNTLET_DTYPE_INT:
      prefix = "s";
      break;
    case GAUNTLET_DTYPE_UINT:
      prefix = "u";
      break;
    case GAUNTLET_DTYPE_BFLOAT:
      prefix = "bf";
      break;
  }
  std::string name = prefix ? str(prefix, d.bits) : str("dtype(", d.code, ",", d.bits, ")");
  if (d.lanes != 1) name.append("x").append(std::to_string(d.lanes));
  return name;
}

}  // namespace gauntlet::sdk
