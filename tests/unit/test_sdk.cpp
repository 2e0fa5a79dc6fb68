// Unit tests of the header-only SDK (sdk.hpp, sdk_dnnl.hpp): a test plugin defined here is
// exported with GAUNTLET_PLUGIN and driven through the generated C table, as the worker would.
#include <gauntlet/sdk.hpp>
#include <gauntlet/sdk_dnnl.hpp>

#include <doctest/doctest.h>

#include <cstring>
#include <new>
#include <string>
#include <vector>

namespace sdk = gauntlet::sdk;

namespace {

// ---- A plugin that adds the mean training target to the sum of each input sample. Its config
// can make create() or infer() fail in every way an exception can leave a plugin.
class SumPlugin : public sdk::Plugin {
 public:
  explicit SumPlugin(const sdk::CreateContext& ctx) : Plugin(ctx), scale_(ctx.config.get<int>("scale", 1)) {
    const std::string fail = ctx.config.get<std::string>("fail_create", "");
    if (fail == "std") throw std::runtime_error("create refused");
    if (fail == "unsupported") throw sdk::Error::unsupported("no such thing");
  }
  void prepare(const sdk::PrepareContext& ctx) override {
    outputs_ = ctx.outputs()[0].sample_numel();
    log(sdk::LogLevel::info, "prepared " + std::to_string(ctx.batch_sizes().size()) + " batch sizes");
  }
  void train(const sdk::TrainData& data) override {
    throw_if_cancelled();
    const std::vector<float> t = data.target().to_vector<float>();
    double s = 0;
    for (float v : t) s += v;
    offset_ = static_cast<float>(s / static_cast<double>(t.size()));
  }
  void infer(sdk::InputBatch in, sdk::OutputBatch out) override {
    const std::string fail = config().get<std::string>("fail_infer", "");
    if (fail == "sdk") throw sdk::Error(GAUNTLET_INVALID_ARGUMENT, "bad batch");
    if (fail == "std") throw std::logic_error("logic went wrong");
    if (fail == "oom") throw std::bad_alloc();
    if (fail == "int") throw 42;
    const sdk::TensorView x = in.get("x");
    const sdk::MutableTensorView y = out[0];
    for (int64_t i = 0; i < in.batch_size(); ++i) {
      std::vector<float> s(static_cast<size_t>(x.sample_numel()));
      x.copy_sample_to(i, s.data());
      float sum = 0;
      for (float v : s) sum += v;
      for (int64_t j = 0; j < outputs_; ++j)
        y.at<float>(i, j) = scale_ * sum + offset_ + static_cast<float>(j);
    }
  }

 private:
  int scale_;
  int64_t outputs_ = 0;
  float offset_ = 0;
};

// A plugin without train(), exported through the Exporter directly (one entry per binary).
class InferOnly : public sdk::Plugin {
 public:
  using Plugin::Plugin;
  void infer(sdk::InputBatch, sdk::OutputBatch) override {}
};
struct InferOnlyTraits {
  using type = InferOnly;
  static constexpr const char* name = "infer-only";
  static constexpr const char* team = "Team Test";
  static constexpr const char* version = "0";
  static constexpr const char* description = nullptr;
};

// Inherits SumPlugin's train(); says explicitly that it will not train.
class Derived : public SumPlugin {
 public:
  using SumPlugin::SumPlugin;
};
class Opted : public SumPlugin {
 public:
  static constexpr bool kCanTrain = false;
  using SumPlugin::SumPlugin;
};

static_assert(sdk::can_train<SumPlugin>());
static_assert(sdk::can_train<Derived>());
static_assert(!sdk::can_train<Opted>());
static_assert(!sdk::can_train<InferOnly>());

}  // namespace

GAUNTLET_PLUGIN(SumPlugin, "sum", "Team Test", "0.1", "adds things up")

