#include "judge_env.hpp"

#include "bench.hpp"
#include "challenge/challenge_loader.hpp"
#include "ipc/protocol.hpp"
#include "ipc/shared_memory.hpp"
#include "sandbox/job_sandbox.hpp"

#include <stdexcept>

namespace gauntlet::bench {
namespace {

using json = nlohmann::json;

void require_ok(const judge::CallOutcome& o, const std::string& step) {
  if (!o.ok()) throw std::runtime_error(step + " failed: " + o.message);
}

json spec_json(const TensorSpec& spec) {
  return json{{"name", spec.name}, {"dtype", std::string(dtype_name(spec.dtype))}, {"shape", spec.shape}};
}

}  // namespace

Challenge load_challenge_file(const std::string& relative) { return load_challenge(source_path(relative)); }

judge::SessionData prepare_data(const Challenge& challenge, int64_t eval_limit, SplitName split) {
  DataRequest request;
  request.split = split;
  request.eval_limit = eval_limit;
  request.include_train = false;
  return judge::prepare_session_data(challenge, request);
}

judge::JudgeResult judge(const Challenge& challenge, const judge::SessionData& data,
                         const std::string& plugin, const std::function<void(const std::string&)>& progress,
                         const std::string& asset_dir) {
  judge::JudgeOptions options;
  options.plugin = plugin;
  options.sandbox = sandbox::Mode::strict;
  options.progress = progress;
  options.asset_dir = asset_dir;
  judge::JudgeResult r = judge::judge_plugin(challenge, data, options);
  if (r.decision.verdict != judge::Verdict::ok)
    throw std::runtime_error("judging " + plugin + " did not end OK: " + r.decision.reason);
  return r;
}

DirectWorker::DirectWorker(const Challenge& challenge, const judge::SessionData& data,
                           const std::string& plugin, const ConfigList& config,
                           std::chrono::nanoseconds host_spin, uint32_t worker_spin_us) {
  const auto exe = judge::default_worker_executable();
  sandbox::JobSpec spec;
  spec.mode = sandbox::Mode::strict;
  spec.plugin = plugin;
  spec.limits.threads = challenge.limits.threads;
  box_ = std::make_unique<sandbox::JobSandbox>(spec, sandbox::cached_capabilities(exe));
  client_ =
      std::make_unique<judge::WorkerClient>(exe, plugin, std::vector<int>{}, box_.get(), /*pooled=*/true);
  const auto deadline = judge::Clock::now() + std::chrono::seconds(30);
  require_ok(client_->hello(deadline).call, "hello");
  json cfg = json::array();
  for (const auto& [k, v] : config) cfg.push_back({k, v});
  require_ok(client_->create(json{{"threads", challenge.limits.threads},
                                  {"challenge_id", challenge.id},
                                  {"asset_dir", ""},
                                  {"seed", 1},
                                  {"config", cfg}},
                             deadline),
             "create()");

  std::vector<judge::RegionSpec> regions;
  const TensorSpec& out = challenge.outputs[0];
  judge::RegionSpec o;
  o.role = ipc::role::kOutput;
  o.name = out.name;
  o.dtype = std::string(dtype_name(out.dtype));
  o.shape = out.shape;
  o.shape[0] = o.samples = data.max_batch;
  std::size_t out_sample = dtype_size(out.dtype);
  for (std::size_t d = 1; d < out.shape.size(); ++d) out_sample *= static_cast<std::size_t>(out.shape[d]);
  output_ = o.memory =
      ipc::SharedMemory::create("output", out_sample * static_cast<std::size_t>(data.max_batch));
  regions.push_back(o);
  for (const auto& in : data.eval_regions) {
    regions.push_back(in);
    judge::RegionSpec t = in;
    t.role = ipc::role::kTimingInput;
    t.shape[0] = t.samples = data.max_batch;
    const std::size_t sample = in.memory->size() / static_cast<std::size_t>(in.shape[0]);
    timing_ = t.memory =
        ipc::SharedMemory::create("timing", sample * static_cast<std::size_t>(data.max_batch));
    t.memory->seal_read_only_for_others();
    regions.push_back(t);
  }
  require_ok(client_->send_regions(regions, deadline), "regions");
  json inputs = json::array(), outputs = json::array();
  for (const auto& s : challenge.inputs) inputs.push_back(spec_json(s));
  for (const auto& s : challenge.outputs) outputs.push_back(spec_json(s));
  require_ok(client_->prepare(json{{"inputs", inputs},
                                   {"outputs", outputs},
                                   {"batch_sizes", judge::announced_batch_sizes(challenge)}},
                              deadline),
             "prepare()");
  require_ok(client_->begin_serving(host_spin, worker_spin_us, deadline), "serve");
}

DirectWorker::~DirectWorker() {
  const auto deadline = judge::Clock::now() + std::chrono::seconds(5);
  if (client_->end_serving(deadline).ok()) client_->destroy(deadline);
  client_->process().wait(std::chrono::seconds(2));
  client_.reset();
}

judge::WorkerClient::InferOutcome DirectWorker::infer(int64_t batch, int64_t first, uint32_t input_set) {
  return client_->infer(batch, first, judge::Clock::now() + std::chrono::seconds(10), input_set);
}

}  // namespace gauntlet::bench
