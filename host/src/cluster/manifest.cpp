#include "cluster/manifest.hpp"

#include "common/atomic_file.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace gauntlet::cluster {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

json identity_json(const store::JobIdentity& id) {
  return {{"plugin_sha256", id.plugin_sha256},
          {"challenge_sha256", id.challenge_sha256},
          {"split", id.split},
          {"limit", id.limit},
          {"train_limit", id.train_limit},
          {"seed", id.seed},
          {"rules_sha256", id.rules_sha256},
          {"data_sha256", id.data_sha256},
          {"model_sha256", id.model_sha256}};
}

store::JobIdentity identity_from(const json& j) {
  store::JobIdentity id;
  id.plugin_sha256 = j.at("plugin_sha256").get<std::string>();
  id.challenge_sha256 = j.at("challenge_sha256").get<std::string>();
  id.split = j.at("split").get<std::string>();
  id.limit = j.at("limit").get<int64_t>();
  id.train_limit = j.at("train_limit").get<int64_t>();
  id.seed = j.at("seed").get<uint64_t>();
  id.rules_sha256 = j.at("rules_sha256").get<std::string>();
  id.data_sha256 = j.at("data_sha256").get<std::string>();
  id.model_sha256 = j.value("model_sha256", "");
  return id;
}

}  // namespace

ManifestJob manifest_job(const event::EventConfig& config, const event::Job& job, bool force) {
  return ManifestJob{
      config.challenges.at(job.challenge).id, job.team, job.plugin, job.record, job.key, job.identity, force};
}

event::Job job_of(const event::EventConfig& config, const ManifestJob& entry) {
  event::Job job;
  const auto it = std::find_if(config.challenges.begin(), config.challenges.end(),
                               [&](const Challenge& c) { return c.id == entry.challenge_id; });
  if (it == config.challenges.end())
    throw std::runtime_error("the event has no challenge '" + entry.challenge_id + "'");
  job.challenge = static_cast<std::size_t>(it - config.challenges.begin());
  job.team = entry.team;
  job.plugin = entry.plugin;
  job.identity = entry.identity;
  job.key = store::job_key(entry.identity);
  if (job.key != entry.key) throw std::runtime_error("the entry's key does not match its identity");
  job.record =
      store::record_path(config.store, entry.identity.split, entry.challenge_id, entry.team, job.key);
  if (job.record != entry.record)
    throw std::runtime_error("the entry's record is not where this event stores it: " +
                             entry.record.string());
  event::look_up(job, config.judge.attempts);
  return job;
}

json to_json(const Manifest& m) {
  json jobs = json::array();
  for (const auto& j : m.jobs)
    jobs.push_back({{"challenge", j.challenge_id},
                    {"team", j.team},
                    {"plugin", j.plugin.string()},
                    {"record", j.record.string()},
                    {"key", j.key},
                    {"identity", identity_json(j.identity)},
                    {"force", j.force}});
  json arrays = json::array();
  for (const auto& a : m.arrays)
    arrays.push_back({{"job_id", a.job_id},
                      {"first", a.first},
                      {"tasks", a.tasks},
                      {"submitted_at_ns", a.submitted_at_ns}});
  return {{"schema", 1},
          {"kind", "gauntlet.slurm_manifest"},
          {"event", {{"file", m.event_file.string()}, {"sha256", m.event_sha256}}},
          {"split", m.split},
          {"sandbox", m.sandbox},
          {"jobs", jobs},
          {"arrays", arrays},
          {"finished", m.finished}};
}

Manifest manifest_from_json(const json& j) {
  if (!j.is_object() || j.value("kind", "") != "gauntlet.slurm_manifest" || j.value("schema", 0) != 1)
    throw std::runtime_error("not a Gauntlet Slurm manifest (kind gauntlet.slurm_manifest, schema 1)");
  try {
    Manifest m;
    m.event_file = j.at("event").at("file").get<std::string>();
    m.event_sha256 = j.at("event").at("sha256").get<std::string>();
    m.split = j.at("split").get<std::string>();
    m.sandbox = j.at("sandbox").get<std::string>();
    for (const auto& e : j.at("jobs"))
      m.jobs.push_back(ManifestJob{e.at("challenge").get<std::string>(), e.at("team").get<std::string>(),
                                   e.at("plugin").get<std::string>(), e.at("record").get<std::string>(),
                                   e.at("key").get<std::string>(), identity_from(e.at("identity")),
                                   e.value("force", false)});
    for (const auto& a : j.at("arrays"))
      m.arrays.push_back(SubmittedArray{a.at("job_id").get<std::string>(), a.at("first").get<int>(),
                                        a.at("tasks").get<int>(), a.value("submitted_at_ns", int64_t{0})});
    m.finished = j.value("finished", false);
    return m;
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("a malformed Slurm manifest: ") + e.what());
  }
}

fs::path slurm_folder(const fs::path& store) { return store / "slurm"; }

void write_manifest(const Manifest& m) {
  fs::create_directories(m.file.parent_path());
  write_file_atomic(m.file, to_json(m).dump(1) + "\n");
}

Manifest read_manifest(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the Slurm manifest " + file.string());
  std::stringstream s;
  s << in.rdbuf();
  json j;
  try {
    j = json::parse(s.str());
  } catch (const json::exception& e) {
    throw std::runtime_error(file.string() + ": not JSON: " + e.what());
  }
  Manifest m = manifest_from_json(j);
  m.file = file;
  return m;
}

std::vector<Manifest> unfinished_manifests(const fs::path& store) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(slurm_folder(store), ec))
    if (f.path().extension() == ".json" && f.path().filename().string()[0] != '.') files.push_back(f.path());
  std::sort(files.begin(), files.end());  // names start with the UTC time
  std::vector<Manifest> out;
  for (const auto& f : files) {
    try {
      Manifest m = read_manifest(f);
      if (!m.finished) out.push_back(std::move(m));
    } catch (const std::exception&) {
      // Not ours to judge: a manifest that cannot be read has no array to look after.
    }
  }
  return out;
}

}  // namespace gauntlet::cluster
