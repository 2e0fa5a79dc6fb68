// Linear least squares with a bias, solved in double through the normal equations:
//   (Xc^T Xc + lambda I) W = Xc^T Yc,  b = mean(y) - mean(x)^T W
// with Xc, Yc the centred data (centring keeps the bias out of the ridge term and makes the
// Gram matrix far better conditioned), lambda = ridge * mean(diag(Xc^T Xc)), solved by Cholesky.
// Regression fits the targets directly; classification fits one-vs-all to one-hot targets and
// the prediction is the argmax of the outputs (which are the logits); binary classification
// (one output, 0/1 labels) fits the label itself: a linear probability model. Plain C++ over
// the SDK.
//
// plugin_config: ridge (relative ridge strength, default 1e-4); probability (true: clip each
// output to [0.001, 0.999], for a challenge whose output is a probability).
#include <gauntlet/sdk.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace sdk = gauntlet::sdk;

namespace {

// G[i][j] += sum_k A[k][i] * A[k][j] for j >= i (upper triangle), A: rows x n, row-major.
// Four rows of G per pass so that each A element loaded feeds four multiply-adds.
void gram_update(const double* a, int64_t rows, int64_t n, double* g) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    double* __restrict g0 = g + i * n;
    double* __restrict g1 = g0 + n;
    double* __restrict g2 = g1 + n;
    double* __restrict g3 = g2 + n;
    for (int64_t k = 0; k < rows; ++k) {
      const double* __restrict r = a + k * n;
      const double a0 = r[i], a1 = r[i + 1], a2 = r[i + 2], a3 = r[i + 3];
      for (int64_t j = i; j < n; ++j) {
        const double v = r[j];
        g0[j] += a0 * v;
        g1[j] += a1 * v;
        g2[j] += a2 * v;
        g3[j] += a3 * v;
      }
    }
  }
  for (; i < n; ++i) {
    double* __restrict gi = g + i * n;
    for (int64_t k = 0; k < rows; ++k) {
      const double* __restrict r = a + k * n;
      const double ai = r[i];
      for (int64_t j = i; j < n; ++j) gi[j] += ai * r[j];
    }
  }
}

// In-place Cholesky of the symmetric positive definite n x n matrix m (lower triangle used and
// overwritten with L). Returns false when m is not positive definite.
bool cholesky(std::vector<double>& m, int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    double* mj = &m[static_cast<size_t>(j * n)];
    double d = mj[j];
    for (int64_t k = 0; k < j; ++k) d -= mj[k] * mj[k];
    if (!(d > 0.0)) return false;
    d = std::sqrt(d);
    mj[j] = d;
    for (int64_t i = j + 1; i < n; ++i) {
      double* mi = &m[static_cast<size_t>(i * n)];
      double s = mi[j];
      for (int64_t k = 0; k < j; ++k) s -= mi[k] * mj[k];
      mi[j] = s / d;
    }
  }
  return true;
}

// Solves L L^T x = b in place (b: n values).
void cholesky_solve(const std::vector<double>& l, int64_t n, double* b) {
  for (int64_t i = 0; i < n; ++i) {
    double s = b[i];
    for (int64_t k = 0; k < i; ++k) s -= l[static_cast<size_t>(i * n + k)] * b[k];
    b[i] = s / l[static_cast<size_t>(i * n + i)];
  }
  for (int64_t i = n - 1; i >= 0; --i) {
    double s = b[i];
    for (int64_t k = i + 1; k < n; ++k) s -= l[static_cast<size_t>(k * n + i)] * b[k];
    b[i] = s / l[static_cast<size_t>(i * n + i)];
  }
}

class LeastSquares : public sdk::Plugin {
 public:
  explicit LeastSquares(const sdk::CreateContext& ctx)
      : Plugin(ctx),
        ridge_(ctx.config.get<double>("ridge", 1e-4)),
        probability_(ctx.config.get<bool>("probability", false)) {
    if (!(ridge_ >= 0.0)) throw sdk::Error::invalid_argument("plugin_config 'ridge' must be >= 0");
  }

