#!/usr/bin/python3
"""Train a small CNN on Fashion-MNIST with PyTorch and export it to ONNX for Gauntlet.

The path most hackathon teams take: train in PyTorch, export to ONNX, submit the .onnx file.
Gauntlet judges it with its bundled runner (sdk/ONNX.md), in the same sandbox, timed and scored
like a native plugin.

    /usr/bin/python3 examples/pytorch/train.py                    # the CNN (a few minutes, 1 thread)
    /usr/bin/python3 examples/pytorch/train.py --epochs 1 --out /tmp/cnn.onnx
    /usr/bin/python3 examples/pytorch/train.py --model mlp --out tests/onnx/models/mlp.onnx
    gauntlet judge -c challenges/fashion-mnist --model examples/pytorch/fashion_mnist_cnn.onnx

Needs Debian's python3-torch (1.13) and dataset-fashion-mnist; nothing from the network.
Inputs are preprocessed exactly as challenges/fashion-mnist/challenge.yaml says the judge does:
x = (pixel / 255 - 0.2860) / 0.3530, float32, NCHW [batch, 1, 28, 28]; the output is one logit per
class, [batch, 10]. The batch dimension is exported as dynamic (dim_param "batch").
"""
import argparse
import gzip
import struct
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530  # challenges/fashion-mnist/challenge.yaml, preprocess


def read_idx(path):
    """An IDX file (gzip) as a numpy array of unsigned bytes."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(split):
    """Images preprocessed as the judge does, and int64 labels."""
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(f"{DATA}/{prefix}-images-idx3-ubyte.gz").astype(np.float32)
    labels = read_idx(f"{DATA}/{prefix}-labels-idx1-ubyte.gz").astype(np.int64)
    x = (images / np.float32(255.0) - np.float32(MEAN)) / np.float32(STD)
    return torch.from_numpy(x[:, None, :, :].copy()), torch.from_numpy(labels.copy())


class Cnn(nn.Module):
    """Two conv blocks (conv, batch norm, ReLU, max pool), then two linear layers: ~0.91 on
    the test set after 4 epochs, 0.4 MB of weights. Batch norm is folded into the convolutions
    when exported in eval mode."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(64 * 7 * 7, 32), nn.ReLU(), nn.Dropout(0.25), nn.Linear(32, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


class Mlp(nn.Module):
    """784-64-10, the shape of the dnnl_mlp sample with a smaller hidden layer."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.net(x)


class Residual(nn.Module):
    """A residual block, and on purpose two export patterns the runner must handle: an
    average pool with padding (exported as Pad then AveragePool) and x.reshape(x.shape[0], -1)
    (exported as Shape, Gather, Unsqueeze, Concat, Reshape, which the runner folds)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, padding=1, stride=2)
        self.conv1 = nn.Conv2d(16, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 16, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = F.relu(self.stem(x))
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        x = F.relu(x + y)
        x = F.avg_pool2d(x, 3, stride=2, padding=1)
        return torch.log_softmax(self.fc(x.reshape(x.shape[0], -1)), dim=1)


MODELS = {"cnn": Cnn, "mlp": Mlp, "residual": Residual}


def accuracy(model, x, y, batch=1000):
    model.eval()
    right = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            right += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return right / len(x)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", choices=sorted(MODELS), default="cnn")
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default="examples/pytorch/fashion_mnist_cnn.onnx")
    args = p.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    x_train, y_train = load("train")
    x_test, y_test = load("test")
    model = MODELS[args.model]()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps = args.epochs * ((len(x_train) + args.batch_size - 1) // args.batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=max(steps, 1))
    for epoch in range(args.epochs):
        model.train()
        t0 = time.time()
        order = torch.randperm(len(x_train))
        for i in range(0, len(x_train), args.batch_size):
            idx = order[i:i + args.batch_size]
            opt.zero_grad()
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
            sched.step()
        print(f"epoch {epoch + 1}/{args.epochs}: loss {loss.item():.3f}, "
              f"test accuracy {accuracy(model, x_test, y_test):.4f} ({time.time() - t0:.0f} s)",
              file=sys.stderr)

    # Eval mode before exporting: dropout off, batch norm with its running statistics (the
    # exporter folds it into the convolution before it).
    model.eval()
    torch.onnx.export(model, x_test[:1], args.out, opset_version=14, input_names=["image"],
                      output_names=["logits"], dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
                      do_constant_folding=True)
    print(f"{args.model}: test accuracy {accuracy(model, x_test, y_test):.4f} on all {len(x_test)} "
          f"test images; wrote {args.out}")


if __name__ == "__main__":
    main()
