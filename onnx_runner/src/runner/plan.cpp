#include "runner/plan.hpp"

#include <algorithm>
#include <cstdlib>
#include <new>

namespace gauntlet::onnx_runner {
namespace {

constexpr std::size_t kAlign = 64;

std::size_t round_up(std::size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

// First-fit by decreasing size: a slot goes at the lowest offset where it overlaps, in both
// address and lifetime, no slot placed before it. Returns the arena's size.
std::size_t place(std::vector<Slot>& slots) {
  std::vector<Slot*> order;
  for (Slot& s : slots)
    if (s.kind == Slot::Kind::arena && s.first >= 0) order.push_back(&s);
  std::stable_sort(order.begin(), order.end(),
                   [](const Slot* a, const Slot* b) { return a->bytes > b->bytes; });
  std::vector<const Slot*> placed;
  std::size_t total = 0;
  for (Slot* s : order) {
    std::vector<std::pair<std::size_t, std::size_t>> busy;  // [begin, end) of live neighbours
    for (const Slot* p : placed)
      if (p->first <= s->last && s->first <= p->last)
        busy.emplace_back(p->offset, p->offset + round_up(p->bytes));
    std::sort(busy.begin(), busy.end());
    std::size_t offset = 0;
    for (const auto& [b, e] : busy) {
      if (offset + round_up(s->bytes) <= b) break;
      offset = std::max(offset, e);
    }
    s->offset = offset;
    total = std::max(total, offset + round_up(s->bytes));
    placed.push_back(s);
  }
  return total;
}

}  // namespace

void Plan::finalize(const dnnl::engine& engine, std::vector<Slot> slots, const std::vector<Memory>& memories,
                    std::vector<Step> steps, std::vector<std::shared_ptr<void>> keep_alive) {
  keep_alive_ = std::move(keep_alive);
  arena_bytes_ = place(slots);
  if (arena_bytes_ > 0) {
    void* p = std::aligned_alloc(kAlign, arena_bytes_);
    if (!p) throw std::bad_alloc();
    arena_ = std::shared_ptr<void>(p, std::free);
  }
  auto* base = static_cast<char*>(arena_.get());
  std::vector<dnnl::memory> made;
  made.reserve(memories.size());
  for (const Memory& m : memories) {
    const Slot& s = slots[static_cast<std::size_t>(m.slot)];
    void* handle = nullptr;
    if (s.kind == Slot::Kind::arena) handle = base + s.offset;
    if (s.kind == Slot::Kind::constant || s.kind == Slot::Kind::owned) handle = s.data;
    // Inputs and outputs get their buffers per call; until then they point nowhere.
    made.emplace_back(m.desc, engine, handle);
    if (s.kind == Slot::Kind::input || s.kind == Slot::Kind::output) {
      auto& bind = s.kind == Slot::Kind::input ? bind_in_ : bind_out_;
      if (bind.size() <= static_cast<std::size_t>(s.index))
        bind.resize(static_cast<std::size_t>(s.index) + 1);
      bind[static_cast<std::size_t>(s.index)].push_back(made.back());
    }
  }
  for (Step& step : steps) {
    auto args = std::make_unique<std::unordered_map<int, dnnl::memory>>();
    for (const auto& [arg, memory] : step.args) args->emplace(arg, made[static_cast<std::size_t>(memory)]);
    exec_.push_back(std::move(step.primitive));
    exec_args_.push_back(std::move(args));
  }
}

void Plan::run(dnnl::stream& stream, const std::vector<const void*>& inputs,
               const std::vector<void*>& outputs) {
  // oneDNN takes a non-const handle; an input memory is only ever a source.
  for (std::size_t i = 0; i < bind_in_.size() && i < inputs.size(); ++i)
    for (dnnl::memory& m : bind_in_[i]) m.set_data_handle(const_cast<void*>(inputs[i]));
  for (std::size_t i = 0; i < bind_out_.size() && i < outputs.size(); ++i)
    for (dnnl::memory& m : bind_out_[i]) m.set_data_handle(outputs[i]);
  for (std::size_t k = 0; k < exec_.size(); ++k) exec_[k].execute(stream, *exec_args_[k]);
  stream.wait();
}

}  // namespace gauntlet::onnx_runner
