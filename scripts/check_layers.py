#!/usr/bin/python3
"""Fails when a host layer includes a layer above it (docs/ARCHITECTURE.md, "Layers"): each
folder of host/src may include only itself and the folders before it in ORDER. Prints each
upward include as file:line, then 'N passed, N failed' (one check per layer)."""
import os
import re
import sys

ORDER = ["common", "yaml", "scoring", "quality", "formats", "challenge", "data", "metrics", "ipc", "sandbox",
         "worker", "judge", "report", "store", "leaderboard", "event", "cli"]
src = os.path.join(sys.argv[1] if len(sys.argv) > 1 else ".", "host", "src")
include = re.compile(r'#include "([a-z_]+)/')
passed = failed = 0
for rank, layer in enumerate(ORDER):
    allowed = set(ORDER[: rank + 1])
    bad = []
    folder = os.path.join(src, layer)
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        with open(os.path.join(folder, name)) as f:
            for number, line in enumerate(f, 1):
                m = include.match(line)
                if m and m.group(1) in ORDER and m.group(1) not in allowed:
                    bad.append("%s/%s:%d: %s includes %s, a layer above it" % (layer, name, number, layer, m.group(1)))
    for b in bad:
        print(b)
    failed += bool(bad)
    passed += not bad
unknown = sorted(set(os.listdir(src)) - set(ORDER))
for u in unknown:
    print("host/src/%s: a folder not in the layer order (scripts/check_layers.py)" % u)
failed += len(unknown)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
