// `gauntlet run --backend slurm` on a real Slurm cluster: the single-node one that
// scripts/slurm-local.sh starts (scripts/test.sh does, around the default suite; SLURM_CONF
// names it). A small part of the demo event judged through Slurm gives the local run's verdicts
// and quality metrics, record for record; a submitter killed mid-array is resumed by a rerun
// that judges exactly what is missing; scancel of a running task leaves no worker and no cgroup
// folder. Without a cluster the test exits 77 (CTest: skipped); under GAUNTLET_CI=1 it fails.
#include <doctest/doctest.h>

#include "support/run_command.hpp"
#include "support/store_files.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

using gauntlet::testing::gauntlet_binary;
using gauntlet::testing::read_file;
using gauntlet::testing::run_command;
using gauntlet::testing::sample_plugin;
using gauntlet::testing::source_path;
using gauntlet::testing::spawn_command;
using gauntlet::testing::test_plugin;
using json = nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// A Slurm command's path (PATH looked up: run_command takes a path), "" when not there.
std::string slurm_command(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string d; std::getline(dirs, d, ':');)
    if (!d.empty() && ::access((fs::path(d) / name).c_str(), X_OK) == 0) return (fs::path(d) / name).string();
  return {};
}

// Exits 77 (skipped) when no cluster answers, unless CI asked for one (GAUNTLET_CI=1).
struct RequireCluster {
  RequireCluster() {
    const char* conf = std::getenv("SLURM_CONF");
    std::string why;
    if (!conf || !*conf) {
      why = "SLURM_CONF is not set";
    } else if (slurm_command("sinfo").empty()) {
      why = "sinfo is not installed";
    } else {
      const auto r = run_command({slurm_command("sinfo"), "-h", "-o", "%T"}, 30);
      if (r.exit_code != 0 || r.out.empty()) why = "sinfo failed: " + r.err;
    }
    if (why.empty()) return;
    const char* ci = std::getenv("GAUNTLET_CI");
    std::cerr << "no Slurm cluster (" << why
              << "): scripts/setup.sh --slurm, then eval \"$(scripts/slurm-local.sh start)\" "
                 "(scripts/test.sh does)\n";
    std::exit(ci && std::string(ci) == "1" ? 1 : 77);
  }
} require_cluster;

struct Record {
  json j;
  ino_t inode = 0;
  int64_t mtime_ns = 0;
};

// The store's records of a split by "<challenge>/<team>".
std::map<std::string, Record> records(const fs::path& store, const std::string& split = "public") {
  std::map<std::string, Record> out;
  for (const auto& f : gauntlet::testing::record_files(store, split)) {
    json j = json::parse(read_file(f.path), nullptr, false);
    if (j.is_discarded()) continue;  // not there yet: records are renamed into place, so never
    const std::string id = j["job"]["challenge_id"].get<std::string>() + "/" + j["team"].get<std::string>();
    out[id] = {std::move(j), f.inode, f.mtime_ns};
  }
  return out;
}

// Waits for `pid` (a child) at most `seconds`; its wait status, or -1 (then it is killed).
int wait_child(pid_t pid, double seconds) {
  const auto until = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1e3));
  int status = 0;
  while (Clock::now() < until) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

