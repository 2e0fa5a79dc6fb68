#include "ipc/messages.hpp"

#include "ipc/protocol.hpp"

namespace gauntlet::ipc {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxText = 4096;       // messages, descriptions
constexpr std::size_t kMaxName = 256;        // names, versions, roles
constexpr std::size_t kMaxListItems = 4096;  // regions, specs, batch sizes, config entries

const json& field(const json& m, const char* key) {
  if (!m.is_object()) throw ProtocolError("not a JSON object");
  const auto it = m.find(key);
  if (it == m.end()) throw ProtocolError(std::string("no '") + key + "'");
  return *it;
}

std::string text(const json& m, const char* key, std::size_t cap) {
  const json& v = field(m, key);
  if (!v.is_string()) throw ProtocolError(std::string("'") + key + "' is not a string");
  std::string s = v.get<std::string>();
  if (s.size() > cap) s.resize(cap);
  return s;
}

std::string optional_text(const json& m, const char* key, std::size_t cap) {
  return m.is_object() && m.contains(key) ? text(m, key, cap) : std::string();
}

template <class T>
T integer(const json& m, const char* key) {
  const json& v = field(m, key);
  if (!v.is_number_integer()) throw ProtocolError(std::string("'") + key + "' is not an integer");
  if constexpr (std::is_unsigned_v<T>) {
    if (!v.is_number_unsigned()) throw ProtocolError(std::string("'") + key + "' is negative");
    const uint64_t u = v.get<uint64_t>();
    if (u > std::numeric_limits<T>::max()) throw ProtocolError(std::string("'") + key + "' is too large");
    return static_cast<T>(u);
  } else {
    const int64_t i = v.get<int64_t>();
    if (i < std::numeric_limits<T>::min() || i > std::numeric_limits<T>::max())
      throw ProtocolError(std::string("'") + key + "' is out of range");
    return static_cast<T>(i);
  }
}

const json& list(const json& m, const char* key) {
  const json& v = field(m, key);
  if (!v.is_array()) throw ProtocolError(std::string("'") + key + "' is not a list");
  if (v.size() > kMaxListItems) throw ProtocolError(std::string("'") + key + "' is too long");
  return v;
}

std::vector<int64_t> integers(const json& m, const char* key) {
  std::vector<int64_t> out;
  for (const auto& v : list(m, key)) {
    if (!v.is_number_integer()) throw ProtocolError(std::string("'") + key + "' holds a non-integer");
    out.push_back(v.get<int64_t>());
  }
  return out;
}

void expect_type(const json& m, const char* type) {
  if (message_type(m) != type) throw ProtocolError(std::string("expected a '") + type + "' message");
}

json spec_json(const TensorSpecInfo& s) {
  return json{{"name", s.name}, {"dtype", s.dtype}, {"shape", s.shape}};
}

std::vector<TensorSpecInfo> decode_specs(const json& m, const char* key) {
  std::vector<TensorSpecInfo> out;
  for (const auto& s : list(m, key))
    out.push_back({text(s, "name", kMaxName), text(s, "dtype", kMaxName), integers(s, "shape")});
  return out;
}

}  // namespace

