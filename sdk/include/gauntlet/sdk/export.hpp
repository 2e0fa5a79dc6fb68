// Gauntlet plugin SDK, part: The export layer: the C function table over a Plugin class, and GAUNTLET_PLUGIN.
// Include <gauntlet/sdk.hpp>, not this file; the contract is stated there.
#pragma once

#include <gauntlet/sdk/plugin.hpp>

namespace gauntlet::sdk {

// ---------------------------------------------------------------------------------------------
// The export layer: C function table over a Plugin class
// ---------------------------------------------------------------------------------------------

namespace detail {

// Fixed-size storage for last_error(): recording a failure never allocates, so an out-of-memory
// failure can still be described.
class ErrorSlot {
 public:
  static constexpr size_t kCapacity = 2048;
  void clear() noexcept { text_[0] = '\0'; }
  void set(const char* message) noexcept {
    if (!message || !*message) message = "unspecified error";
    size_t n = std::strlen(message);
    if (n >= kCapacity) {
      n = kCapacity - 1;
      while (n > 0 && (static_cast<unsigned char>(message[n]) & 0xC0) == 0x80) --n;  // keep UTF-8 whole
    }
    std::memcpy(text_, message, n);
    text_[n] = '\0';
  }
  const char* get() const noexcept { return text_; }

 private:
  char text_[kCapacity] = {};
};

// Runs f, mapping every exception to a status and a message. The only place exceptions stop.
template <class F>
gauntlet_status guarded(ErrorSlot& slot, F&& f) noexcept {
  slot.clear();
  try {
    f();
    return GAUNTLET_OK;
  } catch (const Error& e) {
    slot.set(e.what());
    return e.status();
  } catch (const std::bad_alloc&) {
    slot.set("out of memory (std::bad_alloc)");
    return GAUNTLET_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    slot.set(e.what());
    return GAUNTLET_ERROR;
  } catch (...) {
    slot.set("unknown exception");
    return GAUNTLET_ERROR;
  }
}

// What a gauntlet_instance* really points to.
struct Instance {
  std::unique_ptr<Plugin> plugin;
  ErrorSlot error;
  bool prepared = false;
};

// Rejects a NULL or truncated argument struct (every v1 host fills at least the v1 fields).
template <class Args>
void check_args(const Args* args, size_t v1_size, const char* what) {
  if (!args) throw Error::invalid_argument(str(what, " is NULL"));
  if (args->struct_size < v1_size)
    throw Error::invalid_argument(
        str(what, ": struct_size ", args->struct_size, " is smaller than the v1 layout (", v1_size, ")"));
}

template <class P, class = void>
struct HasCanTrainFlag : std::false_type {};
template <class P>
struct HasCanTrainFlag<P, std::void_t<decltype(P::kCanTrain)>> : std::true_type {};
template <class P, class = void>
struct TrainIsVisible : std::false_type {};
template <class P>
struct TrainIsVisible<P, std::void_t<decltype(&P::train)>> : std::true_type {};

}  // namespace detail

// True when P implements train(): P (or a base between P and Plugin) overrides it, detected by
// the type of &P::train, which names the class that declares the function found by lookup. A
// class may instead state it with `static constexpr bool kCanTrain = true/false;`.
template <class P>
constexpr bool can_train() {
  if constexpr (detail::HasCanTrainFlag<P>::value) {
    return P::kCanTrain;
  } else {
    static_assert(detail::TrainIsVisible<P>::value,
                  "declare train() public and not overloaded, or state `static constexpr bool kCanTrain`");
    return !std::is_same_v<decltype(&P::train), void (Plugin::*)(const TrainData&)>;
  }
}

// The C table for a traits struct { using type = P; static constexpr const char *name, *team,
// *version, *description; }. GAUNTLET_PLUGIN instantiates it; tests may use it directly.
template <class Traits>
struct Exporter {
  using P = typename Traits::type;
  static_assert(std::is_base_of_v<Plugin, P>, "the plugin class must derive from gauntlet::sdk::Plugin");
  static_assert(std::is_constructible_v<P, const CreateContext&>,
                "the plugin class must be constructible from const gauntlet::sdk::CreateContext&");

  static constexpr uint64_t kCapabilities = can_train<P>() ? GAUNTLET_CAP_TRAIN : 0;
  static constexpr gauntlet_plugin_info kInfo{sizeof(gauntlet_plugin_info),
                                              0,
                                              Traits::name,
                                              Traits::team,
                                              Traits::version,
                                              Traits::description,
                                              kCapabilities};

  static const gauntlet_plugin_info* get_info() noexcept { return &kInfo; }

  static gauntlet_status create(const gauntlet_create_args* args, gauntlet_instance** out) noexcept {
    if (out) *out = nullptr;
    return detail::guarded(create_error(), [&] {
      if (!out) throw Error::invalid_argument("create: out_instance is NULL");
      detail::check_args(args, GAUNTLET_CREATE_ARGS_V1_SIZE, "create args");
      CreateContext ctx;
      ctx.config = Config(args->config, args->num_config);
      ctx.num_threads = args->num_threads ? args->num_threads : 1;
      ctx.challenge_id = args->challenge_id ? args->challenge_id : "";
      ctx.asset_dir = args->asset_dir ? args->asset_dir : "";
      ctx.seed = args->seed;
      ctx.host = Host(host());
      auto instance = std::make_unique<detail::Instance>();
      instance->plugin = std::make_unique<P>(ctx);
      *out = reinterpret_cast<gauntlet_instance*>(instance.release());
    });
  }