namespace {

// ---- A fake host: records log lines, cancels on request.
struct FakeHost {
  std::vector<std::string> lines;
  int cancel = 0;
};
FakeHost g_fake;

void fake_log(const gauntlet_host_api*, int32_t, const char* message) { g_fake.lines.emplace_back(message); }
int32_t fake_cancel(const gauntlet_host_api*) { return g_fake.cancel; }

gauntlet_host_api make_host() {
  gauntlet_host_api h{};
  h.struct_size = sizeof(h);
  h.abi_major = GAUNTLET_ABI_MAJOR;
  h.abi_minor = GAUNTLET_ABI_MINOR;
  h.host_name = "test host";
  h.log = &fake_log;
  h.should_cancel = &fake_cancel;
  return h;
}
const gauntlet_host_api g_host = make_host();

gauntlet_create_args create_args(const std::vector<gauntlet_config_entry>& config) {
  gauntlet_create_args a{};
  a.struct_size = sizeof(a);
  a.num_threads = 1;
  a.challenge_id = "unit";
  a.config = config.data();
  a.num_config = static_cast<uint32_t>(config.size());
  a.seed = 7;
  return a;
}

const gauntlet_dtype kF32{GAUNTLET_DTYPE_FLOAT, 32, 1};

// A compact f32 tensor over caller-owned storage.
struct Tensor {
  std::vector<int64_t> shape, strides;
  gauntlet_tensor t{};
  Tensor(void* data, std::vector<int64_t> s, const char* name, uint64_t flags = 0) : shape(std::move(s)) {
    strides.assign(shape.size(), 1);
    for (size_t d = shape.size() - 1; d > 0; --d) strides[d - 1] = strides[d] * shape[d];
    t.data = data;
    t.device = {GAUNTLET_DEVICE_CPU, 0};
    t.ndim = static_cast<int32_t>(shape.size());
    t.dtype = kF32;
    t.shape = shape.data();
    t.strides = strides.data();
    t.flags = flags;
    t.name = name;
  }
};

// Runs create + prepare on the exported table; returns the instance.
gauntlet_instance* create_prepared(const gauntlet_plugin_api* api,
                                   const std::vector<gauntlet_config_entry>& config) {
  const gauntlet_create_args ca = create_args(config);
  gauntlet_instance* inst = nullptr;
  REQUIRE(api->create(&ca, &inst) == GAUNTLET_OK);
  REQUIRE(inst != nullptr);
  const int64_t in_shape[] = {-1, 3}, out_shape[] = {-1, 2}, batches[] = {1, 4};
  const gauntlet_tensor_spec in{sizeof(gauntlet_tensor_spec), 2, kF32, "x", in_shape};
  const gauntlet_tensor_spec out{sizeof(gauntlet_tensor_spec), 2, kF32, "y", out_shape};
  gauntlet_prepare_args pa{};
  pa.struct_size = sizeof(pa);
  pa.num_inputs = 1;
  pa.inputs = &in;
  pa.num_outputs = 1;
  pa.outputs = &out;
  pa.num_batch_sizes = 2;
  pa.batch_sizes = batches;
  REQUIRE(api->prepare(inst, &pa) == GAUNTLET_OK);
  return inst;
}

gauntlet_status run_infer(const gauntlet_plugin_api* api, gauntlet_instance* inst, std::vector<float>& x,
                          std::vector<float>& y, int64_t batch) {
  Tensor in(x.data(), {batch, 3}, "x", GAUNTLET_TENSOR_READ_ONLY), out(y.data(), {batch, 2}, "y");
  gauntlet_infer_args ia{};
  ia.struct_size = sizeof(ia);
  ia.num_inputs = 1;
  ia.inputs = &in.t;
  ia.num_outputs = 1;
  ia.outputs = &out.t;
  ia.batch_size = batch;
  return api->infer(inst, &ia);
}

}  // namespace

TEST_CASE("entry: NULL for another major version, the table for v1") {
  CHECK(gauntlet_plugin_entry(2, 0, &g_host) == nullptr);
  CHECK(gauntlet_plugin_entry(0, 9, &g_host) == nullptr);
  const gauntlet_plugin_api* api = gauntlet_plugin_entry(GAUNTLET_ABI_MAJOR, 5, &g_host);
  REQUIRE(api != nullptr);
  CHECK(api->struct_size == sizeof(gauntlet_plugin_api));
  CHECK(api->abi_major == GAUNTLET_ABI_MAJOR);
  CHECK(api->abi_minor == GAUNTLET_ABI_MINOR);
  CHECK(api->reserved0 == 0);
  CHECK(static_cast<bool>(api->train));
  CHECK(static_cast<bool>(api->get_info));
  CHECK(static_cast<bool>(api->last_error));
}

