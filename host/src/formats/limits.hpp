// The bounds every reader of organizer files holds to (challenges/README.md, "Data sources"):
// far above any real challenge, low enough that a hostile or broken file is refused before
// it costs memory or time.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gauntlet::formats {

inline constexpr uint64_t kMaxFileBytes = uint64_t{16} << 30;      // one data file: 16 GiB
inline constexpr uint64_t kMaxTensorElements = uint64_t{1} << 32;  // one tensor
inline constexpr std::size_t kMaxNpyHeaderBytes = 65535 + 10;      // numpy writes at most 64 KiB
inline constexpr std::size_t kMaxRank = 32;                        // numpy's own limit
inline constexpr int64_t kMaxRows = int64_t{1} << 31;              // CSV rows, files per folder
inline constexpr std::size_t kMaxColumns = 1 << 16;                // CSV columns
inline constexpr std::size_t kMaxFieldBytes = 1 << 20;             // one CSV field
inline constexpr int64_t kMaxTextBytes = 1 << 16;                  // a text tensor's max_length
inline constexpr int64_t kMaxImageSide = 1 << 14;                  // pixels, width or height
inline constexpr int64_t kMaxImages = 10'000'000;                  // files in an image folder

}  // namespace gauntlet::formats
