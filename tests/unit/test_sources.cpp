// Data sources through the challenge loader and the data layer, as the judge uses them: CSV
// columns, categories, missing values and split columns, image folders, text files per class,
// the exact (and stratified) holdout and public/private division, standardisation fitted on
// the training set, and what the plugin is told.
#include <doctest/doctest.h>

#include "challenge/challenge_loader.hpp"
#include "data/dataset.hpp"
#include "support/run_command.hpp"

#include <cmath>
#include <fstream>
#include <map>
#include <numeric>

using namespace gauntlet;
namespace fs = std::filesystem;

namespace {

std::string tail(const std::string& task, const std::string& out_shape, const std::string& target) {
  return "interface:\n  inputs:\n    - {name: x, shape: [batch, 2], preprocess: raw}\n  outputs:\n    - "
         "{name: out, shape: " +
         out_shape + "}\n  target: " + target + "\ntiming: {batch_sizes: [1]}\nmetrics: [" +
         (task == "regression" ? "mse" : "accuracy") + "]\nscore: {formula: 1}\n";
}

Challenge challenge(const std::string& dir, const std::string& text) {
  const std::string file = dir + "/challenge.yaml";
  std::ofstream(file) << text;
  return load_challenge(file);
}

std::string write(const std::string& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir + "/" + name) << text;
  return dir + "/" + name;
}