bool wait_for(const std::function<bool()>& condition, double seconds) {
  const auto until = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1e3));
  while (Clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

// A /proc file's text; "" when the process went away (read_file's stream would throw).
std::string proc_text(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return text;
}

// A process that has not ended (a zombie has: only its parent's wait is missing).
bool alive(pid_t pid) {
  const std::string stat = proc_text("/proc/" + std::to_string(pid) + "/stat");
  if (stat.empty()) return false;
  const auto paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'Z';
}

// Processes whose command line contains every one of `parts`.
std::vector<pid_t> processes_with(const std::vector<std::string>& parts) {
  std::vector<pid_t> out;
  for (const auto& p : fs::directory_iterator("/proc")) {
    const std::string name = p.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string cmdline = proc_text(p.path() / "cmdline");
    bool all = !cmdline.empty();
    for (const auto& part : parts) all = all && cmdline.find(part) != std::string::npos;
    if (all && alive(std::stoi(name))) out.push_back(std::stoi(name));
  }
  return out;
}

pid_t parent_of(pid_t pid) {
  std::istringstream status(proc_text("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(status, line);)
    if (line.rfind("PPid:", 0) == 0) return std::stoi(line.substr(5));
  return 0;
}

// The gauntlet-worker processes descending from `judge` (a worker hides its command line:
// found by its executable).
std::vector<pid_t> workers_of(pid_t judge) {
  std::vector<pid_t> out;
  for (const auto& p : fs::directory_iterator("/proc")) {
    const std::string name = p.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code ec;
    if (fs::read_symlink(p.path() / "exe", ec).filename() != "gauntlet-worker" || !alive(std::stoi(name)))
      continue;
    for (pid_t a = parent_of(std::stoi(name)); a > 1; a = parent_of(a))
      if (a == judge) {
        out.push_back(std::stoi(name));
        break;
      }
  }
  return out;
}

// The cgroup folders `pid` is in that the judge made (gauntlet-...), as paths under
// /sys/fs/cgroup (v1 hierarchies by their mount folder, v2 under unified/ or the root).
std::vector<fs::path> gauntlet_cgroups_of(pid_t pid) {
  std::vector<fs::path> out;
  std::istringstream lines(proc_text("/proc/" + std::to_string(pid) + "/cgroup"));
  for (std::string line; std::getline(lines, line);) {
    const auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1);
    const std::string path = line.substr(b + 1);
    if (path.find("/gauntlet-") == std::string::npos) continue;
    if (controllers.rfind("name=", 0) == 0) controllers = controllers.substr(5);
    fs::path root = "/sys/fs/cgroup";
    if (controllers.empty())
      root = fs::exists("/sys/fs/cgroup/unified") ? fs::path("/sys/fs/cgroup/unified") : root;
    else
      root /= controllers.substr(0, controllers.find(','));
    if (!fs::exists(root)) root = "/sys/fs/cgroup/" + controllers;  // e.g. cpu,cpuacct mounted as one
    out.push_back(root / path.substr(1));
  }
  return out;
}

// "N judged, M skipped (already stored)" of a run's last line.
std::pair<int, int> judged_and_skipped(const std::string& err) {
  static const std::regex line(R"((\d+) judged, (\d+) skipped \(already stored\))");
  std::smatch m;
  if (!std::regex_search(err, m, line)) return {-1, -1};
  return {std::stoi(m[1]), std::stoi(m[2])};
}

std::string write_event(const fs::path& dir, const std::string& body) {
  fs::create_directories(dir);
  const fs::path file = dir / "event.yaml";
  std::ofstream(file) << "schema: 1\nname: slurm-test\ntitle: Slurm test\n" << body << "store: store\n";
  return file.string();
}

}  // namespace

TEST_CASE("the demo event through Slurm: the local run's verdicts and quality metrics, record for record") {
  // The demo's challenges and teams (configs/demo.yaml) on the first 1,000 test and 3,000
  // training samples, judged once: nine jobs, a few seconds each.
  const std::string body = "challenges: [" + source_path("challenges/fashion-mnist") + ", " +
                           source_path("challenges/synthetic-regression") +
                           "]\n"
                           "teams:\n"
                           "  - {name: dnnl_mlp, plugin: " +
                           sample_plugin("dnnl_mlp") +
                           "}\n  - {name: least_squares, plugin: " + sample_plugin("least_squares") +
                           "}\n  - {name: nearest_centroid, plugin: " + sample_plugin("nearest_centroid") +
                           "}\n  - {name: c_prior, plugin: " + sample_plugin("c_prior") +
                           "}\n  - name: pytorch_cnn\n    plugins: {fashion-mnist: " +
                           source_path("examples/pytorch/fashion_mnist_cnn.onnx") +
                           "}\n"
                           "judge: {seed: 1, limit: 1000, train_limit: 3000, attempts: 1}\n";
  const fs::path dir = gauntlet::testing::temp_dir("slurm-demo");
  // The same event file in two folders: equal event digests, one store each.
  const std::string local = write_event(dir / "local", body), slurm = write_event(dir / "slurm", body);

  const auto l = run_command({gauntlet_binary(), "run", local, "--no-leaderboard"}, 600);
  INFO("local run: " << l.err);
  REQUIRE(l.exit_code == 0);
  const auto s =
      run_command({gauntlet_binary(), "run", slurm, "--backend", "slurm", "--no-leaderboard"}, 600);
  INFO("Slurm run: " << s.err);
  REQUIRE(s.exit_code == 0);
  CHECK(s.err.find("Slurm array ") != std::string::npos);
  CHECK(s.err.find("Slurm overhead over 9 tasks") != std::string::npos);

  const auto local_records = records(dir / "local/store"), slurm_records = records(dir / "slurm/store");
  REQUIRE(local_records.size() == 9);
  REQUIRE(slurm_records.size() == local_records.size());
  std::set<std::string> verdicts;
  for (const auto& [id, lr] : local_records) {
    INFO(id);
    REQUIRE(slurm_records.count(id));
    const json &a = lr.j, &b = slurm_records.at(id).j;
    CHECK(a["key"] == b["key"]);
    CHECK(a["result"]["verdict"] == b["result"]["verdict"]);
    CHECK(a["result"]["metrics"] == b["result"]["metrics"]);
    CHECK(a["result"]["score"].is_object() == b["result"]["score"].is_object());
    if (a["result"]["score"].is_object())
      CHECK(a["result"]["score"]["qualified"] == b["result"]["score"]["qualified"]);
    verdicts.insert(a["result"]["verdict"].get<std::string>());
    // What the result says about its node: Slurm's ids, the CPUs it was allotted.
    const json& env = b["result"]["environment"];
    CHECK(!env["node"].get<std::string>().empty());
    CHECK(!env["cpus_allowed"].get<std::string>().empty());
    CHECK(!env["slurm"]["job_id"].get<std::string>().empty());
    CHECK(!env["slurm"]["array_job_id"].get<std::string>().empty());
    CHECK(b.contains("slurm"));
    CHECK(!a.contains("slurm"));
    CHECK(!a["result"]["environment"].contains("slurm"));
  }
  // Not a vacuous match: scored entries and a refusal (nearest_centroid on regression).
  CHECK(verdicts == std::set<std::string>{"OK", "PLUGIN_ERROR"});
}

TEST_CASE(
    "a submitter killed mid-array: the rerun cancels its orphaned array and judges exactly what is missing") {
  const fs::path dir = gauntlet::testing::temp_dir("slurm-resume");
  std::string teams = "teams:\n";
  constexpr int kJobs = 6;
  for (int i = 1; i <= kJobs; ++i)
    teams += "  - {name: slow" + std::to_string(i) + ", plugin: " + test_plugin("slow_plugin") + "}\n";
  const std::string config = write_event(dir, "challenges: [" + source_path("tests/data/tiny-regression") +
                                                  "]\n" + teams + "judge: {attempts: 1}\n");
  const fs::path store = dir / "store";

  const pid_t pid =
      spawn_command({gauntlet_binary(), "run", config, "--backend", "slurm", "--no-leaderboard"},
                    dir / "run1.out", dir / "run1.err");
  const bool two = wait_for([&] { return records(store).size() >= 2; }, 120);
  ::kill(pid, SIGKILL);  // no chance to cancel its array
  int status = 0;
  ::waitpid(pid, &status, 0);
  INFO("first run: " << read_file(dir / "run1.err"));
  REQUIRE(two);
  const auto before = records(store);
  REQUIRE(before.size() < kJobs);  // killed in the middle, not after the end

  auto second =
      run_command({gauntlet_binary(), "run", config, "--backend", "slurm", "--no-leaderboard"}, 300);
  INFO("second run: " << second.err);
  CHECK(second.exit_code == 0);
  CHECK(second.err.find("still queued or running: cancelling") != std::string::npos);
  const auto [judged, skipped] = judged_and_skipped(second.err);

  // Every job has one record, judged once: those stored before the rerun untouched, and each
  // of the others judged by exactly one of the two runs (the rerun's manifest holds only jobs
  // the first run's array did not judge).
  const auto after = records(store);
  CHECK(after.size() == kJobs);
  for (const auto& [id, r] : before) {
    REQUIRE(after.count(id));
    CHECK(after.at(id).inode == r.inode);
    CHECK(after.at(id).mtime_ns == r.mtime_ns);
  }
  std::map<std::string, int> by_manifest;
  for (const auto& [id, r] : after) {
    CHECK(r.j["result"]["verdict"] == "OK");
    CHECK(r.j["attempts"] == 1);
    ++by_manifest[r.j["slurm"]["manifest"].get<std::string>()];
  }
  REQUIRE(by_manifest.size() == 2);  // the first run's and the rerun's
  std::set<std::string> rerun_jobs;
  fs::path rerun_manifest;
  for (const auto& f : fs::directory_iterator(store / "slurm"))
    if (f.path().extension() == ".json" && f.path() > rerun_manifest) rerun_manifest = f.path();
  const json rerun = json::parse(read_file(rerun_manifest));
  for (const auto& j : rerun["jobs"])
    rerun_jobs.insert(j["challenge"].get<std::string>() + "/" + j["team"].get<std::string>());
  CHECK(judged == static_cast<int>(rerun_jobs.size()));
  CHECK(judged == by_manifest[rerun_manifest.string()]);
  CHECK(skipped == kJobs - judged);
  for (const auto& [id, r] : after)
    if (r.j["slurm"]["manifest"] != rerun_manifest.string()) CHECK_MESSAGE(!rerun_jobs.count(id), id);
  // Nothing left in the queue (a task whose record is in may still be completing a moment).
  CHECK(wait_for(
      [] {
        return run_command({slurm_command("squeue"), "-h", "-n", "gauntlet-slurm-test"}).out.empty();
      },
      30));

  // A third run has nothing to do.
  auto third = run_command({gauntlet_binary(), "run", config, "--backend", "slurm", "--no-leaderboard"}, 120);
  CHECK(third.exit_code == 0);
  CHECK(judged_and_skipped(third.err) == std::pair{0, kJobs});
}

TEST_CASE("scancel of a running task: no worker process and no cgroup folder left behind") {
  const fs::path dir = gauntlet::testing::temp_dir("slurm-scancel");
  // The tiny challenge with room to wait: a plugin spinning in infer() holds its worker for a
  // minute unless the task is cancelled.
  fs::create_directories(dir / "challenge");
  std::string yaml = read_file(source_path("tests/data/tiny-regression/challenge.yaml"));
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{"ms_per_batch: 300", "ms_per_batch: 60000"},
        {"total_seconds: 30", "total_seconds: 120"}}) {
    const auto at = yaml.find(from);
    REQUIRE(at != std::string::npos);
    yaml.replace(at, from.size(), to);
  }
  std::ofstream(dir / "challenge/challenge.yaml") << yaml;
  const std::string config =
      write_event(dir, "challenges: [" + (dir / "challenge").string() +
                           "]\nteams:\n  - {name: spinner, plugin: " + test_plugin("hang_in_infer") +
                           "}\njudge: {attempts: 1}\n");
  const fs::path store = dir / "store";

  ::setenv("GAUNTLET_SLURM_RECORD_GRACE", "1", 1);  // no NFS here: a lost task is seen at once
  const pid_t submitter =
      spawn_command({gauntlet_binary(), "run", config, "--backend", "slurm", "--no-leaderboard"},
                    dir / "run.out", dir / "run.err");
  ::unsetenv("GAUNTLET_SLURM_RECORD_GRACE");
  INFO("submitter: " << read_file(dir / "run.err"));

  // The task's judge (gauntlet run-job <manifest in this store>) and its worker, in infer(),
  // in the job cgroups the judge made for it.
  std::vector<pid_t> judge, workers;
  std::vector<fs::path> cgroups;
  const bool running = wait_for(
      [&] {
        judge = processes_with({"run-job", store.string()});
        if (judge.size() != 1) return false;
        workers = workers_of(judge[0]);
        cgroups.clear();
        for (pid_t w : workers)
          for (const auto& c : gauntlet_cgroups_of(w))
            if (std::find(cgroups.begin(), cgroups.end(), c) == cgroups.end()) cgroups.push_back(c);
        return !workers.empty() && !cgroups.empty();
      },
      120);
  if (!running) ::kill(submitter, SIGINT);
  REQUIRE_MESSAGE(running, "no worker in a job cgroup of the task's judge");
  for (const auto& c : cgroups) CHECK_MESSAGE(fs::exists(c), c);

  const json manifest = [&] {
    for (const auto& f : fs::directory_iterator(store / "slurm"))
      if (f.path().extension() == ".json") return json::parse(read_file(f.path()));
    return json();
  }();
  REQUIRE(manifest.is_object());
  const std::string task = manifest["arrays"][0]["job_id"].get<std::string>() + "_0";
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // in infer(), spinning
  const auto cancel = run_command({slurm_command("scancel"), task});
  REQUIRE(cancel.exit_code == 0);

  CHECK(
      wait_for([&] { return !alive(judge[0]) && std::none_of(workers.begin(), workers.end(), alive); }, 60));
  for (pid_t w : workers) CHECK_MESSAGE(!alive(w), w);
  for (const auto& c : cgroups) {
    CHECK_MESSAGE(!fs::exists(c), c);
    // Nor any other folder of that judge (its jobs' gauntlet-<pid>-<n>, a v2 leaf).
    const std::string prefix = "gauntlet-" + std::to_string(judge[0]) + "-";
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(c.parent_path(), ec))
      CHECK_MESSAGE(f.path().filename().string().rfind(prefix, 0) != 0, f.path());
  }

  // The submitter saw the task end without a result: a JUDGE_ERROR naming it, then the end.
  const int status = wait_child(submitter, 120);
  CHECK(status != -1);
  const auto stored = records(store);
  REQUIRE(stored.size() == 1);
  const json& r = stored.begin()->second.j;
  CHECK(r["result"]["verdict"] == "JUDGE_ERROR");
  CHECK(r["result"]["reason"].get<std::string>().find("Slurm task " + task) != std::string::npos);
  CHECK(r["result"]["reason"].get<std::string>().find("ended without a result") != std::string::npos);
}

