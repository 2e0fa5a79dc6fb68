// Gauntlet plugin SDK: a header-only C++17 layer over the C ABI (gauntlet/plugin_api.h).
//
// A plugin is one class derived from gauntlet::sdk::Plugin plus one macro:
//
//   #include <gauntlet/sdk.hpp>
//   namespace sdk = gauntlet::sdk;
//
//   class MyModel : public sdk::Plugin {
//    public:
//     explicit MyModel(const sdk::CreateContext& ctx) : Plugin(ctx) {}
//     void prepare(const sdk::PrepareContext& ctx) override;   // optional
//     void train(const sdk::TrainData& data) override;         // optional
//     void infer(sdk::InputBatch in, sdk::OutputBatch out) override;
//   };
//   GAUNTLET_PLUGIN(MyModel, "my-model", "Team Name", "1.0", "One line about it")
//
// The macro defines the only exported symbol (gauntlet_plugin_entry) and a static function
// table whose every entry catches every exception: no C++ exception ever crosses the C ABI.
// Throw sdk::Error(status, message) to choose the status the judge sees; any other
// std::exception becomes GAUNTLET_ERROR with its what() as the message, std::bad_alloc becomes
// GAUNTLET_OUT_OF_MEMORY, anything else GAUNTLET_ERROR "unknown exception".
//
// Threads: the host calls every virtual below from one thread (the "plugin thread"), never two
// at once. You may start threads inside a call (up to num_threads() in total, counting the
// plugin thread) but they must be idle when the call returns. Host services (log,
// should_cancel) may be called from any thread.
//
// Lifetime: every view handed to a virtual (tensors, specs, lists) points into host memory
// that is valid only during that call. Copy what you keep.
#pragma once

// The SDK in parts (each includes the one before it).
#include <gauntlet/sdk/errors.hpp>
#include <gauntlet/sdk/export.hpp>
#include <gauntlet/sdk/plugin.hpp>
#include <gauntlet/sdk/specs.hpp>
#include <gauntlet/sdk/tensors.hpp>
