// Gauntlet plugin SDK, part: The plugin base class, its configuration and the host's services.
// Include <gauntlet/sdk.hpp>, not this file; the contract is stated there.
#pragma once

#include <gauntlet/sdk/specs.hpp>

namespace gauntlet::sdk {

// ---------------------------------------------------------------------------------------------
// Configuration (the challenge's plugin_config)
// ---------------------------------------------------------------------------------------------

// Key/value strings from the YAML (scalars as their text) with typed getters:
//   int epochs = config().get<int>("epochs", 8);     // default when absent
//   double lr = config().get<double>("learning_rate"); // throws when absent
// A present but malformed value throws Error(INVALID_ARGUMENT) naming the key, so that a typo
// in the YAML is reported instead of silently replaced by the default.
class Config {
 public:
  Config() = default;
  Config(const gauntlet_config_entry* entries, size_t count) {
    for (size_t i = 0; entries && i < count; ++i)
      if (entries[i].key) set(entries[i].key, entries[i].value ? entries[i].value : "");
  }

  void set(std::string key, std::string value) { map_[std::move(key)] = std::move(value); }
  bool has(std::string_view key) const { return map_.find(key) != map_.end(); }
  const std::map<std::string, std::string, std::less<>>& entries() const noexcept { return map_; }

  template <class T>
  T get(std::string_view key) const {
    auto it = map_.find(key);
    if (it == map_.end()) throw Error::invalid_argument(str("plugin_config: missing key '", key, "'"));
    return parse<T>(key, it->second);
  }
  template <class T>
  T get(std::string_view key, const T& fallback) const {
    auto it = map_.find(key);
    return it == map_.end() ? fallback : parse<T>(key, it->second);
  }

  // Parses one YAML scalar as T (bool, an integer type, float, double or std::string).
  template <class T>
  static T parse(std::string_view key, std::string_view text) {
    std::string_view s = trim(text);
    auto fail = [&](const char* what) -> Error {
      return Error::invalid_argument(str("plugin_config '", key, "': expected ", what, ", got '", text, "'"));
    };
    if constexpr (std::is_same_v<T, std::string>) {
      return std::string(text);
    } else if constexpr (std::is_same_v<T, bool>) {
      std::string l(s);
      for (char& c : l) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      if (l == "true" || l == "yes" || l == "on" || l == "1") return true;
      if (l == "false" || l == "no" || l == "off" || l == "0") return false;
      throw fail("a boolean");
    } else if constexpr (std::is_integral_v<T>) {
      if (!s.empty() && s.front() == '+') s.remove_prefix(1);
      T v{};
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (s.empty() || ec != std::errc() || p != s.data() + s.size())
        throw fail(ec == std::errc::result_out_of_range ? "an integer in range" : "an integer");
      return v;
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!s.empty() && s.front() == '+') s.remove_prefix(1);
      T v{};
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (s.empty() || ec != std::errc() || p != s.data() + s.size()) throw fail("a number");
      return v;
    } else {
      static_assert(sizeof(T) == 0, "Config::get supports bool, integers, float, double and std::string");
    }
  }

 private:
  static std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  }

  std::map<std::string, std::string, std::less<>> map_;
};

// ---------------------------------------------------------------------------------------------
// Host services
// ---------------------------------------------------------------------------------------------

enum class LogLevel : int32_t {
  debug = GAUNTLET_LOG_DEBUG,
  info = GAUNTLET_LOG_INFO,
  warning = GAUNTLET_LOG_WARNING,
  error = GAUNTLET_LOG_ERROR,
};

// The host's services. [thread-safe]: callable from any plugin thread. A missing host (NULL,
// as in a unit test) or a missing service makes log() a no-op and should_cancel() false.
class Host {
 public:
  Host() = default;
  explicit Host(const gauntlet_host_api* api) : api_(api) {}

  const gauntlet_host_api* raw() const noexcept { return api_; }
  std::string_view name() const noexcept { return api_ && api_->host_name ? api_->host_name : ""; }

  // One line in the judge's log; rate-limited by the host, never blocks.
  void log(LogLevel level, const char* message) const noexcept {
    if (api_ && has_field(offsetof(gauntlet_host_api, log) + sizeof(api_->log)) && api_->log)
      api_->log(api_, static_cast<int32_t>(level), message ? message : "");
  }
  void log(LogLevel level, const std::string& message) const noexcept { log(level, message.c_str()); }

