// gauntlet new: writes a starter plugin project for one challenge: CMakeLists.txt (the
// installed SDK package), a Makefile (pkg-config), src/plugin.cpp (an SDK class with the
// challenge's tensor names, dtypes and shapes, and a baseline that judges OK unchanged) and a
// README.md whose commands build and judge it as they stand.
#include "challenge/challenge_loader.hpp"
#include "cli/commands.hpp"
#include "cli/installation.hpp"
#include "cli/options.hpp"
#include "cli/starter_preprocess.hpp"
#include "common/atomic_file.hpp"
#include "common/errors.hpp"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace gauntlet::cli {
namespace {

// "gauntlet" when that name on $PATH is this very binary, else its absolute path.
std::string judge_command_name(const Installation& in) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / "gauntlet";
    if (::access(candidate.c_str(), X_OK) != 0) continue;
    std::error_code ec;
    return fs::equivalent(candidate, in.executable, ec) ? "gauntlet" : in.executable.string();
  }
  return in.executable.string();
}

// Quotes for sh only when needed, so the usual paths stay readable.
std::string sh_quote(const std::string& s) {
  bool plain = !s.empty();
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) ||
          std::string_view("/._-+=:,@%").find(c) != std::string_view::npos))
      plain = false;
  if (plain) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// A C/CMake identifier from a folder name: lower case, [a-z0-9_], not starting with a digit.
std::string identifier_from(const std::string& name) {
  std::string id;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    id += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "plugin_" + id;
  return id;
}

std::string cpp_type(DType d) {
  switch (d) {
    case DType::f32:
      return "float";
    case DType::s32:
      return "int32_t";
    case DType::s64:
      return "int64_t";
    case DType::u8:
      return "uint8_t";
  }
  return "float";
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + (shape[i] < 0 ? std::string("batch") : std::to_string(shape[i]));
  return s + "]";
}

std::string join(const std::vector<int64_t>& v, std::size_t from) {
  std::string s;
  for (std::size_t i = from; i < v.size(); ++i) s += (i > from ? ", " : "") + std::to_string(v[i]);
  return s;
}

int64_t sample_numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (std::size_t i = 1; i < shape.size(); ++i) n *= shape[i];
  return n;
}

std::string number(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

// Replaces every @KEY@ of `text`.
std::string render(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [key, value] : values) {
    const std::string token = "@" + key + "@";
    for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + value.size()))
      text.replace(at, token.size(), value);
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// src/plugin.cpp
// ---------------------------------------------------------------------------------------------

// The constants block: one per tensor of the interface, from the challenge.
std::string interface_constants(const Challenge& c) {
  std::ostringstream o;
  const TensorSpec& in = c.inputs.at(0);
  const TensorSpec& out = c.outputs.at(0);
  o << "// Input \"" << in.name << "\": " << dtype_name(in.dtype) << " " << shape_text(in.shape) << "\n"
    << "inline constexpr const char* kInputName = \"" << c_escape(in.name) << "\";\n"
    << "using InputType = " << cpp_type(in.dtype) << ";\n"
    << "inline constexpr int64_t kInputSampleShape[] = {" << join(in.shape, 1) << "};\n"
    << "inline constexpr int64_t kInputSampleSize = " << sample_numel(in.shape)
    << ";  // elements per sample\n\n"
    << "// Output \"" << out.name << "\": " << dtype_name(out.dtype) << " " << shape_text(out.shape)
    << (c.task == Task::classification ? "  (one score per class; the argmax is the prediction)" : "") << "\n"
    << "inline constexpr const char* kOutputName = \"" << c_escape(out.name) << "\";\n"
    << "using OutputType = " << cpp_type(out.dtype) << ";\n"
    << "inline constexpr int64_t kOutputSampleShape[] = {" << join(out.shape, 1) << "};\n"
    << "inline constexpr int64_t kOutputSampleSize = " << sample_numel(out.shape) << ";\n";
  if (c.training_allowed) {
    o << "\n// Training target \"" << c.target.name << "\": " << dtype_name(c.target.dtype) << " "
      << shape_text(c.target.shape)
      << (c.task == Task::classification ? "  (the class index of each sample)" : "") << "\n"
      << "using TargetType = " << cpp_type(c.target.dtype) << ";\n";
  }
  if (c.task == Task::classification)
    o << "inline constexpr int64_t kNumClasses = " << c.num_classes << ";\n";
  for (std::size_t i = 1; i < c.inputs.size(); ++i)
    o << "// (more input: \"" << c.inputs[i].name << "\" " << shape_text(c.inputs[i].shape) << ")\n";
  for (std::size_t i = 1; i < c.outputs.size(); ++i)
    o << "// (more output: \"" << c.outputs[i].name << "\" " << shape_text(c.outputs[i].shape) << ")\n";
  return o.str();
}

