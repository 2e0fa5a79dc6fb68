// gauntlet doctor: which sandbox mechanisms this machine offers (and why not), checked by
// probing the kernel and by a self-test: a real worker confines itself under the policy a
// job would get, and reports each step, exactly as when judging (it loads no plugin).
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "common/errors.hpp"
#include "confine/landlock.hpp"
#include "judge/worker_client.hpp"
#include "report/text_table.hpp"
#include "sandbox/job_sandbox.hpp"
#include "sandbox/seccomp_policy.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

namespace gauntlet::cli {
namespace {

using json = nlohmann::json;

struct SelfTest {
  bool ran = false;
  std::string failure;  // why the self-test could not run or failed
  double confined_ms = 0;
  sandbox::Report report;
};

SelfTest self_test(const sandbox::MachineProbe& caps, sandbox::Mode mode) {
  SelfTest t;
  try {
    sandbox::JobSpec spec;
    spec.mode = mode;
    spec.limits.memory_bytes = 256ull << 20;
    sandbox::JobSandbox box(spec, caps);
    judge::WorkerClient client(judge::default_worker_executable(), "(sandbox self-test)", {}, &box);
    judge::HelloOutcome hello = client.hello(judge::Clock::now() + std::chrono::seconds(10));
    t.ran = hello.confined_seconds > 0;
    t.confined_ms = hello.confined_seconds * 1e3;
    if (hello.sandbox_failure) t.failure = *hello.sandbox_failure;
    if (!t.ran && t.failure.empty())
      t.failure = "the worker sent no sandbox report (" +
                  client.process().wait(std::chrono::seconds(2)).describe() + ")";
    t.report = box.report();
  } catch (const std::exception& e) {
    t.failure = e.what();
  }
  return t;
}

}  // namespace

int doctor_command(int argc, char** argv) {
  bool as_json = false;
  po::options_description visible("options");
  visible.add_options()("json", po::bool_switch(&as_json), "print one JSON object instead of a table");
  po::options_description hidden;
  po::positional_options_description positional;
  po::variables_map vm;
  if (auto code = parse_options(argc, argv, "gauntlet doctor [--json]", visible, hidden, positional, vm))
    return *code;

  const auto worker = judge::default_worker_executable();
  const sandbox::MachineProbe caps = sandbox::probe_machine(worker);
  const sandbox::Report expected = sandbox::expected_report(caps, sandbox::Mode::strict);
  const std::string refusal = sandbox::strict_refusal(caps);
  const bool strict = refusal.empty();
  // The self-test runs the mode a job would get here: strict where possible.
  const SelfTest test = self_test(caps, strict ? sandbox::Mode::strict : sandbox::Mode::relaxed);
  const bool test_ok = test.ran && test.failure.empty() && (!strict || test.report.inactive().empty());

  utsname u{};
  ::uname(&u);
  const std::string kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
  std::string seccomp_detail;
  try {
    const auto program = sandbox::seccomp_program(2);
    seccomp_detail = "libseccomp " + sandbox::libseccomp_version() + ", " +
                     std::to_string(program->allowed.size()) + " system calls allowed, " +
                     std::to_string(program->instructions()) + " BPF instructions";
  } catch (const std::exception& e) {
    seccomp_detail = e.what();
  }

  if (as_json) {
    json mechanisms = json::array();
    for (const auto& m : expected.mechanisms) {
      const sandbox::Mechanism* seen = test.report.find(m.name);
      mechanisms.push_back({{"name", m.name},
                            {"available", m.status == sandbox::Status::active},
                            {"detail", m.detail},
                            {"self_test", seen ? std::string(sandbox::status_name(seen->status)) : "not run"},
                            {"self_test_detail", seen ? seen->detail : ""}});
    }
    json out{{"kernel", kernel},
             {"root", caps.root},
             {"landlock_abi", caps.landlock_abi},
             {"seccomp", seccomp_detail},
             {"mechanisms", mechanisms},
             {"strict_possible", strict},
             {"strict_refusal", refusal},
             {"self_test", {{"ok", test_ok}, {"failure", test.failure}, {"confined_ms", test.confined_ms}}}};
    std::cout << out.dump(2) << "\n";
    return strict && test_ok ? kExitOk : kExitFailure;
  }

  std::cout << "gauntlet doctor: the worker's sandbox on this machine (" << kernel << ", "
            << (caps.root ? "running as root" : "running unprivileged, uid " + std::to_string(::geteuid()))
            << ")\n\n";
  report::TextTable table({"mechanism", "here", "self-test", "how, or why not"},
                          {report::TextTable::Align::left, report::TextTable::Align::left,
                           report::TextTable::Align::left, report::TextTable::Align::left});
  for (const auto& m : expected.mechanisms) {
    const sandbox::Mechanism* seen = test.report.find(m.name);
    std::string detail = m.detail;
    if (seen && seen->status == sandbox::Status::failed) detail = seen->detail;
    if (m.name == sandbox::mech::kSeccomp && m.status == sandbox::Status::active) detail = seccomp_detail;
    table.add_row({m.name, m.status == sandbox::Status::active ? "yes" : "MISSING",
                   seen ? std::string(sandbox::status_name(seen->status)) : "-", detail});
  }
  table.print(std::cout, "  ");
  std::cout << "\nSelf-test   ";
  if (test.ran)
    std::cout << "a worker confined itself in " << report::format_number(test.confined_ms, 2)
              << " ms (spawn to report, including the job's cgroup attach): " << test.report.summary()
              << "\n";
  else
    std::cout << "FAILED: " << test.failure << "\n";
  if (strict)
    std::cout << "Strict      possible: `gauntlet judge` and `gauntlet run` use it by default\n";
  else
    std::cout << "Strict      NOT possible here: " << refusal << "\n";
  return strict && test_ok ? kExitOk : kExitFailure;
}

}  // namespace gauntlet::cli
