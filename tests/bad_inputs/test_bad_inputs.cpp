// The malformed-input corpus (tests/bad_inputs/README.md): every case is run through the real
// `gauntlet` binary, which must end with the exact exit code and error line its `.expect` file
// states, within its time limit, without a signal, and without writing anything (the case's
// folder is compared before and after each command: no result file, no store, no submission).
#include <doctest/doctest.h>

#include "support/gzip.hpp"
#include "support/run_command.hpp"

#include <google/protobuf/text_format.h>
#include <onnx/onnx_pb.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using gauntlet::testing::run_command;

namespace {

const fs::path kCorpus = gauntlet::testing::source_path("tests/bad_inputs");

struct Run {
  std::vector<std::string> args;
  int exit_code = -1;
  std::vector<std::string> stderr_lines;  // the whole of stderr, line by line
  std::vector<std::string> stdout_lines;  // lines that must appear in stdout
  int line = 0;                           // of `command:` in the .expect file
};

struct Case {
  std::string category, name;
  fs::path expect_file;
  fs::path input;                                  // <name>.<ext> next to the .expect file, if any
  std::vector<std::pair<int, std::string>> setup;  // (line, "file: ..." / "link: ..." / "copy: ...")
  std::vector<Run> runs;
  double timeout = 60;
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::vector<std::string> split_words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

Case parse_case(const std::string& category, const fs::path& expect_file) {
  Case c;
  c.category = category;
  c.name = expect_file.stem().string();
  c.expect_file = expect_file;
  for (const auto& entry : fs::directory_iterator(expect_file.parent_path()))
    if (entry.path().stem() == c.name && entry.path().extension() != ".expect") c.input = entry.path();

  std::ifstream in(expect_file);
  std::string raw;
  for (int line = 1; std::getline(in, raw); ++line) {
    const std::string text = trim(raw);
    if (text.empty() || text[0] == '#') continue;
    const auto colon = text.find(':');
    if (colon == std::string::npos) throw std::runtime_error("line " + std::to_string(line) + ": no 'key:'");
    const std::string key = text.substr(0, colon);
    // The value keeps its inner spacing; exactly one space after the colon is dropped.
    std::string value = raw.substr(raw.find(':') + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    if (key == "file" || key == "link" || key == "copy") {
      c.setup.emplace_back(line, key + " " + value);
    } else if (key == "command") {
      Run r;
      r.args = split_words(value);
      r.line = line;
      c.runs.push_back(std::move(r));
    } else if (key == "timeout") {
      c.timeout = std::stod(value);
    } else if (c.runs.empty()) {
      throw std::runtime_error("line " + std::to_string(line) + ": '" + key + "' before any 'command:'");
    } else if (key == "exit") {
      c.runs.back().exit_code = std::stoi(value);
    } else if (key == "stderr") {
      c.runs.back().stderr_lines.push_back(value);
    } else if (key == "stdout") {
      c.runs.back().stdout_lines.push_back(value);
    } else {
      throw std::runtime_error("line " + std::to_string(line) + ": unknown key '" + key + "'");
    }
  }
  if (c.runs.empty()) throw std::runtime_error("no 'command:'");
  for (const auto& r : c.runs)
    if (r.exit_code < 0) throw std::runtime_error("line " + std::to_string(r.line) + ": no 'exit:'");
  return c;
}

std::vector<Case> read_corpus(const std::string& only_category = "") {
  std::vector<Case> cases;
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(kCorpus))
    if (entry.is_directory()) dirs.push_back(entry.path());
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    const std::string category = dir.filename().string();
    if (!only_category.empty() && category != only_category) continue;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.path().extension() == ".expect") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      INFO(f.string());
      try {
        cases.push_back(parse_case(category, f));
      } catch (const std::exception& e) {
        FAIL(f.string() << ": " << e.what());
      }
    }
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Generated inputs (binary, huge or special files are made here, not checked in)

// Replaces each placeholder, then each {SIZE:<path>} by that file's size in bytes (messages
// that quote the size of a built file).
std::string substitute(std::string s, const std::map<std::string, std::string>& vars) {
  for (const auto& [key, value] : vars)
    for (auto pos = s.find(key); pos != std::string::npos; pos = s.find(key, pos + value.size()))
      s.replace(pos, key.size(), value);
  for (auto pos = s.find("{SIZE:"); pos != std::string::npos; pos = s.find("{SIZE:", pos)) {
    const auto end = s.find('}', pos);
    if (end == std::string::npos) break;
    const std::string size = std::to_string(fs::file_size(s.substr(pos + 6, end - pos - 6)));
    s.replace(pos, end - pos + 1, size);
  }
  return s;
}

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

uint64_t parse_number(const std::string& s) { return std::stoull(s, nullptr, 0); }

void put_be32(std::string& s, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((v >> shift) & 0xff));
}

