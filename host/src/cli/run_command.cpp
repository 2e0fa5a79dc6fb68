// gauntlet run: judges a whole event (configs/<event>.yaml) into its result store, resuming
// where an earlier run stopped, then prints the leaderboard of the judged split (public) and
// writes its HTML page.
#include "cli/commands.hpp"
#include "cli/leaderboard_output.hpp"
#include "cli/options.hpp"
#include "cli/run_slurm.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"
#include "event/cpu_slots.hpp"
#include "event/event_loader.hpp"
#include "event/job_plan.hpp"
#include "event/progress.hpp"
#include "event/runner.hpp"
#include "judge/worker_process.hpp"
#include "report/text_table.hpp"
#include "sandbox/job_sandbox.hpp"
#include "sandbox/worker_policy.hpp"
#include "store/result_store.hpp"

#include <unistd.h>

#include <chrono>
#include <future>
#include <iostream>
#include <map>

namespace gauntlet::cli {

// 128 + SIGINT, as a shell reports an interrupted command (the Slurm backend's arrays cancelled).
constexpr int kExitInterrupted = 130;

int run_command(int argc, char** argv) {
  std::string config_path, split, sandbox_name = "strict", backend = "local";
  int jobs = 0;
  SlurmArgs slurm;
  bool rejudge = false, no_leaderboard = false;
  std::vector<std::string> rejudge_teams, rejudge_challenges;

  po::options_description visible("options");
  visible.add_options()  //
      ("jobs,j", po::value(&jobs),
       "jobs judged at a time, each pinned to its own cores (default: the config's `jobs`, else one per two "
       "usable cores)")                                                                            //
      ("rejudge", po::bool_switch(&rejudge), "judge jobs again, also those already in the store")  //
      ("team", po::value(&rejudge_teams)->composing(),
       "with --rejudge: only this team's jobs (repeat for several)")  //
      ("challenge", po::value(&rejudge_challenges)->composing(),
       "with --rejudge: only this challenge's jobs (repeat for several)")             //
      ("split", po::value(&split), "override the config's split: public or private")  //
      ("sandbox", po::value(&sandbox_name)->default_value("strict"),
       "strict (a plugin is not run on a machine that lacks a sandbox mechanism: JUDGE_ERROR) or relaxed "
       "(run with what there is, recorded in each result)")  //
      ("no-leaderboard", po::bool_switch(&no_leaderboard),
       "do not print the leaderboard at the end (its HTML page next to the store is still refreshed)")  //
      ("backend", po::value(&backend)->default_value("local"),
       "local (this machine) or slurm (one Slurm array task per job, on a cluster sharing the store; "
       "docs/cluster.md)")  //
      ("partition", po::value(&slurm.partition),
       "slurm: the partition (default: the event's judge.slurm)")  //
      ("account", po::value(&slurm.account),
       "slurm: the account to charge (default: the event's judge.slurm)")  //
      ("max-array", po::value(&slurm.max_array),
       "slurm: tasks of an array running at once (default: no limit)");
  po::options_description hidden;
  hidden.add_options()("config", po::value(&config_path)->required());
  po::positional_options_description positional;
  positional.add("config", 1);
  po::variables_map vm;
  if (auto code =
          parse_options(argc, argv,
                        "gauntlet run <event.yaml> [--jobs N] [--rejudge] [--split public|private] "
                        "[--sandbox strict|relaxed] [--backend local|slurm [--partition P] [--account A] "
                        "[--max-array N]]",
                        visible, hidden, positional, vm))
    return *code;
  const auto sandbox_mode = sandbox::parse_mode(sandbox_name);
  if (!sandbox_mode) {
    std::cerr << "gauntlet run: --sandbox must be 'strict' or 'relaxed', not '" << sandbox_name << "'\n";
    return kExitBadInput;
  }
  if (backend != "local" && backend != "slurm") {
    std::cerr << "gauntlet run: --backend must be 'local' or 'slurm', not '" << backend << "'\n";
    return kExitBadInput;
  }
  if (backend == "local" && (vm.count("partition") || vm.count("account") || vm.count("max-array"))) {
    std::cerr << "gauntlet run: --partition, --account and --max-array go with --backend slurm\n";
    return kExitBadInput;
  }
  if (backend == "slurm" && vm.count("jobs")) {
    std::cerr << "gauntlet run: --jobs goes with --backend local (on Slurm every job is a task of its own; "
                 "--max-array caps how many run at once)\n";
    return kExitBadInput;
  }
  if (vm.count("max-array") && slurm.max_array < 1) {
    std::cerr << "gauntlet run: --max-array must be at least 1\n";
    return kExitBadInput;
  }
  if (vm.count("jobs") && (jobs < 1 || jobs > 1024)) {
    std::cerr << "gauntlet run: --jobs must be between 1 and 1024\n";
    return kExitBadInput;
  }
  if (!rejudge && (!rejudge_teams.empty() || !rejudge_challenges.empty())) {
    std::cerr << "gauntlet run: --team and --challenge choose what --rejudge judges again; add --rejudge\n";
    return kExitBadInput;
  }

  event::EventConfig config;
  event::Plan plan;
  int replaced = 0;  // stored results --rejudge replaces
  try {
    config = event::load_event(config_path);
    if (split.empty()) split = config.split;
    if (!store::valid_split(split)) {
      std::cerr << "gauntlet run: --split must be 'public' or 'private', not '" << split << "'\n";
      return kExitBadInput;
    }
    plan = event::plan_jobs(config, split);
    // --rejudge marks the jobs in the plan: every backend then judges them as it would new ones.
    if (rejudge) replaced = event::mark_for_rejudging(plan, config, rejudge_teams, rejudge_challenges);
  } catch (const ConfigError& e) {
    std::cerr << e.what() << "\n";
    return kExitBadInput;
  } catch (const UsageError& e) {
    std::cerr << "gauntlet run: " << e.what() << "\n";
    return kExitBadInput;
  }

  // Refused before anything is written: on a machine lacking a mechanism, strict mode would
  // otherwise turn every job into JUDGE_ERROR. (On Slurm each node checks itself; Slurm must
  // answer here.)
  if (backend == "slurm" && !slurm_answers()) return kExitFailure;
  if (*sandbox_mode == sandbox::Mode::strict && backend == "local") {
    const auto& caps = sandbox::cached_machine_probe(judge::default_worker_executable());
    if (const std::optional<std::string> refusal = sandbox::strict_refusal(caps)) {
      std::cerr << "gauntlet run: " << *refusal << "\n";
      return kExitBadInput;
    }
  }

  const std::vector<int> cpus = event::usable_cpus();
  const bool defaulted = !vm.count("jobs") && config.jobs == 0;
  if (!vm.count("jobs")) jobs = config.jobs > 0 ? config.jobs : event::default_jobs(cpus.size());
  event::RunSettings settings;
  settings.slots = event::assign_cpus(cpus, jobs);
  settings.configure = [mode = *sandbox_mode](judge::JudgeOptions& options) { options.sandbox = mode; };

  std::unique_ptr<store::StoreLock> lock;
  try {
    lock = std::make_unique<store::StoreLock>(config.store);
    // Re-planned after cancelling an earlier run's arrays (their tasks may have stored records
    // since): --rejudge's marks go on the new plan.
    if (backend == "slurm" && prepare_slurm(config, plan) && rejudge)
      replaced = event::mark_for_rejudging(plan, config, rejudge_teams, rejudge_challenges);
    store::write_event_description(config.store, event::describe_event(config, &plan));
  } catch (const std::exception& e) {
    std::cerr << "gauntlet run: " << e.what() << "\n";
    return kExitFailure;
  }

  const int to_judge = static_cast<int>(event::jobs_to_run(plan, /*rejudge=*/false).size());
  std::cerr << "[gauntlet] event " << config.name << ": " << config.challenges.size() << " challenge"
            << (config.challenges.size() == 1 ? "" : "s") << " x " << config.teams.size() << " team"
            << (config.teams.size() == 1 ? "" : "s") << " = " << plan.jobs.size() << " jobs on the " << split
            << " split (" << plan.without_plugin.size() << " pairs without a plugin); store "
            << config.store.string() << "\n";
  // A team whose plugin cannot be taken does not stop the others: said here, NO_PLUGIN in the
  // leaderboard.
  for (const std::string& problem : plan.plugin_problems)
    std::cerr << "[gauntlet] warning: " << problem
              << " (that team is NO_PLUGIN there; the others are judged)\n";
  if (backend == "slurm") std::cerr << "[gauntlet] " << slurm_header(config, slurm) << "\n";
  if (backend == "local")
    std::cerr << "[gauntlet] " << jobs << " job" << (jobs == 1 ? "" : "s") << " at a time"
              << (defaulted ? " (default: one per two cores, " + std::to_string(cpus.size()) + " usable)"
                            : "")
              << ", " << sandbox::mode_name(*sandbox_mode) << " sandbox, pinned to cores";
  for (std::size_t s = 0; backend == "local" && s < settings.slots.size(); ++s)
    std::cerr << (s ? " | " : " ") << event::cpu_list_text(settings.slots[s]);
  if (backend == "local") std::cerr << "\n";
  if (backend == "local" && cpus.size() < 2 * static_cast<std::size_t>(jobs))
    std::cerr << "[gauntlet] warning: fewer than two cores per job; the judge's timing thread and the plugin "
                 "share cores, so latencies are noisier\n";
  std::cerr << "[gauntlet] " << to_judge << " to judge, "
            << plan.jobs.size() - static_cast<std::size_t>(to_judge) << " skipped (already in the store)"
            << (rejudge ? "; --rejudge: " + std::to_string(replaced) + " stored result" +
                              (replaced == 1 ? "" : "s") + " judged again" +
                              (rejudge_teams.empty() ? "" : " (teams: " + join(rejudge_teams) + ")") +
                              (rejudge_challenges.empty() ? ""
                                                          : " (challenges: " + join(rejudge_challenges) + ")")
                        : "")
            << "\n";

  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  event::ProgressDisplay progress(std::cerr, terminal, config, to_judge, split == "public");
  {
    std::map<std::string, int> per_challenge;
    for (const event::Job* job : event::jobs_to_run(plan, /*rejudge=*/false))
      ++per_challenge[config.challenges[job->challenge].id];
    const int parallel =
        backend == "slurm" ? (slurm.max_array > 0 ? slurm.max_array : std::max(1, to_judge)) : jobs;
    progress.estimate_with(
        event::EtaEstimate(per_challenge, event::seconds_per_job_in_store(config.store, split), parallel));
  }
  event::RunSummary summary;
  bool interrupted = false;
  if (backend == "slurm") {
    const auto run = run_slurm(config, plan, slurm, *sandbox_mode, rejudge, progress);
    if (!run) return kExitFailure;
    summary = run->summary;
    interrupted = run->interrupted;
  } else {
    auto running =
        std::async(std::launch::async, [&] { return event::run_event(config, plan, settings, progress); });
    while (running.wait_for(std::chrono::milliseconds(terminal ? 250 : 1000)) != std::future_status::ready)
      progress.tick();
    summary = running.get();
    progress.finish();
  }

  std::cerr << "[gauntlet] done in " << event::format_duration(summary.seconds) << " ("
            << report::format_number(summary.seconds, 1) << " s wall time): " << summary.judged << " judged, "
            << summary.skipped << " skipped (already stored)";
  if (summary.retried) std::cerr << ", " << summary.retried << " judged again";
  if (summary.judge_errors) std::cerr << ", " << summary.judge_errors << " JUDGE_ERROR";
  if (summary.unreliable) std::cerr << ", " << summary.unreliable << " with unreliable latencies";
  if (summary.store_errors) std::cerr << ", " << summary.store_errors << " not stored";
  std::cerr << "\n";
  lock.reset();
  if (interrupted) return kExitInterrupted;

  if (split == "public") {
    // The HTML page is refreshed either way; --no-leaderboard only keeps the table off stdout.
    if (!no_leaderboard) std::cout << "\n";
    if (print_leaderboard_and_html(config, split, /*print_table=*/!no_leaderboard) != kExitOk)
      return kExitFailure;
  } else if (!no_leaderboard) {
    // The private split is shown only when asked for by name.
    std::cerr << "[gauntlet] private results stored; the final ranking: gauntlet leaderboard " << config_path
              << " --split private\n";
  }
  return summary.judge_errors || summary.store_errors ? kExitFailure : kExitOk;
}

}  // namespace gauntlet::cli
