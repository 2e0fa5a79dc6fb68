// Source `synthetic_regression`: data the host generates from a seed (synthetic.hpp), one
// f32 input of num_features values and one f32 target value per sample.
#include "common/errors.hpp"
#include "common/text.hpp"
#include "formats/source.hpp"
#include "formats/synthetic.hpp"

namespace gauntlet::formats {
namespace {

constexpr int64_t kMaxSamples = 10'000'000;
constexpr int64_t kMaxValues = int64_t{1} << 28;
constexpr int64_t kMaxExtent = int64_t{1} << 24;

class SyntheticConfig final : public SourceConfig {
 public:
  SyntheticRegressionSource src;
  std::vector<std::string> sets() const override { return {"train", "test"}; }
  std::vector<std::filesystem::path> files() const override { return {}; }
  nlohmann::json canonical() const override {
    return {{"seed", src.seed},         {"num_train", src.num_train},
            {"num_test", src.num_test}, {"num_features", src.num_features},
            {"noise", src.noise},       {"nonlinear_weight", src.nonlinear_weight}};
  }
  // Training samples come first in the stream: the test set is drawn after skipping them.
  Table read(const std::string& set, const std::vector<TensorWant>& want) const override {
    const bool train = set == "train";
    const int64_t n = train ? src.num_train : src.num_test;
    const auto f = static_cast<std::size_t>(src.num_features);
    HostTensor x = HostTensor::allocate(DType::f32, {n, src.num_features});
    HostTensor y = HostTensor::allocate(DType::f32, {n, 1});
    SyntheticRegressionGenerator gen(src);
    if (!train)
      for (int64_t i = 0; i < src.num_train; ++i) gen.next(nullptr);
    for (int64_t i = 0; i < n; ++i) y.as<float>()[i] = static_cast<float>(gen.next(x.as<float>() + i * f));
    Table t;
    t.add(want.front().name, std::move(x), "synthetic_regression");
    t.add(want.back().name, std::move(y), "synthetic_regression");
    return t;
  }
};

int64_t per_sample(const TensorWant& w) {
  int64_t n = 1;
  for (const int64_t d : w.sample_shape) n *= d;
  return n;
}

}  // namespace

std::shared_ptr<const SourceConfig> parse_synthetic(const SourceContext& ctx) {
  const yaml::FieldReader& r = ctx.reader;
  const yaml::Node& data = ctx.data;
  auto c = std::make_shared<SyntheticConfig>();
  SyntheticRegressionSource& src = c->src;
  if (const yaml::Node* s = yaml::find_key(data, "seed")) src.seed = r.seed(*s, "data.seed");
  src.num_train = r.integer(r.required(data, "data", "num_train"), "data.num_train", 1, kMaxSamples);
  src.num_test = r.integer(r.required(data, "data", "num_test"), "data.num_test", 1, kMaxSamples);
  const yaml::Node& features = r.required(data, "data", "num_features");
  src.num_features = r.integer(features, "data.num_features", 1, kMaxExtent);
  if (const yaml::Node* n = yaml::find_key(data, "noise"))
    src.noise = r.number(*n, "data.noise", yaml::Bound::non_negative);
  if (const yaml::Node* w = yaml::find_key(data, "nonlinear_weight"))
    src.nonlinear_weight = r.number(*w, "data.nonlinear_weight", yaml::Bound::any);
  if (ctx.want.size() != 2)
    r.fail(data, "data.source", "synthetic_regression feeds exactly one input and the target");
  const TensorWant& in = ctx.want.front();
  std::vector<int64_t> shape{-1};
  shape.insert(shape.end(), in.sample_shape.begin(), in.sample_shape.end());
  if (src.num_features != per_sample(in))
    r.fail(features, "data.num_features",
           "expected " + std::to_string(per_sample(in)) + " (the per-sample size of input '" + in.name +
               "' " + format_shape(shape) + "), got " + std::to_string(src.num_features));
  if (per_sample(ctx.want.back()) != 1)
    r.fail(data, "data.source",
           "synthetic_regression makes one value per sample: the target must be [batch, 1]");
  if ((src.num_train + src.num_test) > kMaxValues / src.num_features)
    r.fail(data, "data",
           "a synthetic dataset of (" + std::to_string(src.num_train) + " + " + std::to_string(src.num_test) +
               ") x " + std::to_string(src.num_features) + " values is over the cap of " +
               std::to_string(kMaxValues) + " values");
  return c;
}

}  // namespace gauntlet::formats
