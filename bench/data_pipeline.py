"""An epoch of tg.data batches next to the same epoch sliced from NumPy by hand.

    python bench/data_pipeline.py [--rounds 7] [--n 60000] [--batch 32]

x: n x 784 float32, y: n int64 labels (MNIST's shape). One epoch is every batch of 32,
each made into the arrays or tensors a training step reads:

- shuffled:   tg.data.Dataset.from_tensor_slices((x, y)).shuffle(n).batch(32), against
              perm = rng.permutation(n) and x[perm[i:i + 32]], y[perm[i:i + 32]];
- in order:   from_tensor_slices((x, y)).batch(32), against x[i:i + 32] (a view) and,
              as what a tensor that owns its batch costs, x[i:i + 32].copy().

Each round times every variant once, alternating which goes first; the table gives the
median over rounds and the median over rounds of the ratio within a round. The dataset
is made once, outside the timing (its from_tensor_slices copies x once, as TF's does).
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np  # noqa: E402

import tapegrad as tg  # noqa: E402


def epoch_tg(ds):
    n = 0
    for xb, yb in ds:
        n += 1
    return n


def epoch_numpy_shuffled(x, y, b, rng):
    perm = rng.permutation(len(x))
    n = 0
    for i in range(0, len(x), b):
        idx = perm[i:i + b]
        xb, yb = x[idx], y[idx]
        n += 1
    return n


def epoch_numpy_views(x, y, b):
    n = 0
    for i in range(0, len(x), b):
        xb, yb = x[i:i + b], y[i:i + b]
        n += 1
    return n


def epoch_numpy_copies(x, y, b):
    n = 0
    for i in range(0, len(x), b):
        xb, yb = x[i:i + b].copy(), y[i:i + b].copy()
        n += 1
    return n


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--n", type=int, default=60000)
    p.add_argument("--batch", type=int, default=32)
    a = p.parse_args()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((a.n, 784)).astype(np.float32)
    y = rng.integers(0, 10, a.n)
    b = a.batch
    shuffled = tg.data.Dataset.from_tensor_slices((x, y)).shuffle(a.n, seed=0).batch(b)
    ordered = tg.data.Dataset.from_tensor_slices((x, y)).batch(b)
    pairs = {
        "shuffled": [("tg.data", lambda: epoch_tg(shuffled)),
                     ("NumPy by hand", lambda: epoch_numpy_shuffled(x, y, b, rng))],
        "in order (views)": [("tg.data", lambda: epoch_tg(ordered)),
                             ("NumPy by hand", lambda: epoch_numpy_views(x, y, b))],
        "in order (copies)": [("tg.data", lambda: epoch_tg(ordered)),
                              ("NumPy by hand", lambda: epoch_numpy_copies(x, y, b))],
    }
    for variants in pairs.values():   # warm up
        for _, fn in variants:
            fn()
    times = {k: ([], []) for k in pairs}
    for r in range(a.rounds):
        for k, variants in pairs.items():
            order = [0, 1] if r % 2 == 0 else [1, 0]
            for j in order:
                times[k][j].append(timed(variants[j][1]))
    print(f"epoch of {a.n} x 784 float32 in batches of {b} ({-(-a.n // b)} batches), "
          f"{a.rounds} rounds, medians")
    print()
    print("| epoch | tg.data, ms | NumPy by hand, ms | ratio (paired) | us per batch, tg.data |")
    print("|---|---|---|---|---|")
    for k, (t_tg, t_np) in times.items():
        ratio = statistics.median([p / q for p, q in zip(t_tg, t_np)])
        m_tg, m_np = statistics.median(t_tg), statistics.median(t_np)
        print(f"| {k} | {m_tg * 1e3:.1f} | {m_np * 1e3:.1f} | {ratio:.2f} | "
              f"{m_tg / -(-a.n // b) * 1e6:.1f} |")


if __name__ == "__main__":
    main()