// idx <d0>x<d1>x... [magic=M] [claim=N] [fill=K] [extra=N] [drop=N] [gzip] [cut=half|N]
// An IDX file of unsigned bytes; byte i of the data is i % K (K = 256 by default). magic
// replaces the magic number, claim the item count in the header, extra/drop add or remove data
// bytes, gzip compresses it and cut keeps only the first half (or N bytes) of the result.
std::string make_idx(const std::vector<std::string>& words) {
  std::vector<uint32_t> dims;
  std::stringstream shape(words.at(0));
  for (std::string d; std::getline(shape, d, 'x');) dims.push_back(static_cast<uint32_t>(parse_number(d)));
  std::map<std::string, std::string> opt;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const auto eq = words[i].find('=');
    opt[words[i].substr(0, eq)] = eq == std::string::npos ? "" : words[i].substr(eq + 1);
  }
  uint64_t payload = 1;
  for (uint32_t d : dims) payload *= d;
  std::string s;
  put_be32(s, opt.count("magic") ? static_cast<uint32_t>(parse_number(opt["magic"]))
                                 : 0x00000800u | static_cast<uint32_t>(dims.size()));
  for (std::size_t i = 0; i < dims.size(); ++i)
    put_be32(s, i == 0 && opt.count("claim") ? static_cast<uint32_t>(parse_number(opt["claim"])) : dims[i]);
  const uint64_t fill = opt.count("fill") ? parse_number(opt["fill"]) : 256;
  for (uint64_t i = 0; i < payload; ++i) s.push_back(static_cast<char>(i % fill));
  if (opt.count("extra")) s.append(parse_number(opt["extra"]), '\0');
  if (opt.count("drop")) s.resize(s.size() - parse_number(opt["drop"]));
  if (opt.count("gzip")) s = gauntlet::testing::gzip(s, Z_BEST_COMPRESSION);
  if (opt.count("cut")) s.resize(opt["cut"] == "half" ? s.size() / 2 : parse_number(opt["cut"]));
  return s;
}

// elf <e_machine> [type=N] [class=N] [data=N] [load=OFFSET+SIZE]: a 64-byte ELF header, and
// with load= one PT_LOAD program header mapping SIZE bytes from OFFSET (beyond the file: a
// truncated library).
std::string make_elf(const std::vector<std::string>& words) {
  std::map<std::string, std::string> opt{{"type", "3"}, {"class", "2"}, {"data", "1"}};
  for (std::size_t i = 1; i < words.size(); ++i) {
    const auto eq = words[i].find('=');
    opt[words[i].substr(0, eq)] = words[i].substr(eq + 1);
  }
  std::string h(64, '\0');
  h[0] = 0x7f, h[1] = 'E', h[2] = 'L', h[3] = 'F';
  h[4] = static_cast<char>(parse_number(opt["class"])), h[5] = static_cast<char>(parse_number(opt["data"]));
  h[6] = 1;  // version
  const uint64_t machine = parse_number(words.at(0));
  h[16] = static_cast<char>(parse_number(opt["type"])), h[18] = static_cast<char>(machine & 0xff);
  h[19] = static_cast<char>(machine >> 8), h[20] = 1;
  h[52] = 64;  // e_ehsize
  auto put_le = [](std::string& s, std::size_t at, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
  };
  if (opt.count("load")) {
    const auto plus = opt["load"].find('+');
    put_le(h, 32, 64, 8);  // e_phoff
    put_le(h, 54, 56, 2);  // e_phentsize
    put_le(h, 56, 1, 2);   // e_phnum
    std::string ph(56, '\0');
    put_le(ph, 0, 1, 4);  // PT_LOAD
    put_le(ph, 8, parse_number(opt["load"].substr(0, plus)), 8);
    put_le(ph, 32, parse_number(opt["load"].substr(plus + 1)), 8);
    h += ph;
  }
  return h;
}

// onnx <model.pbtxt>: an ONNX model written as protobuf text (readable, and a hostile value is
// one number to type), serialized to the binary .onnx format.
std::string make_onnx(const fs::path& text_file) {
  onnx::ModelProto model;
  if (!google::protobuf::TextFormat::ParseFromString(read_bytes(text_file), &model))
    throw std::runtime_error("not an ONNX model in protobuf text: " + text_file.string());
  std::string bytes;
  model.SerializeToString(&bytes);
  return bytes;
}

