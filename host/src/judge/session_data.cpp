#include "judge/session_data.hpp"

#include "ipc/protocol.hpp"
#include "ipc/shared_memory.hpp"

#include <algorithm>
#include <map>

namespace gauntlet::judge {

std::vector<int64_t> announced_batch_sizes(const Challenge& challenge) {
  std::vector<int64_t> sizes = challenge.timing.batch_sizes;
  sizes.push_back(challenge.timing.eval_batch_size);
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  return sizes;
}

namespace {

std::size_t max_sample_bytes(const Challenge& challenge) {
  std::size_t bytes = 0;
  for (const auto& spec : challenge.inputs) {
    std::size_t n = dtype_size(spec.dtype);
    for (std::size_t d = 1; d < spec.shape.size(); ++d) n *= static_cast<std::size_t>(spec.shape[d]);
    bytes = std::max(bytes, n);
  }
  return bytes;
}

RegionSpec region_for(const HostTensor& t, const std::string& role, const std::string& name) {
  auto* shared = dynamic_cast<ipc::SharedBuffer*>(t.buffer.get());
  if (!shared) throw std::runtime_error("tensor " + name + " is not in shared memory");
  RegionSpec r;
  r.role = role;
  r.name = name;
  r.dtype = std::string(dtype_name(t.dtype));
  r.shape = t.shape;
  r.samples = t.samples();
  // Capacity: every whole sample the region holds, including the padding after the data.
  const std::size_t sample = t.sample_bytes();
  if (sample > 0) r.shape[0] = static_cast<int64_t>(shared->size() / sample);
  r.memory = shared->region();
  return r;
}

}  // namespace

SessionData prepare_session_data(const Challenge& challenge, const DataRequest& request) {
  SessionData s;
  const auto sizes = announced_batch_sizes(challenge);
  s.max_batch = sizes.back();
  // Padding after each worker-visible tensor: the last evaluation batch is always a full
  // batch (prepare() was promised these sizes), its tail reads zeros whose outputs are dropped.
  const std::size_t padding = static_cast<std::size_t>(s.max_batch) * max_sample_bytes(challenge);
  BufferAllocator shared_alloc = [padding](std::size_t bytes,
                                           const std::string& label) -> std::shared_ptr<Buffer> {
    return std::make_shared<ipc::SharedBuffer>(ipc::SharedMemory::create(label, bytes + padding));
  };
  s.data = load_challenge_data(challenge, request, shared_alloc);
  s.eval_samples = s.data.eval.targets.samples();
  s.train_samples = s.data.train.targets.samples();

  for (std::size_t i = 0; i < s.data.eval.inputs.size(); ++i)
    s.eval_regions.push_back(
        region_for(s.data.eval.inputs[i], ipc::role::kEvalInput, challenge.inputs[i].name));
  if (!s.data.train.inputs.empty()) {
    for (std::size_t i = 0; i < s.data.train.inputs.size(); ++i)
      s.train_regions.push_back(
          region_for(s.data.train.inputs[i], ipc::role::kTrainInput, challenge.inputs[i].name));
    s.train_regions.push_back(
        region_for(s.data.train.targets, ipc::role::kTrainTarget, challenge.target.name));
  }
  // From here on a worker can only ever map these read-only.
  for (auto* list : {&s.eval_regions, &s.train_regions})
    for (auto& r : *list) r.memory->seal_read_only_for_others();
  return s;
}

}  // namespace gauntlet::judge
