#include "worker/worker.hpp"

#include "common/dtype.hpp"
#include "ipc/channel.hpp"
#include "ipc/protocol.hpp"
#include "worker/host_services.hpp"

#include <unistd.h>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace gauntlet::worker {
namespace {

using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;

uint64_t elapsed_ns(clock_type::time_point since) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - since).count());
}

// Specs as the ABI wants them, with storage that outlives the call.
struct SpecList {
  std::vector<std::string> names;
  std::vector<std::vector<int64_t>> shapes;
  std::vector<gauntlet_tensor_spec> specs;

  explicit SpecList(const json& list) {
    names.reserve(list.size());
    shapes.reserve(list.size());
    for (const auto& s : list) {
      names.push_back(s.at("name").get<std::string>());
      shapes.push_back(s.at("shape").get<std::vector<int64_t>>());
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
      auto dtype = parse_dtype(list[i].at("dtype").get<std::string>());
      if (!dtype) throw std::runtime_error("unknown dtype in prepare");
      gauntlet_tensor_spec spec{};
      spec.struct_size = sizeof(gauntlet_tensor_spec);
      spec.ndim = static_cast<int32_t>(shapes[i].size());
      spec.dtype = to_abi(*dtype);
      spec.name = names[i].c_str();
      spec.shape = shapes[i].data();
      specs.push_back(spec);
    }
  }
};

// Every call into the plugin goes through here: the ABI says a plugin never throws, and an
// exception that does escape must not be caught by the worker's own handlers (and mistaken
// for a failure of the judge). noexcept turns it into std::terminate: verdict CRASH.
template <class Call>
auto plugin_call(Call&& call) noexcept {
  return call();
}

}  // namespace

Worker::Worker(ipc::MessageSocket socket, std::string plugin_path, std::string shown_plugin_path,
               std::string asset_dir)
    : socket_(std::move(socket)),
      plugin_path_(std::move(plugin_path)),
      shown_plugin_path_(std::move(shown_plugin_path)),
      asset_dir_(std::move(asset_dir)) {}

void Worker::reply(const std::string& to, int32_t status, const std::string& message, uint64_t self_ns) {
  socket_.send(json{{"type", ipc::msg::kReply},
                    {"to", to},
                    {"status", status},
                    {"message", message},
                    {"self_ns", self_ns}});
}

std::string Worker::plugin_error(int32_t status, const gauntlet_instance* instance) const {
  const char* text = plugin_call([&] { return library_->api().last_error(instance); });
  std::string message = text ? std::string(text, strnlen(text, 4096)) : std::string();
  if (message.empty())
    message = "the plugin returned status " + std::to_string(status) + " without a message";
  return message;
}

int Worker::run() {
  json hello{
      {"type", ipc::msg::kHello}, {"abi_major", GAUNTLET_ABI_MAJOR}, {"abi_minor", GAUNTLET_ABI_MINOR}};
  try {
    // An exception from the entry or get_info() escapes run() and ends in std::terminate.
    library_ = std::make_unique<PluginLibrary>(plugin_path_, host_services());
    if (after_load_)
      if (std::string why = after_load_(); !why.empty()) {
        // Refused: the library is neither used nor unloaded (its destructors must not run).
        static_cast<void>(library_.release());
        throw LoadFailure{false,
                          "the sandbox could not restrict file access after loading the plugin: " + why};
      }
    const auto& info = library_->info();
    hello["ok"] = true;
    hello["plugin_abi_major"] = library_->api().abi_major;
    hello["plugin_abi_minor"] = library_->api().abi_minor;
    hello["table_size"] = library_->declared_table_size();
    hello["info"] = json{{"name", info.name},
                         {"team", info.team},
                         {"version", info.version},
                         {"description", info.description},
                         {"capabilities", info.capabilities}};
  } catch (const LoadFailure& f) {
    hello["ok"] = false;
    hello["verdict"] = f.abi_mismatch ? "ABI_MISMATCH" : "LOAD_ERROR";
    // dlopen names the file by the path it was given: show the one the team knows.
    std::string message = f.message;
    if (!shown_plugin_path_.empty() && shown_plugin_path_ != plugin_path_)
      for (auto at = message.find(plugin_path_); at != std::string::npos;
           at = message.find(plugin_path_, at + shown_plugin_path_.size()))
        message.replace(at, plugin_path_.size(), shown_plugin_path_);
    hello["message"] = message;
  }
  socket_.send(hello);
  if (!library_) return 0;

  for (;;) {
    auto received = socket_.receive(clock_type::time_point::max());
    if (received.status != ipc::MessageSocket::Status::ok) return 0;  // the host hung up
    const json& m = received.message;
    const std::string type = m.value("type", "");
    try {
      if (type == ipc::msg::kCreate) {
        handle_create(m);
      } else if (type == ipc::msg::kRegions) {
        handle_regions(m, std::move(received.fds));
      } else if (type == ipc::msg::kPrepare) {
        handle_prepare(m);
      } else if (type == ipc::msg::kTrain) {
        handle_train(m);
      } else if (type == ipc::msg::kServe) {
        handle_serve(m);
      } else if (type == ipc::msg::kDestroy) {
        handle_destroy();
        return 0;
      } else {
        reply(type, ipc::kWorkerFailure, "unknown request '" + type + "'");
      }
    } catch (const std::exception& e) {
      reply(type, ipc::kWorkerFailure, std::string("worker: ") + e.what());
    }
  }
}

