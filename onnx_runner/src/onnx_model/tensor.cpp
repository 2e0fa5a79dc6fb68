#include "onnx_model/tensor.hpp"

#include "onnx_model/text.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstring>

namespace gauntlet::onnx_model {
namespace {

int64_t element_bytes(ElemType t) {
  switch (t) {
    case ElemType::u8:
    case ElemType::i8:
    case ElemType::boolean:
      return 1;
    case ElemType::u16:
    case ElemType::i16:
      return 2;
    case ElemType::f32:
    case ElemType::i32:
    case ElemType::u32:
      return 4;
    case ElemType::i64:
    case ElemType::u64:
      return 8;
    case ElemType::undefined:
      break;
  }
  return 0;
}

// Little-endian raw bytes (the ONNX format; x86-64 is little-endian) of a k-byte integer type.
int64_t read_raw_int(const char* p, ElemType t) {
  switch (t) {
    case ElemType::u8:
    case ElemType::boolean:
      return static_cast<unsigned char>(*p);
    case ElemType::i8:
      return static_cast<signed char>(*p);
    case ElemType::u16: {
      uint16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case ElemType::i16: {
      int16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case ElemType::i32: {
      int32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case ElemType::u32: {
      uint32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case ElemType::i64:
    case ElemType::u64: {
      int64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
    default:
      return 0;
  }
}

}  // namespace

std::string elem_type_name(int32_t onnx_type) {
  switch (static_cast<ElemType>(onnx_type)) {
    case ElemType::f32:
      return "float32";
    case ElemType::u8:
      return "uint8";
    case ElemType::i8:
      return "int8";
    case ElemType::u16:
      return "uint16";
    case ElemType::i16:
      return "int16";
    case ElemType::i32:
      return "int32";
    case ElemType::i64:
      return "int64";
    case ElemType::boolean:
      return "bool";
    case ElemType::u32:
      return "uint32";
    case ElemType::u64:
      return "uint64";
    case ElemType::undefined:
      break;
  }
  const char* name = nullptr;
  switch (onnx_type) {
    case onnx::TensorProto::STRING:
      name = "string";
      break;
    case onnx::TensorProto::FLOAT16:
      name = "float16";
      break;
    case onnx::TensorProto::DOUBLE:
      name = "double";
      break;
    case onnx::TensorProto::BFLOAT16:
      name = "bfloat16";
      break;
    case onnx::TensorProto::COMPLEX64:
    case onnx::TensorProto::COMPLEX128:
      name = "complex";
      break;
    default:
      break;
  }
  return cat("ONNX type ", onnx_type, name ? cat(" (", name, ")") : std::string());
}

bool is_integer(ElemType t) { return t != ElemType::f32 && t != ElemType::undefined; }

bool known_elem_type(int32_t onnx_type) { return element_bytes(static_cast<ElemType>(onnx_type)) > 0; }

int64_t checked_numel(const Shape& shape, int64_t bytes_per_element, const std::string& what) {
  if (shape.size() > static_cast<std::size_t>(kMaxRank))
    throw ModelError(cat(what, " has ", shape.size(), " dimensions; the runner supports at most ", kMaxRank));
  // The product of the non-zero extents is bounded too, so that no partial product of a shape
  // with a zero extent overflows either (Flatten of [0, 2^31, 2^31, 2^31]).
  const auto per = static_cast<uint64_t>(std::max<int64_t>(bytes_per_element, 1));
  const uint64_t limit = kMaxTensorBytes / per;
  uint64_t n = 1;
  bool empty = false;
  for (const int64_t d : shape) {
    if (d < 0) throw ModelError(cat(what, " has a negative dimension (", shape_text(shape), ")"));
    if (d > kMaxExtent)
      throw ModelError(cat(what, " has a dimension of ", d, " (", shape_text(shape),
                           "); the runner's limit is ", kMaxExtent));
    if (d == 0) {
      empty = true;
      continue;
    }
    if (n > limit / static_cast<uint64_t>(d)) {
      // n * d < 2^31 * 2^31 * ... would overflow only past 64 bits; say how much it is.
      long double total = static_cast<long double>(per);
      for (const int64_t e : shape) total *= static_cast<long double>(std::max<int64_t>(e, 1));
      throw ModelError(
          cat(what, " declares ", shape_text(shape), ": ",
              total >= 1.8e19L ? std::string("more than 16 EiB") : bytes_text(static_cast<uint64_t>(total)),
              "; the runner's limit is ", bytes_text(kMaxTensorBytes), " per tensor"));
    }
    n *= static_cast<uint64_t>(d);
  }
  return empty ? 0 : static_cast<int64_t>(n);
}

double Constant::as_double(int64_t k) const {
  return is_float() ? f[static_cast<std::size_t>(k)] : static_cast<double>(i[static_cast<std::size_t>(k)]);
}

int64_t Constant::as_int(int64_t k) const {
  return is_float() ? static_cast<int64_t>(f[static_cast<std::size_t>(k)]) : i[static_cast<std::size_t>(k)];
}

Constant constant_from_proto(const onnx::TensorProto& t, const std::string& what) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL || t.external_data_size() > 0)
    throw ModelError(cat(what,
                         " keeps its data in an external file, which the runner does not read; "
                         "export the model as one file"));
  if (t.has_segment()) throw ModelError(cat(what, " is stored in segments, which the runner does not read"));
  if (!known_elem_type(t.data_type()))
    throw ModelError(cat(what, " has type ", elem_type_name(t.data_type()),
                         "; the runner holds float32 and integer constants only"));
  Constant c;
  c.type = static_cast<ElemType>(t.data_type());
  c.shape.assign(t.dims().begin(), t.dims().end());
  const int64_t size = element_bytes(c.type);
  const int64_t n = checked_numel(c.shape, size, what);
  const auto count = static_cast<std::size_t>(n);

  auto wrong_count = [&](int64_t held) {
    return ModelError(cat(what, " declares ", shape_text(c.shape), " (", n, " elements) but holds ", held,
                          " (a truncated or corrupt initializer)"));
  };
  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    if (raw.size() != count * static_cast<std::size_t>(size))
      throw wrong_count(static_cast<int64_t>(raw.size()) / size);
    if (c.is_float()) {
      c.f.resize(count);
      if (count) std::memcpy(c.f.data(), raw.data(), raw.size());
    } else {
      c.i.resize(count);
      for (std::size_t k = 0; k < count; ++k) c.i[k] = read_raw_int(raw.data() + k * size, c.type);
    }
    return c;
  }
  switch (c.type) {
    case ElemType::f32:
      if (t.float_data_size() != n) throw wrong_count(t.float_data_size());
      c.f.assign(t.float_data().begin(), t.float_data().end());
      break;
    case ElemType::i64:
      if (t.int64_data_size() != n) throw wrong_count(t.int64_data_size());
      c.i.assign(t.int64_data().begin(), t.int64_data().end());
      break;
    case ElemType::u32:
    case ElemType::u64:
      if (t.uint64_data_size() != n) throw wrong_count(t.uint64_data_size());
      c.i.reserve(count);
      for (const uint64_t v : t.uint64_data()) c.i.push_back(static_cast<int64_t>(v));
      break;
    default:  // int32_data holds every narrower integer type and bool
      if (t.int32_data_size() != n) throw wrong_count(t.int32_data_size());
      c.i.assign(t.int32_data().begin(), t.int32_data().end());
      break;
  }
  return c;
}

Constant float_constant(Shape shape, std::vector<float> values) {
  Constant c;
  c.type = ElemType::f32;
  c.shape = std::move(shape);
  c.f = std::move(values);
  return c;
}

Constant int_constant(Shape shape, std::vector<int64_t> values) {
  Constant c;
  c.type = ElemType::i64;
  c.shape = std::move(shape);
  c.i = std::move(values);
  return c;
}

}  // namespace gauntlet::onnx_model
