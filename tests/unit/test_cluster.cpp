// What `gauntlet run --backend slurm` asks Slurm for (cluster/sbatch.hpp): each challenge's
// task resources from its limits (threads + the judge's core, memory + the judge's headroom,
// total time + the task's headroom), sbatch's arguments, and the batch script, run here by
// /bin/sh against a stand-in judge; squeue's output as the submitter reads it; the manifest's
// round trip.
#include <doctest/doctest.h>

#include "challenge/challenge_loader.hpp"
#include "cluster/manifest.hpp"
#include "cluster/sbatch.hpp"
#include "cluster/slurm_commands.hpp"
#include "event/event_loader.hpp"
#include "support/run_command.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

using namespace gauntlet;
using namespace gauntlet::cluster;
namespace fs = std::filesystem;

namespace {

const std::string kFashion = testing::source_path("challenges/fashion-mnist");
const std::string kRegression = testing::source_path("challenges/synthetic-regression");

bool has(const std::vector<std::string>& args, const std::string& a) {
  return std::find(args.begin(), args.end(), a) != args.end();
}

int count_prefix(const std::vector<std::string>& args, const std::string& prefix) {
  return static_cast<int>(
      std::count_if(args.begin(), args.end(), [&](const std::string& a) { return a.rfind(prefix, 0) == 0; }));
}

}  // namespace

TEST_CASE("a task's resources come from its challenge's limits") {
  const Challenge fashion = load_challenge(kFashion), regression = load_challenge(kRegression);
  // The bundled challenges' limits, as their files give them (a change there shows here).
  REQUIRE(fashion.limits.threads == 1);
  REQUIRE(fashion.limits.memory_mb == 4096);
  REQUIRE(fashion.limits.total_seconds == 900);
  const TaskResources f = task_resources(fashion, "");
  CHECK(f.cpus == 2);  // the plugin's thread + the judge's own core
  CHECK(f.memory_mb == 4096 + kJudgeMemoryMb);
  CHECK(f.minutes == 20);  // (900 + 300) s
  CHECK(f.constraint.empty());

  const TaskResources r = task_resources(regression, "avx512");
  CHECK(r.cpus == regression.limits.threads + 1);
  CHECK(r.memory_mb == regression.limits.memory_mb + kJudgeMemoryMb);
  CHECK(r.minutes ==
        static_cast<int>(std::ceil((regression.limits.total_seconds + kTaskHeadroomSeconds) / 60)));
  CHECK(r.constraint == "avx512");
  CHECK(!(f == r));  // different arrays

  Challenge big = fashion;
  big.limits.threads = 8;
  big.limits.memory_mb = 30000;
  big.limits.total_seconds = 7201;  // not a whole minute: rounded up, never cut short
  const TaskResources b = task_resources(big, "");
  CHECK(b.cpus == 9);
  CHECK(b.memory_mb == 31024);
  CHECK(b.minutes == 126);  // 7,501 s
}

TEST_CASE("time limits in sbatch's format") {
  CHECK(time_limit_text(1) == "1:00");
  CHECK(time_limit_text(20) == "20:00");
  CHECK(time_limit_text(60) == "1:00:00");
  CHECK(time_limit_text(126) == "2:06:00");
  CHECK(time_limit_text(24 * 60 + 1) == "24:01:00");
}

TEST_CASE("sbatch's arguments for an array of a challenge's jobs") {
  ArrayRequest q;
  q.resources = task_resources(load_challenge(kFashion), "");
  q.job_name = "gauntlet-demo";
  q.tasks = 12;
  q.first_job = 30;
  q.gauntlet = "/shared/gauntlet/build/bin/gauntlet";
  q.manifest = "/shared/store/slurm/20261206T010203Z-public-r0.json";
  q.log_folder = "/shared/store/slurm/logs";
  const fs::path script = "/shared/store/slurm/20261206T010203Z-public-r0-30.sbatch";

  SUBCASE("the defaults: no partition, account, constraint or array limit") {
    const auto args = sbatch_arguments(q, script);
    CHECK(args ==
          std::vector<std::string>{"--parsable", "--array=0-11", "--job-name=gauntlet-demo", "--nodes=1",
                                   "--ntasks=1", "--cpus-per-task=2", "--mem=5120M", "--time=20:00",
                                   "--output=/shared/store/slurm/logs/20261206T010203Z-public-r0-%A_%a.out",
                                   "--open-mode=append", script.string()});
  }
  SUBCASE("partition, account, constraint and --max-array, each once, the script last") {
    q.partition = "gpu,cpu";
    q.account = "hackathon";
    q.resources.constraint = "xeon6230&avx512";
    q.max_running = 4;
    const auto args = sbatch_arguments(q, script);
    CHECK(has(args, "--array=0-11%4"));
    CHECK(has(args, "--partition=gpu,cpu"));
    CHECK(has(args, "--account=hackathon"));
    CHECK(has(args, "--constraint=xeon6230&avx512"));  // one argument: no shell in between
    for (const char* p :
         {"--array=", "--partition=", "--account=", "--constraint=", "--cpus-per-task=", "--mem=", "--time="})
      CHECK_MESSAGE(count_prefix(args, p) == 1, p);
    CHECK(args.back() == script.string());
  }
  SUBCASE("one task") {
    q.tasks = 1;
    CHECK(has(sbatch_arguments(q, script), "--array=0-0"));
  }
}

