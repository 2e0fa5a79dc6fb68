#include "event/event_loader.hpp"

#include "challenge/challenge_loader.hpp"
#include "common/file_check.hpp"
#include "common/names.hpp"
#include "common/sha256.hpp"
#include "event/submission.hpp"
#include "models/model_job.hpp"
#include "yaml/yaml_fields.hpp"
#include "yaml/yaml_tree.hpp"

#include <algorithm>
#include <cctype>

namespace gauntlet::event {

std::string ranking_rule_name(RankingRule rule) {
  return rule == RankingRule::sum_of_ranks ? "sum_of_ranks" : "mean_normalized_score";
}

const Challenge* EventConfig::find_challenge(const std::string& id) const {
  for (const auto& c : challenges)
    if (c.id == id) return &c;
  return nullptr;
}

const Team* EventConfig::find_team(const std::string& team_name) const {
  for (const auto& t : teams)
    if (t.name == team_name) return &t;
  return nullptr;
}

namespace {

namespace fs = std::filesystem;
using namespace yaml;  // Node, Kind and the field helpers (yaml_fields.hpp)

constexpr int kMaxJobs = 1024;

class Loader : yaml::FieldReader {
 public:
  Loader(std::string file, fs::path shown_dir, const yaml::Document& doc)
      : FieldReader(std::move(file)), shown_dir_(std::move(shown_dir)), doc_(doc) {}

  EventConfig load();

 private:
  // A path relative to the config's folder. `shown` keeps the folder as the user wrote it
  // (for messages), `path` is absolute.
  PathAt path(const Node& n, const std::string& field) const {
    const fs::path p = non_empty_string(n, field);
    PathAt out;
    out.where = at(n);
    out.path = fs::absolute(p.is_absolute() ? p : shown_dir_ / p).lexically_normal();
    return out;
  }

  fs::path shown_path(const Node& n, const std::string& field) const {
    const fs::path p = non_empty_string(n, field);
    return p.is_absolute() ? p : (shown_dir_ / p).lexically_normal();
  }

  void load_challenges(const Node& root, EventConfig& e) const;
  void load_teams(const Node& root, EventConfig& e) const;
  void load_sections(const Node& root, EventConfig& e) const;
  void load_slurm(const Node& slurm, EventConfig& e) const;

