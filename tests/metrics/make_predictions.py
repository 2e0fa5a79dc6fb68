#!/usr/bin/python3
"""Writes the fixed prediction files of the metric checks (tests/data/metrics/, committed).

Run once; the files are checked in so that the C++ side and scikit-learn read the very same
float32 outputs. Each case is <case>.outputs.npy (what a plugin answered) and
<case>.targets.npy (the hidden targets), with a task and output form in cases.json.
"""
import json
import os
import sys

import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "data", "metrics")
rng = np.random.default_rng(20261205)
n = 240
cases = {}


def save(name, task, form, outputs, targets):
    np.save(os.path.join(out, name + ".outputs.npy"), outputs)
    np.save(os.path.join(out, name + ".targets.npy"), targets)
    cases[name] = {"task": task, "output": form}


# Multi-class: logits that lean towards the right class, so every metric is far from trivial.
classes = 5
y = rng.integers(0, classes, n).astype(np.int32)
logits = rng.normal(0, 1.5, (n, classes)) + 1.2 * np.eye(classes)[y]
save("multiclass_logits", "classification", "logits", logits.astype(np.float32), y)
e = np.exp(logits - logits.max(axis=1, keepdims=True))
save("multiclass_probabilities", "classification", "probabilities", (e / e.sum(axis=1, keepdims=True)).astype(np.float32), y)

# Binary, one output per sample.
y = rng.integers(0, 2, n).astype(np.int32)
logit = rng.normal(0, 1.5, n) + 1.5 * (2 * y - 1)
save("binary_logit", "binary", "logits", logit.astype(np.float32).reshape(n, 1), y)
save("binary_probability", "binary", "probabilities", (1 / (1 + np.exp(-logit))).astype(np.float32).reshape(n, 1), y)

# Multi-label, 4 labels.
y = (rng.random((n, 4)) < 0.4).astype(np.int32)
save("multilabel_logits", "multilabel", "logits", (rng.normal(0, 1.5, (n, 4)) + 1.5 * (2 * y - 1)).astype(np.float32), y)

# Regression, one and three targets.
t = rng.normal(3, 2, (n, 1)).astype(np.float32)
save("regression_single", "regression", "logits", (t + rng.normal(0, 0.7, t.shape)).astype(np.float32), t)
t = rng.normal([1, -5, 40], [1, 3, 10], (n, 3)).astype(np.float32)
save("regression_multi", "regression", "logits", (t + rng.normal(0, [0.5, 2, 4], t.shape)).astype(np.float32), t)

with open(os.path.join(out, "cases.json"), "w") as f:
    json.dump(cases, f, indent=1, sort_keys=True)