void Worker::handle_create(const json& m) {
  std::string challenge_id = m.at("challenge_id").get<std::string>();
  std::vector<std::pair<std::string, std::string>> config;
  for (const auto& kv : m.at("config"))
    config.emplace_back(kv.at(0).get<std::string>(), kv.at(1).get<std::string>());
  std::vector<gauntlet_config_entry> entries;
  entries.reserve(config.size());
  for (const auto& [k, v] : config) entries.push_back({k.c_str(), v.c_str()});

  gauntlet_create_args args{};
  args.struct_size = sizeof(args);
  args.num_threads = m.at("threads").get<uint32_t>();
  args.challenge_id = challenge_id.c_str();
  args.asset_dir = asset_dir_.empty() ? nullptr : asset_dir_.c_str();
  args.config = entries.data();
  args.num_config = static_cast<uint32_t>(entries.size());
  args.seed = m.at("seed").get<uint64_t>();

  auto t0 = clock_type::now();
  gauntlet_instance* instance = nullptr;
  gauntlet_status status = plugin_call([&] { return library_->api().create(&args, &instance); });
  uint64_t ns = elapsed_ns(t0);
  if (status != GAUNTLET_OK) {
    reply(ipc::msg::kCreate, status, plugin_error(status, nullptr), ns);
    return;
  }
  if (!instance) {
    reply(ipc::msg::kCreate, GAUNTLET_ERROR, "create() returned OK but no instance", ns);
    return;
  }
  instance_ = instance;
  reply(ipc::msg::kCreate, GAUNTLET_OK, "", ns);
}

