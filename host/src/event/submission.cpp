#include "event/submission.hpp"

#include "common/atomic_file.hpp"
#include "common/sha256.hpp"
#include "common/utc_time.hpp"
#include "judge/judge.hpp"
#include "judge/plugin_probe.hpp"
#include "models/model_check.hpp"
#include "models/model_job.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace gauntlet::event {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

fs::path ledger_file(const fs::path& team_folder) { return team_folder / "submissions.json"; }

// An exclusive lock held while the ledger is read, checked and rewritten.
class FolderLock {
 public:
  explicit FolderLock(const fs::path& folder) {
    const fs::path file = folder / ".lock";
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0)
      if (errno != EINTR)
        throw std::runtime_error("cannot lock " + file.string() + ": " + std::strerror(errno));
  }
  ~FolderLock() { ::close(fd_); }  // closing releases the lock
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string() + ": " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::vector<SubmissionEntry> read_ledger(const fs::path& team_folder) {
  const fs::path file = ledger_file(team_folder);
  std::error_code ec;
  if (!fs::exists(file, ec)) return {};
  std::vector<SubmissionEntry> entries;
  try {
    const json j = json::parse(read_bytes(file));
    for (const auto& s : j.at("submissions")) {
      SubmissionEntry e;
      e.challenge = s.at("challenge").get<std::string>();
      e.sha256 = s.at("sha256").get<std::string>();
      e.file = s.at("file").get<std::string>();
      e.original_name = s.value("original_name", "");
      e.bytes = s.value("bytes", int64_t{0});
      e.submitted_at = s.value("submitted_at", "");
      e.plugin_name = s.value("plugin_name", "");
      e.plugin_version = s.value("plugin_version", "");
      entries.push_back(std::move(e));
    }
  } catch (const json::exception& e) {
    throw std::runtime_error("unreadable submission ledger " + file.string() + ": " + e.what());
  }
  return entries;
}

fs::path ledger_entry_path(const fs::path& team_folder, const std::string& file) {
  // The ledger is the team's own file (a `folder:` team writes it): a name that climbs out, is
  // absolute, or reaches outside through a symbolic link would have the judge take another
  // team's library as this team's. Compared canonically, links resolved.
  const fs::path name(file);
  const fs::path normal = name.lexically_normal();
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(team_folder, ec);
  const fs::path target = fs::weakly_canonical(team_folder / normal, ec);
  const fs::path inside = target.lexically_relative(root);
  if (file.empty() || name.is_absolute() || ec || normal.empty() || *normal.begin() == ".." ||
      inside.empty() || *inside.begin() == ".." || inside == ".")
    throw std::runtime_error("its submission ledger " + ledger_file(team_folder).string() + " names '" +
                             file + "', outside the team folder " + team_folder.string() + "; refused");
  return team_folder / normal;
}

std::optional<fs::path> latest_submission(const fs::path& team_folder, const std::string& challenge_id) {
  std::optional<fs::path> latest;
  for (const auto& e : read_ledger(team_folder))
    if (e.challenge == challenge_id) latest = ledger_entry_path(team_folder, e.file);
  return latest;
}

SubmitOutcome submit_library(const EventConfig& config, const Team& team, const Challenge& challenge,
                             const fs::path& library, double load_timeout_seconds) {
  SubmitOutcome out;
  const std::string sha = sha256_file_hex(library);  // throws for an unreadable file

  judge::PluginIdentity identity;
  const bool model = models::is_model_path(library);
  if (model) {
    // An ONNX model is checked as the runner will read it, against this challenge (a model is
    // data: nothing of the team's runs here).
    out.message = models::model_refusal(library, challenge);
    if (!out.message.empty()) {
      out.kind = SubmitOutcome::Kind::refused;
      return out;
    }
    identity.name = "onnx-runner";
    identity.version = GAUNTLET_VERSION;
  } else {
    // The library must load, through the worker like any judging (team code never runs here).
    judge::PluginProbe probe = judge::probe_plugin(
        library, std::chrono::milliseconds(static_cast<int64_t>(load_timeout_seconds * 1000)));
    if (probe.refusal) {
      out.kind = SubmitOutcome::Kind::refused;
      out.message = std::string(judge::verdict_name(probe.refusal->verdict)) + ": " + probe.refusal->reason;
      return out;
    }
    identity = std::move(probe.identity);
  }

  const fs::path folder = team.folder->path;
  fs::create_directories(folder / challenge.id);
  FolderLock lock(folder);
  std::vector<SubmissionEntry> entries = read_ledger(folder);
  int used = 0;
  for (const auto& e : entries) {
    if (e.challenge != challenge.id) continue;
    ++used;
    if (e.sha256 == sha) {
      out.kind = SubmitOutcome::Kind::already_submitted;
      out.number = used;
      out.stored = folder / e.file;
      out.message = std::string("this ") + (model ? "model" : "library") +
                    " was already submitted (submission " + std::to_string(used) + " of team '" + team.name +
                    "' on " + challenge.id + "); nothing changed";
      return out;
    }
  }
  if (config.max_submissions > 0 && used >= config.max_submissions) {
    out.kind = SubmitOutcome::Kind::over_cap;
    out.number = used;
    out.message = "team '" + team.name + "' has used all " + std::to_string(config.max_submissions) +
                  " submissions on " + challenge.id + " (submissions.max_per_team in " +
                  config.file.string() + "); nothing recorded";
    return out;
  }

  SubmissionEntry entry;
  entry.challenge = challenge.id;
  entry.sha256 = sha;
  entry.file = challenge.id + "/" + sha + (model ? ".onnx" : ".so");
  entry.original_name = library.filename().string();
  entry.submitted_at = utc_timestamp();
  entry.plugin_name = identity.name;
  entry.plugin_version = identity.version;
  const std::string bytes = read_bytes(library);
  entry.bytes = static_cast<int64_t>(bytes.size());
  // The copy first, then the ledger: a crash in between leaves an unrecorded file, never a
  // record of a file that is not there.
  write_file_atomic(folder / entry.file, bytes);
  entries.push_back(entry);

  json list = json::array();
  for (const auto& e : entries)
    list.push_back(json{{"challenge", e.challenge},
                        {"sha256", e.sha256},
                        {"file", e.file},
                        {"original_name", e.original_name},
                        {"bytes", e.bytes},
                        {"submitted_at", e.submitted_at},
                        {"plugin_name", e.plugin_name},
                        {"plugin_version", e.plugin_version}});
  const json ledger{
      {"schema", 1}, {"kind", "gauntlet.submissions"}, {"team", team.name}, {"submissions", list}};
  write_file_atomic(ledger_file(folder), ledger.dump(2, ' ', false, json::error_handler_t::replace) + "\n");

  out.kind = SubmitOutcome::Kind::recorded;
  out.number = used + 1;
  out.stored = folder / entry.file;
  out.message =
      "recorded submission " + std::to_string(out.number) +
      (config.max_submissions > 0 ? " of " + std::to_string(config.max_submissions) : std::string()) +
      " of team '" + team.name + "' on " + challenge.id;
  return out;
}

}  // namespace gauntlet::event
