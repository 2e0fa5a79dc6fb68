#include "judge/worker_client.hpp"

#include "ipc/channel.hpp"
#include "ipc/protocol.hpp"
#include "judge/worker_pool.hpp"

#include <unistd.h>

#include <algorithm>
#include <new>

namespace gauntlet::judge {
namespace {

using json = nlohmann::json;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Untrusted strings from the worker: bounded.
std::string bounded(const json& m, const char* key, std::size_t cap = 4096) {
  auto it = m.find(key);
  if (it == m.end() || !it->is_string()) return {};
  std::string s = it->get<std::string>();
  if (s.size() > cap) s.resize(cap);
  return s;
}

}  // namespace

WorkerClient::WorkerClient(const std::filesystem::path& worker_executable,
                           const std::filesystem::path& plugin, const std::vector<int>& cpus,
                           sandbox::JobSandbox* sandbox, bool pooled, bool prepare_next)
    : sandbox_(sandbox), spawned_at_(Clock::now()) {
  if (!sandbox_) {
    sandbox::JobSpec spec;
    spec.mode = sandbox::Mode::relaxed;
    spec.plugin = plugin;
    own_sandbox_ =
        std::make_unique<sandbox::JobSandbox>(spec, sandbox::cached_capabilities(worker_executable));
    sandbox_ = own_sandbox_.get();
  }
  control_memory_ = ipc::SharedMemory::create("control", ipc::kControlPageBytes);
  page_ = new (control_memory_->data()) ipc::ControlPage();
  std::optional<WarmWorker> warm;
  if (pooled && sandbox_->can_adopt()) warm = take_warm_worker(worker_executable, cpus, prepare_next);
  if (warm) {
    socket_ = std::move(warm->socket);
    process_ = std::move(warm->process);
    process_->adopt(sandbox_);
    sandbox_->adopt(std::move(warm->cgroup));
  } else {
    ipc::MessageSocket worker_end;
    ipc::MessageSocket::make_pair(socket_, worker_end);
    WorkerProcess::Options options;
    options.worker_executable = worker_executable;
    options.plugin = plugin;
    options.socket_fd = worker_end.fd();
    options.cpus = cpus;
    options.environment = sandbox_->environment();
    options.extra_args = {"--namespaces", sandbox::namespace_list(sandbox_->namespaces())};
    options.sandbox = sandbox_;
    process_ = std::make_unique<WorkerProcess>(options);
    // The worker waits for its policy, which comes only once it is in the job's cgroups: all
    // it and the plugin will ever do is accounted and limited.
    sandbox_->attach(process_->pid());
    // worker_end closes here: from now on only the worker holds its end, so its death is
    // seen as end-of-file on ours.
  }
  if (!socket_.send(sandbox_->policy_message(process_->pid())))
    throw std::runtime_error("cannot start the worker: it died before receiving its sandbox policy");
}

WorkerClient::~WorkerClient() {
  // The process goes before the sandbox it lives in (cgroups are removed when it is empty).
  process_.reset();
}

ipc::MessageSocket::Received WorkerClient::receive(Clock::time_point deadline) {
  for (;;) {
    auto r = socket_.receive(deadline);
    // The host never expects a descriptor from the worker.
    for (int fd : r.fds) ::close(fd);
    r.fds.clear();
    if (r.status == ipc::MessageSocket::Status::ok && r.message.value("type", "") == ipc::msg::kViolation) {
      // The last report counts: the worker's supervisor sends its own once the plugin
      // process is dead, after anything the plugin could have written.
      if (r.message.contains("nr") && r.message["nr"].is_number_integer())
        violation_ = r.message["nr"].get<int>();
      continue;
    }
    return r;
  }
}

std::optional<int> WorkerClient::violation() {
  // Whatever is still queued (the worker is gone or going): no waiting.
  for (int i = 0; i < 64; ++i) {
    auto r = receive(Clock::now());
    if (r.status != ipc::MessageSocket::Status::ok) break;
  }
  return violation_;
}

CallOutcome WorkerClient::failed_wait(ipc::MessageSocket::Status status, const std::string& error) {
  CallOutcome out;
  switch (status) {
    case ipc::MessageSocket::Status::timed_out:
      out.kind = CallOutcome::Kind::timed_out;
      break;
    case ipc::MessageSocket::Status::closed:
      out.kind = CallOutcome::Kind::worker_died;
      break;
    default:
      out.kind = CallOutcome::Kind::protocol_error;
      out.message = error;
  }
  return out;
}

HelloOutcome WorkerClient::hello(Clock::time_point deadline) {
  HelloOutcome out;
  auto t0 = Clock::now();
  // First what the worker applied to itself, before any plugin code ran.
  auto r = receive(deadline);
  if (r.status == ipc::MessageSocket::Status::ok && r.message.value("type", "") == ipc::msg::kSandboxReport) {
    out.confined_seconds = seconds_since(spawned_at_);
    try {
      sandbox_->merge_worker_report(sandbox::report_from_json(r.message.at("report")));
    } catch (const std::exception& e) {
      out.call.kind = CallOutcome::Kind::protocol_error;
      out.call.message = std::string("malformed sandbox report: ") + e.what();
      return out;
    }
    const auto ok = r.message.find("ok");
    if (ok == r.message.end() || !ok->is_boolean() || !ok->get<bool>()) {
      out.sandbox_failure = sandbox_->report().summary();
      out.call.kind = CallOutcome::Kind::worker_failure;
      out.call.message = *out.sandbox_failure;
      return out;
    }
    r = receive(deadline);
  } else if (r.status == ipc::MessageSocket::Status::ok) {
    out.call.kind = CallOutcome::Kind::protocol_error;
    out.call.message = "the worker's first message is not its sandbox report";
    return out;
  }
  out.ready_seconds = seconds_since(spawned_at_);
  out.call.host_seconds = seconds_since(t0);
  if (r.status != ipc::MessageSocket::Status::ok) {
    out.call = failed_wait(r.status, r.error);
    return out;
  }
  const json& m = r.message;
  if (m.value("type", "") != ipc::msg::kHello || !m.contains("ok") || !m["ok"].is_boolean()) {
    out.call.kind = CallOutcome::Kind::protocol_error;
    out.call.message = "the worker's first message is not a hello";
    return out;
  }
  if (!m["ok"].get<bool>()) {
    std::string verdict = bounded(m, "verdict"), message = bounded(m, "message");
    (verdict == "ABI_MISMATCH" ? out.abi_mismatch : out.load_failure) = message;
    out.call.kind = CallOutcome::Kind::plugin_error;
    out.call.message = message;
    return out;
  }
  try {
    const json& info = m.at("info");
    out.identity.name = bounded(info, "name", 256);
    out.identity.team = bounded(info, "team", 256);
    out.identity.version = bounded(info, "version", 256);
    out.identity.description = bounded(info, "description", 1024);
    out.identity.capabilities = info.at("capabilities").get<uint64_t>();
    out.identity.abi_major = m.at("plugin_abi_major").get<uint32_t>();
    out.identity.abi_minor = m.at("plugin_abi_minor").get<uint32_t>();
    out.identity.table_size = m.at("table_size").get<uint32_t>();
  } catch (const std::exception& e) {
    out.call.kind = CallOutcome::Kind::protocol_error;
    out.call.message = std::string("malformed hello: ") + e.what();
  }
  return out;
}

CallOutcome WorkerClient::await_reply(const std::string& type, Clock::time_point deadline) {
  auto r = receive(deadline);
  if (r.status != ipc::MessageSocket::Status::ok) return failed_wait(r.status, r.error);
  const json& m = r.message;
  CallOutcome out;
  if (m.value("type", "") != ipc::msg::kReply || m.value("to", "") != type || !m.contains("status") ||
      !m["status"].is_number_integer()) {
    out.kind = CallOutcome::Kind::protocol_error;
    out.message = "expected the reply to '" + type + "'";
    return out;
  }
  out.status = m["status"].get<int32_t>();
  out.message = bounded(m, "message");
  if (m.contains("self_ns") && m["self_ns"].is_number_unsigned())
    out.self_reported_ns = m["self_ns"].get<uint64_t>();
  if (out.status == ipc::kWorkerFailure)
    out.kind = CallOutcome::Kind::worker_failure;
  else if (out.status != 0)
    out.kind = CallOutcome::Kind::plugin_error;
  return out;
}

CallOutcome WorkerClient::request(const std::string& type, const json& body, Clock::time_point deadline,
                                  const std::vector<int>& fds) {
  json m = body;
  m["type"] = type;
  auto t0 = Clock::now();
  if (!socket_.send(m, fds)) {
    CallOutcome out;
    out.kind = CallOutcome::Kind::worker_died;
    return out;
  }
  CallOutcome out = await_reply(type, deadline);
  out.host_seconds = seconds_since(t0);
  return out;
}

CallOutcome WorkerClient::create(const json& args, Clock::time_point deadline) {
  return request(ipc::msg::kCreate, args, deadline);
}

CallOutcome WorkerClient::send_regions(const std::vector<RegionSpec>& regions, Clock::time_point deadline) {
  json list = json::array();
  std::vector<int> fds;
  list.push_back({{"role", ipc::role::kControl}, {"bytes", control_memory_->size()}});
  fds.push_back(control_memory_->fd());
  for (const auto& r : regions) {
    list.push_back({{"role", r.role},
                    {"name", r.name},
                    {"dtype", r.dtype},
                    {"shape", r.shape},
                    {"samples", r.samples},
                    {"bytes", r.memory->size()}});
    fds.push_back(r.memory->fd());
  }
  return request(ipc::msg::kRegions, json{{"regions", list}}, deadline, fds);
}

CallOutcome WorkerClient::prepare(const json& args, Clock::time_point deadline) {
  return request(ipc::msg::kPrepare, args, deadline);
}

CallOutcome WorkerClient::train(double time_limit_seconds, Clock::time_point cancel_at,
                                Clock::time_point deadline) {
  json m{{"type", ipc::msg::kTrain}, {"time_limit_seconds", time_limit_seconds}};
  auto t0 = Clock::now();
  if (!socket_.send(m)) return CallOutcome{CallOutcome::Kind::worker_died, 0, "", 0, 0};
  CallOutcome out = await_reply(ipc::msg::kTrain, std::min(cancel_at, deadline));
  if (out.kind == CallOutcome::Kind::timed_out && cancel_at < deadline) {
    // Ask politely first; the hard limit still stands.
    page_->cancel.store(1, std::memory_order_relaxed);
    out = await_reply(ipc::msg::kTrain, deadline);
    page_->cancel.store(0, std::memory_order_relaxed);
  }
  out.host_seconds = seconds_since(t0);
  return out;
}

CallOutcome WorkerClient::begin_serving(std::chrono::nanoseconds host_spin, uint32_t worker_spin_us,
                                        Clock::time_point deadline) {
  spin_ = host_spin;
  seq_ = page_->request.seq.load(std::memory_order_relaxed);
  return request(ipc::msg::kServe, json{{"spin_us", worker_spin_us}}, deadline);
}

WorkerClient::InferOutcome WorkerClient::infer(int64_t batch, int64_t first, Clock::time_point deadline,
                                               uint32_t input_set) {
  InferOutcome out;
  page_->op = ipc::Op::infer;
  page_->input_set = input_set;
  page_->batch_size = batch;
  page_->first_sample = first;
  const uint32_t seq = ++seq_;
  const auto t0 = Clock::now();
  ipc::post(page_->request, seq);
  auto result = ipc::wait_for(page_->response, seq, spin_, deadline, std::chrono::milliseconds(20),
                              [this] { return process_->alive(); });
  const auto t1 = Clock::now();
  out.latency = t1 - t0;
  if (result == ipc::WaitResult::timed_out) {
    out.kind = CallOutcome::Kind::timed_out;
    return out;
  }
  if (result == ipc::WaitResult::aborted) {
    out.kind = CallOutcome::Kind::worker_died;
    return out;
  }
  out.status = page_->status;
  out.self_reported_ns = page_->self_reported_ns;
  if (out.status != 0) {
    std::size_t len = std::min<std::size_t>(page_->message_bytes, ipc::kMaxResponseMessage);
    out.message.assign(page_->message, len);
    out.kind = out.status == ipc::kWorkerFailure ? CallOutcome::Kind::worker_failure
                                                 : CallOutcome::Kind::plugin_error;
  }
  return out;
}

CallOutcome WorkerClient::end_serving(Clock::time_point deadline) {
  CallOutcome out;
  page_->op = ipc::Op::stop;
  const uint32_t seq = ++seq_;
  ipc::post(page_->request, seq);
  auto result = ipc::wait_for(page_->response, seq, spin_, deadline, std::chrono::milliseconds(20),
                              [this] { return process_->alive(); });
  if (result == ipc::WaitResult::timed_out) out.kind = CallOutcome::Kind::timed_out;
  if (result == ipc::WaitResult::aborted) out.kind = CallOutcome::Kind::worker_died;
  return out;
}

CallOutcome WorkerClient::destroy(Clock::time_point deadline) {
  return request(ipc::msg::kDestroy, json::object(), deadline);
}

}  // namespace gauntlet::judge
