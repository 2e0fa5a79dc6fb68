#include "judge/worker_client.hpp"

#include "ipc/channel.hpp"
#include "ipc/messages.hpp"
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
        std::make_unique<sandbox::JobSandbox>(spec, sandbox::cached_machine_probe(worker_executable));
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
    if (r.status == ipc::MessageSocket::Status::ok && ipc::message_type(r.message) == ipc::msg::kViolation) {
      // The last report counts: the worker's supervisor sends its own once the plugin
      // process is dead, after anything the plugin could have written.
      try {
        violation_ = ipc::decode_violation(r.message).nr;
      } catch (const ipc::ProtocolError&) {
      }
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
  if (r.status == ipc::MessageSocket::Status::ok &&
      ipc::message_type(r.message) == ipc::msg::kSandboxReport) {
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
  ipc::Hello h;
  try {
    h = ipc::decode_hello(r.message);
  } catch (const ipc::ProtocolError& e) {
    out.call.kind = CallOutcome::Kind::protocol_error;
    out.call.message = std::string("the worker's first message is not a valid hello: ") + e.what();
    return out;
  }
  if (!h.ok) {
    (h.verdict == "ABI_MISMATCH" ? out.abi_mismatch : out.load_failure) = h.message;
    out.call.kind = CallOutcome::Kind::plugin_error;
    out.call.message = h.message;
    return out;
  }
  out.identity.name = h.name;
  out.identity.team = h.team;
  out.identity.version = h.version;
  out.identity.description = h.description;
  out.identity.capabilities = h.capabilities;
  out.identity.abi_major = h.plugin_abi_major;
  out.identity.abi_minor = h.plugin_abi_minor;
  out.identity.table_size = h.table_size;
  return out;
}

CallOutcome WorkerClient::await_reply(const std::string& type, Clock::time_point deadline) {
  auto r = receive(deadline);
  if (r.status != ipc::MessageSocket::Status::ok) return failed_wait(r.status, r.error);
  CallOutcome out;
  ipc::Reply reply;
  try {
    reply = ipc::decode_reply(r.message);
  } catch (const ipc::ProtocolError& e) {
    out.kind = CallOutcome::Kind::protocol_error;
    out.message = "expected the reply to '" + type + "': " + e.what();
    return out;
  }
  if (reply.to != type) {
    out.kind = CallOutcome::Kind::protocol_error;
    out.message = "expected the reply to '" + type + "', got one to '" + reply.to + "'";
    return out;
  }
  out.status = reply.status;
  out.message = reply.message;
  out.self_reported_ns = reply.self_ns;
  if (out.status == ipc::kWorkerFailure)
    out.kind = CallOutcome::Kind::worker_failure;
  else if (out.status != 0)
    out.kind = CallOutcome::Kind::plugin_error;
  return out;
}

CallOutcome WorkerClient::request(const std::string& type, const json& m, Clock::time_point deadline,
                                  const std::vector<int>& fds) {
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

CallOutcome WorkerClient::create(const ipc::CreateRequest& args, Clock::time_point deadline) {
  return request(ipc::msg::kCreate, ipc::encode(args), deadline);
}

CallOutcome WorkerClient::send_regions(const std::vector<RegionSpec>& regions, Clock::time_point deadline) {
  ipc::RegionsMessage message;
  std::vector<int> fds;
  message.regions.push_back({ipc::role::kControl, "", "", {}, 0, control_memory_->size()});
  fds.push_back(control_memory_->fd());
  for (const auto& r : regions) {
    message.regions.push_back({r.role, r.name, r.dtype, r.shape, r.samples, r.memory->size()});
    fds.push_back(r.memory->fd());
  }
  return request(ipc::msg::kRegions, ipc::encode(message), deadline, fds);
}

CallOutcome WorkerClient::prepare(const ipc::PrepareRequest& args, Clock::time_point deadline) {
  return request(ipc::msg::kPrepare, ipc::encode(args), deadline);
}

CallOutcome WorkerClient::train(double time_limit_seconds, Clock::time_point cancel_at,
                                Clock::time_point deadline) {
  auto t0 = Clock::now();
  if (!socket_.send(ipc::encode(ipc::TrainRequest{time_limit_seconds})))
    return CallOutcome{CallOutcome::Kind::worker_died, 0, "", 0, 0};
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
  // The sequence numbers are the judge's own (seq_): whatever the plugin wrote into the page
  // since it was mapped is never read back as the judge's state.
  return request(ipc::msg::kServe, ipc::encode(ipc::ServeRequest{worker_spin_us}), deadline);
}

WorkerClient::Answer WorkerClient::exchange(ipc::Op op, int64_t batch, uint64_t nonce,
                                            const std::function<void()>& present,
                                            Clock::time_point deadline) {
  Answer out;
  // Nothing may answer a request that does not exist yet.
  const uint32_t before = page_->response.seq.load(std::memory_order_acquire);
  if (before != seq_) {
    out.kind = CallOutcome::Kind::protocol_error;
    out.message = "an answer (sequence " + std::to_string(before) +
                  ") was posted before the judge's request " + std::to_string(seq_ + 1) + " existed";
    return out;
  }
  const uint32_t seq = seq_ + 1;
  const auto t0 = Clock::now();
  if (present) present();
  page_->op = op;
  page_->batch_size = batch;
  page_->nonce = nonce;
  const auto t_posted = Clock::now();
  ipc::post(page_->request, seq);
  uint32_t seen = 0;
  const auto result = ipc::wait_for_change(
      page_->response, seq_, &seen, spin_, deadline, std::chrono::milliseconds(20),
      [this] { return process_->alive(); }, &out.judge_away_harmless);
  const auto t1 = Clock::now();
  seq_ = seq;  // spent, whatever the answer
  out.latency = t1 - t0;
  out.staging = t_posted - t0;
  if (result == ipc::WaitResult::timed_out) {
    out.kind = CallOutcome::Kind::timed_out;
    return out;
  }
  if (result == ipc::WaitResult::aborted) {
    out.kind = CallOutcome::Kind::worker_died;
    return out;
  }
  // Each field read once: the plugin may be rewriting them as we look.
  const uint64_t echo = std::atomic_ref<uint64_t>(page_->nonce_echo).load(std::memory_order_relaxed);
  out.status = std::atomic_ref<int32_t>(page_->status).load(std::memory_order_relaxed);
  out.self_reported_ns = std::atomic_ref<uint64_t>(page_->self_reported_ns).load(std::memory_order_relaxed);
  if (seen != seq) {
    out.kind = CallOutcome::Kind::protocol_error;
    out.message =
        "the answer carries sequence " + std::to_string(seen) + " for request " + std::to_string(seq);
    return out;
  }
  if (echo != nonce) {
    out.kind = CallOutcome::Kind::protocol_error;
    out.message = "the answer does not carry the request's nonce: it was not produced for this request";
    return out;
  }
  if (out.status != 0) {
    const std::size_t len =
        std::min<std::size_t>(std::atomic_ref<uint32_t>(page_->message_bytes).load(std::memory_order_relaxed),
                              ipc::kMaxResponseMessage);
    out.message.assign(page_->message, len);
    out.kind = out.status == ipc::kWorkerFailure ? CallOutcome::Kind::worker_failure
                                                 : CallOutcome::Kind::plugin_error;
  }
  return out;
}

WorkerClient::Answer WorkerClient::infer(int64_t batch, uint64_t nonce, const std::function<void()>& present,
                                         Clock::time_point deadline) {
  return exchange(ipc::Op::infer, batch, nonce, present, deadline);
}

CallOutcome WorkerClient::end_serving(uint64_t nonce, Clock::time_point deadline) {
  const Answer a = exchange(ipc::Op::stop, 0, nonce, {}, deadline);
  CallOutcome out;
  out.kind = a.kind;
  out.status = a.status;
  out.message = a.message;
  return out;
}

CallOutcome WorkerClient::destroy(Clock::time_point deadline) {
  return request(ipc::msg::kDestroy, ipc::encode(ipc::DestroyRequest{}), deadline);
}

}  // namespace gauntlet::judge
