// Two-layer perceptron (input -> hidden ReLU -> output), trained and run with oneDNN
// primitives: inner_product forward / backward-data / backward-weights, eltwise ReLU forward
// and backward, softmax. Mini-batch SGD with momentum, cosine learning-rate decay, seeded
// initialisation and shuffling.
//
// Task, from the training targets: int32 labels -> classification with softmax cross-entropy
// (the outputs are logits); float32 values -> regression with mean squared error on the same
// network (features and targets are standardised for training and the scaling is folded back
// into the weights, so inference costs the same).
//
// plugin_config: epochs (8 for classification, 40 for regression), learning_rate (0.05),
// hidden (256), batch_size (64), momentum (0.9), weight_decay (0), standardize (true for
// regression, false for classification);
//   weights: a file in the asset folder (gauntlet judge --assets) holding a trained model:
//            loaded in prepare(), and train() then keeps it (judging without training);
//   save_weights: a path where train() writes the model (only outside the sandbox, whose
//            files vanish with it: e.g. the benchmark suite, which runs plugins in-process);
//   engine: dnnl (default) or loops: inference with plain C++ loops over the same weights, the
//            baseline oneDNN is measured against (docs/performance.md).
#include <gauntlet/sdk.hpp>
#include <gauntlet/sdk_dnnl.hpp>

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace sdk = gauntlet::sdk;

namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;
using dims = dnnl::memory::dims;

constexpr double kPi = 3.14159265358979323846;

dnnl::memory::desc compact_desc(const dims& d) {
  dims strides(d.size(), 1);
  for (size_t i = d.size() - 1; i > 0; --i) strides[i - 1] = strides[i] * d[i];
  return dnnl::memory::desc(d, dt::f32, strides);
}

