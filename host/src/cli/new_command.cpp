// gauntlet new: writes a starter plugin project for one challenge: CMakeLists.txt (the
// installed SDK package), a Makefile (pkg-config), src/plugin.cpp (an SDK class with the
// challenge's tensor names, dtypes and shapes, and a baseline that judges OK unchanged) and a
// README.md whose commands build and judge it as they stand.
#include "challenge/challenge_loader.hpp"
#include "cli/commands.hpp"
#include "cli/installation.hpp"
#include "cli/options.hpp"
#include "cli/starter_preprocess.hpp"
#include "cli/template_render.hpp"
#include "common/atomic_file.hpp"
#include "common/errors.hpp"
#include "common/host_tensor.hpp"
#include "common/text.hpp"

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

// The sample dimensions of a shape, "1, 28, 28".
std::string sample_dims(const std::vector<int64_t>& shape) {
  std::vector<std::string> dims;
  for (std::size_t i = 1; i < shape.size(); ++i) dims.push_back(std::to_string(shape[i]));
  return join(dims);
}

// ---------------------------------------------------------------------------------------------
// src/plugin.cpp
// ---------------------------------------------------------------------------------------------

// The constants block: one per tensor of the interface, from the challenge.
std::string interface_constants(const Challenge& c) {
  std::ostringstream o;
  const TensorSpec& in = c.inputs.at(0);
  const TensorSpec& out = c.outputs.at(0);
  o << "// Input \"" << in.name << "\": " << dtype_name(in.dtype) << " " << format_shape(in.shape) << "\n"
    << "inline constexpr const char* kInputName = \"" << c_escape(in.name) << "\";\n"
    << "using InputType = " << cpp_type(in.dtype) << ";\n"
    << "inline constexpr int64_t kInputSampleShape[] = {" << sample_dims(in.shape) << "};\n"
    << "inline constexpr int64_t kInputSampleSize = " << sample_elements(in.shape)
    << ";  // elements per sample\n\n"
    << "// Output \"" << out.name << "\": " << dtype_name(out.dtype) << " " << format_shape(out.shape)
    << (c.task == Task::classification ? "  (one score per class; the argmax is the prediction)" : "") << "\n"
    << "inline constexpr const char* kOutputName = \"" << c_escape(out.name) << "\";\n"
    << "using OutputType = " << cpp_type(out.dtype) << ";\n"
    << "inline constexpr int64_t kOutputSampleShape[] = {" << sample_dims(out.shape) << "};\n"
    << "inline constexpr int64_t kOutputSampleSize = " << sample_elements(out.shape) << ";\n";
  if (c.training_allowed) {
    o << "\n// Training target \"" << c.target.name << "\": " << dtype_name(c.target.dtype) << " "
      << format_shape(c.target.shape)
      << (c.task == Task::classification ? "  (the class index of each sample)" : "") << "\n"
      << "using TargetType = " << cpp_type(c.target.dtype) << ";\n";
  }
  if (c.task == Task::classification)
    o << "inline constexpr int64_t kNumClasses = " << c.num_classes << ";\n";
  for (std::size_t i = 1; i < c.inputs.size(); ++i)
    o << "// (more input: \"" << c.inputs[i].name << "\" " << format_shape(c.inputs[i].shape) << ")\n";
  for (std::size_t i = 1; i < c.outputs.size(); ++i)
    o << "// (more output: \"" << c.outputs[i].name << "\" " << format_shape(c.outputs[i].shape) << ")\n";
  return o.str();
}

// The class body: a baseline that is valid for the task, so that the project judges OK as
// generated, and small enough to read in a minute before replacing it (sdk/templates: prepare,
// then train and infer of the baseline).
struct ClassParts {
  std::string body, members;
};

// The output function of the weights starter: what turns its linear scores into the output
// the challenge's metrics read.
std::string output_function(const Challenge& c) {
  if (c.task == Task::regression) return "output_identity.cpp.in";
  if (c.output_form == ScoreForm::logits) return "output_identity.cpp.in";
  return c.task == Task::classification ? "output_softmax.cpp.in" : "output_sigmoid.cpp.in";
}

