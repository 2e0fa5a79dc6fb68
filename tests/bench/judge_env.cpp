#include "judge_env.hpp"

#include "bench.hpp"
#include "challenge/challenge_loader.hpp"
#include "ipc/protocol.hpp"
#include "ipc/shared_memory.hpp"
#include "sandbox/job_sandbox.hpp"

#include <stdexcept>

namespace gauntlet::bench {
namespace {

void require_ok(const judge::CallOutcome& o, const std::string& step) {
  if (!o.ok()) throw std::runtime_error(step + " failed: " + o.message);
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
                           std::chrono::nanoseconds host_spin, uint32_t worker_spin_us)
    : data_(data) {
  const auto exe = judge::default_worker_executable();
  sandbox::JobSpec spec;
  spec.mode = sandbox::Mode::strict;
  spec.plugin = plugin;
  spec.limits.threads = challenge.limits.threads;
  box_ = std::make_unique<sandbox::JobSandbox>(spec, sandbox::cached_machine_probe(exe));
  client_ =
      std::make_unique<judge::WorkerClient>(exe, plugin, std::vector<int>{}, box_.get(), /*pooled=*/true);
  const auto deadline = judge::Clock::now() + std::chrono::seconds(30);
  require_ok(client_->hello(deadline).call, "hello");
  ipc::CreateRequest create;
  create.threads = static_cast<uint32_t>(challenge.limits.threads);
  create.challenge_id = challenge.id;
  create.seed = 1;
  create.config = {config.begin(), config.end()};
  require_ok(client_->create(create, deadline), "create()");

  std::vector<std::string> names;
  for (const auto& s : challenge.inputs) names.push_back(s.name);
  presentation_ = std::make_unique<judge::Presentation>(names, data.data.eval.inputs, data.max_batch);
  outputs_ = std::make_unique<judge::OutputSlots>(challenge.outputs, data.max_batch);
  std::vector<judge::RegionSpec> regions = presentation_->regions();
  for (auto& r : outputs_->regions()) regions.push_back(r);
  require_ok(client_->send_regions(regions, deadline), "regions");
  ipc::PrepareRequest prepare;
  for (const auto& s : challenge.inputs)
    prepare.inputs.push_back({s.name, std::string(dtype_name(s.dtype)), s.shape});
  for (const auto& s : challenge.outputs)
    prepare.outputs.push_back({s.name, std::string(dtype_name(s.dtype)), s.shape});
  prepare.batch_sizes = judge::announced_batch_sizes(challenge);
  require_ok(client_->prepare(prepare, deadline), "prepare()");
  require_ok(client_->begin_serving(host_spin, worker_spin_us, deadline), "serve");
}

DirectWorker::~DirectWorker() {
  const auto deadline = judge::Clock::now() + std::chrono::seconds(5);
  if (client_->end_serving(++nonce_, deadline).ok()) client_->destroy(deadline);
  client_->process().wait(std::chrono::seconds(2));
  client_.reset();
}

judge::WorkerClient::Answer DirectWorker::infer(int64_t batch, int64_t first) {
  const int64_t real = std::min(batch, data_.eval_samples - first);
  presentation_->stage_range(data_.data.eval.inputs, first, real);
  return client_->infer(
      batch, ++nonce_, [&] { presentation_->publish(batch); },
      judge::Clock::now() + std::chrono::seconds(10));
}

}  // namespace gauntlet::bench
