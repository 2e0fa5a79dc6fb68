#include "onnx_model/folding.hpp"

#include "onnx_model/shape_rules.hpp"
#include "onnx_model/text.hpp"

#include <algorithm>
#include <cmath>

namespace gauntlet::onnx_model::fold {
namespace {

// Linear index into `s` (broadcast: extents of 1 repeat) of the element at output index `k`.
int64_t broadcast_index(int64_t k, const Shape& out, const Shape& s) {
  int64_t index = 0, stride = 1;
  for (std::size_t i = out.size(); i-- > 0;) {
    const int64_t coord = k % out[i];
    k /= out[i];
    const std::size_t j = i + s.size();
    if (j >= out.size()) {  // dimension present in s
      const int64_t extent = s[j - out.size()];
      if (extent != 1) index += coord * stride;
      stride *= extent;
    }
  }
  return index;
}

}  // namespace

Constant reshaped(Constant c, Shape shape) {
  c.shape = std::move(shape);
  return c;
}

Constant constant_node(const Attributes& a) {
  if (auto t = a.get_tensor("value")) return *t;
  if (a.has("value_float")) return float_constant({}, {a.get_float("value_float", 0)});
  if (a.has("value_int")) return int_constant({}, {a.get_int("value_int", 0)});
  if (auto v = a.get_floats("value_floats")) return float_constant({static_cast<int64_t>(v->size())}, *v);
  if (auto v = a.get_ints("value_ints")) return int_constant({static_cast<int64_t>(v->size())}, *v);
  throw a.error("only tensor, float and integer values are supported");
}

Constant shape_of(const Attributes& a, const Shape& x) {
  const auto r = static_cast<int64_t>(x.size());
  // Opset 15: start/end slice the shape, clamped to [0, rank].
  auto clamp = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + r : v, 0, r); };
  const int64_t start = clamp(a.get_int("start", 0)), end = clamp(a.get_int("end", r));
  Shape s;
  for (int64_t i = start; i < end; ++i) s.push_back(x[static_cast<std::size_t>(i)]);
  return int_constant({static_cast<int64_t>(s.size())}, s);
}

Constant gather(const Attributes& a, const Constant& data, const Constant& indices) {
  if (data.shape.empty()) throw a.error("Gather from a scalar");
  const auto r = static_cast<int64_t>(data.shape.size());
  const auto axis = static_cast<std::size_t>(rules::normalize_axis(a, a.get_int("axis", 0), r, "axis"));
  if (indices.is_float()) throw a.error("float indices");
  Shape out(data.shape.begin(), data.shape.begin() + static_cast<std::ptrdiff_t>(axis));
  out.insert(out.end(), indices.shape.begin(), indices.shape.end());
  out.insert(out.end(), data.shape.begin() + static_cast<std::ptrdiff_t>(axis) + 1, data.shape.end());
  const int64_t n = checked_numel(out, 8, "the output of " + node_text(a.node()));
  const int64_t extent = data.shape[axis];
  int64_t inner = 1, outer = 1;
  for (std::size_t i = axis + 1; i < data.shape.size(); ++i) inner *= data.shape[i];
  for (std::size_t i = 0; i < axis; ++i) outer *= data.shape[i];
  Constant c;
  c.type = data.type;
  c.shape = out;
  const int64_t count = indices.numel();
  for (int64_t o = 0; o < outer && n > 0; ++o)
    for (int64_t k = 0; k < count; ++k) {
      int64_t idx = indices.i[static_cast<std::size_t>(k)];
      if (idx < -extent || idx >= extent) throw a.error(cat("index ", idx, " is out of range for ", extent));
      if (idx < 0) idx += extent;
      for (int64_t j = 0; j < inner; ++j) {
        const int64_t from = (o * extent + idx) * inner + j;
        if (data.is_float())
          c.f.push_back(data.f[static_cast<std::size_t>(from)]);
        else
          c.i.push_back(data.i[static_cast<std::size_t>(from)]);
      }
    }
  return c;
}

