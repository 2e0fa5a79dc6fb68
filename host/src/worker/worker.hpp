// The worker's side of the protocol (see ipc/protocol.hpp): loads the plugin, then serves
// the host's requests on the setup socket and, while serving, on the control page.
#pragma once

#include "ipc/control_page.hpp"
#include "ipc/message_socket.hpp"
#include "ipc/messages.hpp"
#include "ipc/shared_memory.hpp"
#include "worker/plugin_library.hpp"

#include <gauntlet/plugin_api.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace gauntlet::worker {

class Worker {
 public:
  // `plugin_path` and `asset_dir` as the plugin sees them (inside the mount namespace);
  // `shown_plugin_path` is the host's path, used in messages.
  Worker(ipc::MessageSocket socket, std::string plugin_path, std::string shown_plugin_path,
         std::string asset_dir);
  // Runs right after the plugin is loaded, before the hello: returns "" or why the worker
  // cannot go on (the plugin is then refused with LOAD_ERROR).
  void set_after_load(std::function<std::string()> hook) { after_load_ = std::move(hook); }
  // Returns the process exit code: 0 after destroy or when the host hung up.
  int run();

 private:
  // A region of shared memory holding one tensor [capacity, sample dims...], and the ABI
  // descriptor the plugin is given over it.
  struct TensorRegion {
    ipc::Mapping mapping;
    std::string name;
    gauntlet_dtype dtype{};
    std::vector<int64_t> shape;    // shape[0] = samples currently presented
    std::vector<int64_t> strides;  // row-major, in elements
    int64_t capacity = 0;          // samples the region holds
    int64_t samples = 0;           // samples of real data
    std::size_t sample_bytes = 0;
    bool writable = false;
  };

  void reply(const std::string& to, int32_t status, const std::string& message, uint64_t self_ns = 0);
  void handle_create(const nlohmann::json& m);
  void handle_regions(const nlohmann::json& m, std::vector<int> fds);
  void map_region(const ipc::RegionInfo& region, int fd);
  void handle_prepare(const nlohmann::json& m);
  void handle_train(const nlohmann::json& m);
  void handle_serve(const nlohmann::json& m);
  void handle_destroy();
  void serve_control_page(uint32_t base_seq, uint32_t spin_us);
  std::string plugin_error(int32_t status, const gauntlet_instance* instance) const;
  // The ABI descriptor of the first `samples` samples of `region`.
  static gauntlet_tensor describe(TensorRegion& region, int64_t samples);

  ipc::MessageSocket socket_;
  std::string plugin_path_;
  std::string shown_plugin_path_;
  std::string asset_dir_;
  std::function<std::string()> after_load_;
  std::unique_ptr<PluginLibrary> library_;
  gauntlet_instance* instance_ = nullptr;

  ipc::Mapping control_mapping_;
  ipc::ControlPage* page_ = nullptr;
  std::vector<TensorRegion> inputs_, train_inputs_, train_targets_, outputs_;
};

}  // namespace gauntlet::worker