TEST_CASE("get_info: names and capabilities") {
  const gauntlet_plugin_info* info = gauntlet_plugin_entry(GAUNTLET_ABI_MAJOR, 0, &g_host)->get_info();
  CHECK(info->struct_size == sizeof(gauntlet_plugin_info));
  CHECK(std::string(info->name) == "sum");
  CHECK(std::string(info->team) == "Team Test");
  CHECK(std::string(info->version) == "0.1");
  CHECK(std::string(info->description) == "adds things up");
  CHECK(info->capabilities == GAUNTLET_CAP_TRAIN);

  // Without train(): no capability, no train entry.
  using E = sdk::Exporter<InferOnlyTraits>;
  const gauntlet_plugin_api* other = E::entry(GAUNTLET_ABI_MAJOR, 0, nullptr);
  REQUIRE(other != nullptr);
  CHECK(other->get_info()->capabilities == 0);
  CHECK(other->get_info()->description == nullptr);
  CHECK_FALSE(static_cast<bool>(other->train));
  CHECK(E::entry(2, 0, nullptr) == nullptr);
}

TEST_CASE("lifecycle through the C table: create, prepare, train, infer, destroy") {
  const gauntlet_plugin_api* api = gauntlet_plugin_entry(GAUNTLET_ABI_MAJOR, 0, &g_host);
  g_fake = {};
  gauntlet_instance* inst = create_prepared(api, {{"scale", "2"}});
  CHECK(g_fake.lines == std::vector<std::string>{"prepared 2 batch sizes"});

  std::vector<float> tx(6, 0.0f), ty = {1.0f, 3.0f};
  Tensor tin(tx.data(), {2, 3}, "x", GAUNTLET_TENSOR_READ_ONLY),
      ttarget(ty.data(), {2, 1}, "t", GAUNTLET_TENSOR_READ_ONLY);
  gauntlet_train_args ta{};
  ta.struct_size = sizeof(ta);
  ta.num_inputs = 1;
  ta.inputs = &tin.t;
  ta.num_targets = 1;
  ta.targets = &ttarget.t;
  REQUIRE(api->train(inst, &ta) == GAUNTLET_OK);

  std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, y(8, -1.0f);
  REQUIRE(run_infer(api, inst, x, y, 4) == GAUNTLET_OK);
  // 2 * sum + mean target (2) + output index.
  CHECK(y == std::vector<float>{14, 15, 32, 33, 50, 51, 68, 69});

  // Cancellation surfaces as GAUNTLET_CANCELLED with a message.
  g_fake.cancel = 1;
  CHECK(api->train(inst, &ta) == GAUNTLET_CANCELLED);
  CHECK(std::string(api->last_error(inst)).find("should_cancel") != std::string::npos);
  g_fake.cancel = 0;
  api->destroy(inst);
}

TEST_CASE("exceptions in infer become a status and last_error, never cross the boundary") {
  const gauntlet_plugin_api* api = gauntlet_plugin_entry(GAUNTLET_ABI_MAJOR, 0, &g_host);
  struct Case {
    const char* mode;
    gauntlet_status status;
    const char* message;
  };
  for (const Case& c :
       {Case{"sdk", GAUNTLET_INVALID_ARGUMENT, "bad batch"}, Case{"std", GAUNTLET_ERROR, "logic went wrong"},
        Case{"oom", GAUNTLET_OUT_OF_MEMORY, "out of memory (std::bad_alloc)"},
        Case{"int", GAUNTLET_ERROR, "unknown exception"}}) {
    CAPTURE(c.mode);
    gauntlet_instance* inst = create_prepared(api, {{"fail_infer", c.mode}});
    std::vector<float> x(3, 1.0f), y(2, 0.0f);
    CHECK(run_infer(api, inst, x, y, 1) == c.status);
    CHECK(std::string(api->last_error(inst)) == c.message);
    api->destroy(inst);
  }

  // A successful call clears the previous message.
  gauntlet_instance* inst = create_prepared(api, {});
  std::vector<float> x(3, 1.0f), y(2, 0.0f);
  CHECK(run_infer(api, inst, x, y, 1) == GAUNTLET_OK);
  CHECK(std::string(api->last_error(inst)).empty());
  api->destroy(inst);
}