// A file, folder or link for the case, in `dir`. Throws on a bad recipe.
void materialize(const fs::path& dir, const std::string& directive,
                 const std::map<std::string, std::string>& vars) {
  const std::vector<std::string> words = split_words(substitute(directive, vars));
  const std::string& kind = words.at(0);
  const fs::path target = dir / words.at(1);
  const std::vector<std::string> args(words.begin() + 2, words.end());
  if (kind == "link") {
    fs::create_symlink(args.at(0), target);
  } else if (kind == "copy") {
    fs::copy_file(kCorpus / args.at(0), target);
  } else if (args.empty()) {
    throw std::runtime_error("no recipe for " + target.string());
  } else if (args[0] == "empty") {
    write_bytes(target, "");
  } else if (args[0] == "text") {  // the rest of the line, with \n for a line break
    std::string text = directive.substr(directive.find(" text ") + 6);
    text = substitute(text, {{"\\n", "\n"}});
    write_bytes(target, text);
  } else if (args[0] == "hex") {
    std::string bytes;
    for (std::size_t i = 0; i + 1 < args.at(1).size(); i += 2)
      bytes.push_back(static_cast<char>(std::stoi(args[1].substr(i, 2), nullptr, 16)));
    write_bytes(target, bytes);
  } else if (args[0] == "sparse") {  // a file of N bytes that costs no disk space
    write_bytes(target, "");
    fs::resize_file(target, parse_number(args.at(1)));
  } else if (args[0] == "head") {  // the first N bytes of another file
    std::string bytes = read_bytes(args.at(1));
    bytes.resize(std::min<std::size_t>(bytes.size(), parse_number(args.at(2))));
    write_bytes(target, bytes);
  } else if (args[0] == "idx") {
    write_bytes(target, make_idx({args.begin() + 1, args.end()}));
  } else if (args[0] == "elf") {
    write_bytes(target, make_elf({args.begin() + 1, args.end()}));
  } else if (args[0] == "onnx") {
    write_bytes(target, make_onnx(args.at(1)));
  } else if (args[0] == "folder") {
    fs::create_directory(target);
  } else if (args[0] == "fifo") {
    if (::mkfifo(target.c_str(), 0644) != 0) throw std::runtime_error("mkfifo " + target.string());
  } else {
    throw std::runtime_error("unknown recipe '" + args[0] + "'");
  }
}

// Every path under `dir` (links not followed) with its type, size and modification time.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    struct stat st {};
    if (::lstat(entry.path().c_str(), &st) != 0) continue;
    out[fs::relative(entry.path(), dir).string()] =
        std::to_string(st.st_mode) + " " + std::to_string(st.st_size) + " " +
        std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

void run_case(const Case& c) {
  const fs::path dir = gauntlet::testing::temp_dir(c.category + "-" + c.name);
  std::map<std::string, std::string> vars = {
      {"{DIR}", dir.string()},
      {"{SOURCE}", GAUNTLET_SOURCE_DIR},
      {"{BIN}", GAUNTLET_BIN_DIR},
      {"{PLUGINS}", GAUNTLET_PLUGIN_DIR},
      {"{TEST_PLUGINS}", GAUNTLET_TEST_PLUGIN_DIR},
  };
  if (!c.input.empty()) {
    const fs::path copy = dir / c.input.filename();
    fs::copy_file(c.input, copy);
    vars["{FILE}"] = copy.string();
  }
  for (const auto& [line, directive] : c.setup) {
    INFO(c.expect_file.string() << ":" << line);
    REQUIRE_NOTHROW(materialize(dir, directive, vars));
  }

  for (const Run& run : c.runs) {
    std::vector<std::string> argv = {gauntlet::testing::gauntlet_binary()};
    for (const auto& a : run.args) argv.push_back(substitute(a, vars));
    std::string shown;
    for (const auto& a : argv) shown += " " + a;
    INFO(c.expect_file.string() << ":" << run.line << ":" << shown);

    const auto before = snapshot(dir);
    const auto r = run_command(argv, c.timeout);
    INFO("exit " << r.exit_code << ", signal " << r.signal << "\nstdout:\n" << r.out << "stderr:\n" << r.err);
    CHECK_MESSAGE(r.signal == 0,
                  "killed by signal " << r.signal << " (a crash, or a hang past " << c.timeout << " s)");
    CHECK(r.exit_code == run.exit_code);
    std::vector<std::string> expected_err;
    for (const auto& l : run.stderr_lines) expected_err.push_back(substitute(l, vars));
    CHECK(r.err == join_lines(expected_err));
    const auto out_lines = lines_of(r.out);
    for (const auto& l : run.stdout_lines) {
      const std::string want = substitute(l, vars);
      CHECK_MESSAGE(std::find(out_lines.begin(), out_lines.end(), want) != out_lines.end(),
                    "stdout lacks the line: " << want);
    }
    const auto after = snapshot(dir);
    for (const auto& [path, what] : after) CHECK_MESSAGE(before.count(path), "written: " << path);
    CHECK_MESSAGE(before == after, "the case's folder changed");
  }
}

}  // namespace

TEST_CASE("the corpus: at least 40 cases, each with its expected outcome checked in") {
  const auto cases = read_corpus();
  CHECK(cases.size() >= 40);
  std::map<std::string, int> per_category;
  for (const auto& c : cases) ++per_category[c.category];
  for (const auto& [category, n] : per_category) MESSAGE(category << ": " << n << " cases");
}

// One CTest per category (GAUNTLET_BAD_INPUTS_CATEGORY, see CMakeLists.txt), else all of them.
TEST_CASE("every malformed input ends in its exact message and exit code, and nothing is written") {
  const char* only = std::getenv("GAUNTLET_BAD_INPUTS_CATEGORY");
  const auto cases = read_corpus(only ? only : "");
  REQUIRE_FALSE(cases.empty());
  for (const auto& c : cases) {
    CAPTURE(c.name);
    run_case(c);
  }
}