std::string data_error(const Challenge& c) {
  try {
    load_challenge_data(c, {SplitName::whole_test, -1, -1, true}, heap_allocator());
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("csv: columns by name and range, categories, missing values, train and test files") {
  const std::string dir = testing::temp_dir("sources-csv");
  write(dir, "train.csv", "id,a,b,kind,y\n1,0.5,2,red,1.5\n2,1.5,,blue,2.5\n3,2.5,4,red,3.5\n");
  write(dir, "test.csv", "id,a,b,kind,y\n4,9,8,blue,7\n");
  const std::string head =
      "schema: 2\nid: t\ntask: classification\ndata:\n  source: csv\n  train: train.csv\n  test: test.csv\n"
      "  missing: -1\n  columns:\n    x: {from: a, to: b}\n    label: {column: kind, categories: [red, "
      "blue]}\n";
  const Challenge c =
      challenge(dir, head + tail("classification", "[batch, 2]", "{name: label, shape: [batch]}"));
  const ChallengeData d = load_challenge_data(c, {SplitName::whole_test, -1, -1, true}, heap_allocator());
  REQUIRE(d.train.inputs[0].shape == std::vector<int64_t>{3, 2});
  const float* x = d.train.inputs[0].as<float>();
  CHECK(std::vector<float>(x, x + 6) == std::vector<float>{0.5f, 2, 1.5f, -1, 2.5f, 4});
  const int32_t* y = d.train.targets.as<int32_t>();
  CHECK(std::vector<int32_t>(y, y + 3) == std::vector<int32_t>{0, 1, 0});
  CHECK(d.eval.targets.as<int32_t>()[0] == 1);

  // Each bad cell is one line naming file:line:column.
  write(dir, "test.csv", "id,a,b,kind,y\n4,9,8,blue,7\n5,nine,8,red,1\n");
  CHECK(data_error(c) == dir + "/test.csv:3:3: expected a number for tensor 'x', got 'nine'");
  write(dir, "test.csv", "id,a,b,kind,y\n4,9,8,green,7\n");
  CHECK(data_error(c) ==
        dir + "/test.csv:2:7: 'green' is not one of the categories of tensor 'label': red, blue");
  write(dir, "test.csv", "id,a,b,kind,y\n4,9,8,blue\n");
  CHECK(data_error(c) == dir + "/test.csv:2:1: a row of 4 fields; the header has 5");
  write(dir, "test.csv", "id,a,kind,y\n4,9,blue,1\n");
  CHECK(data_error(c).starts_with(
      dir + "/test.csv:1:1: no column 'b' (for tensor 'x'); the header has: id, a, kind, y"));
}

TEST_CASE("csv: one table with a split column; a regression target; missing values refused") {
  const std::string dir = testing::temp_dir("sources-split");
  write(dir, "all.tsv", "a\tb\ty\tset\n1\t2\t3\ttrain\n4\t5\t6\ttest\n7\t8\t9\ttrain\n");
  const std::string head =
      "schema: 2\nid: t\ntask: regression\ndata:\n  source: tsv\n  file: all.tsv\n"
      "  split_column: {column: set, train: train, test: test}\n  columns: {x: [a, b], y: y}\n";
  const Challenge c = challenge(dir, head + tail("regression", "[batch, 1]", "{name: y, shape: [batch, 1]}"));
  const ChallengeData d = load_challenge_data(c, {SplitName::whole_test, -1, -1, true}, heap_allocator());
  CHECK(d.train.targets.shape == std::vector<int64_t>{2, 1});
  CHECK(d.train.targets.as<float>()[1] == 9);
  CHECK(d.eval.inputs[0].as<float>()[1] == 5);
  write(dir, "all.tsv", "a\tb\ty\tset\n1\t\t3\ttrain\n4\t5\t6\ttest\n");
  CHECK(data_error(c) ==
        dir +
            "/all.tsv:2:3: a missing value (empty field) in column for tensor 'x'; set data.missing to a "
            "number to fill it");
}

TEST_CASE("holdout and public/private division: exact sizes, stratified shares, seeded") {
  const std::string dir = testing::temp_dir("sources-holdout");
  std::string table = "a,b,k\n";
  const int n = 177;  // the size on which schema 1's rule drifted (100/77)
  for (int i = 0; i < n; ++i) table += std::to_string(i) + ",0," + std::to_string(i % 7 == 0 ? 1 : 0) + "\n";
  write(dir, "all.csv", table);
  const std::string head =
      "schema: 2\nid: t\ntask: classification\ndata:\n  source: csv\n  file: all.csv\n"
      "  columns: {x: [a, b], label: k}\n  holdout: {test_fraction: 0.4, seed: 3, stratify: true}\n"
      "  split: {private_fraction: 0.5, seed: 9, stratify: true}\n";
  const Challenge c =
      challenge(dir, head + tail("classification", "[batch, 2]", "{name: label, shape: [batch]}"));
  const ChallengeData all = load_challenge_data(c, {SplitName::whole_test, -1, -1, true}, heap_allocator());
  // round(0.4 * 177) = 71 test samples; class 1 (26 of 177) gets 10 (10.4) of them.
  CHECK(all.eval.targets.samples() == 71);
  CHECK(all.train.targets.samples() == 106);
  const int32_t* t = all.eval.targets.as<int32_t>();
  CHECK(std::accumulate(t, t + 71, 0) == 10);
  const ChallengeData pub =
      load_challenge_data(c, {SplitName::public_split, -1, -1, false}, heap_allocator());
  const ChallengeData priv =
      load_challenge_data(c, {SplitName::private_split, -1, -1, false}, heap_allocator());
  CHECK(priv.eval.targets.samples() == 36);  // round(35.5), halves up
  CHECK(pub.eval.targets.samples() == 35);
  std::vector<int64_t> both = pub.eval.source_index;
  both.insert(both.end(), priv.eval.source_index.begin(), priv.eval.source_index.end());
  std::sort(both.begin(), both.end());
  CHECK(both == all.eval.source_index);  // a partition of the test set
  const int32_t* p = priv.eval.targets.as<int32_t>();
  CHECK(std::accumulate(p, p + 36, 0) == 5);  // half of class 1's 10
  // Deterministic: the same seed, the same samples.
  CHECK(
      load_challenge_data(c, {SplitName::private_split, -1, -1, false}, heap_allocator()).eval.source_index ==
      priv.eval.source_index);
}

TEST_CASE("standardize: fitted on the training set (numpy's mean and population std), told to the plugin") {
  const std::string dir = testing::temp_dir("sources-standardize");
  write(dir, "train.csv", "a,b,y\n1,10,0\n2,10,1\n4,10,0\n");
  write(dir, "test.csv", "a,b,y\n3,11,1\n");
  const std::string head =
      "schema: 2\nid: t\ntask: classification\ndata:\n  source: csv\n  train: train.csv\n"
      "  test: test.csv\n  columns: {x: [a, b], y: y}\n";
  std::string text = head + tail("classification", "[batch, 2]", "{name: y, shape: [batch]}");
  text.replace(text.find("preprocess: raw"), 15, "preprocess: standardize");
  const Challenge c = challenge(dir, text);
  const ChallengeData d = load_challenge_data(c, {SplitName::whole_test, -1, -1, false}, heap_allocator());
  const auto r =
      testing::run_command({"/usr/bin/python3", "-c",
                            "import numpy as np; a=np.array([1.,2.,4.]); print(repr((3-a.mean())/a.std()))"});
  CHECK(d.eval.inputs[0].as<float>()[0] == doctest::Approx(std::stod(r.out)).epsilon(1e-6));
  CHECK(d.eval.inputs[0].as<float>()[1] == 1.0f);  // a constant feature keeps std 1: 11 - 10
  const std::map<std::string, std::string> told(d.preprocess_entries.begin(), d.preprocess_entries.end());
  CHECK(told.at("gauntlet.task") == "classification");
  CHECK(told.at("gauntlet.output") == "logits");
  CHECK(told.at("gauntlet.preprocess.x") == "standardize");
  CHECK(told.at("gauntlet.preprocess.x.mean") == "2.33333333,10");
  CHECK(told.at("gauntlet.preprocess.x.std") == "1.24721913,1");
}

TEST_CASE("image folders and text files per class") {
  const std::string dir = testing::temp_dir("sources-images");
  REQUIRE(
      testing::run_command({"/usr/bin/python3", testing::source_path("tests/formats/make_fixtures.py"), dir})
          .exit_code == 0);
  const std::string images =
      "schema: 2\nid: t\ntask: classification\ndata:\n  source: image_folder\n  all: images\n"
      "  holdout: {test_fraction: 0.5, seed: 1}\n"
      "interface:\n  inputs:\n    - {name: x, shape: [batch, 4, 5, 3], preprocess: {layout: nhwc}}\n"
      "  outputs: [{name: out, shape: [batch, 2]}]\n  target: {name: y, shape: [batch]}\n"
      "timing: {batch_sizes: [1]}\nmetrics: [accuracy]\nscore: {formula: 1}\n";
  const Challenge c = challenge(dir, images);
  const ChallengeData d = load_challenge_data(c, {SplitName::whole_test, -1, -1, true}, heap_allocator());
  CHECK(d.class_names == std::vector<std::string>{"cat", "dog"});
  CHECK(d.train.targets.samples() + d.eval.targets.samples() == 6);
  std::string odd = images;
  odd.replace(odd.find("all: images"), 11, "all: odd");
  const std::string message = data_error(challenge(dir, odd));
  CHECK((message.find(": an image of 6x4 pixels; input 'x' takes 5x4 (set data.size: resize to resample)") !=
             std::string::npos ||
         message.find("bad.png: corrupt PNG") != std::string::npos));

  write(dir, "en.txt", "house\ncat\n\nthe\n");
  write(dir, "de.txt", "haus\nkatze\r\nder\nverylongword\n");
  const std::string words =
      "schema: 2\nid: t\ntask: classification\ndata:\n  source: text_lines\n"
      "  classes: {en: en.txt, de: de.txt}\n  bytes: w\n  length: n\n  long_lines: truncate\n"
      "  holdout: {test_fraction: 0.5, seed: 2, stratify: true}\n"
      "interface:\n  inputs:\n    - {name: w, dtype: u8, shape: [batch, 8]}\n"
      "    - {name: n, dtype: s32, shape: [batch]}\n  outputs: [{name: out, shape: [batch, 2]}]\n"
      "  target: {name: y, shape: [batch]}\ntiming: {batch_sizes: [1]}\nmetrics: [accuracy]\n"
      "score: {formula: 1}\n";
  const Challenge t = challenge(dir, words);
  const ChallengeData w = load_challenge_data(t, {SplitName::whole_test, -1, -1, true}, heap_allocator());
  CHECK(w.train.targets.samples() + w.eval.targets.samples() == 7);
  CHECK(w.eval.targets.samples() == 4);  // round(3.5) = 4: en 1.5 and de 2 -> 1 + 2, and the .5 goes to en
  // Every word arrives as its bytes and its length; "verylongword" truncated to 8 bytes.
  std::map<std::string, int> seen;
  for (const SplitData* s : {&w.train, &w.eval})
    for (int64_t i = 0; i < s->targets.samples(); ++i) {
      const int len = s->inputs[1].as<int32_t>()[i];
      seen[std::string(reinterpret_cast<const char*>(s->inputs[0].as<uint8_t>() + i * 8), len)] =
          s->targets.as<int32_t>()[i];
    }
  CHECK(seen ==
        std::map<std::string, int>{
            {"house", 0}, {"cat", 0}, {"the", 0}, {"haus", 1}, {"katze", 1}, {"der", 1}, {"verylong", 1}});
}