TEST_CASE("the batch script runs the judge on its task's manifest entry, whatever the paths hold") {
  // A stand-in judge that prints its arguments, at a path with a space and a quote; run by
  // /bin/sh as slurmd would, with Slurm's task index in the environment.
  const fs::path dir = testing::temp_dir("sbatch script");
  const fs::path judge = dir / "it's the judge";
  std::ofstream(judge) << "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]\\n' \"$a\"; done\n";
  ::chmod(judge.c_str(), 0755);
  ArrayRequest q;
  q.gauntlet = judge;
  q.manifest = dir / "store $(touch pwned)/slurm/m.json";
  q.first_job = 30;
  const std::string text = batch_script(q);
  CHECK(text.rfind("#!/bin/sh\n", 0) == 0);
  const fs::path script = dir / "task.sbatch";
  std::ofstream(script) << text;
  const auto r = testing::run_command(
      {"/usr/bin/env", "-i", "SLURM_ARRAY_TASK_ID=7", "PATH=/usr/bin:/bin", "/bin/sh", script.string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "[run-job]\n[" + q.manifest.string() + "]\n[37]\n");
  CHECK(!fs::exists(dir / "pwned"));
  CHECK(!fs::exists("pwned"));
}

TEST_CASE("squeue's lines as the submitter reads them") {
  const auto tasks = parse_squeue(
      "41_0|RUNNING|gauntlet-demo|node07\n"
      "41_1|PENDING|gauntlet-demo|(Resources)\n"
      "41_2|COMPLETING|a|b|node[07-08]\n"
      "garbage line\n"
      "41_3|RUNNING\n"
      "42_10|PENDING|gauntlet-demo|\n");
  REQUIRE(tasks.size() == 4);
  CHECK(tasks.at("41_0").state == "RUNNING");
  CHECK(tasks.at("41_0").name == "gauntlet-demo");
  CHECK(tasks.at("41_0").node == "node07");
  CHECK(tasks.at("41_1").state == "PENDING");
  CHECK(tasks.at("41_1").node.empty());  // a reason, not a node
  CHECK(tasks.at("41_2").state == "COMPLETING");
  CHECK(tasks.at("41_2").name == "a|b");  // someone's name with a '|': the node is still the last field
  CHECK(tasks.at("41_2").node == "node[07-08]");
  CHECK(tasks.at("42_10").node.empty());
}

TEST_CASE("judge.slurm in the event: the constraint each challenge's tasks get") {
  const fs::path dir = testing::temp_dir("slurm event");
  const fs::path file = dir / "event.yaml";
  std::ofstream(file) << "schema: 1\nname: e\ntitle: E\nchallenges: [" << kFashion << ", " << kRegression
                      << "]\nteams:\n  - {name: a, plugin: a.so}\nstore: store\n"
                         "judge:\n  slurm:\n    partition: batch\n    account: lab-7\n"
                         "    constraint: {fashion-mnist: \"xeon6230&avx512\"}\n";
  const event::EventConfig e = event::load_event(file);
  CHECK(e.judge.slurm.partition == "batch");
  CHECK(e.judge.slurm.account == "lab-7");
  CHECK(e.judge.slurm.constraint_of("fashion-mnist") == "xeon6230&avx512");
  CHECK(e.judge.slurm.constraint_of("synthetic-regression").empty());
  CHECK(task_resources(e.challenges[0], e.judge.slurm.constraint_of(e.challenges[0].id)).constraint ==
        "xeon6230&avx512");
}

TEST_CASE("a manifest reads back as it was written") {
  const fs::path dir = testing::temp_dir("manifest");
  Manifest m;
  m.file = dir / "slurm" / "20261206T010203Z-public-r0.json";
  m.event_file = "/shared/event.yaml";
  m.event_sha256 = "abc";
  m.split = "private";
  m.sandbox = "relaxed";
  ManifestJob j;
  j.challenge_id = "fashion-mnist";
  j.team = "alpha";
  j.plugin = "/shared/teams/alpha.so";
  j.record = "/shared/store/private/fashion-mnist/alpha/k.json";
  j.key = "k";
  j.identity.plugin_sha256 = "p";
  j.identity.split = "private";
  j.identity.limit = 1000;
  j.identity.seed = 18446744073709551615ull;  // the whole uint64 range survives JSON
  j.identity.model_sha256 = "m";
  j.force = true;
  m.jobs = {j};
  m.arrays = {SubmittedArray{"4711", 0, 1, 1796521246312037057}};
  write_manifest(m);
  const Manifest back = read_manifest(m.file);
  CHECK(back.event_file == m.event_file);
  CHECK(back.split == "private");
  CHECK(back.sandbox == "relaxed");
  REQUIRE(back.jobs.size() == 1);
  CHECK(back.jobs[0].team == "alpha");
  CHECK(back.jobs[0].force);
  CHECK(back.jobs[0].identity.seed == j.identity.seed);
  CHECK(back.jobs[0].identity.model_sha256 == "m");
  REQUIRE(back.arrays.size() == 1);
  CHECK(back.arrays[0].job_id == "4711");
  CHECK(back.arrays[0].submitted_at_ns == 1796521246312037057);
  CHECK(unfinished_manifests(dir).size() == 1);
  m.finished = true;
  write_manifest(m);
  CHECK(unfinished_manifests(dir).empty());
  std::ofstream(dir / "slurm" / "broken.json") << "{";
  CHECK_THROWS_WITH(read_manifest(dir / "slurm" / "broken.json"), doctest::Contains("not JSON"));
  CHECK(unfinished_manifests(dir).empty());  // an unreadable file is not an array to look after
}
