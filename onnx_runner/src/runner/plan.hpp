// One executable plan: the oneDNN primitives of a model for one set of input shapes (one batch
// size), in order, with every argument bound in prepare(). run() only re-points the input and
// output memories at the call's buffers and executes.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace gauntlet::onnx_runner {

// Where a tensor's bytes live.
struct Slot {
  enum class Kind {
    arena,     // scratch, shared by tensors whose lifetimes do not overlap
    input,     // the call's input `index`, bound per call
    output,    // the call's output `index`, bound per call
    constant,  // plan-time data owned by the engine (weights), never written
    owned,     // this plan's own buffer, written in prepare() (a Pad's border)
  };
  Kind kind = Kind::arena;
  int index = 0;  // input/output number
  std::size_t bytes = 0;
  int first = -1, last = -1;  // arena: first and last step that touch it
  std::size_t offset = 0;     // arena: assigned by the plan
  void* data = nullptr;       // constant / owned: the bytes
};

class Plan {
 public:
  struct Step {
    dnnl::primitive primitive;
    std::vector<std::pair<int, int>> args;  // (DNNL_ARG_*, memory number)
  };
  struct Memory {
    dnnl::memory::desc desc;
    int slot = 0;
  };

  // Lays out the arena and creates the memories. Called once the steps are recorded.
  void finalize(const dnnl::engine& engine, std::vector<Slot> slots, const std::vector<Memory>& memories,
                std::vector<Step> steps, std::vector<std::shared_ptr<void>> keep_alive);

  // One inference: `inputs` and `outputs` in the engine's order, compact row-major f32 buffers
  // of the shapes the plan was built for. Waits for the stream.
  void run(dnnl::stream& stream, const std::vector<const void*>& inputs, const std::vector<void*>& outputs);

  std::size_t arena_bytes() const { return arena_bytes_; }
  std::size_t steps() const { return exec_.size(); }

 private:
  std::vector<std::unique_ptr<std::unordered_map<int, dnnl::memory>>> exec_args_;
  std::vector<dnnl::primitive> exec_;
  std::vector<std::vector<dnnl::memory>> bind_in_, bind_out_;
  std::shared_ptr<void> arena_;
  std::size_t arena_bytes_ = 0;
  std::vector<std::shared_ptr<void>> keep_alive_;  // constant and owned buffers the memories use
};

}  // namespace gauntlet::onnx_runner
