#!/usr/bin/python3
"""Every metric of Gauntlet's registry, computed by scikit-learn (Debian's python3-sklearn) on
the fixed prediction files: the independent figures tests/unit/test_metrics_sklearn.cpp checks
the judge's against (relative 1e-9). Prints {case: {variable: value}} as JSON.

The judge's documented conventions are applied to the raw outputs first (softmax or sigmoid
of logits; predicted class = first argmax; binary and multilabel predict 1 when p > 0.5),
then scikit-learn does the rest. Values go to scikit-learn as float64.
"""
import json
import os
import sys

import numpy as np
from scipy.special import expit, softmax
from sklearn import metrics as m
from sklearn.preprocessing import label_binarize

folder = sys.argv[1]
with open(os.path.join(folder, "cases.json")) as f:
    cases = json.load(f)


def load(case):
    out = np.load(os.path.join(folder, case + ".outputs.npy")).astype(np.float64)
    tgt = np.load(os.path.join(folder, case + ".targets.npy"))
    return out, tgt


def averaged(values, y, pred, labels, binary):
    for name, fn in (("precision", m.precision_score), ("recall", m.recall_score), ("f1", m.f1_score)):
        for average in ("macro", "micro", "weighted"):
            values[average + "_" + name] = fn(y, pred, average=average, zero_division=0)
        per_class = fn(y, pred, average=None, labels=labels, zero_division=0)
        for c, v in enumerate(per_class):
            values[name + "_class_" + str(c)] = v
        if binary:
            values[name] = fn(y, pred, average="binary", zero_division=0)


result = {}
for case, spec in cases.items():
    out, y = load(case)
    task, form = spec["task"], spec["output"]
    v = {}
    if task == "classification":
        y = y.reshape(-1)
        classes = out.shape[1]
        labels = list(range(classes))
        prob = softmax(out, axis=1) if form == "logits" else out
        pred = out.argmax(axis=1)
        v["accuracy"] = m.accuracy_score(y, pred)
        for k in (1, 2, 3):
            v["top%d_accuracy" % k] = m.top_k_accuracy_score(y, out, k=k, labels=labels)
        v["balanced_accuracy"] = m.balanced_accuracy_score(y, pred)
        averaged(v, y, pred, labels, False)
        v["roc_auc"] = m.roc_auc_score(y, prob, multi_class="ovr", average="macro", labels=labels)
        v["pr_auc"] = m.average_precision_score(label_binarize(y, classes=labels), prob, average="macro")
        v["log_loss"] = m.log_loss(y, prob, eps=1e-15, labels=labels)
    elif task == "binary":
        y = y.reshape(-1)
        p = expit(out.reshape(-1)) if form == "logits" else out.reshape(-1)
        pred = (p > 0.5).astype(int)
        v["accuracy"] = m.accuracy_score(y, pred)
        v["balanced_accuracy"] = m.balanced_accuracy_score(y, pred)
        averaged(v, y, pred, [0, 1], True)
        v["roc_auc"] = m.roc_auc_score(y, p)
        v["pr_auc"] = m.average_precision_score(y, p)
        v["log_loss"] = m.log_loss(y, p, eps=1e-15, labels=[0, 1])
        v["brier"] = m.brier_score_loss(y, p)
    elif task == "multilabel":
        p = expit(out) if form == "logits" else out
        pred = (p > 0.5).astype(int)
        v["accuracy"] = m.accuracy_score(y, pred)
        averaged(v, y, pred, list(range(y.shape[1])), False)
        v["roc_auc"] = m.roc_auc_score(y, p, average="macro")
        v["pr_auc"] = m.average_precision_score(y, p, average="macro")
    else:
        t = y.astype(np.float64)
        for name, fn in (
            ("mse", m.mean_squared_error),
            ("rmse", lambda a, b, multioutput: m.mean_squared_error(a, b, multioutput=multioutput, squared=False)),
            ("mae", m.mean_absolute_error),
            ("r2", m.r2_score),
            ("mape", m.mean_absolute_percentage_error),
        ):
            v[name] = fn(t, out, multioutput="uniform_average")
            for i, x in enumerate(fn(t, out, multioutput="raw_values")):
                v[name + "_target_" + str(i)] = x
    result[case] = {k: float(x) for k, x in v.items()}

json.dump(result, sys.stdout, indent=1, sort_keys=True)
