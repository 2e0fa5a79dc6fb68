#!/bin/sh
# Runs one libFuzzer target for GAUNTLET_FUZZ_SECONDS (default 60) from its seed corpus.
#   run_fuzzer.sh <fuzzer> <seed corpus> <work dir> [dictionary]
# New inputs go to <work dir>/<name>.corpus (the seeds stay untouched), a crashing, leaking or
# hanging input to <work dir>/<name>-crash-* (libFuzzer prints how to reproduce it); the last
# lines give the number of executions.
set -eu
fuzzer=$1 seeds=$2 work=$3 dict=${4:-}
name=$(basename "$fuzzer" _fuzzer)
mkdir -p "$work/$name.corpus"
set -- -max_total_time="${GAUNTLET_FUZZ_SECONDS:-60}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/$name-" "$work/$name.corpus" "$seeds"
if [ -n "$dict" ]; then set -- -dict="$dict" "$@"; fi
exec "$fuzzer" "$@"
