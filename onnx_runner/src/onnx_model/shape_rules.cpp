#include "onnx_model/shape_rules.hpp"

#include "onnx_model/text.hpp"

#include <algorithm>
#include <numeric>

namespace gauntlet::onnx_model::rules {
namespace {

// An attribute list of exactly `count` values in [lo, kMaxExtent], or `fallback` when absent.
Shape extents(const Attributes& a, const std::string& name, std::size_t count, int64_t lo, int64_t fallback) {
  const auto v = a.get_ints(name);
  if (!v) return Shape(count, fallback);
  if (v->size() != count)
    throw a.error(cat("attribute ", quoted(name), " has ", v->size(), " values, expected ", count));
  for (const int64_t e : *v)
    if (e < lo || e > kMaxExtent) throw a.error(cat("attribute ", quoted(name), " holds ", e));
  return *v;
}

int64_t spatial_rank(const Attributes& a, const Shape& x) {
  if (x.size() < 3 || x.size() > 5)
    throw a.error(cat("input of shape ", shape_text(x),
                      ": the runner supports 1, 2 or 3 spatial dimensions "
                      "([N, C, ...] of rank 3 to 5)"));
  return static_cast<int64_t>(x.size()) - 2;
}

// The window's strides, dilations and pads (auto_pad resolved) over x's spatial dimensions, and
// the output's spatial extents.
Shape place_window(const Attributes& a, const Shape& x, Window& w, bool ceil_mode, bool dilations) {
  const auto n = static_cast<std::size_t>(spatial_rank(a, x));
  w.strides = extents(a, "strides", n, 1, 1);
  w.dilations = dilations ? extents(a, "dilations", n, 1, 1) : Shape(n, 1);
  if (!dilations && a.has("dilations") && extents(a, "dilations", n, 1, 1) != Shape(n, 1))
    throw a.error("dilations are not supported here");
  const std::string auto_pad = a.get_string("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER")
    throw a.error(cat("unknown auto_pad ", quoted(auto_pad)));
  const Shape pads = auto_pad == "NOTSET" ? extents(a, "pads", 2 * n, 0, 0) : Shape(2 * n, 0);
  w.pad_begin.assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(n));
  w.pad_end.assign(pads.begin() + static_cast<std::ptrdiff_t>(n), pads.end());
  Shape out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const int64_t in = x[i + 2], k = w.kernel[i], s = w.strides[i];
    const int64_t span = (k - 1) * w.dilations[i] + 1;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      out[i] = (in + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (out[i] - 1) * s + span - in);
      const int64_t small = total / 2;
      w.pad_begin[i] = auto_pad == "SAME_UPPER" ? small : total - small;
      w.pad_end[i] = total - w.pad_begin[i];
    } else {
      const int64_t room = in + w.pad_begin[i] + w.pad_end[i] - span;
      if (room < 0)
        throw a.error(cat("a window of ", span, " does not fit the input's ", in,
                          " (padded: ", in + w.pad_begin[i] + w.pad_end[i], ") along spatial dimension ", i));
      out[i] = (ceil_mode ? (room + s - 1) / s : room / s) + 1;
      // oneDNN counts output positions without rounding up: what ceil_mode adds is padding.
      w.pad_end[i] = std::max(w.pad_end[i], (out[i] - 1) * s + span - in - w.pad_begin[i]);
    }
    if (out[i] < 1) throw a.error(cat("an empty output along spatial dimension ", i));
  }
  return out;
}

}  // namespace

int64_t normalize_axis(const Attributes& a, int64_t axis, int64_t rank, const char* what) {
  if (axis < -rank || axis >= rank) throw a.error(cat(what, " ", axis, " is out of range for rank ", rank));
  return axis < 0 ? axis + rank : axis;
}

