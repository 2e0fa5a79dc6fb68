#include "worker/worker.hpp"

#include "common/dtype.hpp"
#include "ipc/channel.hpp"
#include "ipc/messages.hpp"
#include "ipc/protocol.hpp"
#include "worker/host_services.hpp"
#include "worker/spec_layout.hpp"

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

// Specs as the ABI wants them (spec_layout.hpp), with storage that outlives the call.
struct SpecList {
  std::vector<ipc::TensorSpecInfo> infos;
  std::vector<SpecFields> fields;
  SpecArray specs;

  SpecList(std::vector<ipc::TensorSpecInfo> list, uint32_t plugin_minor)
      : infos(std::move(list)), fields(fields_of(infos)), specs(fields, spec_element_size(plugin_minor)) {}

  static std::vector<SpecFields> fields_of(const std::vector<ipc::TensorSpecInfo>& infos) {
    std::vector<SpecFields> out;
    for (const auto& info : infos) {
      auto dtype = parse_dtype(info.dtype);
      if (!dtype) throw std::runtime_error("unknown dtype in prepare");
      out.push_back({info.name.c_str(), to_abi(*dtype), info.shape});
    }
    return out;
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
  // A host that is gone cannot be told anything: the serving loop ends at its next receive.
  static_cast<void>(socket_.send(ipc::encode(ipc::Reply{to, status, message, self_ns})));
}

std::string Worker::plugin_error(int32_t status, const gauntlet_instance* instance) const {
  const char* text = plugin_call([&] { return library_->api().last_error(instance); });
  std::string message = text ? std::string(text, strnlen(text, 4096)) : std::string();
  if (message.empty())
    message = "the plugin returned status " + std::to_string(status) + " without a message";
  return message;
}

int Worker::run() {
  ipc::Hello hello;
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
    hello.ok = true;
    hello.plugin_abi_major = library_->api().abi_major;
    hello.plugin_abi_minor = library_->api().abi_minor;
    hello.table_size = library_->declared_table_size();
    hello.name = info.name;
    hello.team = info.team;
    hello.version = info.version;
    hello.description = info.description;
    hello.capabilities = info.capabilities;
  } catch (const LoadFailure& f) {
    hello.ok = false;
    hello.verdict = f.abi_mismatch ? "ABI_MISMATCH" : "LOAD_ERROR";
    // dlopen names the file by the path it was given: show the one the team knows.
    std::string message = f.message;
    if (!shown_plugin_path_.empty() && shown_plugin_path_ != plugin_path_)
      for (auto at = message.find(plugin_path_); at != std::string::npos;
           at = message.find(plugin_path_, at + shown_plugin_path_.size()))
        message.replace(at, plugin_path_.size(), shown_plugin_path_);
    hello.message = message;
  }
  static_cast<void>(socket_.send(ipc::encode(hello)));  // as reply(): a gone host ends the loop
  if (!library_) return 0;

