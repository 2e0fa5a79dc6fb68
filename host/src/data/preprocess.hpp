// Private to the data layer: x' = (x * scale - mean) / stddev with oneDNN, written straight
// into the caller's (shared) memory.
#pragma once

#include "challenge/challenge.hpp"

#include <cstdint>
#include <string>

namespace gauntlet::data {

// Raw u8 images, row-major [n, h, w, c]: channels last, as IDX and most image files store them.
struct RawImages {
  const uint8_t* data = nullptr;
  int64_t n = 0, h = 0, w = 0, c = 1;
};

// Throws DataError (naming `source`) unless input `spec` holds h x w x c images: a 4-D input
// must be [batch, c, h, w] for Layout::nchw or [batch, h, w, c] for Layout::nhwc; any other
// rank takes the pixels in file order and only needs the same per-sample element count.
void check_image_input(const TensorSpec& spec, Layout layout, int64_t h, int64_t w, int64_t c,
                       const std::string& source);

// Writes src.n preprocessed images as f32 into `dst` in the layout check_image_input accepted:
// one oneDNN reorder (u8 -> f32, layout change, output scale scale/stddev) over the caller's
// memory, then an in-place eltwise_linear for the -mean/stddev shift when it is not zero.
void preprocess_images(const RawImages& src, const TensorSpec& spec, const Preprocess& pp, float* dst);

// In place on `count` f32 values, with one oneDNN eltwise_linear (skipped for the identity).
void preprocess_features(float* data, int64_t count, const Preprocess& pp);

}  // namespace gauntlet::data
