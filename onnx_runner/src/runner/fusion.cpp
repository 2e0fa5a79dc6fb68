#include "runner/fusion.hpp"

#include <map>

namespace gauntlet::onnx_runner {

using onnx_model::Analysis;
using onnx_model::Binary;
using onnx_model::PadAttrs;
using onnx_model::PoolAttrs;
using onnx_model::Step;
using onnx_model::StepKind;

namespace {

struct Readers {
  std::map<std::string, std::vector<std::size_t>> of;  // value -> steps reading it
};

// The zero Pad (spatial dimensions only) that step `k` reads as its first input, if it can be
// folded into k's window.
const Step* foldable_pad(const Analysis& a, const std::vector<const Step*>& producer, const Readers& readers,
                         const std::set<std::string>& outputs, std::size_t k) {
  const Step& s = a.steps[k];
  const auto it = a.values.find(s.inputs[0]);
  if (it == a.values.end() || it->second.constant) return nullptr;
  const Step* pad = producer[k];
  if (!pad || pad->kind != StepKind::pad || outputs.count(pad->output) ||
      readers.of.at(pad->output).size() != 1)
    return nullptr;
  const auto& p = std::get<PadAttrs>(pad->attrs);
  if (p.value != 0 || p.begin[0] || p.begin[1] || p.end[0] || p.end[1]) return nullptr;
  if (s.kind == StepKind::conv) return pad;
  if (s.kind != StepKind::pool) return nullptr;
  // Only into an average pool that counts padding already, or has none of its own: the padded
  // zeros must count, as the explicit Pad made them.
  const auto& pool = std::get<PoolAttrs>(s.attrs);
  bool own_pads = false;
  for (std::size_t i = 0; i < pool.window.pad_begin.size(); ++i)
    own_pads = own_pads || pool.window.pad_begin[i] || pool.window.pad_end[i];
  return !pool.max && (pool.count_include_pad || !own_pads) ? pad : nullptr;
}

}  // namespace

FusionPlan plan_fusion(const Analysis& a, const std::set<std::string>& graph_outputs) {
  const std::size_t n = a.steps.size();
  FusionPlan plan;
  plan.absorbed.assign(n, false);
  plan.fused.resize(n);
  Readers readers;
  std::map<std::string, std::size_t> made_by;
  for (std::size_t k = 0; k < n; ++k) {
    for (const auto& in : a.steps[k].inputs)
      if (!in.empty()) readers.of[in].push_back(k);
    made_by[a.steps[k].output] = k;
    readers.of[a.steps[k].output];
  }
  // The step producing each step's first input, for the Pad rule.
  std::vector<const Step*> first_input_producer(n, nullptr);
  for (std::size_t k = 0; k < n; ++k) {
    const auto it = made_by.find(a.steps[k].inputs.empty() ? std::string() : a.steps[k].inputs[0]);
    if (it != made_by.end()) first_input_producer[k] = &a.steps[it->second];
  }
  // Where each value becomes available: the index of the step (or fused head) that writes it.
  std::map<std::string, std::size_t> ready_at;

  for (std::size_t k = 0; k < n; ++k) {
    if (plan.absorbed[k]) continue;
    const Step& head = a.steps[k];
    Fusion& f = plan.fused[k];
    f.output = head.output;
    if (head.kind == StepKind::conv || head.kind == StepKind::pool) {
      if (const Step* pad = foldable_pad(a, first_input_producer, readers, graph_outputs, k)) {
        f.pad = pad;
        plan.absorbed[made_by.at(pad->output)] = true;
      }
    }
    const bool takes_add =
        head.kind == StepKind::conv || head.kind == StepKind::gemm || head.kind == StepKind::matmul;
    const bool takes_activation = takes_add || head.kind == StepKind::binary;
    // Absorb the only reader of the current output while it is something this head can take.
    bool has_activation = false;
    for (;;) {
      if (graph_outputs.count(f.output)) break;
      const auto& r = readers.of[f.output];
      if (r.size() != 1) break;
      const std::size_t next = r[0];
      const Step& s = a.steps[next];
      if (s.inputs[0] != f.output &&
          !(s.kind == StepKind::binary && s.inputs.size() == 2 && s.inputs[1] == f.output))
        break;
      if (s.kind == StepKind::batch_norm && head.kind == StepKind::conv && f.post.empty() && !f.batch_norm) {
        f.batch_norm = &s;
      } else if (s.kind == StepKind::eltwise && takes_activation && !has_activation) {
        // One activation per chain: oneDNN 2.6's kernels apply the first one's parameters to
        // a later one of the same kind (two eltwise_linear post-ops on a matmul: both scale by
        // the first's factor).
        has_activation = true;
        f.post.push_back({false, {}, std::get<onnx_model::EltwiseAttrs>(s.attrs)});
      } else if (s.kind == StepKind::binary && takes_add && std::get<Binary>(s.attrs) == Binary::add &&
                 a.at(s.output).shape == a.at(f.output).shape) {
        const std::string& other = s.inputs[0] == f.output ? s.inputs[1] : s.inputs[0];
        if (other == f.output) break;  // x + x
        const auto& ov = a.at(other);
        // Written before this head runs: a constant, a graph input, or an earlier head's output
        // (ready_at only holds heads before k).
        const bool available = ov.constant || !made_by.count(other) || ready_at.count(other);
        if (!available || ov.shape.size() != a.at(f.output).shape.size()) break;
        f.post.push_back({true, other, {}});
      } else {
        break;
      }
      plan.absorbed[next] = true;
      f.output = s.output;
    }
    ready_at[f.output] = k;
  }
  return plan;
}

}  // namespace gauntlet::onnx_runner
