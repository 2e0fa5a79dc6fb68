// The challenges made from Debian packages, judged by their baselines through the real judge
// (honest figures: each must beat chance clearly), and the team kit: it holds the training set
// and exactly the public test part, no private sample or label, and judges the same.
#include <doctest/doctest.h>

#include "challenge/challenge_loader.hpp"
#include "data/dataset.hpp"
#include "formats/npy.hpp"
#include "support/read_json.hpp"
#include "support/run_command.hpp"

#include <cmath>
#include <cstring>
#include <set>

using namespace gauntlet;
using testing::run_command;

namespace {

nlohmann::json judge(const std::string& challenge, const std::string& plugin, const std::string& split) {
  const std::string out = testing::temp_dir("data-challenges") + "/result.json";
  std::vector<std::string> args = {
      testing::gauntlet_binary(),     "judge", "-q", "--sandbox", "relaxed", "-c", challenge, "-p",
      testing::sample_plugin(plugin), "--out", out,  "--split",   split};
  if (split == "all") args.push_back("--organizer");
  const auto r = run_command(args, 300);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return testing::read_json(out);
}

// Each row of t as bytes.
std::set<std::string> rows(const HostTensor& t) {
  std::set<std::string> out;
  for (int64_t i = 0; i < t.samples(); ++i)
    out.emplace(reinterpret_cast<const char*>(t.raw()) + i * t.sample_bytes(), t.sample_bytes());
  return out;
}

}  // namespace

TEST_CASE("each new challenge is judged OK by its baseline, well above chance") {
  struct Case {
    const char* challenge;
    const char* plugin;
    const char* metric;
    double floor;
  };
  for (const Case& c :
       {Case{"diabetes", "least_squares", "r2", 0.3}, Case{"breast-cancer", "least_squares", "roc_auc", 0.95},
        Case{"digits-images", "least_squares", "accuracy", 0.9},
        Case{"language-id", "byte_bayes", "accuracy", 0.6}}) {
    CAPTURE(c.challenge);
    const nlohmann::json r = judge(testing::source_path("challenges/") + c.challenge, c.plugin, "all");
    CHECK(r["verdict"] == "OK");
    CHECK(r["metrics"][c.metric].get<double>() > c.floor);
  }
}

TEST_CASE("a team kit holds the training set and the public part, nothing private, and judges the same") {
  const std::string original = testing::source_path("challenges/breast-cancer");
  const std::string kit = testing::temp_dir("kit") + "/breast-cancer";
  const auto r = run_command({testing::gauntlet_binary(), "kit", original, kit, "--plugin-view"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);

  const Challenge c = load_challenge(original);
  const RawParts pub = raw_parts(c, SplitName::public_split), priv = raw_parts(c, SplitName::private_split);
  REQUIRE(priv.test.samples() > 0);
  const HostTensor kit_test = formats::read_npy(kit + "/data/test/features.npy");
  const HostTensor kit_train = formats::read_npy(kit + "/data/train/features.npy");
  const HostTensor kit_labels = formats::read_npy(kit + "/data/test/benign.npy");
  // The public part, sample for sample, with its labels; the whole training set.
  CHECK(rows(kit_test) == rows(*pub.test.find("features")));
  CHECK(kit_test.samples() == pub.test.samples());
  CHECK(std::memcmp(kit_labels.raw(), pub.test.find("benign")->raw(), kit_labels.bytes()) == 0);
  CHECK(rows(kit_train) == rows(*pub.train.find("features")));
  // No private sample anywhere in the kit (its labels come only with its samples).
  for (const std::string& sample : rows(*priv.test.find("features"))) {
    CHECK(rows(kit_test).count(sample) == 0);
    CHECK(rows(kit_train).count(sample) == 0);
  }
  // --plugin-view: the same samples as the plugin receives them, standardised as the YAML says
  // (fitted on the training set), with the labels as the target's dtype.
  const HostTensor view_train = formats::read_npy(kit + "/plugin-view/train/features.npy");
  const HostTensor view_test = formats::read_npy(kit + "/plugin-view/test/features.npy");
  const HostTensor view_labels = formats::read_npy(kit + "/plugin-view/test/benign.npy");
  CHECK(view_train.dtype == DType::f32);
  CHECK(view_train.shape == std::vector<int64_t>{kit_train.samples(), 30});
  CHECK(view_test.samples() == kit_test.samples());
  for (std::size_t column = 0; column < 30; column += 7) {
    double sum = 0, squares = 0;
    const auto n = static_cast<std::size_t>(view_train.samples());
    for (std::size_t i = 0; i < n; ++i) sum += view_train.value(i * 30 + column);
    for (std::size_t i = 0; i < n; ++i) squares += std::pow(view_train.value(i * 30 + column) - sum / n, 2);
    CHECK(std::abs(sum / n) < 1e-4);
    CHECK(std::sqrt(squares / n) == doctest::Approx(1.0).epsilon(1e-3));
  }
  REQUIRE(view_labels.samples() == kit_labels.samples());
  CHECK(view_labels.dtype == DType::s32);
  for (std::size_t i = 0; i < static_cast<std::size_t>(view_labels.samples()); ++i)
    CHECK(view_labels.value(i) == kit_labels.value(i));

  // The kit judges exactly as the organizer's public split does.
  const nlohmann::json on_kit = judge(kit, "least_squares", "public");
  const nlohmann::json on_public = judge(original, "least_squares", "public");
  CHECK(on_kit["samples"]["eval"] == on_public["samples"]["eval"]);
  CHECK(on_kit["metrics"] == on_public["metrics"]);
}

TEST_CASE("gauntlet new writes the preprocessing the plugin is told, fitted values included") {
  const std::string project = testing::temp_dir("new-diabetes") + "/starter";
  const auto r = run_command({testing::gauntlet_binary(), "new", project, "--challenge",
                              testing::source_path("challenges/diabetes")});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string plugin = testing::read_file(project + "/src/plugin.cpp");
  const Challenge c = load_challenge(testing::source_path("challenges/diabetes"));
  const ChallengeData d = load_challenge_data(c, {SplitName::public_split, 0, -1, false}, heap_allocator());
  REQUIRE(d.preprocess_entries.size() == 4);  // task, kind, fitted mean, fitted std
  for (const auto& [key, value] : d.preprocess_entries) {
    CAPTURE(key);
    CHECK(plugin.find("{\"" + key + "\", \"" + value + "\"}") != std::string::npos);
  }
}