Shape conv(const Attributes& a, const Shape& x, const Shape& w, const Shape* b, ConvAttrs& out) {
  const auto n = static_cast<std::size_t>(spatial_rank(a, x));
  if (w.size() != x.size())
    throw a.error(cat("weights of shape ", shape_text(w), " for an input of shape ", shape_text(x)));
  out.group = a.get_int("group", 1);
  if (out.group < 1 || x[1] % out.group != 0 || w[0] % out.group != 0 || w[1] * out.group != x[1])
    throw a.error(
        cat("group ", out.group, " does not fit input channels ", x[1], " and weights ", shape_text(w)));
  if (b && (b->size() != 1 || (*b)[0] != w[0]))
    throw a.error(cat("bias of shape ", shape_text(*b), " for ", w[0], " output channels"));
  out.window.kernel.assign(w.begin() + 2, w.end());
  if (a.has("kernel_shape") && extents(a, "kernel_shape", n, 1, 1) != out.window.kernel)
    throw a.error("kernel_shape differs from the weights' shape");
  const Shape spatial = place_window(a, x, out.window, false, true);
  Shape y{x[0], w[0]};
  y.insert(y.end(), spatial.begin(), spatial.end());
  return y;
}

Shape pool(const Attributes& a, const std::string& op, const Shape& x, PoolAttrs& out) {
  const auto n = static_cast<std::size_t>(spatial_rank(a, x));
  out.max = op == "MaxPool" || op == "GlobalMaxPool";
  Shape spatial;
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
    out.window.kernel.assign(x.begin() + 2, x.end());
    out.window.strides = out.window.dilations = Shape(n, 1);
    out.window.pad_begin = out.window.pad_end = Shape(n, 0);
    spatial = Shape(n, 1);
  } else {
    if (!a.has("kernel_shape")) throw a.error("attribute 'kernel_shape' is required");
    out.window.kernel = extents(a, "kernel_shape", n, 1, 1);
    if (a.get_int("storage_order", 0) != 0) throw a.error("storage_order 1 is not supported");
    const bool ceil_mode = a.get_int("ceil_mode", 0) != 0;
    out.count_include_pad = a.get_int("count_include_pad", 0) != 0;
    const Shape declared_end = extents(a, "pads", 2 * n, 0, 0);
    spatial = place_window(a, x, out.window, ceil_mode, out.max);
    if (!out.max && out.count_include_pad && a.get_string("auto_pad", "NOTSET") == "NOTSET")
      for (std::size_t i = 0; i < n; ++i)
        if (out.window.pad_end[i] != declared_end[n + i])
          throw a.error(
              "ceil_mode with count_include_pad, where the last window overhangs the padding, "
              "is not supported");
  }
  Shape y{x[0], x[1]};
  y.insert(y.end(), spatial.begin(), spatial.end());
  return y;
}

Shape gemm(const Attributes& a, const Shape& x, const Shape& w, const Shape* c, GemmAttrs& out) {
  out.alpha = a.get_float("alpha", 1.0f);
  out.beta = a.get_float("beta", 1.0f);
  out.trans_a = a.get_int("transA", 0) != 0;
  out.trans_b = a.get_int("transB", 0) != 0;
  if (x.size() != 2 || w.size() != 2)
    throw a.error(cat("inputs of shapes ", shape_text(x), " and ", shape_text(w), ": Gemm takes matrices"));
  const int64_t m = out.trans_a ? x[1] : x[0], k = out.trans_a ? x[0] : x[1];
  const int64_t k2 = out.trans_b ? w[1] : w[0], n = out.trans_b ? w[0] : w[1];
  if (k != k2) throw a.error(cat("inner dimensions differ: ", shape_text(x), " and ", shape_text(w)));
  if (c) {
    const Shape& cs = *c;
    const bool fits = cs.size() <= 2 && (cs.empty() || cs.back() == 1 || cs.back() == n) &&
                      (cs.size() < 2 || cs[0] == 1 || cs[0] == m);
    if (!fits) throw a.error(cat("C of shape ", shape_text(cs), " does not broadcast to [", m, ", ", n, "]"));
  }
  return {m, n};
}