ClassParts plugin_class(const Challenge& c, const Installation& in, bool weights) {
  const bool classify = c.task == Task::classification;
  std::string train, infer, prepare_extra, members, output;
  if (weights) {
    prepare_extra = "    load_weights();  // from the asset folder (--assets): train.py writes them\n";
    members =
        "  std::vector<float> weights_;  // W [kOutputSampleSize][kInputSampleSize], then b "
        "[kOutputSampleSize]\n"
        "  std::vector<float> z_;        // the linear scores of one sample\n";
    infer = "infer_linear.cpp.in";
    output = output_function(c);
  } else if (classify && c.training_allowed) {
    prepare_extra = "    centroids_.assign(challenge::kNumClasses * challenge::kInputSampleSize, 0.0f);\n";
    members = "  std::vector<float> centroids_;              // [kNumClasses][kInputSampleSize]\n";
    train = "train_centroid.cpp.in";
    infer = "infer_centroid.cpp.in";
  } else if (c.training_allowed) {
    train = "train_mean.cpp.in";
    infer = "infer_mean.cpp.in";
  } else {
    infer = "infer_constant.cpp.in";
  }
  const std::map<std::string, std::string> values = {
      {"SETUP", format_number(c.limits.setup_seconds)},
      {"TRAIN", format_number(c.limits.train_seconds)},
      {"PREPARE_EXTRA", prepare_extra},
      {"OUTPUT_MEANING",
       c.task == Task::regression ? "values" : std::string(score_form_name(c.output_form))}};
  std::string body = render_template(read_template(in, "prepare.cpp.in"), values, "prepare.cpp.in");
  for (const std::string& part : {train, infer, output})
    if (!part.empty()) body += render_template(read_template(in, part), values, part);
  return {body, members};
}

std::string plugin_source(const Challenge& c, const std::string& name, const std::string& team,
                          const Installation& in, bool weights) {
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

  const ClassParts parts = plugin_class(c, in, weights);
  const std::string includes =
      weights ? "#include <algorithm>\n#include <cmath>\n#include <cstdint>\n#include <fstream>\n#include "
                "<string>\n#include <vector>\n"
              : "#include <cstdint>\n#include <vector>\n";
  return render_template(read_template(in, "plugin.cpp.in"),
                         {{"NAME", c_escape(name)},
                          {"INCLUDES", includes},
                          {"TEAM", c_escape(team)},
                          {"ID", c.id},
                          {"TITLE", c.title},
                          {"DOC", in.doc_file.string()},
                          {"BATCHES", batches},
                          {"EVAL_BATCH", std::to_string(c.timing.eval_batch_size)},
                          {"PREPROCESS", preprocess},
                          {"THREADS", std::to_string(c.limits.threads)},
                          {"CONFIG", config},
                          {"CONSTANTS", interface_constants(c) + preprocess_constants(c)},
                          {"CLASS", parts.body},
                          {"MEMBERS", parts.members}},
                         "plugin.cpp.in");
}

// ---------------------------------------------------------------------------------------------
// CMakeLists.txt, Makefile, README.md, .gitignore
// ---------------------------------------------------------------------------------------------

std::string readme(const Challenge& c, const std::string& target, const Installation& in, bool weights) {
  const std::string judge = sh_quote(judge_command_name(in));
  const std::string challenge = sh_quote(c.file.string());
  const bool trains = c.training_allowed && !weights;  // the weights starter does not train in the judge
  const std::string quick = std::string(" --limit 1000") + (trains ? " --train-limit 5000" : "");
  // The weights starter's first steps: a kit holding what the plugin receives (kept when it is
  // there already, so that the block can be run again), then train.py's fit.
  const std::string train_steps = weights ? "test -d kit || " + judge + " kit " + challenge +
                                                " kit --plugin-view\npython3 train.py kit weights\n"
                                          : "";
  const std::string weights_note = weights ? read_template(in, "weights_note.md.in") : "";
  const std::string prefix_hint =
      in.standard_prefix ? "" : " -DCMAKE_PREFIX_PATH=" + sh_quote(in.prefix.string());
  const std::string configure = "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release" + prefix_hint;
  const std::string configure_debug =
      "cmake -S . -B build-debug -DCMAKE_BUILD_TYPE=RelWithDebInfo" + prefix_hint;
  const std::string make =
      in.standard_prefix ? "make" : "PKG_CONFIG_PATH=" + sh_quote(in.pkg_config_dir.string()) + " make";

  std::string rows;
  auto row = [&](const TensorSpec& t, const std::string& role) {
    rows += "| `" + t.name + "` | " + role + " | " + std::string(dtype_name(t.dtype)) + " | " +
            format_shape(t.shape) + " |\n";
  };
  for (const auto& t : c.inputs) row(t, "input");
  for (const auto& t : c.outputs) row(t, "output");
  if (c.training_allowed) row(c.target, "training target");
  std::string description = c.description;
  if (!description.empty() && description.back() != '\n') description += '\n';
  return render_template(
      read_template(in, "README.md.in"),
      {{"TARGET", target},
       {"TITLE", c.title},
       {"ID", c.id},
       {"CHALLENGE_FILE", c.file.string()},
       {"CONFIGURE", configure},
       {"CONFIGURE_DEBUG", configure_debug},
       {"MAKE", make},
       {"JUDGE", judge},
       {"JUDGE_NAME", judge_command_name(in)},
       {"CHALLENGE", challenge},
       {"QUICK", quick},
       {"QUICK_TRAIN_NOTE", trains ? ", training on 5000" : ""},
       {"TRAIN_STEPS", train_steps},
       {"WEIGHTS_NOTE", weights_note},
       {"ASSETS", weights ? " --assets weights" : ""},
       {"GDB_SCRIPT", sh_quote(in.gdb_script.string())},
       {"DESCRIPTION", description},
       {"TENSOR_ROWS", rows},
       {"TASK", c.task == Task::classification
                    ? "classification, " + std::to_string(c.num_classes) + " classes"
                    : "regression"},
       {"TRAINING", c.training_allowed
                        ? "allowed, " + format_number(c.limits.train_seconds) + " s of wall clock"
                        : "not allowed"},
       {"SETUP", format_number(c.limits.setup_seconds)},
       {"MS_PER_BATCH", format_number(c.limits.ms_per_batch)},
       {"THREADS", std::to_string(c.limits.threads)},
       {"MEMORY_MB", std::to_string(c.limits.memory_mb)},
       {"FORMULA", c.score.formula},
       {"DIRECTION", c.score.higher_is_better ? "higher" : "lower"},
       {"QUALIFY", c.score.qualify.empty() ? "" : "; qualifies when `" + c.score.qualify + "`"},
       {"DOC", in.doc_file.string()}},
      "README.md.in");
}

