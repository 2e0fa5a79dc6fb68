// ONNX submissions end to end, through the real `gauntlet` binary, worker and sandbox: the
// shipped PyTorch CNN judged with --model (and as a plain .onnx argument), inspected, entered in
// an event both ways a team can (a path in the config, gauntlet submit), and the results
// recording the model and the runner.
#include <doctest/doctest.h>

#include "support/read_json.hpp"
#include "support/run_command.hpp"

#include <nlohmann/json.hpp>

#include <openssl/sha.h>

#include <filesystem>
#include <fstream>
#include <regex>

using gauntlet::testing::read_json;
using gauntlet::testing::run_command;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kCnn = gauntlet::testing::source_path("examples/pytorch/fashion_mnist_cnn.onnx");
const std::string kChallenge = gauntlet::testing::source_path("challenges/fashion-mnist");

std::string sha256_of(const std::string& path) {
  const std::string bytes = gauntlet::testing::read_file(path);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : digest) out += {hex[c >> 4], hex[c & 15]};
  return out;
}

}  // namespace

TEST_CASE(
    "gauntlet judge --model: the PyTorch CNN judged OK in the strict sandbox, its SHA-256 and the runner "
    "recorded") {
  const std::string out = gauntlet::testing::temp_dir("onnx-judge") + "/result.json";
  const auto r =
      run_command({gauntlet::testing::gauntlet_binary(), "judge", "-q", "-c", kChallenge, "--model", kCnn,
                   "--split", "all", "--organizer", "--limit", "2000", "--train-limit", "100", "--out", out});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Verdict    OK") != std::string::npos);
  CHECK(r.out.find("Model      fashion_mnist_cnn.onnx (SHA-256 " + sha256_of(kCnn)) != std::string::npos);
  const json j = read_json(out);
  CHECK(j["verdict"] == "OK");
  CHECK(j["sandbox"]["mode"] == "strict");
  CHECK(j["plugin"]["name"] == "onnx-runner");
  CHECK(j["trained"] == false);  // the runner runs the model as exported
  CHECK(j["model"]["sha256"] == sha256_of(kCnn));
  CHECK(j["model"]["bytes"] == fs::file_size(kCnn));
  CHECK(j["model"]["runner"]["version"] == j["environment"]["gauntlet_version"]);
  CHECK(j["model"]["runner"]["sha256"] == j["plugin"]["sha256"]);
  // The exported model's accuracy (0.913 on the whole test set) on the first 2,000 images.
  CHECK(j["metrics"]["accuracy"].get<double>() > 0.88);
  // The runner says what it planned, in the worker's log.
  CHECK(j["worker"]["stderr"]["head"].get<std::string>().find("oneDNN primitives") != std::string::npos);
}

TEST_CASE("a .onnx file is a model wherever a plugin is accepted on the command line") {
  const auto r = run_command({gauntlet::testing::gauntlet_binary(), "judge", "-q", "-c", kChallenge, kCnn,
                              "--limit", "300", "--train-limit", "100"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Model      fashion_mnist_cnn.onnx") != std::string::npos);

  const auto assets = run_command({gauntlet::testing::gauntlet_binary(), "judge", "-q", "-c", kChallenge,
                                   "--model", kCnn, "--assets", gauntlet::testing::temp_dir("onnx-assets")});
  CHECK(assets.exit_code == 2);
  CHECK(assets.err ==
        "gauntlet judge: --assets is for plugins: a model's runner reads the model and nothing else\n");
}

TEST_CASE(
    "gauntlet inspect model.onnx lists inputs, outputs and operators, and checks it against a challenge") {
  const auto r =
      run_command({gauntlet::testing::gauntlet_binary(), "inspect", kCnn, "--challenge", kChallenge});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  for (const char* line :
       {"Input         'image' float32 [batch, 1, 28, 28]", "Output        'logits' float32 [batch, 10]",
        "  Conv          2  oneDNN convolution", "Verdict       the runner takes it for fashion-mnist"})
    CHECK_MESSAGE(r.out.find(line) != std::string::npos, line);
  const auto other = run_command({gauntlet::testing::gauntlet_binary(), "inspect", kCnn, "--challenge",
                                  gauntlet::testing::source_path("challenges/synthetic-regression")});
  CHECK(other.exit_code == 1);
  CHECK(other.out.find(
            "Verdict       PLUGIN_ERROR: the model's input 'image' float32 [batch, 1, 28, 28] is not the "
            "challenge's") != std::string::npos);
}

TEST_CASE("an event judges models from its config and from gauntlet submit, once each, keyed by the model") {
  const fs::path dir = gauntlet::testing::temp_dir("onnx-event");
  fs::copy_file(kCnn, dir / "cnn.onnx");
  std::ofstream(dir / "event.yaml")
      << "schema: 1\nname: models\nchallenges: [" << kChallenge
      << "]\nteams:\n  - name: configured\n    plugin: cnn.onnx\n  - name: submitter\n"
         "store: store\njudge:\n  limit: 300\n  train_limit: 100\n";
  const std::string event = (dir / "event.yaml").string();
  const auto submit = run_command({gauntlet::testing::gauntlet_binary(), "submit", "--event", event, "--team",
                                   "submitter", "--challenge", "fashion-mnist", kCnn});
  INFO(submit.out << submit.err);
  REQUIRE(submit.exit_code == 0);
  CHECK(fs::exists(dir / "store/submissions/submitter/fashion-mnist" / (sha256_of(kCnn) + ".onnx")));
  const auto again = run_command({gauntlet::testing::gauntlet_binary(), "submit", "--event", event, "--team",
                                  "submitter", "--challenge", "fashion-mnist", kCnn});
  CHECK(again.out.find("this model was already submitted") != std::string::npos);

  const auto run = run_command({gauntlet::testing::gauntlet_binary(), "run", event});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  // Each job once, plus the attempts judged again when a loaded machine disturbed the timing.
  std::smatch summary;
  REQUIRE(std::regex_search(run.err, summary,
                            std::regex(R"((\d+) judged, \d+ skipped[^,\n]*(, (\d+) judged again)?)")));
  CHECK(std::stoi(summary[1]) - (summary[3].matched ? std::stoi(summary[3]) : 0) == 2);
  for (const char* team : {"configured", "submitter"}) {
    const fs::path folder = dir / "store/public/fashion-mnist" / team;
    REQUIRE(fs::is_directory(folder));
    const json record = read_json(fs::directory_iterator(folder)->path());
    CHECK(record["result"]["verdict"] == "OK");
    CHECK(record["job"]["model_sha256"] == sha256_of(kCnn));
    CHECK(record["result"]["model"]["sha256"] == sha256_of(kCnn));
    CHECK(record["job"]["plugin_sha256"] == record["result"]["plugin"]["sha256"]);
  }
  const auto resumed = run_command({gauntlet::testing::gauntlet_binary(), "run", event});
  CHECK(resumed.err.find("0 judged, 2 skipped") != std::string::npos);
}