  for (;;) {
    auto received = socket_.receive(clock_type::time_point::max());
    if (received.status != ipc::MessageSocket::Status::ok) return 0;  // the host hung up
    const json& m = received.message;
    const std::string type = ipc::message_type(m);
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
  const ipc::CreateRequest request = ipc::decode_create(m);
  std::vector<gauntlet_config_entry> entries;
  entries.reserve(request.config.size());
  for (const auto& [k, v] : request.config) entries.push_back({k.c_str(), v.c_str()});

  gauntlet_create_args args{};
  args.struct_size = sizeof(args);
  args.num_threads = request.threads;
  args.challenge_id = request.challenge_id.c_str();
  args.asset_dir = asset_dir_.empty() ? nullptr : asset_dir_.c_str();
  args.config = entries.data();
  args.num_config = static_cast<uint32_t>(entries.size());
  args.seed = request.seed;

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
  ipc::RegionsMessage message;
  try {
    message = ipc::decode_regions(m);
  } catch (...) {
    for (int fd : fds) ::close(fd);
    throw;
  }
  const auto& regions = message.regions;
  if (regions.size() != fds.size()) {
    for (int fd : fds) ::close(fd);
    throw std::runtime_error("regions message carries " + std::to_string(fds.size()) + " fds for " +
                             std::to_string(regions.size()) + " regions");
  }
  try {
    for (std::size_t i = 0; i < regions.size(); ++i) map_region(regions[i], fds[i]);
  } catch (...) {
    for (int fd : fds) ::close(fd);
    throw;
  }
  // The mappings keep the memory; the fds would only let a plugin map it again.
  for (int fd : fds) ::close(fd);
  reply(ipc::msg::kRegions, GAUNTLET_OK, "");
}

void Worker::map_region(const ipc::RegionInfo& r, int fd) {
  const auto bytes = static_cast<std::size_t>(r.bytes);
  if (r.role == ipc::role::kControl) {
    control_mapping_ = ipc::Mapping::map(fd, bytes, /*writable=*/true);
    page_ = reinterpret_cast<ipc::ControlPage*>(control_mapping_.data());
    attach_control_page(page_);
    return;
  }
  TensorRegion t;
  t.writable = r.role == ipc::role::kOutput;
  t.mapping = ipc::Mapping::map(fd, bytes, t.writable);
  t.name = r.name;
  auto dtype = parse_dtype(r.dtype);
  if (!dtype) throw std::runtime_error("unknown dtype for region " + t.name);
  t.dtype = to_abi(*dtype);
  t.shape = r.shape;
  if (t.shape.empty()) throw std::runtime_error("region " + t.name + " has no shape");
  for (int64_t d : t.shape)
    if (d < 0) throw std::runtime_error("region " + t.name + " has a negative dimension");
  t.capacity = t.shape[0];
  t.samples = r.samples;
  if (t.samples < 0 || t.samples > t.capacity)
    throw std::runtime_error("region " + t.name + ": bad sample count");
  t.strides.assign(t.shape.size(), 1);
  for (std::size_t d = t.shape.size() - 1; d > 0; --d) t.strides[d - 1] = t.strides[d] * t.shape[d];
  t.sample_bytes = static_cast<std::size_t>(t.strides[0]) * dtype_size(*dtype);
  if (t.sample_bytes * static_cast<std::size_t>(t.capacity) > t.mapping.size())
    throw std::runtime_error("region " + t.name + " is smaller than its shape");
  if (r.role == ipc::role::kInput) {
    inputs_.push_back(std::move(t));
  } else if (r.role == ipc::role::kTrainInput) {
    train_inputs_.push_back(std::move(t));
  } else if (r.role == ipc::role::kTrainTarget) {
    train_targets_.push_back(std::move(t));
  } else if (r.role == ipc::role::kOutput) {
    outputs_.push_back(std::move(t));
  } else {
    throw std::runtime_error("unknown region role '" + r.role + "'");
  }
}

gauntlet_tensor Worker::describe(TensorRegion& region, int64_t samples) {
  region.shape[0] = samples;
  gauntlet_tensor t{};
  t.data = region.mapping.data();
  t.device = {GAUNTLET_DEVICE_CPU, 0};
  t.ndim = static_cast<int32_t>(region.shape.size());
  t.dtype = region.dtype;
  t.shape = region.shape.data();
  t.strides = region.strides.data();
  t.byte_offset = 0;
  t.flags = GAUNTLET_TENSOR_CONTIGUOUS | (region.writable ? 0u : GAUNTLET_TENSOR_READ_ONLY);
  if (reinterpret_cast<uintptr_t>(t.data) % 64 == 0) t.flags |= GAUNTLET_TENSOR_ALIGNED_64;
  t.name = region.name.c_str();
  return t;
}

void Worker::handle_prepare(const json& m) {
  if (!instance_) throw std::runtime_error("prepare before create");
  ipc::PrepareRequest request = ipc::decode_prepare(m);
  const uint32_t minor = library_->api().abi_minor;
  SpecList inputs(std::move(request.inputs), minor);
  SpecList outputs(std::move(request.outputs), minor);
  const std::vector<int64_t>& batch_sizes = request.batch_sizes;
  gauntlet_prepare_args args{};
  args.struct_size = sizeof(args);
  args.num_inputs = inputs.specs.size();
  args.inputs = inputs.specs.data();
  args.num_outputs = outputs.specs.size();
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
  const ipc::TrainRequest request = ipc::decode_train(m);
  std::vector<gauntlet_tensor> inputs, targets;
  for (auto& r : train_inputs_) inputs.push_back(describe(r, r.samples));
  for (auto& r : train_targets_) targets.push_back(describe(r, r.samples));
  gauntlet_train_args args{};
  args.struct_size = sizeof(args);
  args.num_inputs = static_cast<uint32_t>(inputs.size());
  args.inputs = inputs.data();
  args.num_targets = static_cast<uint32_t>(targets.size());
  args.targets = targets.data();
  args.time_limit_seconds = request.time_limit_seconds;
  auto t0 = clock_type::now();
  gauntlet_status status = plugin_call([&] { return library_->api().train(instance_, &args); });
  uint64_t ns = elapsed_ns(t0);
  // The ABI: training tensors are valid only during train(). The host truncates them as soon
  // as this reply arrives; the mappings stay, so that a plugin that kept a pointer faults with
  // SIGBUS, which the judge can name, rather than read whatever is mapped there next.
  reply(ipc::msg::kTrain, status, status == GAUNTLET_OK ? "" : plugin_error(status, instance_), ns);
}

void Worker::handle_serve(const json& m) {
  if (!instance_ || !page_) throw std::runtime_error("serve before create/regions");
  if (inputs_.empty() || outputs_.empty()) throw std::runtime_error("serve without input/output regions");
  const ipc::ServeRequest request = ipc::decode_serve(m);
  // The base sequence number is read before replying: the host may post its first request
  // the moment the reply arrives.
  const uint32_t base_seq = page_->request.seq.load(std::memory_order_acquire);
  reply(ipc::msg::kServe, GAUNTLET_OK, "");
  serve_control_page(base_seq, request.spin_us);
}

void Worker::serve_control_page(uint32_t seq, uint32_t spin_us) {
  std::vector<gauntlet_tensor> inputs(inputs_.size()), outputs(outputs_.size());
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
    const uint64_t nonce = page_->nonce;
    if (op == ipc::Op::stop) {
      page_->status = GAUNTLET_OK;
      page_->message_bytes = 0;
      page_->nonce_echo = nonce;
      ipc::post(page_->response, seq);
      return;
    }
    int32_t status = ipc::kWorkerFailure;
    std::string message;
    uint64_t ns = 0;
    const int64_t batch = page_->batch_size;
    bool in_bounds = op == ipc::Op::infer && batch > 0;
    for (auto& r : inputs_) in_bounds = in_bounds && batch <= r.capacity;
    for (auto& r : outputs_) in_bounds = in_bounds && batch <= r.capacity;
    if (!in_bounds) {
      message = "worker: bad request (op " + std::to_string(static_cast<uint32_t>(op)) + ", batch " +
                std::to_string(batch) + ")";
    } else {
      for (std::size_t i = 0; i < inputs.size(); ++i) inputs[i] = describe(inputs_[i], batch);
      for (std::size_t i = 0; i < outputs.size(); ++i) outputs[i] = describe(outputs_[i], batch);
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
    page_->nonce_echo = nonce;
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
