// A small SDK plugin for the compatibility matrix, built several ways (clang++, -static-libstdc++):
// predicts COMPAT_VALUE for every output element, so that the test can tell from the host's
// metrics that this very code ran. Its description names the compiler that built it.
#include <gauntlet/sdk.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#ifndef COMPAT_NAME
#define COMPAT_NAME "compat-constant"
#endif
#ifndef COMPAT_VALUE
#define COMPAT_VALUE 0.0f
#endif

namespace sdk = gauntlet::sdk;

class Constant : public sdk::Plugin {
 public:
  explicit Constant(const sdk::CreateContext& ctx) : Plugin(ctx) {
    // A C++ exception thrown and caught inside the plugin: with -static-libstdc++ it must
    // unwind through the plugin's own copy of the runtime.
    try {
      throw std::runtime_error("caught inside the plugin");
    } catch (const std::exception& e) {
      note_ = e.what();
    }
  }

  void prepare(const sdk::PrepareContext& ctx) override {
    ctx.outputs()[0].expect<float>();
    row_.assign(static_cast<size_t>(ctx.outputs()[0].sample_numel()), COMPAT_VALUE);
    log(sdk::LogLevel::info, sdk::str(COMPAT_NAME ": ", note_));
  }

  void infer(sdk::InputBatch inputs, sdk::OutputBatch outputs) override {
    for (int64_t i = 0; i < inputs.batch_size(); ++i) outputs[0].copy_sample_from(i, row_.data());
  }

 private:
  std::string note_;
  std::vector<float> row_;
};

GAUNTLET_PLUGIN(Constant, COMPAT_NAME, "Compat Team", "1.0", "built by " __VERSION__)