TEST_CASE(
    "a submitter whose output is closed (| head) follows its array to the end and finishes its manifest") {
  const fs::path dir = gauntlet::testing::temp_dir("slurm-closed-output");
  std::string teams = "teams:\n";
  constexpr int kJobs = 3;
  for (int i = 1; i <= kJobs; ++i)
    teams += "  - {name: zero" + std::to_string(i) + ", plugin: " + test_plugin("null_plugin") + "}\n";
  const std::string config =
      write_event(dir, "challenges: [" + source_path("tests/data/tiny-regression") + "]\n" + teams);
  // head takes one byte and leaves: every later progress line meets a closed pipe.
  const auto r = run_command({"/bin/bash", "-c",
                              "'" + gauntlet_binary() + "' run '" + config +
                                  "' --backend slurm --no-leaderboard 2>&1 | head -c 1 >/dev/null; "
                                  "echo \"submitter exit ${PIPESTATUS[0]}\""},
                             300);
  INFO(r.out << r.err);
  CHECK(r.out.find("submitter exit 0") != std::string::npos);  // not 141 (SIGPIPE)
  CHECK(records(dir / "store").size() == kJobs);
  int manifests = 0;
  for (const auto& f : fs::directory_iterator(dir / "store/slurm"))
    if (f.path().extension() == ".json") {
      ++manifests;
      CHECK(json::parse(read_file(f.path()))["finished"] == true);
    }
  CHECK(manifests == 1);
}