TEST_CASE("create failures are reported through last_error(NULL)") {
  const gauntlet_plugin_api* api = gauntlet_plugin_entry(GAUNTLET_ABI_MAJOR, 0, &g_host);
  const std::vector<gauntlet_config_entry> std_fail = {{"fail_create", "std"}};
  gauntlet_create_args ca = create_args(std_fail);
  gauntlet_instance* inst = reinterpret_cast<gauntlet_instance*>(&ca);  // must be reset to NULL
  CHECK(api->create(&ca, &inst) == GAUNTLET_ERROR);
  CHECK(inst == nullptr);
  CHECK(std::string(api->last_error(nullptr)) == "create refused");

  const std::vector<gauntlet_config_entry> unsupported = {{"fail_create", "unsupported"}};
  ca = create_args(unsupported);
  CHECK(api->create(&ca, &inst) == GAUNTLET_UNSUPPORTED);
  CHECK(std::string(api->last_error(nullptr)) == "no such thing");

  const std::vector<gauntlet_config_entry> bad_int = {{"scale", "two"}};
  ca = create_args(bad_int);
  CHECK(api->create(&ca, &inst) == GAUNTLET_INVALID_ARGUMENT);
  CHECK(std::string(api->last_error(nullptr)) == "plugin_config 'scale': expected an integer, got 'two'");

  ca.struct_size = 8;  // truncated by a broken host
  CHECK(api->create(&ca, &inst) == GAUNTLET_INVALID_ARGUMENT);
  CHECK(api->create(&ca, nullptr) == GAUNTLET_INVALID_ARGUMENT);
}

TEST_CASE("call order: infer before prepare is refused") {
  const gauntlet_plugin_api* api = gauntlet_plugin_entry(GAUNTLET_ABI_MAJOR, 0, &g_host);
  const gauntlet_create_args ca = create_args({});
  gauntlet_instance* inst = nullptr;
  REQUIRE(api->create(&ca, &inst) == GAUNTLET_OK);
  std::vector<float> x(3, 1.0f), y(2, 0.0f);
  CHECK(run_infer(api, inst, x, y, 1) == GAUNTLET_INVALID_ARGUMENT);
  CHECK(std::string(api->last_error(inst)) == "infer() called before prepare()");
  api->destroy(inst);
}

TEST_CASE("Config: typed getters, defaults and errors") {
  sdk::Config c;
  c.set("epochs", " 12 ");
  c.set("lr", "5e-3");
  c.set("neg", "-3");
  c.set("flag", "Yes");
  c.set("name", "adam");
  c.set("big", "99999999999");
  CHECK(c.get<int>("epochs", 8) == 12);
  CHECK(c.get<int>("missing", 8) == 8);
  CHECK(c.get<double>("lr") == doctest::Approx(0.005));
  CHECK(c.get<float>("epochs") == 12.0f);
  CHECK(c.get<int64_t>("neg") == -3);
  CHECK(c.get<bool>("flag"));
  CHECK(c.get<std::string>("name") == "adam");
  CHECK(c.get<int64_t>("big") == 99999999999);
  CHECK_THROWS_AS(c.get<int>("big"), sdk::Error);
  CHECK_THROWS_AS(c.get<unsigned>("neg"), sdk::Error);
  CHECK_THROWS_AS(c.get<int>("lr"), sdk::Error);
  CHECK_THROWS_AS(c.get<bool>("name"), sdk::Error);
  CHECK_THROWS_AS(c.get<int>("missing"), sdk::Error);
  try {
    c.get<int>("missing");
  } catch (const sdk::Error& e) {
    CHECK(e.status() == GAUNTLET_INVALID_ARGUMENT);
    CHECK(std::string(e.what()) == "plugin_config: missing key 'missing'");
  }
}