// The class body: a baseline that is valid for the task, so that the project judges OK as
// generated, and small enough to read in a minute before replacing it.
std::string plugin_class(const Challenge& c) {
  const bool classify = c.task == Task::classification;
  std::string prepare =
      R"TPL(  // Untimed (setup limit @SETUP@ s). Check the interface and allocate everything infer() needs:
  // infer() is timed, so it should only compute.
  void prepare(const sdk::PrepareContext& ctx) override {
    const sdk::TensorSpecView in = ctx.inputs().get(challenge::kInputName);
    const sdk::TensorSpecView out = ctx.outputs().get(challenge::kOutputName);
    in.expect<challenge::InputType>();
    out.expect<challenge::OutputType>();
    if (in.sample_numel() != challenge::kInputSampleSize || out.sample_numel() != challenge::kOutputSampleSize)
      throw sdk::Error::unsupported("the interface differs from the one this plugin was generated for");
    sample_.resize(challenge::kInputSampleSize);
    row_.assign(challenge::kOutputSampleSize, challenge::OutputType{});
@PREPARE_EXTRA@  }
)TPL";

  std::string train, infer, members, prepare_extra;
  if (classify && c.training_allowed) {
    prepare_extra = "    centroids_.assign(challenge::kNumClasses * challenge::kInputSampleSize, 0.0f);\n";
    train = R"TPL(
  // Untimed, but limited to @TRAIN@ s of wall clock: poll should_cancel() and return what you
  // have when it turns true. Baseline: the mean input of each class (nearest centroid).
  void train(const sdk::TrainData& data) override {
    const sdk::TensorView x = data.input(), y = data.target();
    const challenge::TargetType* labels = y.data<challenge::TargetType>();
    std::vector<double> sums(centroids_.size(), 0.0);
    std::vector<int64_t> counts(challenge::kNumClasses, 0);
    int64_t seen = 0;
    for (int64_t i = 0; i < data.num_samples(); ++i, ++seen) {
      if (i % 1024 == 0 && should_cancel()) break;  // keep what was learned so far
      const int64_t label = labels[i * y.stride(0)];
      if (label < 0 || label >= challenge::kNumClasses)
        throw sdk::Error::invalid_argument(sdk::str("label ", label, " of sample ", i, " is out of range"));
      x.copy_sample_to(i, sample_.data());  // compact copy, whatever the strides
      double* sum = &sums[static_cast<size_t>(label * challenge::kInputSampleSize)];
      for (int64_t j = 0; j < challenge::kInputSampleSize; ++j) sum[j] += static_cast<double>(sample_[j]);
      ++counts[static_cast<size_t>(label)];
    }
    for (int64_t k = 0; k < challenge::kNumClasses; ++k) {
      for (int64_t j = 0; j < challenge::kInputSampleSize; ++j) {
        const size_t at = static_cast<size_t>(k * challenge::kInputSampleSize + j);
        centroids_[at] = counts[k] ? static_cast<float>(sums[at] / static_cast<double>(counts[k])) : 0.0f;
      }
    }
    log(sdk::LogLevel::info, sdk::str("nearest centroid: trained on ", seen, " samples"));
  }
)TPL";
    infer = R"TPL(
  // TIMED, around the whole call. Write every element of every output; keep nothing of the
  // inputs between calls (samples come in any order, possibly repeated).
  // Baseline: score of class k = minus the squared distance to the centroid of class k.
  void infer(sdk::InputBatch inputs, sdk::OutputBatch outputs) override {
    const sdk::TensorView x = inputs.get(challenge::kInputName);
    const sdk::MutableTensorView scores = outputs.get(challenge::kOutputName);
    for (int64_t i = 0; i < inputs.batch_size(); ++i) {
      x.copy_sample_to(i, sample_.data());
      for (int64_t k = 0; k < challenge::kNumClasses; ++k) {
        const float* centroid = &centroids_[static_cast<size_t>(k * challenge::kInputSampleSize)];
        float distance = 0.0f;
        for (int64_t j = 0; j < challenge::kInputSampleSize; ++j) {
          const float d = static_cast<float>(sample_[j]) - centroid[j];
          distance += d * d;
        }
        row_[static_cast<size_t>(k)] = static_cast<challenge::OutputType>(-distance);
      }
      scores.copy_sample_from(i, row_.data());
    }
  }
)TPL";
    members = "  std::vector<float> centroids_;              // [kNumClasses][kInputSampleSize]\n";
  } else if (!classify && c.training_allowed) {
    train = R"TPL(
  // Untimed, but limited to @TRAIN@ s of wall clock: poll should_cancel() and return what you
  // have when it turns true. Baseline: the mean training target.
  void train(const sdk::TrainData& data) override {
    const sdk::TensorView y = data.target();
    if (y.sample_numel() != challenge::kOutputSampleSize)
      throw sdk::Error::invalid_argument("targets and outputs differ in size");
    std::vector<challenge::TargetType> target(static_cast<size_t>(challenge::kOutputSampleSize));
    std::vector<double> sum(target.size(), 0.0);
    int64_t seen = 0;
    for (int64_t i = 0; i < data.num_samples(); ++i, ++seen) {
      if (i % 1024 == 0 && should_cancel()) break;  // keep what was learned so far
      y.copy_sample_to(i, target.data());
      for (size_t j = 0; j < target.size(); ++j) sum[j] += static_cast<double>(target[j]);
    }
    for (size_t j = 0; j < row_.size(); ++j)
      row_[j] = static_cast<challenge::OutputType>(seen ? sum[j] / static_cast<double>(seen) : 0.0);
    log(sdk::LogLevel::info, sdk::str("mean target: trained on ", seen, " samples"));
  }
)TPL";
    infer = R"TPL(
  // TIMED, around the whole call. Write every element of every output; keep nothing of the
  // inputs between calls (samples come in any order, possibly repeated).
  // Baseline: the mean training target for every sample.
  void infer(sdk::InputBatch inputs, sdk::OutputBatch outputs) override {
    const sdk::TensorView x = inputs.get(challenge::kInputName);
    const sdk::MutableTensorView y = outputs.get(challenge::kOutputName);
    for (int64_t i = 0; i < inputs.batch_size(); ++i) {
      x.copy_sample_to(i, sample_.data());  // your model reads the sample here
      y.copy_sample_from(i, row_.data());
    }
  }
)TPL";
  } else {
    infer = R"TPL(
  // TIMED, around the whole call. Write every element of every output; keep nothing of the
  // inputs between calls (samples come in any order, possibly repeated).
  // Baseline (this challenge allows no training): the same output for every sample.
  void infer(sdk::InputBatch inputs, sdk::OutputBatch outputs) override {
    const sdk::TensorView x = inputs.get(challenge::kInputName);
    const sdk::MutableTensorView y = outputs.get(challenge::kOutputName);
    for (int64_t i = 0; i < inputs.batch_size(); ++i) {
      x.copy_sample_to(i, sample_.data());  // your model reads the sample here
      y.copy_sample_from(i, row_.data());
    }
  }
)TPL";
  }
  return render(prepare, {{"PREPARE_EXTRA", prepare_extra}}) + train + infer +
         "\n private:\n"
         "  std::vector<challenge::InputType> sample_;  // one input sample, compact\n"
         "  std::vector<challenge::OutputType> row_;    // one output sample, compact\n" +
         members;
}

