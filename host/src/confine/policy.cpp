#include "confine/policy.hpp"

#include <stdexcept>

namespace gauntlet::confine {

using json = nlohmann::json;

std::string_view mode_name(Mode mode) { return mode == Mode::strict ? "strict" : "relaxed"; }

std::optional<Mode> parse_mode(std::string_view name) {
  if (name == "strict") return Mode::strict;
  if (name == "relaxed") return Mode::relaxed;
  return std::nullopt;
}

const std::vector<std::string>& all_mechanisms() {
  static const std::vector<std::string> names = {
      mech::kProcess, mech::kUserNs,      mech::kMountNs,      mech::kNetNs,    mech::kIpcNs,
      mech::kPidNs,   mech::kUtsNs,       mech::kCapabilities, mech::kLandlock, mech::kSeccomp,
      mech::kRlimits, mech::kMemoryLimit, mech::kThreadLimit,  mech::kKillAll,
  };
  return names;
}

std::string_view status_name(Status status) {
  switch (status) {
    case Status::active:
      return "active";
    case Status::missing:
      return "missing";
    case Status::failed:
      return "failed";
  }
  return "failed";
}

std::optional<Status> parse_status(std::string_view name) {
  for (Status s : {Status::active, Status::missing, Status::failed})
    if (status_name(s) == name) return s;
  return std::nullopt;
}

void Report::set(const std::string& name, Status status, const std::string& detail) {
  for (auto& m : mechanisms)
    if (m.name == name) {
      m.status = status;
      m.detail = detail;
      return;
    }
  mechanisms.push_back({name, status, detail});
}

const Mechanism* Report::find(const std::string& name) const {
  for (const auto& m : mechanisms)
    if (m.name == name) return &m;
  return nullptr;
}

std::vector<std::string> Report::inactive() const {
  std::vector<std::string> out;
  for (const auto& name : all_mechanisms()) {
    const Mechanism* m = find(name);
    if (!m || m->status != Status::active) out.push_back(name);
  }
  return out;
}

std::string Report::summary() const {
  std::string missing, failed;
  for (const auto& name : all_mechanisms()) {
    const Mechanism* m = find(name);
    if (m && m->status == Status::active) continue;
    std::string& list = m && m->status == Status::failed ? failed : missing;
    if (!list.empty()) list += ", ";
    list += name;
    if (m && !m->detail.empty()) list += " (" + m->detail + ")";
  }
  if (missing.empty() && failed.empty())
    return "all " + std::to_string(all_mechanisms().size()) + " mechanisms active";
  std::string s;
  if (!missing.empty()) s = "missing: " + missing;
  if (!failed.empty()) s += (s.empty() ? "" : "; ") + std::string("failed: ") + failed;
  return s;
}

json to_json(const Report& report) {
  json list = json::array();
  for (const auto& m : report.mechanisms)
    list.push_back({{"name", m.name}, {"status", std::string(status_name(m.status))}, {"detail", m.detail}});
  return json{{"mode", std::string(mode_name(report.mode))}, {"mechanisms", list}};
}

Report report_from_json(const json& j) {
  Report r;
  auto mode = parse_mode(j.at("mode").get<std::string>());
  if (!mode) throw std::runtime_error("unknown sandbox mode");
  r.mode = *mode;
  for (const auto& m : j.at("mechanisms")) {
    auto status = parse_status(m.at("status").get<std::string>());
    if (!status) throw std::runtime_error("unknown mechanism status");
    std::string name = m.at("name").get<std::string>(), detail = m.at("detail").get<std::string>();
    // Untrusted text: bounded.
    if (name.size() > 64) name.resize(64);
    if (detail.size() > 512) detail.resize(512);
    r.set(name, *status, detail);
    if (r.mechanisms.size() > 64) throw std::runtime_error("too many mechanisms");
  }
  return r;
}

int task_limit(const ResourceLimits& limits) { return limits.worker_tasks + limits.threads; }

json to_json(const WorkerPolicy& p) {
  const ResourceLimits& l = p.limits;
  return json{
      {"type", "sandbox"},
      {"mode", std::string(mode_name(p.mode))},
      {"user_ns", p.user_ns},
      {"mount_ns", p.mount_ns},
      {"net_ns", p.net_ns},
      {"ipc_ns", p.ipc_ns},
      {"uts_ns", p.uts_ns},
      {"pid_ns", p.pid_ns},
      {"plugin", p.plugin},
      {"asset_dir", p.asset_dir},
      {"system_paths", p.system_paths},
      {"devices", p.devices},
      {"host_workdir", p.host_workdir},
      {"landlock", p.landlock},
      {"landlock_abi", p.landlock_abi},
      {"seccomp_bpf", p.seccomp_bpf},
      {"seccomp_supervised", p.seccomp_supervised},
      {"own_pid", p.own_pid},
      {"drop_capabilities", p.drop_capabilities},
      {"limits",
       {{"memory_bytes", l.memory_bytes},
        {"threads", l.threads},
        {"cpu_seconds", l.cpu_seconds},
        {"file_bytes", l.file_bytes},
        {"open_files", l.open_files},
        {"worker_tasks", l.worker_tasks}}},
      {"rlimit_memory", p.rlimit_memory},
      {"rlimit_nproc", p.rlimit_nproc},
  };
}

WorkerPolicy policy_from_json(const json& j) {
  WorkerPolicy p;
  auto mode = parse_mode(j.at("mode").get<std::string>());
  if (!mode) throw std::runtime_error("unknown sandbox mode");
  p.mode = *mode;
  p.user_ns = j.at("user_ns").get<bool>();
  p.mount_ns = j.at("mount_ns").get<bool>();
  p.net_ns = j.at("net_ns").get<bool>();
  p.ipc_ns = j.at("ipc_ns").get<bool>();
  p.uts_ns = j.at("uts_ns").get<bool>();
  p.pid_ns = j.at("pid_ns").get<bool>();
  p.plugin = j.at("plugin").get<std::string>();
  p.asset_dir = j.at("asset_dir").get<std::string>();
  p.system_paths = j.at("system_paths").get<std::vector<std::string>>();
  p.devices = j.at("devices").get<std::vector<std::string>>();
  p.host_workdir = j.at("host_workdir").get<std::string>();
  p.landlock = j.at("landlock").get<bool>();
  p.landlock_abi = j.at("landlock_abi").get<int>();
  p.seccomp_bpf = j.at("seccomp_bpf").get<std::string>();
  p.seccomp_supervised = j.at("seccomp_supervised").get<bool>();
  p.own_pid = j.at("own_pid").get<int>();
  p.drop_capabilities = j.at("drop_capabilities").get<bool>();
  const json& l = j.at("limits");
  p.limits.memory_bytes = l.at("memory_bytes").get<uint64_t>();
  p.limits.threads = l.at("threads").get<int>();
  p.limits.cpu_seconds = l.at("cpu_seconds").get<double>();
  p.limits.file_bytes = l.at("file_bytes").get<uint64_t>();
  p.limits.open_files = l.at("open_files").get<int>();
  p.limits.worker_tasks = l.at("worker_tasks").get<int>();
  p.rlimit_memory = j.at("rlimit_memory").get<bool>();
  p.rlimit_nproc = j.at("rlimit_nproc").get<bool>();
  return p;
}

std::string to_hex(const void* data, std::size_t bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < bytes; ++i) {
    out.push_back(digits[p[i] >> 4]);
    out.push_back(digits[p[i] & 15]);
  }
  return out;
}

std::vector<unsigned char> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) throw std::runtime_error("odd hex length");
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    throw std::runtime_error("bad hex digit");
  };
  std::vector<unsigned char> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<unsigned char>(value(hex[2 * i]) << 4 | value(hex[2 * i + 1]));
  return out;
}

}  // namespace gauntlet::confine
