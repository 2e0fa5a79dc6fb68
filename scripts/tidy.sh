#!/usr/bin/env bash
# clang-tidy (Debian's clang-tidy 14; checks in .clang-tidy) over host/, onnx_runner/, sdk/ and plugin_api/.
# Fails on any finding. The host's sources use the compile commands of a configured build;
# the header-only SDK and the C ABI header are checked as translation units of their own.
#   scripts/tidy.sh [build dir, default build] [file...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
if [[ -z $tidy ]]; then
  echo "[tidy] clang-tidy not found (scripts/setup.sh installs it)" >&2
  exit 1
fi
if [[ ! -f $build/compile_commands.json ]]; then
  echo "[tidy] no $build/compile_commands.json: configure that build first (scripts/setup.sh)" >&2
  exit 1
fi

if (($#)); then
  files=("$@")
else
  mapfile -t files < <(find host/src onnx_runner/src -name '*.cpp' | sort)
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$SECONDS
status=0
# One process per file, two at a time; --quiet leaves only the findings.
printf '%s\n' "${files[@]}" | xargs -P "${GAUNTLET_TIDY_JOBS:-2}" -n 1 "$tidy" -p "$build" --quiet \
  >>"$log" 2>/dev/null || status=1
if (($# == 0)); then
  "$tidy" --quiet sdk/include/gauntlet/sdk.hpp sdk/include/gauntlet/sdk/*.hpp sdk/include/gauntlet/sdk_dnnl.hpp -- \
    -x c++ -std=c++17 -Wall -Wextra -Isdk/include -Iplugin_api/include >>"$log" 2>/dev/null || status=1
  "$tidy" --quiet plugin_api/include/gauntlet/plugin_api.h -- -x c -std=c99 -Wall -Wextra -Iplugin_api/include \
    >>"$log" 2>/dev/null || status=1
fi
findings=$(grep -cE '(warning|error): ' "$log" || true)
cat "$log"
what="${#files[@]} files"
(($#)) || what="${#files[@]} host and ONNX runner files, the SDK and the ABI header"
echo "[tidy] $what: $findings findings in $((SECONDS - start)) s"
if ((status != 0 || findings != 0)); then
  echo "[tidy] FAILED: fix the findings above (or, for a false positive, NOLINT(check) with the reason)" >&2
  exit 1
fi