  static gauntlet_status prepare(gauntlet_instance* handle, const gauntlet_prepare_args* args) noexcept {
    if (!handle) return GAUNTLET_INVALID_ARGUMENT;
    detail::Instance& inst = *reinterpret_cast<detail::Instance*>(handle);
    return detail::guarded(inst.error, [&] {
      detail::check_args(args, GAUNTLET_PREPARE_ARGS_V1_SIZE, "prepare args");
      std::vector<int64_t> sizes;
      if (args->batch_sizes) sizes.assign(args->batch_sizes, args->batch_sizes + args->num_batch_sizes);
      inst.plugin->prepare(PrepareContext(SpecList(args->inputs, args->num_inputs),
                                          SpecList(args->outputs, args->num_outputs), std::move(sizes)));
      inst.prepared = true;
    });
  }

  static gauntlet_status train(gauntlet_instance* handle, const gauntlet_train_args* args) noexcept {
    if (!handle) return GAUNTLET_INVALID_ARGUMENT;
    detail::Instance& inst = *reinterpret_cast<detail::Instance*>(handle);
    return detail::guarded(inst.error, [&] {
      detail::check_args(args, GAUNTLET_TRAIN_ARGS_V1_SIZE, "train args");
      if (!inst.prepared) throw Error::invalid_argument("train() called before prepare()");
      inst.plugin->train(TrainData(TensorList(args->inputs, args->num_inputs),
                                   TensorList(args->targets, args->num_targets), args->time_limit_seconds));
    });
  }

  static gauntlet_status infer(gauntlet_instance* handle, const gauntlet_infer_args* args) noexcept {
    if (!handle) return GAUNTLET_INVALID_ARGUMENT;
    detail::Instance& inst = *reinterpret_cast<detail::Instance*>(handle);
    return detail::guarded(inst.error, [&] {
      detail::check_args(args, GAUNTLET_INFER_ARGS_V1_SIZE, "infer args");
      if (!inst.prepared) throw Error::invalid_argument("infer() called before prepare()");
      inst.plugin->infer(InputBatch(args->inputs, args->num_inputs, args->batch_size),
                         OutputBatch(args->outputs, args->num_outputs, args->batch_size));
    });
  }

  static void destroy(gauntlet_instance* handle) noexcept {
    // A throwing destructor would terminate here (destructors are noexcept): never throw from one.
    delete reinterpret_cast<detail::Instance*>(handle);
  }

  static const char* last_error(const gauntlet_instance* handle) noexcept {
    return handle ? reinterpret_cast<const detail::Instance*>(handle)->error.get() : create_error().get();
  }

  static constexpr gauntlet_plugin_api kTable{
      sizeof(gauntlet_plugin_api),
      GAUNTLET_ABI_MAJOR,
      GAUNTLET_ABI_MINOR,
      0,
      &get_info,
      &create,
      &prepare,
      can_train<P>() ? &train : nullptr,
      &infer,
      &destroy,
      &last_error,
  };

  // The entry function's body: NULL for another major version, else the table.
  static const gauntlet_plugin_api* entry(uint32_t host_abi_major, uint32_t /*host_abi_minor*/,
                                          const gauntlet_host_api* host_api) noexcept {
    if (host_abi_major != GAUNTLET_ABI_MAJOR) return nullptr;
    // The services table is valid until destroy() returns (or unload): keep the pointer only.
    host() = host_api;
    return &kTable;
  }

  static const gauntlet_host_api*& host() noexcept {
    static const gauntlet_host_api* h = nullptr;
    return h;
  }
  static detail::ErrorSlot& create_error() noexcept {
    static detail::ErrorSlot slot;
    return slot;
  }
};

}  // namespace gauntlet::sdk

// Exports `Class` as the plugin of this shared library. Use once, at global namespace scope, in
// one source file. Defines gauntlet_plugin_entry (the library's only exported symbol), the
// static gauntlet_plugin_api table and gauntlet_plugin_info. Capabilities: GAUNTLET_CAP_TRAIN iff
// Class overrides train() (see gauntlet::sdk::can_train).
#define GAUNTLET_PLUGIN(Class, Name, Team, Version, Description)                                         \
  namespace {                                                                                            \
  struct GauntletPluginTraits {                                                                          \
    using type = Class;                                                                                  \
    static constexpr const char* name = Name;                                                            \
    static constexpr const char* team = Team;                                                            \
    static constexpr const char* version = Version;                                                      \
    static constexpr const char* description = Description;                                              \
  };                                                                                                     \
  }                                                                                                      \
  extern "C" GAUNTLET_EXPORT const gauntlet_plugin_api* gauntlet_plugin_entry(                           \
      uint32_t host_abi_major, uint32_t host_abi_minor, const gauntlet_host_api* host) {                 \
    return ::gauntlet::sdk::Exporter<GauntletPluginTraits>::entry(host_abi_major, host_abi_minor, host); \
  }