void Worker::handle_regions(const json& m, std::vector<int> fds) {
  const json& regions = m.at("regions");
  if (regions.size() != fds.size()) {
    for (int fd : fds) ::close(fd);
    throw std::runtime_error("regions message carries " + std::to_string(fds.size()) + " fds for " +
                             std::to_string(regions.size()) + " regions");
  }
  for (std::size_t i = 0; i < regions.size(); ++i) {
    const json& r = regions[i];
    const std::string role = r.at("role").get<std::string>();
    const std::size_t bytes = r.at("bytes").get<std::size_t>();
    if (role == ipc::role::kControl) {
      control_mapping_ = ipc::Mapping::map(fds[i], bytes, true);
      page_ = reinterpret_cast<ipc::ControlPage*>(control_mapping_.data());
      attach_control_page(page_);
      continue;
    }
    TensorRegion t;
    t.writable = role == ipc::role::kOutput;
    t.mapping = ipc::Mapping::map(fds[i], bytes, t.writable);
    t.name = r.at("name").get<std::string>();
    auto dtype = parse_dtype(r.at("dtype").get<std::string>());
    if (!dtype) throw std::runtime_error("unknown dtype for region " + t.name);
    t.dtype = to_abi(*dtype);
    t.shape = r.at("shape").get<std::vector<int64_t>>();
    if (t.shape.empty()) throw std::runtime_error("region " + t.name + " has no shape");
    t.capacity = t.shape[0];
    t.samples = r.at("samples").get<int64_t>();
    if (t.samples < 0 || t.samples > t.capacity)
      throw std::runtime_error("region " + t.name + ": bad sample count");
    t.strides.assign(t.shape.size(), 1);
    for (std::size_t d = t.shape.size() - 1; d > 0; --d) t.strides[d - 1] = t.strides[d] * t.shape[d];
    t.sample_bytes = static_cast<std::size_t>(t.strides[0]) * dtype_size(*dtype);
    if (t.sample_bytes * static_cast<std::size_t>(t.capacity) > t.mapping.size())
      throw std::runtime_error("region " + t.name + " is smaller than its shape");
    if (role == ipc::role::kEvalInput) {
      eval_inputs_.push_back(std::move(t));
    } else if (role == ipc::role::kTimingInput) {
      timing_inputs_.push_back(std::move(t));
    } else if (role == ipc::role::kTrainInput) {
      train_inputs_.push_back(std::move(t));
    } else if (role == ipc::role::kTrainTarget) {
      train_targets_.push_back(std::move(t));
    } else if (role == ipc::role::kOutput) {
      outputs_.push_back(std::move(t));
    } else {
      throw std::runtime_error("unknown region role '" + role + "'");
    }
  }
  // The mappings keep the memory; the fds would only let a plugin map it again.
  for (int fd : fds) ::close(fd);
  reply(ipc::msg::kRegions, GAUNTLET_OK, "");
}

gauntlet_tensor Worker::describe(TensorRegion& region, int64_t first_sample, int64_t samples) {
  region.shape[0] = samples;
  gauntlet_tensor t{};
  std::byte* base = region.mapping.data() + static_cast<std::size_t>(first_sample) * region.sample_bytes;
  t.data = base;
  t.device = {GAUNTLET_DEVICE_CPU, 0};
  t.ndim = static_cast<int32_t>(region.shape.size());
  t.dtype = region.dtype;
  t.shape = region.shape.data();
  t.strides = region.strides.data();
  t.byte_offset = 0;
  t.flags = GAUNTLET_TENSOR_CONTIGUOUS | (region.writable ? 0u : GAUNTLET_TENSOR_READ_ONLY);
  if (reinterpret_cast<uintptr_t>(base) % 64 == 0) t.flags |= GAUNTLET_TENSOR_ALIGNED_64;
  t.name = region.name.c_str();
  return t;
}

void Worker::handle_prepare(const json& m) {
  if (!instance_) throw std::runtime_error("prepare before create");
  SpecList inputs(m.at("inputs"));
  SpecList outputs(m.at("outputs"));
  std::vector<int64_t> batch_sizes = m.at("batch_sizes").get<std::vector<int64_t>>();
  gauntlet_prepare_args args{};
  args.struct_size = sizeof(args);
  args.num_inputs = static_cast<uint32_t>(inputs.specs.size());
  args.inputs = inputs.specs.data();
  args.num_outputs = static_cast<uint32_t>(outputs.specs.size());
  args.outputs = outputs.specs.data();
  args.num_batch_sizes = static_cast<uint32_t>(batch_sizes.size());
  args.batch_sizes = batch_sizes.data();
  auto t0 = clock_type::now();
  gauntlet_status status = plugin_call([&] { return library_->api().prepare(instance_, &args); });
  uint64_t ns = elapsed_ns(t0);
  reply(ipc::msg::kPrepare, status, status == GAUNTLET_OK ? "" : plugin_error(status, instance_), ns);
}

void Worker::handle_train(const json& m) {
  if (!instance_) throw std::runtime_error("train before create");
  if (!library_->api().train) throw std::runtime_error("the plugin has no train()");
  if (train_inputs_.empty() || train_targets_.empty())
    throw std::runtime_error("no training data was mapped");
  std::vector<gauntlet_tensor> inputs, targets;
  for (auto& r : train_inputs_) inputs.push_back(describe(r, 0, r.samples));
  for (auto& r : train_targets_) targets.push_back(describe(r, 0, r.samples));
  gauntlet_train_args args{};
  args.struct_size = sizeof(args);
  args.num_inputs = static_cast<uint32_t>(inputs.size());
  args.inputs = inputs.data();
  args.num_targets = static_cast<uint32_t>(targets.size());
  args.targets = targets.data();
  args.time_limit_seconds = m.value("time_limit_seconds", 0.0);
  auto t0 = clock_type::now();
  gauntlet_status status = plugin_call([&] { return library_->api().train(instance_, &args); });
  uint64_t ns = elapsed_ns(t0);
  reply(ipc::msg::kTrain, status, status == GAUNTLET_OK ? "" : plugin_error(status, instance_), ns);
}

