#include "event/event_loader.hpp"

#include "challenge/challenge_loader.hpp"
#include "challenge/yaml_tree.hpp"
#include "common/file_check.hpp"
#include "common/sha256.hpp"
#include "event/submission.hpp"
#include "scoring/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <string_view>

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
using yaml::Kind;
using yaml::Node;

constexpr std::size_t kMaxNameLength = 64;
constexpr int kMaxJobs = 1024;

std::string join(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

std::string excerpt(const std::string& value) {
  std::string s;
  for (const char c : value) s += c == '\n' ? std::string("\\n") : std::string(1, c);
  return s.size() > 40 ? s.substr(0, 37) + "..." : s;
}

std::string describe(const Node& n) {
  switch (n.kind) {
    case Kind::null:
      return "null";
    case Kind::sequence:
      return "a sequence";
    case Kind::mapping:
      return "a mapping";
    case Kind::scalar:
      break;
  }
  if (!n.plain) return "\"" + excerpt(n.value) + "\"";
  // Plain numbers as written, other plain scalars in single quotes (as the challenge loader).
  char* end = nullptr;
  std::strtod(n.value.c_str(), &end);
  if (!n.value.empty() && end == n.value.c_str() + n.value.size()) return n.value;
  return "'" + excerpt(n.value) + "'";
}

template <typename Int>
std::optional<Int> parse_integer(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  Int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

const Node* find_key(const Node& map, std::string_view key) {
  for (std::size_t i = 0; i < map.size(); ++i)
    if (map.key_at(i).kind == Kind::scalar && map.key_at(i).value == key) return &map.value_at(i);
  return nullptr;
}

std::string child_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

bool valid_team_name(const std::string& s) {
  if (s.empty() || s.size() > kMaxNameLength || !std::isalnum(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

bool valid_event_name(const std::string& s) {
  if (s.empty() || s.size() > kMaxNameLength) return false;
  if (!std::islower(static_cast<unsigned char>(s[0])) && !std::isdigit(static_cast<unsigned char>(s[0])))
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
           c == '-' || c == '_';
  });
}

class Loader {
 public:
  Loader(std::string file, fs::path shown_dir, const yaml::Document& doc)
      : file_(std::move(file)), shown_dir_(std::move(shown_dir)), doc_(doc) {}

  EventConfig load();

 private:
  SourceLocation at(const Node& n) const { return {file_, n.line, n.column}; }

  [[noreturn]] void fail(const Node& n, const std::string& field, const std::string& message) const {
    throw ConfigError(at(n), field, message);
  }

  void check_keys(const Node& map, const std::string& path, const std::vector<std::string>& known) const {
    if (map.kind != Kind::mapping) fail(map, path, "expected a mapping, got " + describe(map));
    std::set<std::string> seen;
    for (std::size_t i = 0; i < map.size(); ++i) {
      const Node& key = map.key_at(i);
      if (key.kind != Kind::scalar) fail(key, path, "expected a key name, got " + describe(key));
      const std::string field = child_path(path, key.value);
      if (!seen.insert(key.value).second) fail(key, field, "duplicate key '" + key.value + "'");
      if (std::find(known.begin(), known.end(), key.value) != known.end()) continue;
      const std::string suggestion = did_you_mean(key.value, known);
      fail(key, field,
           "unknown key '" + excerpt(key.value) + "'" +
               (suggestion.empty() ? "; expected one of: " + join(known) : suggestion));
    }
  }

  const Node& required(const Node& map, const std::string& path, std::string_view key) const {
    if (const Node* v = find_key(map, key)) return *v;
    fail(map, child_path(path, key), "missing required key '" + std::string(key) + "'");
  }

  std::string string(const Node& n, const std::string& field) const {
    if (n.kind != Kind::scalar || n.value.empty() || std::all_of(n.value.begin(), n.value.end(), [](char c) {
          return std::isspace(static_cast<unsigned char>(c));
        }))
      fail(n, field, "expected a non-empty string, got " + describe(n));
    return n.value;
  }

  int64_t integer(const Node& n, const std::string& field, int64_t min, int64_t max) const {
    std::optional<int64_t> v;
    if (n.kind == Kind::scalar && n.plain) v = parse_integer<int64_t>(n.value);
    if (!v || *v < min || *v > max)
      fail(n, field,
           "expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
               describe(n) + (n.kind == Kind::scalar && !n.plain ? " (quoted, so a string)" : ""));
    return *v;
  }

  std::string choice(const Node& n, const std::string& field, const std::vector<std::string>& options) const {
    if (n.kind == Kind::scalar && std::find(options.begin(), options.end(), n.value) != options.end())
      return n.value;
    fail(n, field,
         "expected one of: " + join(options) + "; got " + describe(n) +
             (n.kind == Kind::scalar ? did_you_mean(n.value, options) : ""));
  }

  // A path relative to the config's folder. `shown` keeps the folder as the user wrote it
  // (for messages), `path` is absolute.
  PathAt path(const Node& n, const std::string& field) const {
    const fs::path p = string(n, field);
    PathAt out;
    out.where = at(n);
    out.path = fs::absolute(p.is_absolute() ? p : shown_dir_ / p).lexically_normal();
    return out;
  }

  fs::path shown_path(const Node& n, const std::string& field) const {
    const fs::path p = string(n, field);
    return p.is_absolute() ? p : (shown_dir_ / p).lexically_normal();
  }

  void load_challenges(const Node& root, EventConfig& e) const;
  void load_teams(const Node& root, EventConfig& e) const;
  void load_sections(const Node& root, EventConfig& e) const;

  std::string file_;
  fs::path shown_dir_;
  const yaml::Document& doc_;
};

EventConfig Loader::load() {
  if (doc_.empty || doc_.root.kind == Kind::null)
    throw ConfigError({file_, 0, 0}, "", "empty file, expected an event mapping");
  const Node& root = doc_.root;
  if (root.kind != Kind::mapping)
    fail(root, "", "expected an event mapping at the top level, got " + describe(root));

  // The schema first: under another version every other key may mean something else.
  const Node* schema = find_key(root, "schema");
  if (!schema) fail(root, "schema", "missing required key 'schema' (this gauntlet reads schema 1)");
  if (!(schema->kind == Kind::scalar && schema->plain &&
        parse_integer<int64_t>(schema->value) == int64_t{kEventSchemaVersion}))
    fail(*schema, "schema",
         "unsupported schema version " + describe(*schema) + "; this gauntlet reads schema " +
             std::to_string(kEventSchemaVersion));
  check_keys(root, "",
             {"schema", "name", "title", "challenges", "teams", "store", "jobs", "split", "ranking",
              "submissions", "judge"});

  EventConfig e;
  const Node& name = required(root, "", "name");
  e.name = string(name, "name");
  if (!valid_event_name(e.name))
    fail(name, "name",
         "expected lower-case letters, digits, '-' and '_' (starting with a letter or digit, at most " +
             std::to_string(kMaxNameLength) + " characters), got " + describe(name));
  e.title = e.name;
  if (const Node* t = find_key(root, "title")) e.title = string(*t, "title");

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
    check_keys(*subs, "submissions", {"folder", "max_per_team"});
    if (const Node* f = find_key(*subs, "folder")) e.submissions_folder = path(*f, "submissions.folder").path;
    if (const Node* m = find_key(*subs, "max_per_team"))
      e.max_submissions = static_cast<int>(integer(*m, "submissions.max_per_team", 1, 1'000'000));
  }

  if (const Node* judge = find_key(root, "judge")) {
    check_keys(*judge, "judge", {"limit", "train_limit", "seed"});
    if (const Node* n = find_key(*judge, "limit"))
      e.judge.limit = integer(*n, "judge.limit", 1, int64_t{1} << 40);
    if (const Node* n = find_key(*judge, "train_limit"))
      e.judge.train_limit = integer(*n, "judge.train_limit", 1, int64_t{1} << 40);
    if (const Node* n = find_key(*judge, "seed")) {
      std::optional<uint64_t> v;
      if (n->kind == Kind::scalar && n->plain) v = parse_integer<uint64_t>(n->value);
      if (!v) fail(*n, "judge.seed", "expected an integer in [0, 2^64), got " + describe(*n));
      e.judge.seed = *v;
    }
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
    t.name = string(name, path + ".name");
    if (!valid_team_name(t.name))
      fail(name, path + ".name",
           "expected letters, digits, '_', '-' and '.' (starting with a letter or digit, at most " +
               std::to_string(kMaxNameLength) + " characters; it names folders), got " + describe(name));
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
    if (entry.path().extension() == ".so" && entry.is_regular_file(ec)) found.push_back(entry.path());
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
  const std::string name = file.string();
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
  if (!fs::is_regular_file(status)) throw ConfigError({name, 0, 0}, "", why_not_regular_file(file));
  const auto size = fs::file_size(file, ec);
  if (ec) throw ConfigError({name, 0, 0}, "", "cannot read: " + ec.message());
  yaml::check_file_size(name, size, "event config");

  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError({name, 0, 0}, "", std::string("cannot read: ") + std::strerror(errno));
  std::string bytes(yaml::kMaxFileBytes + 1, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.bad()) throw ConfigError({name, 0, 0}, "", "cannot read: I/O error");
  bytes.resize(static_cast<std::size_t>(in.gcount()));

  const std::string digest = sha256_hex(bytes);
  EventConfig e = parse_event(file, std::move(bytes));
  e.file = fs::absolute(file).lexically_normal();
  e.dir = e.file.parent_path();
  e.sha256 = digest;
  return e;
}

std::optional<std::filesystem::path> find_plugin(const Team& team, const std::string& challenge_id) {
  auto must_be_file = [](const PathAt& p) {
    const std::string why = why_not_regular_file(p.path);
    if (why == "no such file") throw ConfigError(p.where, "", "no such plugin library: " + p.path.string());
    if (!why.empty()) throw ConfigError(p.where, "", "plugin library " + p.path.string() + ": " + why);
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
  const fs::path single = folder.path / (challenge_id + ".so");
  if (fs::is_regular_file(single, ec)) return single;
  const fs::path sub = folder.path / challenge_id;
  if (!fs::is_directory(sub, ec)) return std::nullopt;
  const auto found = libraries_in(sub);
  if (found.empty()) return std::nullopt;
  if (found.size() == 1) return found.front();
  if (auto latest = latest_submission(folder.path, challenge_id)) {
    if (fs::is_regular_file(*latest, ec)) return *latest;
  }
  std::vector<std::string> names;
  names.reserve(found.size());
  for (const auto& f : found) names.push_back(f.filename().string());
  throw ConfigError(folder.where, "",
                    "team '" + team.name + "': " + sub.string() + " holds several libraries (" + join(names) +
                        ") and no submission ledger names one; keep one");
}

}  // namespace gauntlet::event
