// Tensors the runner knows before any data arrives: initializers, Constant nodes and what
// prepare() folds (the dynamic-batch shape chain). Floats stay f32; every integer type and bool
// are held as int64 (they only ever feed shapes, axes and pads).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
}

namespace gauntlet::onnx_model {

using Shape = std::vector<int64_t>;

// A model the runner refuses, or a part of it it cannot run: one line for the team.
class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The runner's bounds on what a model may declare (a hostile model must fail cleanly, not
// exhaust memory or overflow a size computation).
inline constexpr uint64_t kMaxTensorBytes = uint64_t{1} << 30;  // any one tensor, 1 GiB
inline constexpr int kMaxRank = 8;                              // oneDNN 2.6 has 12; 8 is plenty
inline constexpr int64_t kMaxExtent = int64_t{1} << 31;         // any one dimension (keeps sums in range)

// ONNX TensorProto.DataType numbers the runner reads.
enum class ElemType : int32_t {
  undefined = 0,
  f32 = 1,
  u8 = 2,
  i8 = 3,
  u16 = 4,
  i16 = 5,
  i32 = 6,
  i64 = 7,
  boolean = 9,
  u32 = 12,
  u64 = 13,
};

// "float32", "int64", ... or "ONNX type 11 (double)" for the ones the runner does not run.
std::string elem_type_name(int32_t onnx_type);
bool is_integer(ElemType t);
// Whether the runner can hold a constant of this ONNX type.
bool known_elem_type(int32_t onnx_type);

// Number of elements of `shape`, or a ModelError naming `what` when an extent is negative or over
// kMaxExtent, the product overflows, or the tensor, at `bytes_per_element` each, would exceed
// kMaxTensorBytes.
int64_t checked_numel(const Shape& shape, int64_t bytes_per_element, const std::string& what);

struct Constant {
  ElemType type = ElemType::f32;
  Shape shape;
  std::vector<float> f;    // type f32
  std::vector<int64_t> i;  // every other type

  bool is_float() const { return type == ElemType::f32; }
  int64_t numel() const { return static_cast<int64_t>(is_float() ? f.size() : i.size()); }
  // Element k as a double / an integer, whatever the type.
  double as_double(int64_t k) const;
  int64_t as_int(int64_t k) const;
};

// Decodes an initializer or a Constant's tensor, checking that its data holds exactly what its
// dims declare (no external data, no segments). `what` names it in errors.
Constant constant_from_proto(const onnx::TensorProto& t, const std::string& what);

// A float32 constant of the given shape.
Constant float_constant(Shape shape, std::vector<float> values);
// An int64 constant of the given shape.
Constant int_constant(Shape shape, std::vector<int64_t> values);

}  // namespace gauntlet::onnx_model
