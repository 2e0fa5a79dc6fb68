#!/usr/bin/python3
"""Fails when a host layer includes a layer above it (docs/ARCHITECTURE.md, "Layers"): each
folder of host/src may include only itself and the folders before it in ORDER. The layers that
run inside the worker process (WORKER_SIDE) may include only each other: no host-side code. Prints
each offending include as file:line, then 'N passed, N failed' (one check per layer, and one for the CMake links)."""
import os
import re
import sys

ORDER = ["common", "yaml", "scoring", "quality", "formats", "challenge", "data", "metrics", "ipc", "confine", "sandbox",
         "worker", "judge", "report", "models", "store", "leaderboard", "event", "cluster", "service", "cli"]
# What gauntlet-worker is built from, and all it may use (it runs team code).
WORKER_SIDE = {"common", "ipc", "confine", "worker"}
src = os.path.join(sys.argv[1] if len(sys.argv) > 1 else ".", "host", "src")
include = re.compile(r'#include "([a-z_]+)/')
passed = failed = 0
for rank, layer in enumerate(ORDER):
    allowed = set(ORDER[: rank + 1])
    if layer in WORKER_SIDE:
        allowed &= WORKER_SIDE
    bad = []
    folder = os.path.join(src, layer)
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        with open(os.path.join(folder, name)) as f:
            for number, line in enumerate(f, 1):
                m = include.match(line)
                if m and m.group(1) in ORDER and m.group(1) not in allowed:
                    why = "host-side code, which the worker must not reach" if layer in WORKER_SIDE else "a layer above it"
                    bad.append("%s/%s:%d: %s includes %s, %s" % (layer, name, number, layer, m.group(1), why))
    for b in bad:
        print(b)
    failed += bool(bad)
    passed += not bad
# The same order for what host/CMakeLists.txt links: gauntlet_<layer> (and gauntlet-worker, the
# worker layer's executable) may link only layers allowed by the rules above.
cmake = os.path.join(os.path.dirname(src), "CMakeLists.txt")
link = re.compile(r"target_link_libraries\((gauntlet_([a-z]+)|gauntlet-worker)\s+(?:PUBLIC|PRIVATE|INTERFACE)([^)]*)\)", re.S)
with open(cmake) as f:
    text = f.read()
bad_links = []
for m in link.finditer(text):
    layer = m.group(2) or "worker"
    if layer not in ORDER:
        continue
    allowed = set(ORDER[: ORDER.index(layer) + 1])
    if layer in WORKER_SIDE:
        allowed &= WORKER_SIDE
    for dep in re.findall(r"\bgauntlet_([a-z]+)\b", m.group(3)):
        if dep in ORDER and dep not in allowed:
            bad_links.append("host/CMakeLists.txt: %s links gauntlet_%s, %s" % (
                m.group(1), dep, "host-side code" if layer in WORKER_SIDE else "a layer above it"))
for b in bad_links:
    print(b)
failed += bool(bad_links)
passed += not bad_links

unknown = sorted(set(os.listdir(src)) - set(ORDER))
for u in unknown:
    print("host/src/%s: a folder not in the layer order (scripts/check_layers.py)" % u)
failed += len(unknown)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