// train.py of the weights starter: the interface's names and sizes filled in.
std::string train_script(const Challenge& c, const Installation& in) {
  return render_template(read_template(in, "train.py.in"),
                         {{"ID", c.id},
                          {"JUDGE_NAME", judge_command_name(in)},
                          {"INPUT_NAME", c.inputs.at(0).name},
                          {"TARGET_NAME", c.target.name},
                          {"TASK", std::string(task_name(c.task))},
                          {"OUTPUT_SIZE", std::to_string(sample_elements(c.outputs.at(0).shape))}},
                         "train.py.in");
}

}  // namespace

int new_command(int argc, char** argv) {
  std::string dir, challenge_arg, name, team = "My Team";
  bool weights = false;
  po::options_description visible("options");
  visible.add_options()  //
      ("challenge,c", po::value(&challenge_arg)->required(),
       "challenge folder, challenge.yaml, or the id of an installed challenge")                 //
      ("name", po::value(&name), "plugin (and CMake target) name; default: the folder's name")  //
      ("team", po::value(&team)->default_value(team), "team name the plugin reports")           //
      ("weights", po::bool_switch(&weights),
       "a starter whose model's weights are trained offline (train.py, on a team kit) and read from "
       "the plugin's assets");
  po::options_description hidden;
  hidden.add_options()("dir", po::value(&dir)->required());
  po::positional_options_description positional;
  positional.add("dir", 1);
  po::variables_map vm;
  if (auto code = parse_options(
          argc, argv,
          "gauntlet new <dir> --challenge <dir|challenge.yaml|id> [--name N] [--team T] [--weights]", visible,
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
  Challenge challenge = load_challenge(fs::absolute(resolve_challenge(challenge_arg)));
  challenge.file = fs::absolute(challenge.file).lexically_normal();
  const std::string base =
      root.filename().empty() ? root.parent_path().filename().string() : root.filename().string();
  const std::string target = identifier_from(name.empty() ? base : name);

  const std::map<std::string, std::string> names = {{"TARGET", target}, {"ID", challenge.id}};
  std::vector<std::pair<std::string, std::string>> files = {
      {"CMakeLists.txt", render_template(read_template(in, "CMakeLists.txt.in"), names, "CMakeLists.txt.in")},
      {"Makefile", render_template(read_template(in, "Makefile.in"), names, "Makefile.in")},
      {"README.md", readme(challenge, target, in, weights)},
      {"src/plugin.cpp", plugin_source(challenge, name.empty() ? base : name, team, in, weights)},
      {".gitignore", read_template(in, "gitignore.in") + (weights ? "/kit/\n" : "")},
  };
  if (weights) files.emplace_back("train.py", train_script(challenge, in));
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
  // The block the README's template marks as the one to print.
  const std::string& text = files[2].second;
  const auto marker = text.find("<!-- gauntlet new prints the next block -->");
  const auto begin = text.find("```sh\n", marker == std::string::npos ? 0 : marker) + 6;
  std::istringstream block(text.substr(begin, text.find("```", begin) - begin));
  for (std::string line; std::getline(block, line);) std::cout << "  " << line << "\n";
  return kExitOk;
}

}  // namespace gauntlet::cli
