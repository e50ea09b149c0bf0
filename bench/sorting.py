"""Sorting, top-k and segment sums: tapegrad next to the NumPy calls that do the same.

    python bench/sorting.py [--rounds 7]

Each row times one call (medians over rounds, in one process, alternating): tapegrad's
op with no tape, and the NumPy a person would write by hand; then the same op with its
gradient (record + gradient) next to NumPy's forward plus the hand-written backward.
Workloads, float32: sort and top_k(k=10) along the last axis of a 256x1024 matrix;
unsorted_segment_sum of 20000x64 rows into 500 segments (NumPy: np.add.at), and
segment_sum of sorted ids (NumPy: np.add.reduceat).
"""
import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np  # noqa: E402

import tapegrad as tg  # noqa: E402

rng = np.random.default_rng(0)
X = rng.standard_normal((256, 1024)).astype(np.float32)
K = 10
D = rng.standard_normal((20000, 64)).astype(np.float32)
IDS = rng.integers(0, 500, 20000)
SIDS = np.sort(IDS)
NSEG = 500


def np_sort(): return np.sort(X, -1)
def np_top_k():
    i = np.argsort(-X, -1, kind="stable")[:, :K]
    return np.take_along_axis(X, i, -1), i
def np_useg():
    out = np.zeros((NSEG, 64), np.float32)
    np.add.at(out, IDS, D)
    return out
def np_seg():
    starts = np.flatnonzero(np.r_[True, SIDS[1:] != SIDS[:-1]])
    out = np.zeros((SIDS[-1] + 1, 64), np.float32)
    out[SIDS[starts]] = np.add.reduceat(D, starts, 0)
    return out


def np_sort_grad():
    i = np.argsort(X, -1)
    y = np.take_along_axis(X, i, -1)
    g = np.zeros_like(X)
    np.put_along_axis(g, i, np.ones_like(y), -1)
    return g
def np_top_k_grad():
    y, i = np_top_k()
    g = np.zeros_like(X)
    np.put_along_axis(g, i, np.ones_like(y), -1)
    return g
def np_useg_grad():
    np_useg()
    return np.ones((NSEG, 64), np.float32)[IDS]


XT, DT = tg.constant(X), tg.constant(D)


def tg_grad(f, x):
    def run():
        with tg.GradientTape() as t:
            t.watch(x)
            y = tg.reduce_sum(f(x))
        return t.gradient(y, x)
    return run


ROWS = [
    ("sort 256x1024", lambda: tg.sort(XT), np_sort),
    ("top_k k=10 256x1024", lambda: tg.math.top_k(XT, K), np_top_k),
    ("unsorted_segment_sum 20000x64->500", lambda: tg.math.unsorted_segment_sum(DT, IDS, NSEG), np_useg),
    ("segment_sum sorted 20000x64", lambda: tg.math.segment_sum(DT, SIDS), np_seg),
    ("sort + gradient", tg_grad(tg.sort, XT), np_sort_grad),
    ("top_k + gradient", tg_grad(lambda x: tg.math.top_k(x, K).values, XT), np_top_k_grad),
    ("unsorted_segment_sum + gradient", tg_grad(lambda d: tg.math.unsorted_segment_sum(d, IDS, NSEG), DT), np_useg_grad),
]


def median_ms(f, rounds, number):
    ts = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(number):
            f()
        ts.append((time.perf_counter() - t0) / number * 1e3)
    return float(np.median(ts))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    print(f"{'workload':40s} {'tapegrad ms':>12s} {'NumPy ms':>10s} {'ratio':>7s}")
    for name, ft, fn in ROWS:
        ft(), fn()   # warm up
        t, n = [], []
        for _ in range(args.rounds):   # alternate, so drifts in load hit both
            t.append(median_ms(ft, 1, 3))
            n.append(median_ms(fn, 1, 3))
        mt, mn = float(np.median(t)), float(np.median(n))
        print(f"{name:40s} {mt:12.3f} {mn:10.3f} {mt / mn:7.2f}")


if __name__ == "__main__":
    main()