TEST_CASE("TensorView: strides in elements and byte_offset") {
  // A 2x3 matrix stored column-major after two floats of padding: element (i, j) at 2 + i + 2j.
  std::vector<float> buf = {-1, -1, 0, 10, 1, 11, 2, 12};
  const int64_t shape[] = {2, 3}, strides[] = {1, 2};
  gauntlet_tensor t{};
  t.data = buf.data();
  t.ndim = 2;
  t.dtype = kF32;
  t.shape = shape;
  t.strides = strides;
  t.byte_offset = 2 * sizeof(float);
  t.flags = GAUNTLET_TENSOR_READ_ONLY;
  t.name = "m";
  const sdk::TensorView v(t);
  CHECK(v.batch() == 2);
  CHECK(v.numel() == 6);
  CHECK(v.sample_numel() == 3);
  CHECK(v.stride(1) == 2);
  CHECK_FALSE(v.is_contiguous());
  CHECK_FALSE(v.is_sample_contiguous());
  CHECK(v.read_only());
  CHECK(v.at<float>(0, 0) == 0);
  CHECK(v.at<float>(1, 2) == 12);
  CHECK(*v.sample<float>(1) == 10);
  CHECK(v.to_vector<float>() == std::vector<float>{0, 1, 2, 10, 11, 12});
  std::vector<float> s(3);
  v.copy_sample_to(1, s.data());
  CHECK(s == std::vector<float>{10, 11, 12});
  CHECK_THROWS_AS(v.at<float>(2, 0), sdk::Error);
  CHECK_THROWS_AS(v.at<float>(0), sdk::Error);
  try {
    v.data<int32_t>();
    FAIL("dtype mismatch must throw");
  } catch (const sdk::Error& e) {
    CHECK(e.status() == GAUNTLET_UNSUPPORTED);
    CHECK(std::string(e.what()) == "tensor 'm': expected dtype s32, got f32");
  }
  CHECK_THROWS_AS(sdk::MutableTensorView{t}, sdk::Error);  // read-only

  // NULL strides mean compact row-major.
  t.strides = nullptr;
  t.flags = 0;
  const sdk::MutableTensorView m(t);
  CHECK(m.is_contiguous());
  CHECK(m.stride(0) == 3);
  m.copy_from(std::vector<float>{5, 6, 7, 8, 9, 10}.data());
  CHECK(buf == std::vector<float>{-1, -1, 5, 6, 7, 8, 9, 10});

  // Writes through a strided mutable view land where the strides say.
  t.strides = strides;
  const sdk::MutableTensorView ms(t);
  ms.copy_sample_from(0, std::vector<float>{1, 2, 3}.data());
  CHECK(buf == std::vector<float>{-1, -1, 1, 6, 2, 8, 3, 10});
  ms.fill(0.5f);
  CHECK(buf == std::vector<float>{-1, -1, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f});
}

TEST_CASE("SpecList steps by the host's struct_size") {
  struct LongerSpec {  // a spec from a future minor version, with one more field
    gauntlet_tensor_spec v1;
    uint64_t extra;
  };
  const int64_t s0[] = {-1, 4}, s1[] = {-1, 1, 28, 28};
  LongerSpec specs[2] = {{{sizeof(LongerSpec), 2, kF32, "a", s0}, 1},
                         {{sizeof(LongerSpec), 4, kF32, "b", s1}, 2}};
  const sdk::SpecList list(&specs[0].v1, 2);
  CHECK(list[1].name() == "b");
  CHECK(list.get("b").sample_numel() == 784);
  CHECK(list[1].sample_shape() == std::vector<int64_t>{1, 28, 28});
  CHECK_THROWS_AS(list[2], sdk::Error);
}

TEST_CASE("last_error storage truncates long messages on a UTF-8 boundary") {
  sdk::detail::ErrorSlot slot;
  std::string m(sdk::detail::ErrorSlot::kCapacity - 2, 'a');
  m += "\xC3\xA9\xC3\xA9";  // two two-byte characters across the limit
  slot.set(m.c_str());
  CHECK(std::strlen(slot.get()) == sdk::detail::ErrorSlot::kCapacity - 2);
  slot.set("");
  CHECK(std::string(slot.get()) == "unspecified error");
}

