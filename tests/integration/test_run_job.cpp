// A Slurm task's node-side checks (issue 15), without a cluster: `gauntlet run-job` on a
// manifest written as the submitter writes it. A node whose worker cannot confine, and a node
// that sees another plugin than was planned, each store a JUDGE_ERROR that names the node and
// why (never a team failure); the same task on a sound node judges OK. The real judge, worker
// and sandbox throughout.
#include <doctest/doctest.h>

#include "cluster/manifest.hpp"
#include "event/event_loader.hpp"
#include "support/read_json.hpp"
#include "support/run_command.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using namespace gauntlet;
using testing::run_command;

namespace {

std::string host_name() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

}  // namespace

TEST_CASE(
    "run-job refuses, as JUDGE_ERROR naming the node, a node that cannot confine or sees other inputs") {
  const fs::path dir = testing::temp_dir("run-job");
  const fs::path plugin = dir / "alpha.so";
  fs::copy_file(testing::sample_plugin("least_squares"), plugin);
  const fs::path yaml = dir / "event.yaml";
  std::ofstream(yaml) << "schema: 1\nname: run-job-test\nchallenges: ["
                      << testing::source_path("tests/data/tiny-regression")
                      << "]\nteams:\n  - {name: alpha, plugin: " << plugin.string()
                      << "}\njudge:\n  limit: 200\n"
                      << "store: store\n";
  const event::EventConfig config = event::load_event(yaml);
  const event::Plan plan = event::plan_jobs(config, "public");
  REQUIRE(plan.jobs.size() == 1);
  cluster::Manifest manifest;
  manifest.file = cluster::slurm_folder(config.store) / "test-public-r1.json";
  manifest.event_file = yaml;
  manifest.event_sha256 = config.sha256;
  manifest.split = "public";
  manifest.jobs.push_back(cluster::manifest_job(config, plan.jobs[0], false));
  cluster::write_manifest(manifest);
  const fs::path record = plan.jobs[0].record;
  auto run_task = [&](std::vector<std::string> env) {
    std::vector<std::string> argv{"/usr/bin/env"};
    argv.insert(argv.end(), env.begin(), env.end());
    for (const std::string& a :
         {testing::gauntlet_binary(), std::string("run-job"), manifest.file.string(), std::string("0")})
      argv.push_back(a);
    const auto r = run_command(argv, 300);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    REQUIRE(fs::exists(record));
    const auto result = testing::read_json(record.string())["result"];
    fs::remove(record);
    return result;
  };
  const std::string node = "node " + host_name() + " ";

  // A worker that dies before it can be confined: what a node without namespaces shows.
  auto result = run_task({"GAUNTLET_WORKER=/bin/false"});
  CHECK(result["verdict"] == "JUDGE_ERROR");
  const std::string why = result["reason"].get<std::string>();
  CHECK_MESSAGE(why.find(node + "cannot judge with the strict sandbox") != std::string::npos, why);
  CHECK_MESSAGE(why.find("user_namespace") != std::string::npos, why);

  // Another file where the planned plugin was (a node whose copy of the files differs).
  fs::copy_file(testing::test_plugin("null_plugin"), plugin, fs::copy_options::overwrite_existing);
  result = run_task({});
  CHECK(result["verdict"] == "JUDGE_ERROR");
  const std::string differs = result["reason"].get<std::string>();
  CHECK_MESSAGE(differs.find(node + "sees other inputs than were planned: the file " + plugin.string() +
                             " differs from the planned one") != std::string::npos,
                differs);

  // The planned plugin back: judged.
  fs::copy_file(testing::sample_plugin("least_squares"), plugin, fs::copy_options::overwrite_existing);
  result = run_task({});
  CHECK_MESSAGE(result["verdict"] == "OK", result.dump());
}
