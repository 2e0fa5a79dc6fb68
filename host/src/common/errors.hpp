// The errors the judge reports to a person: one vocabulary. Every error a layer throws for a
// person to read is a gauntlet::Error, whose kind says whose fault it is and so the exit code
// (bad input: 2, nothing written; failure: 1). The command-line wrapper (cli/main.cpp) prints
// any exception as one printable line and maps it to those codes; a standard exception that
// escapes (std::bad_alloc, std::filesystem::filesystem_error from an unwritable folder or a
// full disk) is a failure.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace gauntlet {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 = unknown (whole file)
  int column = 0;  // 1-based; 0 = unknown
};

// "file:line:column" (omitting the parts that are unknown).
std::string format_location(const SourceLocation& where);

enum class ErrorKind {
  bad_input,  // the person's input: a file, a value on the command line, a request
  failure,    // the machine or the run: a folder that cannot be written, no sandbox, a full disk
};

class Error : public std::runtime_error {
 public:
  // The message is made one printable line (it quotes paths and values from input files).
  Error(ErrorKind kind, const std::string& message);
  [[nodiscard]] ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// A bad value given on a command line or to an API (a split name, a team id): bad input.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(ErrorKind::bad_input, message) {}
};

// The machine cannot do what was asked (an output that cannot be written, a mechanism the
// kernel lacks): a failure, nobody's bad input.
class EnvironmentError : public Error {
 public:
  explicit EnvironmentError(const std::string& message) : Error(ErrorKind::failure, message) {}
};

// A bad input file: file:line:column and the field, printed as one line.
class ConfigError : public Error {
 public:
  // field: dotted path of the YAML field, e.g. "limits.ms_per_batch" (may be empty).
  ConfigError(SourceLocation where, std::string field, const std::string& message);
  const SourceLocation& where() const { return where_; }
  const std::string& field() const { return field_; }
  const std::string& message() const { return message_; }

 private:
  SourceLocation where_;
  std::string field_;
  std::string message_;
};

// A dataset file that is missing, truncated or corrupt, or that does not fit the challenge.
// The message names the file (and where in it: `file:line:column` for text, `file: offset N`
// for binary formats) and what is wrong; commands exit with code 2.
class DataError : public Error {
 public:
  // The message is made one printable line (paths come from challenge files).
  explicit DataError(const std::string& message);
};

// `s` as one line a terminal prints as it is: line breaks, other control characters and C1
// controls escaped (\n, \r, \x1b, \u009b). Every error message goes through it: a value
// quoted from a file (a YAML "\e[2J" escape, a stray carriage return) must not reach the
// terminal raw.
std::string printable_line(std::string_view s);

// `s` with every C0 control character and DEL replaced by a space: for text a plugin wrote
// (a verdict's reason) shown in a terminal line or a table cell, where escapes would not fit.
std::string blank_control_chars(std::string s);

// Exit codes of every gauntlet command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the command ran but something failed (e.g. a verdict)
inline constexpr int kExitBadInput = 2;  // bad command line, bad YAML, missing file: nothing written

// The exit code for an exception that ends a command: kExitBadInput for bad input, else
// kExitFailure.
[[nodiscard]] int exit_code_for(const std::exception& e);

}  // namespace gauntlet
