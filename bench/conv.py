#!/usr/bin/env python
"""Convolution benchmarks (issue 12), tapegrad beside PyTorch when it is importable:

  lenet  LeNet-style training step: batch 64, 28x28x1, 5x5 convolutions with 6 and 16
         filters (VALID), relu, 2x2 max pools, dense 256-120-84-10, softmax cross
         entropy, the gradients of all 10 weights
  conv3  one 3x3 'SAME' convolution, batch 32, 32x32x64 -> 64, forward and backward
         (the input's and the filter's gradients)

    python bench/conv.py [--rounds 30] [--threads=1]

Both libraries run in this process, float32, 2 threads (or 1); each round times every
library once in turn (a sweep). Reported: the median per library and the median over
sweeps of the ratio tapegrad / PyTorch. tapegrad runs NHWC (TensorFlow's layout),
PyTorch NCHW (its own).
"""
import argparse
import os
import statistics
import sys
import time

THREADS = "1" if "--threads=1" in sys.argv else "2"   # before NumPy and PyTorch load
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = THREADS

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import tapegrad as tg  # noqa: E402

try:
    import torch
    torch.set_num_threads(int(THREADS))
except ImportError:
    torch = None

rng = np.random.default_rng(0)
F = np.float32


def lenet_data():
    x = rng.standard_normal((64, 28, 28, 1)).astype(F)
    labels = rng.integers(0, 10, 64)
    shapes = [(5, 5, 1, 6), (6,), (5, 5, 6, 16), (16,), (256, 120), (120,), (120, 84), (84,),
              (84, 10), (10,)]
    params = [(rng.standard_normal(s) * 0.1).astype(F) for s in shapes]
    return x, labels, params


def tapegrad_lenet():
    x, labels, params = lenet_data()
    ws = [tg.Variable(p) for p in params]
    x = tg.constant(x)

    def step():
        w1, b1, w2, b2, d1, c1, d2, c2, d3, c3 = ws
        with tg.GradientTape() as tape:
            h = tg.nn.max_pool2d(tg.nn.relu(tg.nn.conv2d(x, w1, 1, "VALID") + b1), 2, 2, "VALID")
            h = tg.nn.max_pool2d(tg.nn.relu(tg.nn.conv2d(h, w2, 1, "VALID") + b2), 2, 2, "VALID")
            h = tg.reshape(h, [64, 256])
            h = tg.nn.relu(h @ d1 + c1)
            h = tg.nn.relu(h @ d2 + c2)
            loss = tg.reduce_mean(tg.nn.sparse_softmax_cross_entropy_with_logits(labels, h @ d3 + c3))
        return tape.gradient(loss, ws)
    return step


def torch_lenet():
    x, labels, params = lenet_data()
    conv = lambda w: torch.tensor(w.transpose(3, 2, 0, 1).copy(), requires_grad=True)  # noqa: E731
    ws = [conv(params[0]), torch.tensor(params[1], requires_grad=True),
          conv(params[2]), torch.tensor(params[3], requires_grad=True)]
    ws += [torch.tensor(p, requires_grad=True) for p in params[4:]]
    x = torch.tensor(x.transpose(0, 3, 1, 2).copy())
    labels = torch.tensor(labels)
    F_ = torch.nn.functional

    def step():
        w1, b1, w2, b2, d1, c1, d2, c2, d3, c3 = ws
        h = F_.max_pool2d(F_.relu(F_.conv2d(x, w1, b1)), 2)
        h = F_.max_pool2d(F_.relu(F_.conv2d(h, w2, b2)), 2)
        h = h.permute(0, 2, 3, 1).reshape(64, 256)
        h = F_.relu(h @ d1 + c1)
        h = F_.relu(h @ d2 + c2)
        loss = F_.cross_entropy(h @ d3 + c3, labels)
        return torch.autograd.grad(loss, ws)
    return step


def conv3_data():
    x = rng.standard_normal((32, 32, 32, 64)).astype(F)
    w = (rng.standard_normal((3, 3, 64, 64)) * 0.05).astype(F)
    seed = rng.standard_normal((32, 32, 32, 64)).astype(F)
    return x, w, seed


def tapegrad_conv3():
    x, w, seed = conv3_data()
    x, w, seed = tg.constant(x), tg.Variable(w), tg.constant(seed)

    def step():
        with tg.GradientTape() as tape:
            tape.watch(x)
            y = tg.nn.conv2d(x, w, 1, "SAME")
        return tape.gradient(y, [x, w], output_gradients=seed)
    return step


def torch_conv3():
    x, w, seed = conv3_data()
    x = torch.tensor(x.transpose(0, 3, 1, 2).copy(), requires_grad=True)
    w = torch.tensor(w.transpose(3, 2, 0, 1).copy(), requires_grad=True)
    seed = torch.tensor(seed.transpose(0, 3, 1, 2).copy())

    def step():
        y = torch.nn.functional.conv2d(x, w, padding=1)
        return torch.autograd.grad(y, [x, w], seed)
    return step


WORKLOADS = {
    "lenet": ("LeNet-style training step, batch 64 (ms)", tapegrad_lenet, torch_lenet, 1.5),
    "conv3": ("3x3 SAME conv 32x32x32x64 -> 64, forward + backward (ms)", tapegrad_conv3,
              torch_conv3, 2.0),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--only", default=None)
    ap.add_argument("--threads", type=int, choices=(1, 2), default=2)
    a = ap.parse_args()
    print(f"tapegrad {tg.__version__}, NumPy {np.__version__}, "
          f"PyTorch {torch.__version__ if torch else 'absent'}; {a.rounds} rounds, "
          f"{THREADS} thread(s)")
    print(f"{'workload':58s} {'tapegrad':>9s} {'PyTorch':>9s} {'ratio':>7s} {'target':>7s}")
    for key, (title, tg_make, torch_make, target) in WORKLOADS.items():
        if a.only and key != a.only:
            continue
        steps = {"tapegrad": tg_make()}
        if torch is not None:
            steps["torch"] = torch_make()
        for f in steps.values():   # warm up
            for _ in range(3):
                f()
        times = {k: [] for k in steps}
        ratios = []
        for _ in range(a.rounds):
            sweep = {}
            for k, f in steps.items():
                t0 = time.perf_counter()
                f()
                sweep[k] = time.perf_counter() - t0
                times[k].append(sweep[k])
            if "torch" in sweep:
                ratios.append(sweep["tapegrad"] / sweep["torch"])
        med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
        ratio = statistics.median(ratios) if ratios else float("nan")
        print(f"{title:58s} {med['tapegrad']:9.2f} {med.get('torch', float('nan')):9.2f} "
              f"{ratio:7.2f} {'<= %.1f' % target:>7s}")


if __name__ == "__main__":
    main()