  void prepare(const sdk::PrepareContext& ctx) override {
    if (ctx.inputs().size() != 1 || ctx.outputs().size() != 1)
      throw sdk::Error::unsupported("least-squares needs exactly one input and one output");
    ctx.inputs()[0].expect<float>();
    ctx.outputs()[0].expect<float>();
    dim_ = ctx.inputs()[0].sample_numel();
    outs_ = ctx.outputs()[0].sample_numel();
    sample_.resize(static_cast<size_t>(dim_));
    row_.resize(static_cast<size_t>(outs_));
  }

  void train(const sdk::TrainData& data) override {
    if (data.inputs().size() != 1 || data.targets().size() != 1)
      throw sdk::Error::unsupported("least-squares needs one input and one target tensor");
    const sdk::TensorView x = data.input(), y = data.target();
    x.expect<float>();
    const int64_t n = x.batch();
    const bool classification = y.is<int32_t>();
    if (!classification) y.expect<float>();
    if (x.sample_numel() != dim_ || y.batch() != n || n < 2)
      throw sdk::Error::invalid_argument("training inputs and targets do not match the prepared interface");
    if (!classification && y.sample_numel() != outs_)
      throw sdk::Error::invalid_argument(
          sdk::str("targets have ", y.sample_numel(), " values per sample, the output ", outs_));
    log(sdk::LogLevel::info,
        sdk::str("least-squares: ", classification ? "one-vs-all classification" : "regression", " on ", n,
                 " samples of ", dim_, " features"));

    // Targets as doubles [n, outs]: one-hot labels or the values themselves.
    std::vector<double> t(static_cast<size_t>(n * outs_), 0.0);
    std::vector<float> tv(static_cast<size_t>(outs_));
    for (int64_t i = 0; i < n; ++i) {
      if (classification) {
        const int32_t label = *y.sample<int32_t>(i);
        if (outs_ == 1 && (label == 0 || label == 1)) {  // binary: the label is the target
          t[static_cast<size_t>(i)] = label;
          continue;
        }
        if (label < 0 || label >= outs_)
          throw sdk::Error::invalid_argument(
              sdk::str("label ", label, " of sample ", i, " is outside [0, ", outs_, ")"));
        t[static_cast<size_t>(i * outs_ + label)] = 1.0;
      } else {
        y.copy_sample_to(i, tv.data());
        for (int64_t c = 0; c < outs_; ++c)
          t[static_cast<size_t>(i * outs_ + c)] = tv[static_cast<size_t>(c)];
      }
    }

    // Means of features and targets.
    std::vector<double> mx(static_cast<size_t>(dim_), 0.0), my(static_cast<size_t>(outs_), 0.0);
    for (int64_t i = 0; i < n; ++i) {
      x.copy_sample_to(i, sample_.data());
      for (int64_t d = 0; d < dim_; ++d) mx[static_cast<size_t>(d)] += sample_[static_cast<size_t>(d)];
      for (int64_t c = 0; c < outs_; ++c) my[static_cast<size_t>(c)] += t[static_cast<size_t>(i * outs_ + c)];
    }
    for (double& v : mx) v /= static_cast<double>(n);
    for (double& v : my) v /= static_cast<double>(n);

    // G = Xc^T Xc (upper triangle) and R = Yc^T Xc ([outs, dim]), a block of centred rows at a time.
    const int64_t block = 64;
    std::vector<double> g(static_cast<size_t>(dim_ * dim_), 0.0), r(static_cast<size_t>(dim_ * outs_), 0.0);
    std::vector<double> a(static_cast<size_t>(block * dim_));
    for (int64_t start = 0; start < n; start += block) {
      if (should_cancel())
        throw sdk::Error::cancelled("least-squares stopped before the solution was complete");
      const int64_t rows = std::min(block, n - start);
      for (int64_t k = 0; k < rows; ++k) {
        x.copy_sample_to(start + k, sample_.data());
        double* ak = &a[static_cast<size_t>(k * dim_)];
        for (int64_t d = 0; d < dim_; ++d)
          ak[d] = sample_[static_cast<size_t>(d)] - mx[static_cast<size_t>(d)];
        for (int64_t c = 0; c < outs_; ++c) {
          const double yc = t[static_cast<size_t>((start + k) * outs_ + c)] - my[static_cast<size_t>(c)];
          double* rc = &r[static_cast<size_t>(c * dim_)];
          for (int64_t d = 0; d < dim_; ++d) rc[d] += ak[d] * yc;
        }
      }
      gram_update(a.data(), rows, dim_, g.data());
    }

    // Mirror to the lower triangle and add the ridge; raise it when rounding defeats Cholesky.
    double trace = 0.0;
    for (int64_t i = 0; i < dim_; ++i) {
      trace += g[static_cast<size_t>(i * dim_ + i)];
      for (int64_t j = 0; j < i; ++j)
        g[static_cast<size_t>(i * dim_ + j)] = g[static_cast<size_t>(j * dim_ + i)];
    }
    const double scale = trace > 0.0 ? trace / static_cast<double>(dim_) : 1.0;
    double lambda = std::max(ridge_, 1e-12) * scale;
    std::vector<double> l;
    for (int attempt = 0;; ++attempt) {
      l = g;
      for (int64_t i = 0; i < dim_; ++i) l[static_cast<size_t>(i * dim_ + i)] += lambda;
      if (cholesky(l, dim_)) break;
      if (attempt == 8)
        throw sdk::Error("least-squares: the normal equations stay singular even with a large ridge");
      lambda *= 100.0;
    }

    // Solve for each output column; keep W transposed ([outs, dim]) for contiguous dot products.
    w_.assign(static_cast<size_t>(outs_ * dim_), 0.0);
    b_.assign(static_cast<size_t>(outs_), 0.0);
    std::vector<double> col(static_cast<size_t>(dim_));
    for (int64_t c = 0; c < outs_; ++c) {
      for (int64_t d = 0; d < dim_; ++d) col[static_cast<size_t>(d)] = r[static_cast<size_t>(c * dim_ + d)];
      cholesky_solve(l, dim_, col.data());
      double bias = my[static_cast<size_t>(c)];
      for (int64_t d = 0; d < dim_; ++d) {
        w_[static_cast<size_t>(c * dim_ + d)] = col[static_cast<size_t>(d)];
        bias -= mx[static_cast<size_t>(d)] * col[static_cast<size_t>(d)];
      }
      b_[static_cast<size_t>(c)] = bias;
    }
  }

