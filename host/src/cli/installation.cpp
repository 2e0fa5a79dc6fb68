#include "cli/installation.hpp"

#include <system_error>

namespace gauntlet::cli {

namespace fs = std::filesystem;

Installation locate_installation() {
  Installation in;
  std::error_code ec;
  in.executable = fs::read_symlink("/proc/self/exe", ec);
  if (ec) in.executable = fs::absolute("gauntlet");
  fs::path prefix = in.executable.parent_path();
  for (const auto& part : fs::path(GAUNTLET_INSTALL_BINDIR))
    if (!part.empty() && part != ".") prefix = prefix.parent_path();
  in.prefix = prefix;
  in.standard_prefix = prefix == "/usr" || prefix == "/usr/local";
  in.has_cmake_package = fs::exists(prefix / GAUNTLET_INSTALL_CMAKEDIR / "GauntletConfig.cmake", ec);
  in.pkg_config_dir = prefix / GAUNTLET_INSTALL_LIBDIR / "pkgconfig";
  in.has_pkg_config = fs::exists(in.pkg_config_dir / "gauntlet.pc", ec);
  in.doc_file = prefix / GAUNTLET_INSTALL_DOCDIR / "SDK.md";
  in.challenges_dir = prefix / GAUNTLET_INSTALL_DATADIR / "gauntlet" / "challenges";
  in.gdb_script = prefix / GAUNTLET_INSTALL_DATADIR / "gauntlet" / "gauntlet.gdb";
  in.templates_dir = prefix / GAUNTLET_INSTALL_DATADIR / "gauntlet" / "templates";
  return in;
}

fs::path resolve_challenge(const std::string& arg) {
  std::error_code ec;
  if (arg.empty() || fs::exists(arg, ec)) return arg;
  fs::path installed = locate_installation().challenges_dir / arg / "challenge.yaml";
  if (arg.find('/') == std::string::npos && fs::exists(installed, ec)) return installed;
  return arg;
}

}  // namespace gauntlet::cli