Constant concat(const Attributes& a, const std::vector<const Constant*>& xs) {
  std::vector<Shape> shapes;
  for (const Constant* x : xs) {
    if (x->is_float() != xs[0]->is_float()) throw a.error("inputs of different types");
    shapes.push_back(x->shape);
  }
  ConcatAttrs attrs;
  Constant c;
  c.type = xs[0]->type;
  c.shape = rules::concat(a, shapes, attrs);
  checked_numel(c.shape, 8, "the output of " + node_text(a.node()));
  const auto axis = static_cast<std::size_t>(attrs.axis);
  int64_t outer = 1;
  for (std::size_t i = 0; i < axis; ++i) outer *= c.shape[i];
  for (int64_t o = 0; o < outer; ++o)
    for (const Constant* x : xs) {
      int64_t block = 1;
      for (std::size_t i = axis; i < x->shape.size(); ++i) block *= x->shape[i];
      const auto from = static_cast<std::ptrdiff_t>(o * block),
                 to = from + static_cast<std::ptrdiff_t>(block);
      if (x->is_float())
        c.f.insert(c.f.end(), x->f.begin() + from, x->f.begin() + to);
      else
        c.i.insert(c.i.end(), x->i.begin() + from, x->i.begin() + to);
    }
  return c;
}

Constant cast(const Attributes& a, const Constant& x) {
  const auto to = static_cast<int32_t>(a.get_int("to", 0));
  if (!known_elem_type(to)) throw a.error(cat("casts to ", elem_type_name(to)));
  Constant c;
  c.type = static_cast<ElemType>(to);
  c.shape = x.shape;
  for (int64_t k = 0; k < x.numel(); ++k) {
    if (c.is_float()) {
      c.f.push_back(static_cast<float>(x.as_double(k)));
    } else {
      const double v = x.as_double(k);
      if (!(std::fabs(v) < 9.2e18)) throw a.error("casts a value out of the integer range");
      c.i.push_back(x.is_float() ? static_cast<int64_t>(v) : x.i[static_cast<std::size_t>(k)]);
    }
  }
  return c;
}

Constant binary(const Attributes& a, Binary op, const Constant& x, const Constant& y) {
  if (x.is_float() != y.is_float()) throw a.error("inputs of different types");
  Constant c;
  c.type = x.type;
  c.shape = rules::broadcast(a, x.shape, y.shape);
  const int64_t n = checked_numel(c.shape, 8, "the output of " + node_text(a.node()));
  for (int64_t k = 0; k < n; ++k) {
    const int64_t i = broadcast_index(k, c.shape, x.shape), j = broadcast_index(k, c.shape, y.shape);
    if (x.is_float()) {
      const float u = x.f[static_cast<std::size_t>(i)], v = y.f[static_cast<std::size_t>(j)];
      c.f.push_back(op == Binary::add   ? u + v
                    : op == Binary::sub ? u - v
                    : op == Binary::mul ? u * v
                                        : u / v);
    } else {
      // Wrapping arithmetic, as two's complement hardware does (no undefined overflow).
      const auto u = static_cast<uint64_t>(x.i[static_cast<std::size_t>(i)]);
      const auto v = static_cast<uint64_t>(y.i[static_cast<std::size_t>(j)]);
      if (op == Binary::div && (v == 0 || (u == uint64_t{1} << 63 && v == ~uint64_t{0})))
        throw a.error("integer division by zero or overflow");
      const uint64_t r = op == Binary::add   ? u + v
                         : op == Binary::sub ? u - v
                         : op == Binary::mul
                             ? u * v
                             : static_cast<uint64_t>(static_cast<int64_t>(u) / static_cast<int64_t>(v));
      c.i.push_back(static_cast<int64_t>(r));
    }
  }
  return c;
}

}  // namespace gauntlet::onnx_model::fold