dims with_batch(int64_t batch, const dims& sample) {
  dims d{batch};
  d.insert(d.end(), sample.begin(), sample.end());
  return d;
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Parameters and their momentum, one flat buffer per tensor.
struct Param {
  std::vector<float> value, grad, velocity;
  void resize(size_t n) {
    value.assign(n, 0.0f);
    grad.assign(n, 0.0f);
    velocity.assign(n, 0.0f);
  }
  // SGD with momentum; weight decay applies to weights, not biases.
  void step(float lr, float momentum, float decay) {
    float* __restrict w = value.data();
    float* __restrict v = velocity.data();
    const float* __restrict g = grad.data();
    const size_t n = value.size();
    for (size_t i = 0; i < n; ++i) {
      v[i] = momentum * v[i] + g[i] + decay * w[i];
      w[i] -= lr * v[i];
    }
  }
};

class DnnlMlp : public sdk::Plugin {
 public:
  explicit DnnlMlp(const sdk::CreateContext& ctx)
      : Plugin(ctx),
        engine_(dnnl::engine::kind::cpu, 0),
        stream_(engine_),
        hidden_(config().get<int64_t>("hidden", 256)),
        batch_(config().get<int64_t>("batch_size", 64)),
        lr_(config().get<double>("learning_rate", 0.05)),
        momentum_(config().get<double>("momentum", 0.9)),
        weight_decay_(config().get<double>("weight_decay", 0.0)) {
    // oneDNN runs on OpenMP here: this bounds its threads to the budget, for every later call
    // on the plugin thread.
    omp_set_num_threads(static_cast<int>(num_threads()));
    if (config().has("epochs")) epochs_ = config().get<int>("epochs");
    if (config().has("standardize")) standardize_ = config().get<bool>("standardize");
    const std::string engine = config().get<std::string>("engine", "dnnl");
    if (engine != "dnnl" && engine != "loops")
      throw sdk::Error::invalid_argument("plugin_config 'engine': expected dnnl or loops, got '" + engine +
                                         "'");
    loops_ = engine == "loops";
    if (hidden_ < 1 || batch_ < 1 || !(lr_ > 0.0) || momentum_ < 0.0 || momentum_ >= 1.0 ||
        weight_decay_ < 0.0 || (epochs_ && *epochs_ < 0))
      throw sdk::Error::invalid_argument(
          "plugin_config: need hidden >= 1, batch_size >= 1, learning_rate > 0, 0 <= momentum < 1, "
          "weight_decay >= 0, epochs >= 0");
  }

  void prepare(const sdk::PrepareContext& ctx) override {
    if (ctx.inputs().size() != 1 || ctx.outputs().size() != 1)
      throw sdk::Error::unsupported("dnnl-mlp needs exactly one input and one output");
    const sdk::TensorSpecView in = ctx.inputs()[0], out = ctx.outputs()[0];
    in.expect<float>();
    out.expect<float>();
    in_shape_ = in.sample_shape();
    if (in_shape_.empty() || in_shape_.size() > 4)
      throw sdk::Error::unsupported("dnnl-mlp needs inputs of 1 to 4 dimensions per sample");
    in_dim_ = in.sample_numel();
    out_dim_ = out.sample_numel();

    // Weights in plain layouts (oneDNN's gemm-based inner product serves them directly), in
    // buffers that never move, wrapped once as dnnl::memory.
    w1_md_ = compact_desc(with_batch(hidden_, in_shape_));
    b1_md_ = compact_desc({hidden_});
    w2_md_ = compact_desc({out_dim_, hidden_});
    b2_md_ = compact_desc({out_dim_});
    w1_.resize(static_cast<size_t>(hidden_ * in_dim_));
    b1_.resize(static_cast<size_t>(hidden_));
    w2_.resize(static_cast<size_t>(out_dim_ * hidden_));
    b2_.resize(static_cast<size_t>(out_dim_));
    w1_mem_ = dnnl::memory(w1_md_, engine_, w1_.value.data());
    b1_mem_ = dnnl::memory(b1_md_, engine_, b1_.value.data());
    w2_mem_ = dnnl::memory(w2_md_, engine_, w2_.value.data());
    b2_mem_ = dnnl::memory(b2_md_, engine_, b2_.value.data());

    // He initialisation for the ReLU layer, Glorot-like for the output layer; seeded.
    std::mt19937_64 rng(seed() ^ 0x9E3779B97F4A7C15ull);
    std::normal_distribution<float> n1(0.0f,
                                       static_cast<float>(std::sqrt(2.0 / static_cast<double>(in_dim_))));
    std::normal_distribution<float> n2(0.0f,
                                       static_cast<float>(std::sqrt(1.0 / static_cast<double>(hidden_))));
    for (float& w : w1_.value) w = n1(rng);
    for (float& w : w2_.value) w = n2(rng);
    if (config().has("weights")) {
      load_weights(config().get<std::string>("weights"));
      trained_ = loaded_ = true;
    }

    // Inference primitives for every batch size the host will use: infer() creates nothing.
    for (int64_t b : ctx.batch_sizes()) nets_.emplace(b, build_infer_net(b));
  }

  void train(const sdk::TrainData& data) override {
    if (loaded_) {
      log(sdk::LogLevel::info, "dnnl-mlp: weights loaded from the asset folder: no training");
      return;
    }
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    if (data.inputs().size() != 1 || data.targets().size() != 1)
      throw sdk::Error::unsupported("dnnl-mlp needs one input and one target tensor");
    const sdk::TensorView x = data.input(), y = data.target();
    x.expect<float>();
    const bool classification = y.is<int32_t>();
    if (!classification) y.expect<float>();
    const int64_t n = x.batch();
    if (x.sample_numel() != in_dim_ || y.batch() != n || n < 1)
      throw sdk::Error::invalid_argument("training inputs and targets do not match the prepared interface");
    if (classification && out_dim_ < 2)
      throw sdk::Error::unsupported("classification needs an output of at least two scores per sample");
    if (!classification && y.sample_numel() != out_dim_)
      throw sdk::Error::invalid_argument(
          sdk::str("targets have ", y.sample_numel(), " values per sample, the output ", out_dim_));
    const int epochs = epochs_.value_or(classification ? 8 : 40);
    const bool standardize = standardize_.value_or(!classification);
    const int64_t bsz = std::min(batch_, n);
    const int64_t steps_per_epoch = n / bsz;  // the remainder is left out of each (reshuffled) epoch
    const int64_t total_steps = std::max<int64_t>(1, steps_per_epoch * epochs);
    // Stop early, keeping what was learned, before the host's limit: 10% margin for the rest.
    const double budget = data.time_limit_seconds() > 0 ? 0.9 * data.time_limit_seconds() : 0.0;

    // Labels / targets of the whole split, copied once (shared memory, strided in general).
    std::vector<int32_t> labels;
    std::vector<float> targets;
    if (classification) {
      labels = y.to_vector<int32_t>();
      for (int64_t i = 0; i < n; ++i)
        if (labels[static_cast<size_t>(i)] < 0 || labels[static_cast<size_t>(i)] >= out_dim_)
          throw sdk::Error::invalid_argument(sdk::str("label ", labels[static_cast<size_t>(i)], " of sample ",
                                                      i, " is outside [0, ", out_dim_, ")"));
    } else {
      targets = y.to_vector<float>();
    }

    // Standardisation statistics (regression by default), folded into the weights afterwards.
    std::vector<float> x_mean(static_cast<size_t>(in_dim_), 0.0f), x_inv(static_cast<size_t>(in_dim_), 1.0f);
    std::vector<float> y_mean(static_cast<size_t>(out_dim_), 0.0f),
        y_std(static_cast<size_t>(out_dim_), 1.0f);
    if (standardize) feature_stats(x, x_mean, x_inv);
    if (!classification) target_stats(targets, n, y_mean, y_std);

    TrainNet net = build_train_net(bsz);
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed() ^ 0xD1B54A32D192ED03ull);
    const float momentum = static_cast<float>(momentum_), decay = static_cast<float>(weight_decay_);
    const int64_t warmup = std::min<int64_t>(100, total_steps / 10);

    int64_t step = 0;
    bool stopped = false;
    for (int epoch = 0; epoch < epochs && !stopped; ++epoch) {
      std::shuffle(order.begin(), order.end(), rng);
      double loss_sum = 0.0;
      int64_t correct = 0, seen = 0;
      for (int64_t s = 0; s < steps_per_epoch; ++s, ++step) {
        if (should_cancel() ||
            (budget > 0 && std::chrono::duration<double>(clock::now() - start).count() > budget)) {
          stopped = true;
          break;
        }
        // Gather the mini-batch into the compact buffer the primitives were built for.
        const int64_t* idx = &order[static_cast<size_t>(s * bsz)];
        for (int64_t k = 0; k < bsz; ++k) {
          float* dst = &net.x[static_cast<size_t>(k * in_dim_)];
          x.copy_sample_to(idx[k], dst);
          if (standardize)
            for (int64_t d = 0; d < in_dim_; ++d)
              dst[d] = (dst[d] - x_mean[static_cast<size_t>(d)]) * x_inv[static_cast<size_t>(d)];
        }
        forward(net);
        loss_sum += classification ? softmax_xent_grad(net, labels, idx, bsz, correct)
                                   : mse_grad(net, targets, idx, bsz, y_mean, y_std);
        seen += bsz;
        backward(net);
        // Linear warm-up, then cosine decay to zero over the planned steps.
        double lr =
            lr_ * 0.5 * (1.0 + std::cos(kPi * static_cast<double>(step) / static_cast<double>(total_steps)));
        if (step < warmup) lr *= static_cast<double>(step + 1) / static_cast<double>(warmup);
        const float flr = static_cast<float>(lr);
        w1_.step(flr, momentum, decay);
        b1_.step(flr, momentum, 0.0f);
        w2_.step(flr, momentum, decay);
        b2_.step(flr, momentum, 0.0f);
      }
      if (seen > 0) {
        const double secs = std::chrono::duration<double>(clock::now() - start).count();
        std::string line = sdk::str("epoch ", epoch + 1, "/", epochs, ": loss ",
                                    fixed(loss_sum / static_cast<double>(seen), 4));
        if (classification)
          line.append(", train accuracy ")
              .append(fixed(static_cast<double>(correct) / static_cast<double>(seen), 4));
        log(sdk::LogLevel::info, sdk::str(line, " (", fixed(secs, 1), " s)"));
      }
    }
    if (stopped)
      log(sdk::LogLevel::warning, sdk::str("training stopped early after ", step, " of ", total_steps,
                                           " steps (time limit); keeping the model"));
    fold_standardization(standardize, x_mean, x_inv, classification, y_mean, y_std);
    trained_ = true;
    if (config().has("save_weights")) save_weights(config().get<std::string>("save_weights"));
  }

  void infer(sdk::InputBatch in, sdk::OutputBatch out) override {
    if (!trained_ && !warned_untrained_) {
      log(sdk::LogLevel::warning, "dnnl-mlp: infer() without training uses random weights");
      warned_untrained_ = true;
    }
    auto it = nets_.find(in.batch_size());
    if (it == nets_.end()) {
      // Not announced in prepare(): correct but slow (primitive creation is timed here).
      log(sdk::LogLevel::warning, sdk::str("dnnl-mlp: batch size ", in.batch_size(), " was not prepared"));
      it = nets_.emplace(in.batch_size(), build_infer_net(in.batch_size())).first;
    }
    InferNet& net = it->second;
    if (loops_) return infer_loops(in[0], out[0], net);

    // Zero copy: the primitives read the host's input and write the host's output in place,
    // unless a layout differs from the compact one the primitives were built for.
    dnnl::memory src = sdk::as_dnnl_memory(in[0], engine_);
    if (src.get_desc() != net.src_md) {
      dnnl::reorder(src, net.src_copy).execute(stream_, src, net.src_copy);
      src = net.src_copy;
    }
    const sdk::MutableTensorView y = out[0];
    dnnl::memory dst;
    if (y.ndim() == 2)
      dst = sdk::as_dnnl_memory(y, engine_);
    else if (y.is_contiguous())  // [batch, ...] outputs: the primitive writes them as [batch, n]
      dst = dnnl::memory(net.dst_md, engine_, y.mutable_bytes());
    else
      throw sdk::Error::unsupported("dnnl-mlp: strided outputs of more than two dimensions");
    const bool direct = dst.get_desc() == net.dst_md;
    net.ip1.execute(stream_, {{DNNL_ARG_SRC, src},
                              {DNNL_ARG_WEIGHTS, w1_mem_},
                              {DNNL_ARG_BIAS, b1_mem_},
                              {DNNL_ARG_DST, net.hidden}});
    net.ip2.execute(stream_, {{DNNL_ARG_SRC, net.hidden},
                              {DNNL_ARG_WEIGHTS, w2_mem_},
                              {DNNL_ARG_BIAS, b2_mem_},
                              {DNNL_ARG_DST, direct ? dst : net.dst_copy}});
    if (!direct) dnnl::reorder(net.dst_copy, dst).execute(stream_, net.dst_copy, dst);
    stream_.wait();
  }

 private:
  struct InferNet {
    dnnl::memory::desc src_md, dst_md;
    dnnl::inner_product_forward ip1, ip2;  // ip1 has ReLU fused as a post-op
    dnnl::memory hidden, src_copy, dst_copy;
    std::vector<float> loops_sample, loops_hidden;  // engine: loops
  };

  struct TrainNet {
    int64_t batch = 0;
    std::vector<float> x, h_pre, h, z, p, dz, dh, dh_pre;
    dnnl::memory x_m, h_pre_m, h_m, z_m, p_m, dz_m, dh_m, dh_pre_m, dw1_m, db1_m, dw2_m, db2_m;
    dnnl::inner_product_forward ip1, ip2;
    dnnl::eltwise_forward relu;
    dnnl::eltwise_backward relu_bwd;
    dnnl::softmax_forward softmax;
    dnnl::inner_product_backward_weights ip1_bwd_w, ip2_bwd_w;
    dnnl::inner_product_backward_data ip2_bwd_d;
  };

  // The same model with plain loops, one sample at a time: no blocking, no SIMD beyond what
  // the compiler finds (it may not reorder the float sums).
  void infer_loops(const sdk::TensorView& x, const sdk::MutableTensorView& y, InferNet& net) {
    if (!y.is_contiguous()) throw sdk::Error::unsupported("dnnl-mlp (loops): strided outputs");
    std::vector<float>& sample = net.loops_sample;
    std::vector<float>& hidden = net.loops_hidden;
    sample.resize(static_cast<size_t>(in_dim_));
    hidden.resize(static_cast<size_t>(hidden_));
    float* out = y.data<float>();
    for (int64_t b = 0; b < x.batch(); ++b) {
      x.copy_sample_to(b, sample.data());
      for (int64_t h = 0; h < hidden_; ++h) {
        const float* w = &w1_.value[static_cast<size_t>(h * in_dim_)];
        float acc = b1_.value[static_cast<size_t>(h)];
        for (int64_t d = 0; d < in_dim_; ++d) acc += w[d] * sample[static_cast<size_t>(d)];
        hidden[static_cast<size_t>(h)] = acc > 0.0f ? acc : 0.0f;
      }
      for (int64_t c = 0; c < out_dim_; ++c) {
        const float* w = &w2_.value[static_cast<size_t>(c * hidden_)];
        float acc = b2_.value[static_cast<size_t>(c)];
        for (int64_t h = 0; h < hidden_; ++h) acc += w[h] * hidden[static_cast<size_t>(h)];
        out[b * out_dim_ + c] = acc;
      }
    }
  }

  // The model file: a header (magic, in_dim, hidden, out_dim as int64) then W1, b1, W2, b2 as
  // f32 in this machine's byte order.
  static constexpr char kMagic[8] = {'G', 'M', 'L', 'P', '1', 0, 0, 0};

  void save_weights(const std::string& path) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    const int64_t header[3] = {in_dim_, hidden_, out_dim_};
    f.write(kMagic, sizeof kMagic);
    f.write(reinterpret_cast<const char*>(header), sizeof header);
    for (const Param* p : {&w1_, &b1_, &w2_, &b2_})
      f.write(reinterpret_cast<const char*>(p->value.data()),
              static_cast<std::streamsize>(p->value.size() * sizeof(float)));
    f.close();
    if (!f) throw sdk::Error(sdk::str("dnnl-mlp: cannot write the weights to ", path));
    log(sdk::LogLevel::info, sdk::str("dnnl-mlp: weights written to ", path));
  }

  void load_weights(const std::string& name) {
    if (asset_dir().empty() && (name.empty() || name[0] != '/'))
      throw sdk::Error::invalid_argument(
          "plugin_config 'weights': no asset folder (gauntlet judge --assets)");
    const std::string path = name[0] == '/' ? name : asset_dir() + "/" + name;
    std::ifstream f(path, std::ios::binary);
    char magic[sizeof kMagic] = {};
    int64_t d[3] = {};
    f.read(magic, sizeof magic);
    f.read(reinterpret_cast<char*>(d), sizeof d);
    if (!f || !std::equal(magic, magic + sizeof magic, kMagic))
      throw sdk::Error::invalid_argument(sdk::str("dnnl-mlp: ", path, " is not a dnnl-mlp weights file"));
    if (d[0] != in_dim_ || d[1] != hidden_ || d[2] != out_dim_)
      throw sdk::Error::invalid_argument(sdk::str("dnnl-mlp: ", path, " holds a ", d[0], "-", d[1], "-", d[2],
                                                  " model, the interface needs ", in_dim_, "-", hidden_, "-",
                                                  out_dim_));
    for (Param* p : {&w1_, &b1_, &w2_, &b2_})
      f.read(reinterpret_cast<char*>(p->value.data()),
             static_cast<std::streamsize>(p->value.size() * sizeof(float)));
    if (!f || f.peek() != std::char_traits<char>::eof())
      throw sdk::Error::invalid_argument(sdk::str("dnnl-mlp: ", path, " has the wrong size"));
  }

  InferNet build_infer_net(int64_t b) {
    using namespace dnnl;
    InferNet net;
    net.src_md = compact_desc(with_batch(b, in_shape_));
    const memory::desc h_md = compact_desc({b, hidden_}), z_md = compact_desc({b, out_dim_});
    post_ops relu;
    relu.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
    primitive_attr attr;
    attr.set_post_ops(relu);
    auto ip1_pd = inner_product_forward::primitive_desc(
        {prop_kind::forward_inference, net.src_md, w1_md_, b1_md_, h_md}, attr, engine_);
    auto ip2_pd = inner_product_forward::primitive_desc(
        {prop_kind::forward_inference, h_md, w2_md_, b2_md_, z_md}, engine_);
    net.ip1 = inner_product_forward(ip1_pd);
    net.ip2 = inner_product_forward(ip2_pd);
    net.hidden = memory(h_md, engine_);
    net.src_copy = memory(net.src_md, engine_);
    net.dst_md = z_md;
    net.dst_copy = memory(z_md, engine_);
    return net;
  }

  TrainNet build_train_net(int64_t b) {
    using namespace dnnl;
    TrainNet t;
    t.batch = b;
    const memory::desc x_md = compact_desc(with_batch(b, in_shape_));
    const memory::desc h_md = compact_desc({b, hidden_}), z_md = compact_desc({b, out_dim_});
    auto buffer = [&](std::vector<float>& v, const memory::desc& md) {
      v.assign(md.get_size() / sizeof(float), 0.0f);
      return memory(md, engine_, v.data());
    };
    t.x_m = buffer(t.x, x_md);
    t.h_pre_m = buffer(t.h_pre, h_md);
    t.h_m = buffer(t.h, h_md);
    t.z_m = buffer(t.z, z_md);
    t.p_m = buffer(t.p, z_md);
    t.dz_m = buffer(t.dz, z_md);
    t.dh_m = buffer(t.dh, h_md);
    t.dh_pre_m = buffer(t.dh_pre, h_md);
    t.dw1_m = memory(w1_md_, engine_, w1_.grad.data());
    t.db1_m = memory(b1_md_, engine_, b1_.grad.data());
    t.dw2_m = memory(w2_md_, engine_, w2_.grad.data());
    t.db2_m = memory(b2_md_, engine_, b2_.grad.data());

    auto ip1_pd = inner_product_forward::primitive_desc(
        {prop_kind::forward_training, x_md, w1_md_, b1_md_, h_md}, engine_);
    auto relu_pd = eltwise_forward::primitive_desc(
        {prop_kind::forward_training, algorithm::eltwise_relu, h_md, 0.0f, 0.0f}, engine_);
    auto ip2_pd = inner_product_forward::primitive_desc(
        {prop_kind::forward_training, h_md, w2_md_, b2_md_, z_md}, engine_);
    auto softmax_pd = softmax_forward::primitive_desc({prop_kind::forward_training, z_md, 1}, engine_);
    auto ip2_bwd_w_pd =
        inner_product_backward_weights::primitive_desc({h_md, w2_md_, b2_md_, z_md}, engine_, ip2_pd);
    auto ip2_bwd_d_pd = inner_product_backward_data::primitive_desc({h_md, w2_md_, z_md}, engine_, ip2_pd);
    auto relu_bwd_pd =
        eltwise_backward::primitive_desc({algorithm::eltwise_relu, h_md, h_md, 0.0f, 0.0f}, engine_, relu_pd);
    auto ip1_bwd_w_pd =
        inner_product_backward_weights::primitive_desc({x_md, w1_md_, b1_md_, h_md}, engine_, ip1_pd);
    t.ip1 = inner_product_forward(ip1_pd);
    t.relu = eltwise_forward(relu_pd);
    t.ip2 = inner_product_forward(ip2_pd);
    t.softmax = softmax_forward(softmax_pd);
    t.ip2_bwd_w = inner_product_backward_weights(ip2_bwd_w_pd);
    t.ip2_bwd_d = inner_product_backward_data(ip2_bwd_d_pd);
    t.relu_bwd = eltwise_backward(relu_bwd_pd);
    t.ip1_bwd_w = inner_product_backward_weights(ip1_bwd_w_pd);
    return t;
  }

  void forward(TrainNet& t) {
    t.ip1.execute(stream_, {{DNNL_ARG_SRC, t.x_m},
                            {DNNL_ARG_WEIGHTS, w1_mem_},
                            {DNNL_ARG_BIAS, b1_mem_},
                            {DNNL_ARG_DST, t.h_pre_m}});
    t.relu.execute(stream_, {{DNNL_ARG_SRC, t.h_pre_m}, {DNNL_ARG_DST, t.h_m}});
    t.ip2.execute(stream_, {{DNNL_ARG_SRC, t.h_m},
                            {DNNL_ARG_WEIGHTS, w2_mem_},
                            {DNNL_ARG_BIAS, b2_mem_},
                            {DNNL_ARG_DST, t.z_m}});
    stream_.wait();
  }

  // Softmax cross-entropy: dz = (softmax(z) - onehot) / batch. Returns the summed loss.
  double softmax_xent_grad(TrainNet& t, const std::vector<int32_t>& labels, const int64_t* idx, int64_t b,
                           int64_t& correct) {
    t.softmax.execute(stream_, {{DNNL_ARG_SRC, t.z_m}, {DNNL_ARG_DST, t.p_m}});
    stream_.wait();
    double loss = 0.0;
    const float inv_b = 1.0f / static_cast<float>(b);
    for (int64_t k = 0; k < b; ++k) {
      const float* p = &t.p[static_cast<size_t>(k * out_dim_)];
      float* dz = &t.dz[static_cast<size_t>(k * out_dim_)];
      const int32_t label = labels[static_cast<size_t>(idx[k])];
      loss -= std::log(std::max(p[label], 1e-12f));
      if (std::max_element(p, p + out_dim_) - p == label) ++correct;
      for (int64_t c = 0; c < out_dim_; ++c) dz[c] = (p[c] - (c == label ? 1.0f : 0.0f)) * inv_b;
    }
    return loss;
  }

  // Mean squared error on standardised targets: dz = (z - t) / batch. Returns the summed loss
  // in the targets' own units (per sample, averaged over outputs).
  double mse_grad(TrainNet& t, const std::vector<float>& targets, const int64_t* idx, int64_t b,
                  const std::vector<float>& y_mean, const std::vector<float>& y_std) {
    double loss = 0.0;
    const float inv_b = 1.0f / static_cast<float>(b);
    for (int64_t k = 0; k < b; ++k) {
      const float* z = &t.z[static_cast<size_t>(k * out_dim_)];
      float* dz = &t.dz[static_cast<size_t>(k * out_dim_)];
      const float* y = &targets[static_cast<size_t>(idx[k] * out_dim_)];
      for (int64_t c = 0; c < out_dim_; ++c) {
        const float sd = y_std[static_cast<size_t>(c)];
        const float diff = z[c] - (y[c] - y_mean[static_cast<size_t>(c)]) / sd;
        dz[c] = diff * inv_b;
        loss += static_cast<double>(diff * sd) * (diff * sd) / static_cast<double>(out_dim_);
      }
    }
    return loss;
  }

  void backward(TrainNet& t) {
    t.ip2_bwd_w.execute(stream_, {{DNNL_ARG_SRC, t.h_m},
                                  {DNNL_ARG_DIFF_DST, t.dz_m},
                                  {DNNL_ARG_DIFF_WEIGHTS, t.dw2_m},
                                  {DNNL_ARG_DIFF_BIAS, t.db2_m}});
    t.ip2_bwd_d.execute(
        stream_, {{DNNL_ARG_DIFF_DST, t.dz_m}, {DNNL_ARG_WEIGHTS, w2_mem_}, {DNNL_ARG_DIFF_SRC, t.dh_m}});
    t.relu_bwd.execute(
        stream_, {{DNNL_ARG_SRC, t.h_pre_m}, {DNNL_ARG_DIFF_DST, t.dh_m}, {DNNL_ARG_DIFF_SRC, t.dh_pre_m}});
    // The input needs no gradient: the first layer only computes its weights' gradient.
    t.ip1_bwd_w.execute(stream_, {{DNNL_ARG_SRC, t.x_m},
                                  {DNNL_ARG_DIFF_DST, t.dh_pre_m},
                                  {DNNL_ARG_DIFF_WEIGHTS, t.dw1_m},
                                  {DNNL_ARG_DIFF_BIAS, t.db1_m}});
    stream_.wait();
  }

  void feature_stats(const sdk::TensorView& x, std::vector<float>& mean, std::vector<float>& inv_std) {
    const int64_t n = x.batch();
    std::vector<double> s(static_cast<size_t>(in_dim_), 0.0), s2(static_cast<size_t>(in_dim_), 0.0);
    std::vector<float> row(static_cast<size_t>(in_dim_));
    for (int64_t i = 0; i < n; ++i) {
      x.copy_sample_to(i, row.data());
      for (int64_t d = 0; d < in_dim_; ++d) {
        s[static_cast<size_t>(d)] += row[static_cast<size_t>(d)];
        s2[static_cast<size_t>(d)] +=
            static_cast<double>(row[static_cast<size_t>(d)]) * row[static_cast<size_t>(d)];
      }
    }
    for (int64_t d = 0; d < in_dim_; ++d) {
      const double m = s[static_cast<size_t>(d)] / static_cast<double>(n);
      const double var = std::max(0.0, s2[static_cast<size_t>(d)] / static_cast<double>(n) - m * m);
      mean[static_cast<size_t>(d)] = static_cast<float>(m);
      inv_std[static_cast<size_t>(d)] = var > 1e-12 ? static_cast<float>(1.0 / std::sqrt(var)) : 1.0f;
    }
  }

  void target_stats(const std::vector<float>& y, int64_t n, std::vector<float>& mean,
                    std::vector<float>& sd) {
    for (int64_t c = 0; c < out_dim_; ++c) {
      double s = 0.0, s2 = 0.0;
      for (int64_t i = 0; i < n; ++i) {
        const double v = y[static_cast<size_t>(i * out_dim_ + c)];
        s += v;
        s2 += v * v;
      }
      const double m = s / static_cast<double>(n), var = std::max(0.0, s2 / static_cast<double>(n) - m * m);
      mean[static_cast<size_t>(c)] = static_cast<float>(m);
      sd[static_cast<size_t>(c)] = var > 1e-12 ? static_cast<float>(std::sqrt(var)) : 1.0f;
    }
  }

  // W1 ((x - m) * inv) + b1 == (W1 * inv) x + (b1 - W1 (m * inv)); z * sd + mean likewise.
  void fold_standardization(bool inputs, const std::vector<float>& x_mean, const std::vector<float>& x_inv,
                            bool classification, const std::vector<float>& y_mean,
                            const std::vector<float>& y_std) {
    if (inputs) {
      for (int64_t h = 0; h < hidden_; ++h) {
        float* w = &w1_.value[static_cast<size_t>(h * in_dim_)];
        double shift = 0.0;
        for (int64_t d = 0; d < in_dim_; ++d) {
          w[d] *= x_inv[static_cast<size_t>(d)];
          shift += static_cast<double>(w[d]) * x_mean[static_cast<size_t>(d)];
        }
        b1_.value[static_cast<size_t>(h)] -= static_cast<float>(shift);
      }
    }
    if (!classification) {
      for (int64_t c = 0; c < out_dim_; ++c) {
        const float sd = y_std[static_cast<size_t>(c)];
        for (int64_t h = 0; h < hidden_; ++h) w2_.value[static_cast<size_t>(c * hidden_ + h)] *= sd;
        b2_.value[static_cast<size_t>(c)] =
            b2_.value[static_cast<size_t>(c)] * sd + y_mean[static_cast<size_t>(c)];
      }
    }
  }

  dnnl::engine engine_;
  dnnl::stream stream_;
  int64_t hidden_, batch_;
  double lr_, momentum_, weight_decay_;
  std::optional<int> epochs_;        // default depends on the task
  std::optional<bool> standardize_;  // default depends on the task
  dims in_shape_;
  int64_t in_dim_ = 0, out_dim_ = 0;
  dnnl::memory::desc w1_md_, b1_md_, w2_md_, b2_md_;
  Param w1_, b1_, w2_, b2_;
  dnnl::memory w1_mem_, b1_mem_, w2_mem_, b2_mem_;
  std::map<int64_t, InferNet> nets_;
  bool trained_ = false, warned_untrained_ = false;
  bool loaded_ = false;  // weights from the asset folder
  bool loops_ = false;   // engine: loops
};

}  // namespace

GAUNTLET_PLUGIN(DnnlMlp, "dnnl-mlp", "Team oneDNN", "1.0",
                "Two-layer perceptron trained and run with oneDNN primitives (SGD with momentum)")
