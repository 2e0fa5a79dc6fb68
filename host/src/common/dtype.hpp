// Element types the judge knows, and their mapping to the ABI's DLPack-style codes.
#pragma once

#include <gauntlet/plugin_api.h>

#include <cstddef>
#include <optional>
#include <string_view>

namespace gauntlet {

enum class DType { f32, s32, s64, u8 };

// "f32", "s32", "s64", "u8" (the names used in challenge YAML).
[[nodiscard]] std::optional<DType> parse_dtype(std::string_view name);
std::string_view dtype_name(DType dtype);
std::size_t dtype_size(DType dtype);
gauntlet_dtype to_abi(DType dtype);

}  // namespace gauntlet