  void infer(sdk::InputBatch in, sdk::OutputBatch out) override {
    if (w_.empty()) throw sdk::Error::unsupported("least-squares must be trained before infer()");
    const sdk::TensorView x = in[0];
    const sdk::MutableTensorView y = out[0];
    const bool direct_in = x.is_sample_contiguous(), direct_out = y.is_sample_contiguous();
    for (int64_t i = 0; i < in.batch_size(); ++i) {
      const float* s = direct_in ? x.sample<float>(i) : sample_.data();
      if (!direct_in) x.copy_sample_to(i, sample_.data());
      float* o = direct_out ? y.sample<float>(i) : row_.data();
      for (int64_t c = 0; c < outs_; ++c) {
        const double* w = &w_[static_cast<size_t>(c * dim_)];
        double acc = b_[static_cast<size_t>(c)];
        for (int64_t d = 0; d < dim_; ++d) acc += w[d] * s[d];
        o[c] = static_cast<float>(probability_ ? std::clamp(acc, 1e-3, 1 - 1e-3) : acc);
      }
      if (!direct_out) y.copy_sample_from(i, row_.data());
    }
  }

 private:
  double ridge_;
  bool probability_;
  int64_t dim_ = 0, outs_ = 0;
  std::vector<double> w_, b_;        // [outs, dim] and [outs]
  std::vector<float> sample_, row_;  // scratch for strided tensors, sized in prepare()
};

}  // namespace

GAUNTLET_PLUGIN(LeastSquares, "least-squares", "Team Normal Equations", "1.0",
                "Linear least squares (ridge-stabilised normal equations, Cholesky), one-vs-all for classes")
