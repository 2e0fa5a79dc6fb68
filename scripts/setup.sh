#!/usr/bin/env bash
# Installs what is missing (Debian packages only; run as root on a fresh machine), then
# configures and builds Gauntlet into ./build. Safe to run again: it installs nothing that is
# already there and rebuilds only what changed.
#   scripts/setup.sh            the judge, the SDK, the sample plugins and the tests
#   scripts/setup.sh --browser  also Debian's chromium, for the HTML leaderboard test
#   scripts/setup.sh --slurm    also Debian's slurm-wlm and munge, for the Slurm tests (a local
#                               single-node cluster: scripts/slurm-local.sh; docs/cluster.md)
# The flags combine: CI runs `scripts/setup.sh --browser --slurm` (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  cmake make g++ clang pkg-config git ca-certificates
  clang-tidy libclang-rt-14-dev                      # scripts/tidy.sh; libFuzzer and clang's sanitizer runtimes
  libboost-dev libboost-program-options-dev libboost-filesystem-dev
  libdnnl-dev ocl-icd-opencl-dev opencl-c-headers   # oneDNN 2.6; its CMake config requires the OpenCL headers
  libyaml-cpp-dev libmuparser-dev nlohmann-json3-dev zlib1g-dev libssl-dev libseccomp-dev
  doctest-dev libbenchmark-dev
  libpng-dev libturbojpeg0-dev libzip-dev            # image_folder and npz data sources (host/src/formats)
  libjpeg-turbo-progs                                # cjpeg: the JPEG cases of the data tests
  # The submission service (gauntlet serve): HTTP with TLS, its SQLite ledger, tokens, asset archives.
  libcpp-httplib-dev libsqlite3-dev libsqlitecpp-dev libsodium-dev libarchive-dev
  dataset-fashion-mnist
  python3-sklearn python3-jsonschema                 # the challenges' tables; metrics and schema tests
  wamerican wngerman wfrench wspanish witalian wdutch  # the language-identification challenge
  # The ONNX runner (sdk/ONNX.md): Debian's ONNX library (protobuf classes, checker, shape
  # inference) and the protobuf headers it needs but does not pull in; ONNX's per-operator node
  # tests (conformance); OpenCV's DNN module, the independent executor of the tests (Python) and
  # benchmarks (C++); PyTorch for examples/pytorch/train.py.
  libonnx-dev libprotobuf-dev libonnx-testdata
  python3-opencv python3-numpy libopencv-dnn-dev
  python3-torch
)
for flag in "$@"; do
  case $flag in
    --browser) packages+=(chromium) ;;
    --slurm) packages+=(slurm-wlm munge) ;;
    *) echo "[setup] unknown flag $flag (--browser, --slurm)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "[setup] installing: ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then echo "[setup] run as root to install packages" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
echo "[setup] built into $(pwd)/build"