  fs::path shown_dir_;
  const yaml::Document& doc_;
};

EventConfig Loader::load() {
  if (doc_.empty || doc_.root.kind == Kind::null)
    throw ConfigError({file_, 0, 0}, "", "empty file, expected an event mapping");
  const Node& root = doc_.root;
  if (root.kind != Kind::mapping)
    fail(root, "", "expected an event mapping at the top level, got " + describe(root));

  check_schema(root, kEventSchemaVersion);
  check_keys(root, "",
             {"schema", "name", "title", "challenges", "teams", "store", "jobs", "split", "ranking",
              "submissions", "judge", "service"});

  EventConfig e;
  const Node& name = required(root, "", "name");
  e.name = non_empty_string(name, "name");
  if (!is_valid_id(e.name)) fail(name, "name", "expected " + id_rule() + ", got " + describe(name));
  e.title = e.name;
  if (const Node* t = find_key(root, "title")) e.title = non_empty_string(*t, "title");

  load_challenges(root, e);
  load_sections(root, e);
  load_teams(root, e);
  return e;
}

void Loader::load_challenges(const Node& root, EventConfig& e) const {
  const Node& list = required(root, "", "challenges");
  if (list.kind != Kind::sequence)
    fail(list, "challenges",
         "expected a sequence of challenge folders such as [../challenges/fashion-mnist], got " +
             describe(list));
  if (list.children.empty()) fail(list, "challenges", "expected at least one challenge, got []");
  for (std::size_t i = 0; i < list.children.size(); ++i) {
    const Node& item = list.children[i];
    const std::string field = "challenges[" + std::to_string(i) + "]";
    const fs::path shown = shown_path(item, field);
    std::error_code ec;
    if (!fs::exists(shown, ec)) fail(item, field, "no such challenge folder or file: " + shown.string());
    Challenge c = load_challenge(shown);  // its own errors point into its own file
    for (const auto& earlier : e.challenges)
      if (earlier.id == c.id)
        fail(item, field, "challenge '" + c.id + "' is listed twice (" + earlier.file.string() + ")");
    e.challenges.push_back(std::move(c));
  }
}

void Loader::load_sections(const Node& root, EventConfig& e) const {
  e.store = path(required(root, "", "store"), "store").path;
  if (const Node* n = find_key(root, "jobs")) e.jobs = static_cast<int>(integer(*n, "jobs", 1, kMaxJobs));
  if (const Node* n = find_key(root, "split")) e.split = choice(*n, "split", {"public", "private"});

  if (const Node* ranking = find_key(root, "ranking")) {
    check_keys(*ranking, "ranking", {"rule"});
    if (const Node* rule = find_key(*ranking, "rule"))
      e.ranking = choice(*rule, "ranking.rule", {"sum_of_ranks", "mean_normalized_score"}) == "sum_of_ranks"
                      ? RankingRule::sum_of_ranks
                      : RankingRule::mean_normalized_score;
  }

  e.submissions_folder = e.store / "submissions";
  if (const Node* subs = find_key(root, "submissions")) {
    check_keys(*subs, "submissions",
               {"folder", "max_per_team", "per_day", "final_per_team", "max_upload_mb", "max_asset_files",
                "max_assets_mb"});
    if (const Node* f = find_key(*subs, "folder")) e.submissions_folder = path(*f, "submissions.folder").path;
    if (const Node* m = find_key(*subs, "max_per_team"))
      e.max_submissions = static_cast<int>(integer(*m, "submissions.max_per_team", 1, 1'000'000));
    ServiceRules& s = e.service;
    if (const Node* n = find_key(*subs, "per_day"))
      s.per_day = static_cast<int>(integer(*n, "submissions.per_day", 1, 1'000'000));
    if (const Node* n = find_key(*subs, "final_per_team"))
      s.final_per_team = static_cast<int>(integer(*n, "submissions.final_per_team", 1, 100));
    if (const Node* n = find_key(*subs, "max_upload_mb"))
      s.max_upload_bytes = integer(*n, "submissions.max_upload_mb", 1, 4096) << 20;
    if (const Node* n = find_key(*subs, "max_asset_files"))
      s.max_asset_files = static_cast<int>(integer(*n, "submissions.max_asset_files", 1, 1'000'000));
    if (const Node* n = find_key(*subs, "max_assets_mb"))
      s.max_assets_bytes = integer(*n, "submissions.max_assets_mb", 1, 65536) << 20;
  }
  if (const Node* service = find_key(root, "service")) {
    check_keys(*service, "service", {"rate_per_minute", "queue_limit", "timeout_seconds"});
    ServiceRules& s = e.service;
    if (const Node* n = find_key(*service, "rate_per_minute"))
      s.rate_per_minute = static_cast<int>(integer(*n, "service.rate_per_minute", 1, 1'000'000));
    if (const Node* n = find_key(*service, "queue_limit"))
      s.queue_limit = static_cast<int>(integer(*n, "service.queue_limit", 1, 1'000'000));
    if (const Node* n = find_key(*service, "timeout_seconds"))
      s.timeout_seconds = static_cast<int>(integer(*n, "service.timeout_seconds", 1, 3600));
  }

  if (const Node* judge = find_key(root, "judge")) {
    check_keys(*judge, "judge", {"limit", "train_limit", "seed", "attempts", "slurm"});
    if (const Node* n = find_key(*judge, "limit"))
      e.judge.limit = integer(*n, "judge.limit", 1, int64_t{1} << 40);
    if (const Node* n = find_key(*judge, "train_limit"))
      e.judge.train_limit = integer(*n, "judge.train_limit", 1, int64_t{1} << 40);
    if (const Node* n = find_key(*judge, "seed")) e.judge.seed = seed(*n, "judge.seed");
    if (const Node* n = find_key(*judge, "attempts"))
      e.judge.attempts = static_cast<int>(integer(*n, "judge.attempts", 1, 10));
    if (const Node* n = find_key(*judge, "slurm")) load_slurm(*n, e);
  }
}

void Loader::load_slurm(const Node& slurm, EventConfig& e) const {
  check_keys(slurm, "judge.slurm", {"partition", "account", "constraint"});
  // Handed to sbatch as arguments (no shell): still, only what Slurm's names and constraint
  // expressions are made of, so that a typo is caught here and not by sbatch on every node.
  auto word = [&](const Node& n, const std::string& field, const std::string& extra) {
    std::string v = non_empty_string(n, field);
    const bool ok = v.size() <= 256 && std::all_of(v.begin(), v.end(), [&](char c) {
                      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                             c == '.' || extra.find(c) != std::string::npos;
                    });
    if (!ok)
      fail(n, field,
           "expected letters, digits, '_', '-', '.'" + (extra.empty() ? "" : " and '" + extra + "'") +
               " (at most 256 characters), got " + describe(n));
    return v;
  };
  if (const Node* n = find_key(slurm, "partition"))
    e.judge.slurm.partition = word(*n, "judge.slurm.partition", ",");
  if (const Node* n = find_key(slurm, "account")) e.judge.slurm.account = word(*n, "judge.slurm.account", "");
  const Node* c = find_key(slurm, "constraint");
  if (!c) return;
  const std::string kConstraintChars = "&|[]()*:,!";
  if (c->kind != Kind::mapping) {
    e.judge.slurm.constraint = word(*c, "judge.slurm.constraint", kConstraintChars);
    return;
  }
  std::vector<std::string> ids;
  for (const auto& ch : e.challenges) ids.push_back(ch.id);
  check_keys(*c, "judge.slurm.constraint", ids);  // a misspelt challenge id gets a "did you mean"
  for (std::size_t k = 0; k < c->size(); ++k) {
    const std::string id = c->key_at(k).value;
    e.judge.slurm.constraints[id] =
        word(c->value_at(k), child_path("judge.slurm.constraint", id), kConstraintChars);
  }
}

void Loader::load_teams(const Node& root, EventConfig& e) const {
  const Node& list = required(root, "", "teams");
  if (list.kind != Kind::sequence)
    fail(list, "teams",
         "expected a sequence of teams such as [{name: ..., plugin: ...}], got " + describe(list));
  if (list.children.empty()) fail(list, "teams", "expected at least one team, got []");
  std::vector<std::string> ids;
  for (const auto& c : e.challenges) ids.push_back(c.id);

  for (std::size_t i = 0; i < list.children.size(); ++i) {
    const Node& item = list.children[i];
    const std::string path = "teams[" + std::to_string(i) + "]";
    check_keys(item, path, {"name", "plugin", "plugins", "folder"});
    Team t;
    t.where = at(item);
    const Node& name = required(item, path, "name");
    t.name = non_empty_string(name, path + ".name");
    if (!is_valid_team_name(t.name))
      fail(name, path + ".name", "expected " + team_name_rule() + ", got " + describe(name));
    for (const auto& earlier : e.teams) {
      std::string a = earlier.name, b = t.name;
      std::transform(a.begin(), a.end(), a.begin(), [](unsigned char c) { return std::tolower(c); });
      std::transform(b.begin(), b.end(), b.begin(), [](unsigned char c) { return std::tolower(c); });
      if (a == b)
        fail(name, path + ".name", "team '" + t.name + "' is listed twice (as '" + earlier.name + "')");
    }

    const Node* plugin = find_key(item, "plugin");
    const Node* plugins = find_key(item, "plugins");
    const Node* folder = find_key(item, "folder");
    if ((plugin != nullptr) + (plugins != nullptr) + (folder != nullptr) > 1)
      fail(item, path,
           "give at most one of 'plugin' (one library for every challenge), 'plugins' (one per challenge) "
           "and 'folder' (discovered by convention)");
    if (plugin) {
      t.source = PluginSource::one_for_all;
      t.plugin = this->path(*plugin, path + ".plugin");
    } else if (plugins) {
      t.source = PluginSource::per_challenge;
      const std::string field = path + ".plugins";
      if (plugins->kind != Kind::mapping || plugins->size() == 0)
        fail(*plugins, field, "expected a mapping of challenge id to library, got " + describe(*plugins));
      check_keys(*plugins, field, ids);  // unknown challenge ids get a "did you mean"
      for (std::size_t k = 0; k < plugins->size(); ++k) {
        const std::string id = plugins->key_at(k).value;
        t.plugins[id] = this->path(plugins->value_at(k), child_path(field, id));
      }
    } else if (folder) {
      t.source = PluginSource::folder;
      t.folder = this->path(*folder, path + ".folder");
    } else {
      t.source = PluginSource::submissions;
      t.folder = PathAt{e.submissions_folder / t.name, t.where};
    }
    e.teams.push_back(std::move(t));
  }
}

std::vector<fs::path> libraries_in(const fs::path& dir) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if ((entry.path().extension() == ".so" || entry.path().extension() == ".onnx") &&
        entry.is_regular_file(ec))
      found.push_back(entry.path());
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

EventConfig parse_event(const std::filesystem::path& file, std::string bytes) {
  const std::string name = file.string();
  const yaml::Document doc = yaml::parse_document(name, std::move(bytes), "event config");
  fs::path shown_dir = file.parent_path();
  if (shown_dir.empty()) shown_dir = ".";
  return Loader(name, shown_dir, doc).load();
}

EventConfig load_event(const std::filesystem::path& file) {
  std::string bytes = yaml::read_file(file, "event config");
  const std::string digest = sha256_hex(bytes);
  EventConfig e = parse_event(file, std::move(bytes));
  e.file = fs::absolute(file).lexically_normal();
  e.dir = e.file.parent_path();
  e.sha256 = digest;
  return e;
}

std::optional<std::filesystem::path> find_plugin(const Team& team, const std::string& challenge_id) {
  auto must_be_file = [](const PathAt& p) {
    const std::optional<std::string> why = why_not_regular_file(p.path);
    const std::string what = models::is_model_path(p.path) ? "model" : "plugin library";
    if (why == "no such file") throw ConfigError(p.where, "", "no such " + what + ": " + p.path.string());
    if (why) throw ConfigError(p.where, "", what + " " + p.path.string() + ": " + *why);
    return p.path;
  };
  switch (team.source) {
    case PluginSource::one_for_all:
      return must_be_file(*team.plugin);
    case PluginSource::per_challenge: {
      const auto it = team.plugins.find(challenge_id);
      if (it == team.plugins.end()) return std::nullopt;
      return must_be_file(it->second);
    }
    case PluginSource::folder:
    case PluginSource::submissions:
      break;
  }
  const PathAt& folder = *team.folder;
  std::error_code ec;
  if (!fs::is_directory(folder.path, ec)) {
    if (team.source == PluginSource::submissions) return std::nullopt;  // nothing submitted yet
    throw ConfigError(folder.where, "", "no such team folder: " + folder.path.string());
  }
  for (const char* ext : {".so", ".onnx"}) {  // a library, or an ONNX model (sdk/ONNX.md)
    const fs::path single = folder.path / (challenge_id + ext);
    if (fs::is_regular_file(single, ec)) return single;
  }
  const fs::path sub = folder.path / challenge_id;
  if (!fs::is_directory(sub, ec)) return std::nullopt;
  const auto found = libraries_in(sub);
  if (found.empty()) return std::nullopt;
  if (found.size() == 1) return found.front();
  try {
    if (auto latest = latest_submission(folder.path, challenge_id))
      if (fs::is_regular_file(*latest, ec)) return *latest;
  } catch (const std::runtime_error& e) {
    throw ConfigError(folder.where, "", "team '" + team.name + "': " + e.what());
  }
  std::vector<std::string> names;
  names.reserve(found.size());
  for (const auto& f : found) names.push_back(f.filename().string());
  throw ConfigError(folder.where, "",
                    "team '" + team.name + "': " + sub.string() + " holds several libraries (" + join(names) +
                        ") and no submission ledger names one; keep one");
}

}  // namespace gauntlet::event