std::string message_type(const json& m) {
  if (!m.is_object()) return {};
  const auto it = m.find("type");
  return it != m.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json encode(const Hello& m) {
  json j{{"type", msg::kHello}, {"ok", m.ok}};
  if (!m.ok) {
    j["verdict"] = m.verdict;
    j["message"] = m.message;
    return j;
  }
  j["plugin_abi_major"] = m.plugin_abi_major;
  j["plugin_abi_minor"] = m.plugin_abi_minor;
  j["table_size"] = m.table_size;
  j["info"] = json{{"name", m.name},
                   {"team", m.team},
                   {"version", m.version},
                   {"description", m.description},
                   {"capabilities", m.capabilities}};
  return j;
}

Hello decode_hello(const json& m) {
  expect_type(m, msg::kHello);
  Hello h;
  const json& ok = field(m, "ok");
  if (!ok.is_boolean()) throw ProtocolError("'ok' is not a boolean");
  h.ok = ok.get<bool>();
  if (!h.ok) {
    h.verdict = optional_text(m, "verdict", kMaxName);
    h.message = optional_text(m, "message", kMaxText);
    return h;
  }
  h.plugin_abi_major = integer<uint32_t>(m, "plugin_abi_major");
  h.plugin_abi_minor = integer<uint32_t>(m, "plugin_abi_minor");
  h.table_size = integer<uint32_t>(m, "table_size");
  const json& info = field(m, "info");
  h.name = text(info, "name", kMaxName);
  h.team = text(info, "team", kMaxName);
  h.version = text(info, "version", kMaxName);
  h.description = text(info, "description", kMaxText / 4);
  h.capabilities = integer<uint64_t>(info, "capabilities");
  return h;
}

json encode(const CreateRequest& m) {
  json config = json::array();
  for (const auto& [k, v] : m.config) config.push_back({k, v});
  return json{{"type", msg::kCreate},
              {"threads", m.threads},
              {"challenge_id", m.challenge_id},
              {"seed", m.seed},
              {"config", config}};
}

CreateRequest decode_create(const json& m) {
  expect_type(m, msg::kCreate);
  CreateRequest c;
  c.threads = integer<uint32_t>(m, "threads");
  c.challenge_id = text(m, "challenge_id", kMaxName);
  c.seed = integer<uint64_t>(m, "seed");
  for (const auto& kv : list(m, "config")) {
    if (!kv.is_array() || kv.size() != 2 || !kv[0].is_string() || !kv[1].is_string())
      throw ProtocolError("a config entry is not a [key, value] pair of strings");
    c.config.emplace_back(kv[0].get<std::string>(), kv[1].get<std::string>());
  }
  return c;
}

json encode(const RegionsMessage& m) {
  json regions = json::array();
  for (const auto& r : m.regions)
    regions.push_back({{"role", r.role},
                       {"name", r.name},
                       {"dtype", r.dtype},
                       {"shape", r.shape},
                       {"samples", r.samples},
                       {"bytes", r.bytes}});
  return json{{"type", msg::kRegions}, {"regions", regions}};
}

RegionsMessage decode_regions(const json& m) {
  expect_type(m, msg::kRegions);
  RegionsMessage out;
  for (const auto& r : list(m, "regions")) {
    RegionInfo info;
    info.role = text(r, "role", kMaxName);
    info.bytes = integer<uint64_t>(r, "bytes");
    if (info.role != role::kControl) {
      info.name = text(r, "name", kMaxName);
      info.dtype = text(r, "dtype", kMaxName);
      info.shape = integers(r, "shape");
      info.samples = integer<int64_t>(r, "samples");
    }
    out.regions.push_back(std::move(info));
  }
  return out;
}

json encode(const PrepareRequest& m) {
  json inputs = json::array(), outputs = json::array();
  for (const auto& s : m.inputs) inputs.push_back(spec_json(s));
  for (const auto& s : m.outputs) outputs.push_back(spec_json(s));
  return json{
      {"type", msg::kPrepare}, {"inputs", inputs}, {"outputs", outputs}, {"batch_sizes", m.batch_sizes}};
}

PrepareRequest decode_prepare(const json& m) {
  expect_type(m, msg::kPrepare);
  return PrepareRequest{decode_specs(m, "inputs"), decode_specs(m, "outputs"), integers(m, "batch_sizes")};
}

json encode(const TrainRequest& m) {
  return json{{"type", msg::kTrain}, {"time_limit_seconds", m.time_limit_seconds}};
}

TrainRequest decode_train(const json& m) {
  expect_type(m, msg::kTrain);
  const json& v = field(m, "time_limit_seconds");
  if (!v.is_number()) throw ProtocolError("'time_limit_seconds' is not a number");
  return TrainRequest{v.get<double>()};
}

json encode(const ServeRequest& m) { return json{{"type", msg::kServe}, {"spin_us", m.spin_us}}; }

ServeRequest decode_serve(const json& m) {
  expect_type(m, msg::kServe);
  return ServeRequest{integer<uint32_t>(m, "spin_us")};
}

json encode(const DestroyRequest&) { return json{{"type", msg::kDestroy}}; }

json encode(const Reply& m) {
  return json{{"type", msg::kReply},
              {"to", m.to},
              {"status", m.status},
              {"message", m.message},
              {"self_ns", m.self_ns}};
}

Reply decode_reply(const json& m) {
  expect_type(m, msg::kReply);
  Reply r;
  r.to = text(m, "to", kMaxName);
  r.status = integer<int32_t>(m, "status");
  r.message = optional_text(m, "message", kMaxText);
  if (m.contains("self_ns")) r.self_ns = integer<uint64_t>(m, "self_ns");
  return r;
}

Violation decode_violation(const json& m) {
  expect_type(m, msg::kViolation);
  Violation v;
  v.nr = integer<int>(m, "nr");
  if (m.contains("arch")) v.arch = integer<int64_t>(m, "arch");
  return v;
}

}  // namespace gauntlet::ipc