std::string plugin_source(const Challenge& c, const std::string& name, const std::string& team,
                          const Installation& in) {
  std::string config;
  if (c.plugin_config.empty()) {
    config = "    // This challenge has no plugin_config: ctx.config is empty.\n";
  } else {
    config = "    // ctx.config is the challenge's plugin_config:";
    for (const auto& [k, v] : c.plugin_config)
      config.append(" ").append(k).append(" = ").append(v).append(";");
    config += "\n    // read a value with e.g. ctx.config.get<double>(\"" + c.plugin_config.front().first +
              "\", 1.0).\n";
  }
  const std::string preprocess = preprocess_summary(c);
  std::string batches;
  for (auto b : c.timing.batch_sizes) batches += (batches.empty() ? "" : ", ") + std::to_string(b);

  const std::string text = R"TPL(// @NAME@: a Gauntlet plugin for the challenge "@ID@" (@TITLE@).
// Generated by `gauntlet new`; build and judge it with the commands of README.md.
//
// It starts as a small baseline that the judge accepts as it is: replace the model, keep the
// shape. The contract of each call, oneDNN inside a plugin, debugging and a FAQ:
// @DOC@
#include <gauntlet/sdk.hpp>

#include <cstdint>
#include <vector>

namespace sdk = gauntlet::sdk;

// The interface of "@ID@" (challenge.yaml, interface:). Dimension 0 of every tensor is the
// batch: infer() is timed on batches of @BATCHES@ samples, and the accuracy pass uses @EVAL_BATCH@.
// The host preprocesses the inputs before the plugin sees them: @PREPROCESS@.
namespace challenge {
@CONSTANTS@}  // namespace challenge

class Model : public sdk::Plugin {
 public:
  // Untimed. Threads: use at most num_threads() (@THREADS@ here), the calling one included.
  explicit Model(const sdk::CreateContext& ctx) : Plugin(ctx) {
@CONFIG@  }

@CLASS@};

GAUNTLET_PLUGIN(Model, "@NAME@", "@TEAM@", "0.1", "Starter plugin for @ID@ (gauntlet new)")
)TPL";
  const std::string body = render(plugin_class(c), {{"SETUP", number(c.limits.setup_seconds)},
                                                    {"TRAIN", number(c.limits.train_seconds)}});
  // CLASS and CONSTANTS last: nothing inside them is a placeholder.
  std::string out = render(text, {{"NAME", c_escape(name)},
                                  {"TEAM", c_escape(team)},
                                  {"ID", c.id},
                                  {"TITLE", c.title},
                                  {"DOC", in.doc_file.string()},
                                  {"BATCHES", batches},
                                  {"EVAL_BATCH", std::to_string(c.timing.eval_batch_size)},
                                  {"PREPROCESS", preprocess},
                                  {"THREADS", std::to_string(c.limits.threads)},
                                  {"CONFIG", config}});
  return render(out, {{"CONSTANTS", interface_constants(c) + preprocess_constants(c)}, {"CLASS", body}});
}