Shape matmul(const Attributes& a, const Shape& x, const Shape& w) {
  if (x.empty() || w.empty()) throw a.error("MatMul of a scalar");
  Shape xs = x, ws = w;
  if (xs.size() == 1) xs.insert(xs.begin(), 1);
  if (ws.size() == 1) ws.push_back(1);
  if (xs.back() != ws[ws.size() - 2])
    throw a.error(cat("inner dimensions differ: ", shape_text(x), " and ", shape_text(w)));
  const Shape xb(xs.begin(), xs.end() - 2), wb(ws.begin(), ws.end() - 2);
  Shape y = broadcast(a, xb, wb);
  if (x.size() > 1) y.push_back(xs[xs.size() - 2]);
  if (w.size() > 1) y.push_back(ws.back());
  return y;
}

Shape broadcast(const Attributes& a, const Shape& x, const Shape& y) {
  const std::size_t r = std::max(x.size(), y.size());
  Shape out(r);
  for (std::size_t i = 0; i < r; ++i) {
    const int64_t dx = i < r - x.size() ? 1 : x[i - (r - x.size())];
    const int64_t dy = i < r - y.size() ? 1 : y[i - (r - y.size())];
    if (dx != dy && dx != 1 && dy != 1)
      throw a.error(cat("shapes ", shape_text(x), " and ", shape_text(y), " do not broadcast"));
    out[i] = dx == 1 ? dy : dx;
  }
  return out;
}

Shape flatten(const Attributes& a, const Shape& x) {
  const auto r = static_cast<int64_t>(x.size());
  int64_t axis = a.get_int("axis", 1);
  if (axis < -r || axis > r) throw a.error(cat("axis ", axis, " is out of range for rank ", r));
  if (axis < 0) axis += r;
  const auto mid = x.begin() + axis;
  return {std::accumulate(x.begin(), mid, int64_t{1}, std::multiplies<>()),
          std::accumulate(mid, x.end(), int64_t{1}, std::multiplies<>())};
}

Shape reshape(const Attributes& a, const Shape& x, const Constant& target) {
  if (target.is_float() || target.shape.size() != 1) throw a.error("the shape must be a 1-D integer tensor");
  if (target.numel() > kMaxRank) throw a.error(cat("a shape of ", target.numel(), " dimensions"));
  const bool allow_zero = a.get_int("allowzero", 0) != 0;
  const int64_t numel = std::accumulate(x.begin(), x.end(), int64_t{1}, std::multiplies<>());
  Shape y(target.i.begin(), target.i.end());
  int64_t known = 1;
  int unknown = -1;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] == 0 && !allow_zero) {
      if (i >= x.size()) throw a.error(cat("shape ", shape_text(target.i), ": a 0 past the input's rank"));
      y[i] = x[i];
    }
    if (y[i] == -1) {
      if (unknown >= 0) throw a.error(cat("shape ", shape_text(target.i), " has two -1"));
      unknown = static_cast<int>(i);
      continue;
    }
    if (y[i] < 0 || y[i] > kMaxExtent) throw a.error(cat("shape ", shape_text(target.i), " is invalid"));
    // known <= 2^31 before each step (else it already exceeds any numel): no overflow.
    known *= y[i];
    if (known > kMaxExtent)
      throw a.error(
          cat("cannot reshape ", shape_text(x), " (", numel, " elements) to ", shape_text(target.i)));
  }
  if (unknown >= 0) {
    if (known == 0 || numel % known != 0)
      throw a.error(cat("cannot reshape ", shape_text(x), " to ", shape_text(target.i)));
    y[static_cast<std::size_t>(unknown)] = numel / known;
  } else if (known != numel) {
    throw a.error(cat("cannot reshape ", shape_text(x), " (", numel, " elements) to ", shape_text(y)));
  }
  return y;
}