TEST_CASE("--rejudge --team through Slurm replaces that team's records only, its attempts counted afresh") {
  const fs::path dir = gauntlet::testing::temp_dir("slurm-rejudge");
  const std::string config =
      write_event(dir, "challenges: [" + source_path("tests/data/tiny-regression") +
                           "]\nteams:\n  - {name: alpha, plugin: " + test_plugin("null_plugin") +
                           "}\n  - {name: beta, plugin: " + test_plugin("null_plugin") + "}\n");
  const fs::path store = dir / "store";
  auto first = run_command({gauntlet_binary(), "run", config, "--backend", "slurm", "--no-leaderboard"}, 300);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  const auto before = records(store);
  REQUIRE(before.size() == 2);
  auto again = run_command({gauntlet_binary(), "run", config, "--backend", "slurm", "--no-leaderboard",
                            "--rejudge", "--team", "alpha"},
                           300);
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(judged_and_skipped(again.err) == std::pair{1, 1});
  const auto after = records(store);
  REQUIRE(after.size() == 2);
  for (const auto& [id, r] : after) {
    CAPTURE(id);
    const bool alpha = r.j["team"] == "alpha";
    CHECK((r.mtime_ns != before.at(id).mtime_ns) == alpha);
    CHECK(r.j["attempts"] == 1);
    CHECK(r.j["result"]["verdict"] == "OK");
  }
}
