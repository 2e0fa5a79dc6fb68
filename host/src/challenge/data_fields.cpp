// The data section of challenge.yaml: the source (parsed by its entry of the data source
// registry, formats/source.hpp), the holdout dividing a single set, and the public/private
// split of the test set.
#include "challenge/loader.hpp"
#include "common/suggest.hpp"

#include <algorithm>
#include <set>

namespace gauntlet::challenge_loader {

using namespace yaml;
namespace fs = std::filesystem;

void Loader::load_data(const Node& root, Challenge& c) {
  const Node& data = required(root, "", "data");
  expect_mapping(data, "data");
  const Node& source_node = required(data, "data", "source");
  // Schema 1 knew two sources; its files keep reading as they did.
  const std::vector<std::string> sources =
      schema_ == 1 ? std::vector<std::string>{"idx", "synthetic_regression"} : formats::source_names();
  c.data.source = choice(source_node, "data.source", sources);
  const formats::SourceEntry& entry = *formats::find_source(c.data.source);

  std::vector<std::string> known = {"source"};
  known.insert(known.end(), entry.keys.begin(), entry.keys.end());
  if (schema_ == 1 && c.data.source == "idx") known.erase(std::find(known.begin(), known.end(), "all"));
  known.push_back("split");
  if (schema_ >= 2) known.push_back("holdout");
  std::set<std::string> others;
  for (const formats::SourceEntry& e : formats::source_registry())
    if (e.name != entry.name && (schema_ >= 2 || e.name == "idx" || e.name == "synthetic_regression"))
      others.insert(e.keys.begin(), e.keys.end());
  for (const std::string& k : known) others.erase(k);
  check_keys(data, "data", known, {others.begin(), others.end()}, "is not used by source " + c.data.source);

  if (schema_ == 1) {
    if (c.data.source == "idx" && c.task != Task::classification)
      fail(source_node, "data.source", "idx data holds class labels: it needs task classification");
    if (c.data.source == "synthetic_regression" && c.task != Task::regression)
      fail(source_node, "data.source", "synthetic_regression data needs task regression");
  }

  const std::vector<formats::TensorWant> want = source_tensors(c);
  const fs::path dir = fs::absolute(fs::path(file_)).parent_path();
  const formats::SourceContext ctx{*this, data, dir, want, schema_};
  c.data.config = entry.parse(ctx);

  const bool labels = c.task == Task::classification || c.task == Task::binary;
  auto stratify = [&](const Node& parent, const std::string& path) {
    const Node* s = find_key(parent, "stratify");
    if (!s) return false;
    const bool on = boolean(*s, child_path(path, "stratify"));
    if (on && !labels)
      fail(*s, child_path(path, "stratify"),
           "stratifying needs class labels; this task is " + std::string(task_name(c.task)));
    return on;
  };

  const bool one_set = c.data.config->sets() == std::vector<std::string>{"all"};
  const Node* holdout = find_key(data, "holdout");
  if (one_set && !holdout)
    fail(data, "data.holdout",
         "missing required key 'holdout': source " + c.data.source +
             " reads one set here; say how to divide it, e.g. holdout: {test_fraction: 0.25, seed: 1}");
  if (holdout) {
    if (!one_set) fail(*holdout, "data.holdout", "the source already has separate train and test sets");
    mapping(*holdout, "data.holdout", {"test_fraction", "seed", "stratify"});
    Holdout h;
    h.test_fraction = number(required(*holdout, "data.holdout", "test_fraction"),
                             "data.holdout.test_fraction", Bound::fraction);
    if (const Node* s = find_key(*holdout, "seed")) h.seed = seed(*s, "data.holdout.seed");
    h.stratify = stratify(*holdout, "data.holdout");
    c.holdout = h;
  }

  c.split.exact = schema_ >= 2;
  if (const Node* split = find_key(data, "split")) {
    if (schema_ == 1)
      mapping(*split, "data.split", {"private_fraction", "seed"});
    else
      mapping(*split, "data.split", {"private_fraction", "seed", "stratify"});
    if (const Node* f = find_key(*split, "private_fraction")) {
      // Schema 2 also takes 0: no private part (a team kit holds only the public part).
      const auto zero = plain_number(*f);
      c.split.private_fraction = schema_ >= 2 && zero && *zero == 0
                                     ? 0.0
                                     : number(*f, "data.split.private_fraction", Bound::fraction);
    }
    if (const Node* s = find_key(*split, "seed")) c.split.seed = seed(*s, "data.split.seed");
    c.split.stratify = stratify(*split, "data.split");
  }
}

}  // namespace gauntlet::challenge_loader

namespace gauntlet {

std::vector<formats::TensorWant> source_tensors(const Challenge& c) {
  std::vector<formats::TensorWant> want;
  for (const TensorSpec& t : c.inputs) {
    formats::TensorWant w{t.name, t.dtype, {t.shape.begin() + 1, t.shape.end()}, false, true};
    w.channels_first = t.preprocess.layout == Layout::nchw;
    if (t.preprocess.kind != InputPreprocess::Kind::raw) w.dtype = DType::f32;  // preprocessed into f32
    want.push_back(std::move(w));
  }
  want.push_back(
      {c.target.name, c.target.dtype, {c.target.shape.begin() + 1, c.target.shape.end()}, true, true});
  return want;
}

}  // namespace gauntlet