Shape squeeze(const Attributes& a, const Shape& x, const std::optional<Constant>& axes) {
  const auto r = static_cast<int64_t>(x.size());
  std::vector<bool> drop(x.size(), false);
  if (!axes) {
    for (std::size_t i = 0; i < x.size(); ++i) drop[i] = x[i] == 1;
  } else {
    for (int64_t k = 0; k < axes->numel(); ++k) {
      const auto i = static_cast<std::size_t>(normalize_axis(a, axes->as_int(k), r, "axis"));
      if (x[i] != 1) throw a.error(cat("cannot squeeze dimension ", i, " of ", shape_text(x)));
      drop[i] = true;
    }
  }
  Shape y;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!drop[i]) y.push_back(x[i]);
  return y;
}

Shape unsqueeze(const Attributes& a, const Shape& x, const Constant& axes) {
  const int64_t r = static_cast<int64_t>(x.size()) + axes.numel();
  if (r > kMaxRank) throw a.error(cat("a result of rank ", r));
  std::vector<bool> added(static_cast<std::size_t>(r), false);
  for (int64_t k = 0; k < axes.numel(); ++k) {
    const auto i = static_cast<std::size_t>(normalize_axis(a, axes.as_int(k), r, "axis"));
    if (added[i]) throw a.error(cat("axis ", i, " given twice"));
    added[i] = true;
  }
  Shape y;
  auto next = x.begin();
  for (std::size_t i = 0; i < added.size(); ++i) y.push_back(added[i] ? 1 : *next++);
  return y;
}

Shape transpose(const Attributes& a, const Shape& x, TransposeAttrs& out) {
  const auto perm = a.get_ints("perm");
  if (perm) {
    out.perm = *perm;
  } else {
    out.perm.resize(x.size());
    std::iota(out.perm.rbegin(), out.perm.rend(), 0);
  }
  Shape sorted = out.perm;
  std::sort(sorted.begin(), sorted.end());
  Shape identity(x.size());
  std::iota(identity.begin(), identity.end(), 0);
  if (sorted != identity)
    throw a.error(cat("perm ", shape_text(out.perm), " is not a permutation of ", x.size()));
  Shape y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[static_cast<std::size_t>(out.perm[i])];
  return y;
}

Shape concat(const Attributes& a, const std::vector<Shape>& xs, ConcatAttrs& out) {
  if (xs.empty()) throw a.error("no inputs");
  if (!a.has("axis")) throw a.error("attribute 'axis' is required");
  const auto r = static_cast<int64_t>(xs[0].size());
  out.axis = normalize_axis(a, a.get_int("axis", 0), r, "axis");
  Shape y = xs[0];
  const auto ax = static_cast<std::size_t>(out.axis);
  for (std::size_t k = 1; k < xs.size(); ++k) {
    if (xs[k].size() != xs[0].size()) throw a.error("inputs of different ranks");
    for (std::size_t i = 0; i < y.size(); ++i)
      if (i != ax && xs[k][i] != y[i])
        throw a.error(cat("shapes ", shape_text(xs[0]), " and ", shape_text(xs[k]), " differ off the axis"));
    y[ax] += xs[k][ax];
    if (y[ax] > kMaxExtent) throw a.error("the result is too large");
  }
  return y;
}

Shape pad(const Attributes& a, const Shape& x, const Constant& pads, PadAttrs& out) {
  const std::string mode = a.get_string("mode", "constant");
  if (mode != "constant") throw a.error(cat("mode ", quoted(mode), " is not supported (only 'constant')"));
  if (pads.numel() != 2 * static_cast<int64_t>(x.size()))
    throw a.error(cat(pads.numel(), " pads for an input of rank ", x.size()));
  Shape y = x;
  out.begin.resize(x.size());
  out.end.resize(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    out.begin[i] = pads.as_int(static_cast<int64_t>(i));
    out.end[i] = pads.as_int(static_cast<int64_t>(i + x.size()));
    if (out.begin[i] < 0 || out.end[i] < 0 || out.begin[i] > kMaxExtent || out.end[i] > kMaxExtent)
      throw a.error(cat("pads ", shape_text(pads.i), ": negative pads (cropping) are not supported"));
    y[i] += out.begin[i] + out.end[i];
  }
  return y;
}

}  // namespace gauntlet::onnx_model::rules