void Worker::handle_serve(const json& m) {
  if (!instance_ || !page_) throw std::runtime_error("serve before create/regions");
  if (eval_inputs_.empty() || outputs_.empty())
    throw std::runtime_error("serve without input/output regions");
  // The base sequence number is read before replying: the host may post its first request
  // the moment the reply arrives.
  const uint32_t base_seq = page_->request.seq.load(std::memory_order_acquire);
  reply(ipc::msg::kServe, GAUNTLET_OK, "");
  serve_control_page(base_seq, m.value("spin_us", 200u));
}

void Worker::serve_control_page(uint32_t seq, uint32_t spin_us) {
  std::vector<gauntlet_tensor> inputs(eval_inputs_.size()), outputs(outputs_.size());
  gauntlet_infer_args args{};
  args.struct_size = sizeof(args);
  args.num_inputs = static_cast<uint32_t>(inputs.size());
  args.inputs = inputs.data();
  args.num_outputs = static_cast<uint32_t>(outputs.size());
  args.outputs = outputs.data();

  const auto spin = std::chrono::microseconds(spin_us);
  for (;;) {
    const uint32_t next = seq + 1;
    ipc::wait_for(page_->request, next, spin, clock_type::time_point::max(), std::chrono::seconds(1));
    seq = next;
    const ipc::Op op = page_->op;
    if (op == ipc::Op::stop) {
      page_->status = GAUNTLET_OK;
      page_->message_bytes = 0;
      ipc::post(page_->response, seq);
      return;
    }
    int32_t status = ipc::kWorkerFailure;
    std::string message;
    uint64_t ns = 0;
    const int64_t first = page_->first_sample, batch = page_->batch_size;
    // Input set 1: the timing inputs the host refreshes before each timed call.
    const uint32_t input_set = page_->input_set;
    auto& input_regions = input_set == 1 && !timing_inputs_.empty() ? timing_inputs_ : eval_inputs_;
    bool in_bounds = op == ipc::Op::infer && batch > 0 && first >= 0 && input_set <= 1 &&
                     input_regions.size() == inputs.size();
    for (auto& r : input_regions) in_bounds = in_bounds && first + batch <= r.capacity;
    for (auto& r : outputs_) in_bounds = in_bounds && batch <= r.capacity;
    if (!in_bounds) {
      message = "worker: bad request (op " + std::to_string(static_cast<uint32_t>(op)) + ", samples " +
                std::to_string(first) + "+" + std::to_string(batch) + ")";
    } else {
      for (std::size_t i = 0; i < inputs.size(); ++i) inputs[i] = describe(input_regions[i], first, batch);
      for (std::size_t i = 0; i < outputs.size(); ++i) outputs[i] = describe(outputs_[i], 0, batch);
      args.batch_size = batch;
      auto t0 = clock_type::now();
      status = plugin_call([&] { return library_->api().infer(instance_, &args); });
      ns = elapsed_ns(t0);
      if (status != GAUNTLET_OK) message = plugin_error(status, instance_);
    }
    page_->status = status;
    page_->self_reported_ns = ns;
    std::size_t len = std::min(message.size(), ipc::kMaxResponseMessage);
    std::memcpy(page_->message, message.data(), len);
    page_->message_bytes = static_cast<uint32_t>(len);
    ipc::post(page_->response, seq);
  }
}

void Worker::handle_destroy() {
  if (instance_) {
    plugin_call([&] { library_->api().destroy(instance_); });
    instance_ = nullptr;
  }
  reply(ipc::msg::kDestroy, GAUNTLET_OK, "");
}

}  // namespace gauntlet::worker