// ---------------------------------------------------------------------------------------------
// CMakeLists.txt, Makefile, README.md, .gitignore
// ---------------------------------------------------------------------------------------------

std::string cmake_lists(const std::string& target, const Challenge& c) {
  return render(R"CM(# @TARGET@: a Gauntlet plugin for the challenge "@ID@" (generated by `gauntlet new`).
cmake_minimum_required(VERSION 3.17)
project(@TARGET@ LANGUAGES CXX)

# The judge times infer(): build optimised unless told otherwise.
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

# The SDK package: Gauntlet::sdk and gauntlet_add_plugin(). For oneDNN, ask for the component
# and link it:  find_package(Gauntlet 0.1 REQUIRED COMPONENTS dnnl)  ...  LINK Gauntlet::sdk_dnnl
find_package(Gauntlet 0.1 REQUIRED)

# A MODULE library exporting only gauntlet_plugin_entry, linked with -z defs: build/lib@TARGET@.so
gauntlet_add_plugin(@TARGET@ SOURCES src/plugin.cpp)
target_compile_options(@TARGET@ PRIVATE -Wall -Wextra)
)CM",
                {{"TARGET", target}, {"ID", c.id}});
}

std::string makefile(const std::string& target) {
  return render(
      R"MK(# Builds lib@TARGET@.so without CMake, with the flags pkg-config gives for Gauntlet plugins
# (PKG_CONFIG_PATH=<prefix>/lib/pkgconfig when the SDK is not installed in /usr or /usr/local).
PLUGIN := lib@TARGET@.so
SOURCES := $(wildcard src/*.cpp)
CXXFLAGS ?= -O2 -g -Wall -Wextra
GAUNTLET_CFLAGS := $(shell pkg-config --cflags gauntlet)
GAUNTLET_LIBS := $(shell pkg-config --libs gauntlet)
ifeq ($(GAUNTLET_LIBS),)
$(error pkg-config does not know gauntlet: set PKG_CONFIG_PATH to the pkgconfig folder of the Gauntlet install)
endif

$(PLUGIN): $(SOURCES)
	$(CXX) -std=c++17 $(CXXFLAGS) $(GAUNTLET_CFLAGS) -o $@ $(SOURCES) $(GAUNTLET_LIBS)

clean:
	rm -f $(PLUGIN)

.PHONY: clean
)MK",
      {{"TARGET", target}});
}

std::string readme(const Challenge& c, const std::string& target, const Installation& in) {
  const std::string judge = sh_quote(judge_command_name(in));
  const std::string challenge = sh_quote(c.file.string());
  const std::string quick = std::string(" --limit 1000") + (c.training_allowed ? " --train-limit 5000" : "");
  const std::string prefix_hint =
      in.standard_prefix ? "" : " -DCMAKE_PREFIX_PATH=" + sh_quote(in.prefix.string());
  const std::string configure = "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release" + prefix_hint;
  const std::string configure_debug =
      "cmake -S . -B build-debug -DCMAKE_BUILD_TYPE=RelWithDebInfo" + prefix_hint;
  const std::string make =
      in.standard_prefix ? "make" : "PKG_CONFIG_PATH=" + sh_quote(in.pkg_config_dir.string()) + " make";

  std::ostringstream o;
  o << "# " << target << ": a Gauntlet plugin for " << c.title << "\n\n"
    << "Generated by `gauntlet new` for the challenge `" << c.id << "` (`" << c.file.string() << "`).\n"
    << "`src/plugin.cpp` is a small baseline that the judge accepts as it is; replace its model.\n\n"
    << "## Build and judge\n\n"
    << "```sh\n"
    << configure << "\n"
    << "cmake --build build\n"
    << judge << " judge -c " << challenge << " build/lib" << target << ".so" << quick << "\n"
    << "```\n\n"
    << "The last command is a quick check (the first 1000 samples of the public split"
    << (c.training_allowed ? ", training on 5000" : "") << "). The whole public split, with the "
    << "result written as JSON:\n\n"
    << "```sh\n"
    << judge << " judge -c " << challenge << " build/lib" << target << ".so --out result.json\n"
    << "```\n\n"
    << "This is the judge, the worker and the sandbox the organizers run; they judge the final "
    << "ranking on the private split, which a team does not judge on.\n\n"
    << "## Build with Make and pkg-config instead\n\n"
    << "```sh\n"
    << make << "\n"
    << judge << " judge -c " << challenge << " lib" << target << ".so" << quick << "\n"
    << "```\n\n"
    << "## Debug it under gdb, inside the judge\n\n"
    << "```sh\n"
    << configure_debug << "\n"
    << "cmake --build build-debug\n"
    << "gdb -x " << sh_quote(in.gdb_script.string()) << " -ex 'break Model::infer' -ex run --args " << judge
    << " judge -c " << challenge << " build-debug/lib" << target << ".so" << quick << " --debug\n"
    << "```\n\n"
    << "gdb stops at the first `infer()` call (or at a crash) in the plugin process; `--debug` lifts the "
    << "time limits so that it can stay stopped for as long as you need (the result says it was a debug "
    << "run).\n\n"
    << "## The challenge\n\n"
    << c.description << (c.description.empty() || c.description.back() == '\n' ? "" : "\n") << "\n"
    << "| tensor | role | dtype | shape |\n|---|---|---|---|\n";
  for (const auto& t : c.inputs)
    o << "| `" << t.name << "` | input | " << dtype_name(t.dtype) << " | " << shape_text(t.shape) << " |\n";
  for (const auto& t : c.outputs)
    o << "| `" << t.name << "` | output | " << dtype_name(t.dtype) << " | " << shape_text(t.shape) << " |\n";
  if (c.training_allowed)
    o << "| `" << c.target.name << "` | training target | " << dtype_name(c.target.dtype) << " | "
      << shape_text(c.target.shape) << " |\n";
  o << "\n- Task: "
    << (c.task == Task::classification ? "classification, " + std::to_string(c.num_classes) + " classes"
                                       : "regression")
    << ".\n- Training: "
    << (c.training_allowed ? "allowed, " + number(c.limits.train_seconds) + " s of wall clock"
                           : "not allowed")
    << ".\n- Limits: setup " << number(c.limits.setup_seconds) << " s, one infer call "
    << number(c.limits.ms_per_batch) << " ms, " << c.limits.threads << " thread(s), " << c.limits.memory_mb
    << " MB.\n- Score: `" << c.score.formula << "` (" << (c.score.higher_is_better ? "higher" : "lower")
    << " is better)" << (c.score.qualify.empty() ? "" : "; qualifies when `" + c.score.qualify + "`")
    << ".\n\n"
    << "## Next\n\n"
    << "- The SDK guide (contract of each call, what is timed, oneDNN, debugging, FAQ): `"
    << in.doc_file.string() << "`.\n"
    << "- `" << judge_command_name(in) << " inspect build/lib" << target
    << ".so` shows what the judge sees of your plugin.\n"
    << "- Weights or other files: put them in one folder and add `--assets <folder>` to the judge "
       "command; the plugin finds them read-only at `asset_dir()` (`/gauntlet/assets` in the "
       "sandbox). The SDK guide, *Weights and other files*, shows how.\n";
  return o.str();
}

}  // namespace

int new_command(int argc, char** argv) {
  std::string dir, challenge_arg, name, team = "My Team";
  po::options_description visible("options");
  visible.add_options()  //
      ("challenge,c", po::value(&challenge_arg)->required(),
       "challenge folder, challenge.yaml, or the id of an installed challenge")                 //
      ("name", po::value(&name), "plugin (and CMake target) name; default: the folder's name")  //
      ("team", po::value(&team)->default_value(team), "team name the plugin reports");
  po::options_description hidden;
  hidden.add_options()("dir", po::value(&dir)->required());
  po::positional_options_description positional;
  positional.add("dir", 1);
  po::variables_map vm;
  if (auto code = parse_options(
          argc, argv, "gauntlet new <dir> --challenge <dir|challenge.yaml|id> [--name N] [--team T]", visible,
          hidden, positional, vm))
    return *code;

  const fs::path root = fs::absolute(dir).lexically_normal();
  std::error_code ec;
  if (fs::exists(root, ec) && !(fs::is_directory(root, ec) && fs::is_empty(root, ec))) {
    std::cerr << "gauntlet new: " << dir
              << " already exists and is not an empty folder; choose a new one (nothing was written)\n";
    return kExitBadInput;
  }
  const Installation in = locate_installation();
  Challenge challenge;
  try {
    challenge = load_challenge(fs::absolute(resolve_challenge(challenge_arg)));
  } catch (const ConfigError& e) {
    std::cerr << e.what() << "\n";
    return kExitBadInput;
  }
  challenge.file = fs::absolute(challenge.file).lexically_normal();
  const std::string base =
      root.filename().empty() ? root.parent_path().filename().string() : root.filename().string();
  const std::string target = identifier_from(name.empty() ? base : name);

  const std::vector<std::pair<std::string, std::string>> files = {
      {"CMakeLists.txt", cmake_lists(target, challenge)},
      {"Makefile", makefile(target)},
      {"README.md", readme(challenge, target, in)},
      {"src/plugin.cpp", plugin_source(challenge, name.empty() ? base : name, team, in)},
      {".gitignore", "/build/\n/build-debug/\n/lib*.so\n/result*.json\n"},
  };
  try {
    fs::create_directories(root / "src");
    for (const auto& [path, text] : files) write_file_atomic(root / path, text);
  } catch (const std::exception& e) {
    std::cerr << "gauntlet new: " << e.what() << "\n";
    return kExitFailure;
  }

  std::cout << "Created " << root.string() << " for " << challenge.id << " (" << challenge.title << "):\n";
  for (const auto& f : files) std::cout << "  " << f.first << "\n";
  if (!in.has_cmake_package)
    std::cerr << "gauntlet new: warning: no Gauntlet CMake package next to this gauntlet (looked in "
              << (in.prefix / GAUNTLET_INSTALL_CMAKEDIR).string()
              << "); install the SDK (cmake --install) and point CMAKE_PREFIX_PATH at it\n";
  std::cout << "\nBuild and judge it (README.md has more):\n  cd " << sh_quote(root.string()) << "\n";
  const std::string text = std::get<1>(files[2]);
  const auto begin = text.find("```sh\n") + 6;
  std::istringstream block(text.substr(begin, text.find("```", begin) - begin));
  for (std::string line; std::getline(block, line);) std::cout << "  " << line << "\n";
  return kExitOk;
}

}  // namespace gauntlet::cli
