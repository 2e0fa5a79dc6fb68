#include "common/dtype.hpp"

namespace gauntlet {

std::optional<DType> parse_dtype(std::string_view name) {
  if (name == "f32") return DType::f32;
  if (name == "s32") return DType::s32;
  if (name == "s64") return DType::s64;
  if (name == "u8") return DType::u8;
  return std::nullopt;
}

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::f32:
      return "f32";
    case DType::s32:
      return "s32";
    case DType::s64:
      return "s64";
    case DType::u8:
      return "u8";
  }
  return "?";
}

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::f32:
      return 4;
    case DType::s32:
      return 4;
    case DType::s64:
      return 8;
    case DType::u8:
      return 1;
  }
  return 0;
}

gauntlet_dtype to_abi(DType dtype) {
  switch (dtype) {
    case DType::f32:
      return {GAUNTLET_DTYPE_FLOAT, 32, 1};
    case DType::s32:
      return {GAUNTLET_DTYPE_INT, 32, 1};
    case DType::s64:
      return {GAUNTLET_DTYPE_INT, 64, 1};
    case DType::u8:
      return {GAUNTLET_DTYPE_UINT, 8, 1};
  }
  return {0, 0, 0};
}

}  // namespace gauntlet
