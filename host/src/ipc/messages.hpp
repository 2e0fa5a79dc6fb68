// The setup-socket messages between `gauntlet` (host) and `gauntlet-worker`, as typed structs
// that both sides encode and decode here, so that no field name is spelt twice. One JSON
// object per packet (message_socket.hpp); the order of a job is in protocol.hpp.
//
// Trust: the host trusts nothing the worker sends once the plugin is loaded. Every decoder
// of a worker message (Hello, Reply, Violation) throws ProtocolError for a malformed one and
// bounds every string; the worker's decoders of host messages throw ProtocolError as well (a
// judge bug, reported back as the worker's failure).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace gauntlet::ipc {

struct ProtocolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The `type` of a message ("" when there is none).
std::string message_type(const nlohmann::json& m);

// worker -> host, once the plugin is loaded (or failed to load).
struct Hello {
  bool ok = false;
  std::string verdict;  // when !ok: "LOAD_ERROR" or "ABI_MISMATCH"
  std::string message;  // when !ok: why
  uint32_t plugin_abi_major = 0, plugin_abi_minor = 0, table_size = 0;
  std::string name, team, version, description;
  uint64_t capabilities = 0;
};
nlohmann::json encode(const Hello& m);
Hello decode_hello(const nlohmann::json& m);

// host -> worker: create() arguments (the asset folder comes with the sandbox policy).
struct CreateRequest {
  uint32_t threads = 1;
  std::string challenge_id;
  uint64_t seed = 0;
  std::vector<std::pair<std::string, std::string>> config;
};
nlohmann::json encode(const CreateRequest& m);
CreateRequest decode_create(const nlohmann::json& m);

// One shared region, sent with its file descriptor (same order as the list).
struct RegionInfo {
  std::string role;  // role::*
  std::string name, dtype;
  std::vector<int64_t> shape;  // [capacity, sample dims...]
  int64_t samples = 0;         // of which real data (what train() is shown)
  uint64_t bytes = 0;
};
struct RegionsMessage {
  std::vector<RegionInfo> regions;  // the control page first
};
nlohmann::json encode(const RegionsMessage& m);
RegionsMessage decode_regions(const nlohmann::json& m);

struct TensorSpecInfo {
  std::string name, dtype;
  std::vector<int64_t> shape;
};
struct PrepareRequest {
  std::vector<TensorSpecInfo> inputs, outputs;
  std::vector<int64_t> batch_sizes;
};
nlohmann::json encode(const PrepareRequest& m);
PrepareRequest decode_prepare(const nlohmann::json& m);

struct TrainRequest {
  double time_limit_seconds = 0;
};
nlohmann::json encode(const TrainRequest& m);
TrainRequest decode_train(const nlohmann::json& m);

// From now on infer() requests come through the control page, until Op::stop.
struct ServeRequest {
  uint32_t spin_us = 200;  // how long the worker spins for the next request before sleeping
};
nlohmann::json encode(const ServeRequest& m);
ServeRequest decode_serve(const nlohmann::json& m);

struct DestroyRequest {};
nlohmann::json encode(const DestroyRequest& m);

// worker -> host: the answer to each request above.
struct Reply {
  std::string to;  // the request's type
  int32_t status = 0;
  std::string message;
  uint64_t self_ns = 0;  // the worker's own timing: untrusted, recorded only
};
nlohmann::json encode(const Reply& m);
Reply decode_reply(const nlohmann::json& m);

// worker -> host, at any time: the SIGSYS handler's (or the pid namespace init's) report of
// a denied system call, just before the plugin process dies of it.
struct Violation {
  int nr = -1;
  int64_t arch = 0;
};
Violation decode_violation(const nlohmann::json& m);

}  // namespace gauntlet::ipc
