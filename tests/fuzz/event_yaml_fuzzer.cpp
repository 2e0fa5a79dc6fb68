// libFuzzer target: the event config loader from bytes, then the plugin lookup of every team on
// every challenge (find_plugin). The config sits in a scratch folder that holds two valid
// challenges, `c` and `d`, so that inputs naming them reach the team and section checks. Any
// input must give an EventConfig or one ConfigError of one line.
#include "common/errors.hpp"
#include "event/event_loader.hpp"
#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;

fs::path scratch;

const char* kChallenge = R"(schema: 1
id: @ID@
task: regression
data: {source: synthetic_regression, num_train: 10, num_test: 10, num_features: 2}
interface:
  inputs: [{name: x, shape: [batch, 2]}]
  outputs: [{name: y, shape: [batch, 1]}]
  target: {name: t, shape: [batch, 1]}
limits: {ms_per_batch: 10, total_seconds: 10}
timing: {batch_sizes: [1, 4]}
metrics: [mse]
score: {formula: -mse}
)";

void write_challenge(const std::string& id) {
  std::string text = kChallenge;
  text.replace(text.find("@ID@"), 4, id);
  fs::create_directories(scratch / id);
  std::ofstream(scratch / id / "challenge.yaml") << text;
}

void remove_scratch() {
  std::error_code ec;
  fs::remove_all(scratch, ec);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char name[] = "/tmp/gauntlet-fuzz-event-XXXXXX";
  if (!mkdtemp(name)) std::abort();
  scratch = name;
  write_challenge("c");
  write_challenge("d");
  fs::create_directories(scratch / "plugins");
  std::ofstream(scratch / "plugins" / "c.so") << "not a library";
  std::atexit(remove_scratch);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto config = gauntlet::event::parse_event(scratch / "event.yaml",
                                                     std::string(reinterpret_cast<const char*>(data), size));
    for (const auto& team : config.teams)
      for (const auto& challenge : config.challenges) gauntlet::event::find_plugin(team, challenge.id);
  } catch (const gauntlet::ConfigError& e) {
    gauntlet::fuzz::check_message(e.what());
  }
  return 0;
}