  // True when the host wants the current call to stop early (its time limit is near).
  bool should_cancel() const noexcept {
    return api_ && has_field(offsetof(gauntlet_host_api, should_cancel) + sizeof(api_->should_cancel)) &&
           api_->should_cancel && api_->should_cancel(api_) != 0;
  }

 private:
  bool has_field(size_t end) const noexcept { return api_->struct_size >= end; }
  const gauntlet_host_api* api_ = nullptr;
};

// ---------------------------------------------------------------------------------------------
// The plugin base class
// ---------------------------------------------------------------------------------------------

// Everything create() received, copied (the C arguments die with the call). A plain struct so
// that a test can construct a plugin directly, without the C table.
struct CreateContext {
  Config config;             // the challenge's plugin_config
  uint32_t num_threads = 1;  // thread budget, the plugin thread included
  std::string challenge_id;
  std::string asset_dir;  // the plugin's read-only files; empty when it has none
  uint64_t seed = 0;      // seed of this run: use it for reproducible training
  Host host;
};

// Base class of a plugin. The derived class must be constructible from `const CreateContext&`
// and must declare its overrides public (the export macro inspects &Derived::train).
//
// Contract of each member, in call order (the C ABI's, restated for C++):
//
// constructor(const CreateContext&)  [plugin-thread, untimed, setup time limit]
//   Called by create(). Read config, set the thread budget of your threading runtime, load
//   assets. Throwing fails create(); the message is reported through last_error(NULL).
//
// prepare(const PrepareContext&)  [plugin-thread, untimed, setup time limit]
//   Called exactly once before train()/infer() with the exact tensor specs and every batch
//   size infer() will see. Build kernels, primitives and scratch buffers here, so that infer()
//   allocates nothing. Default: does nothing. Reject an interface you cannot serve with
//   Error::unsupported(...).
//
// train(const TrainData&)  [plugin-thread, untimed but wall-clock limited]
//   Called at most once, only if the plugin has GAUNTLET_CAP_TRAIN (i.e. overrides train) and
//   the challenge allows training. The training split is read-only shared memory valid only
//   during the call: copy or fully consume it. Poll should_cancel() between mini-batches; on
//   cancel either return normally with the model learned so far (the run continues), or throw
//   Error::cancelled(...) (the run ends). Default: throws Error(UNSUPPORTED).
//
// infer(InputBatch, OutputBatch)  [plugin-thread, TIMED around the whole call]
//   Write every element of every output for the batch. Inputs are read-only (writing faults).
//   Must not depend on earlier calls' inputs: the host may repeat or reorder samples. Output
//   writes after returning are lost; threads you started must be idle when you return.
//
// destructor  [plugin-thread, untimed]
//   Called by destroy(), also after a failed call. Stop and join every thread you started.
class Plugin {
 public:
  explicit Plugin(const CreateContext& ctx) : ctx_(ctx) {}
  virtual ~Plugin() = default;
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  virtual void prepare(const PrepareContext& /*ctx*/) {}
  virtual void train(const TrainData& /*data*/) {
    throw Error::unsupported("this plugin does not implement train()");
  }
  virtual void infer(InputBatch inputs, OutputBatch outputs) = 0;

  const Config& config() const noexcept { return ctx_.config; }
  uint32_t num_threads() const noexcept { return ctx_.num_threads; }
  uint64_t seed() const noexcept { return ctx_.seed; }
  const std::string& challenge_id() const noexcept { return ctx_.challenge_id; }
  const std::string& asset_dir() const noexcept { return ctx_.asset_dir; }
  const Host& host() const noexcept { return ctx_.host; }

  // [thread-safe] Shorthands for host().log / host().should_cancel.
  void log(LogLevel level, const std::string& message) const noexcept { ctx_.host.log(level, message); }
  bool should_cancel() const noexcept { return ctx_.host.should_cancel(); }
  // Throws Error::cancelled when the host asks to stop.
  void throw_if_cancelled() const {
    if (should_cancel()) throw Error::cancelled("stopped on the host's request (should_cancel)");
  }

 private:
  CreateContext ctx_;
};

}  // namespace gauntlet::sdk