TEST_CASE("oneDNN: as_dnnl_memory is zero-copy and honours strides") {
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream strm(eng);
  // A 3x4 view of the transpose of a row-major 4x3 matrix, after 16 bytes of header.
  std::vector<float> buf(4 + 12);
  for (int i = 0; i < 12; ++i) buf[4 + static_cast<size_t>(i)] = static_cast<float>(i);  // M[r][c] = 3r + c
  const int64_t shape[] = {3, 4}, strides[] = {1, 3};
  gauntlet_tensor t{};
  t.data = buf.data();
  t.ndim = 2;
  t.dtype = kF32;
  t.shape = shape;
  t.strides = strides;
  t.byte_offset = 16;
  t.name = "mt";

  dnnl::memory m = sdk::as_dnnl_memory(t, eng);
  CHECK(m.get_data_handle() == static_cast<void*>(buf.data() + 4));
  const dnnl::memory::desc d = m.get_desc();
  CHECK(d.dims() == dnnl::memory::dims{3, 4});
  CHECK(d.data.format_desc.blocking.strides[0] == 1);
  CHECK(d.data.format_desc.blocking.strides[1] == 3);
  CHECK(d.data_type() == dnnl::memory::data_type::f32);

  // A reorder through the view to compact row-major reads the transpose.
  dnnl::memory dense({{3, 4}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::ab}, eng);
  dnnl::reorder(m, dense).execute(strm, m, dense);
  strm.wait();
  const float* out = static_cast<const float*>(dense.get_data_handle());
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) CHECK(out[r * 4 + c] == static_cast<float>(3 * c + r));

  // Writes through the view (a reorder into it) land in the tensor's own buffer.
  dnnl::reorder(dense, m).execute(strm, dense, m);
  strm.wait();
  CHECK(buf[4 + 5] == 5.0f);

  // 64-bit types and negative strides are refused with UNSUPPORTED.
  gauntlet_tensor s64 = t;
  s64.dtype = {GAUNTLET_DTYPE_INT, 64, 1};
  try {
    sdk::to_dnnl_desc(s64);
    FAIL("s64 must be refused");
  } catch (const sdk::Error& e) {
    CHECK(e.status() == GAUNTLET_UNSUPPORTED);
  }
  const int64_t negative[] = {-1, 3};
  gauntlet_tensor neg = t;
  neg.strides = negative;
  CHECK_THROWS_AS(sdk::to_dnnl_desc(neg), sdk::Error);
}

TEST_CASE("oneDNN: a dnnl::memory described as a gauntlet_tensor") {
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::memory m({{2, 3, 4}, dnnl::memory::data_type::s32, dnnl::memory::format_tag::acb}, eng);
  int32_t* p = static_cast<int32_t*>(m.get_data_handle());
  for (int i = 0; i < 24; ++i) p[i] = i;  // acb: element (a, b, c) at 12a + 3c + b

  sdk::DnnlTensorView view(m, "acb", /*read_only=*/true);
  const sdk::DnnlTensorView copy = view;  // copies point at their own shape/strides
  CHECK(copy.tensor().shape != view.tensor().shape);
  const sdk::TensorView v = copy.view();
  CHECK(v.name() == "acb");
  CHECK(v.shape() == std::vector<int64_t>{2, 3, 4});
  CHECK(v.strides() == std::vector<int64_t>{12, 1, 3});
  CHECK(v.read_only());
  CHECK_FALSE(v.is_contiguous());
  CHECK(v.at<int32_t>(1, 2, 3) == 12 + 9 + 2);
  CHECK(v.raw().data == m.get_data_handle());

  // Round trip: the tensor describes the same memory again.
  CHECK(sdk::to_dnnl_desc(v) == m.get_desc());

  // Blocked layouts have no tensor view.
  dnnl::memory blocked({{1, 16, 2, 2}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::nChw16c}, eng);
  CHECK_THROWS_AS(sdk::DnnlTensorView{blocked}, sdk::Error);
}

TEST_CASE("Plugin base: direct construction without the C table") {
  sdk::CreateContext ctx;
  ctx.config.set("scale", "3");
  ctx.num_threads = 2;
  ctx.seed = 11;
  InferOnly p(ctx);
  CHECK(p.num_threads() == 2);
  CHECK(p.seed() == 11);
  CHECK(p.config().get<int>("scale") == 3);
  CHECK_FALSE(p.should_cancel());  // no host: never cancelled, log is a no-op
  p.log(sdk::LogLevel::info, "dropped");
  sdk::TrainData none(sdk::TensorList(nullptr, 0), sdk::TensorList(nullptr, 0), 0);
  try {
    p.train(none);
    FAIL("default train() must throw");
  } catch (const sdk::Error& e) {
    CHECK(e.status() == GAUNTLET_UNSUPPORTED);
  }
}
