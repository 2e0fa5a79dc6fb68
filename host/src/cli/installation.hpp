// Where this `gauntlet` sits and what came with it: an installed prefix, or a build tree that
// mirrors the install layout (<build>/bin, <build>/<libdir>/cmake/Gauntlet,
// <build>/share/gauntlet/challenges). `gauntlet new` finds the SDK package and the docs there,
// and every command that takes a challenge accepts the id of one that came with it.
#pragma once

#include <filesystem>
#include <string>

namespace gauntlet::cli {

struct Installation {
  std::filesystem::path executable;  // this gauntlet, absolute
  std::filesystem::path prefix;      // the folder holding bin/
  bool has_cmake_package = false;
  bool has_pkg_config = false;
  bool standard_prefix = false;  // /usr or /usr/local: found without hints
  std::filesystem::path pkg_config_dir, doc_file, challenges_dir, gdb_script, templates_dir;
};

[[nodiscard]] Installation locate_installation();

// A challenge argument: a folder or YAML file as given, else the id of an installed challenge
// (fashion-mnist), else the argument as given (load_challenge() then says what is wrong).
[[nodiscard]] std::filesystem::path resolve_challenge(const std::string& arg);

}  // namespace gauntlet::cli
