#!/usr/bin/env python
"""One optimizer step: tg.keras.optimizers.Adam on the weights of a 64-128-10 MLP
(W1 64x128, b1 128, W2 128x10, b2 10, float32) against the same update written by hand
in NumPy (Keras's Adam formula, in place), timed side by side in one process.

    python bench/optimizer_step.py [--rounds 15] [--min-time 0.05]

A round is --pairs pairs of samples, tapegrad and NumPy by hand next to each other (the
order alternating), each sample --steps steps; the machine is shared, so the ratio is
taken within a pair, the closest in time, and the table gives the medians over all
samples and the median of the pairs' ratios (the target: tapegrad at most 1.2x NumPy by
hand). Samples are timed in the thread's CPU time by default (--clock thread): on a
machine shared by more processes than cores, a wall-clock sample is often stretched by
the time the process waits for a core. The two are checked to give the same weights
after the same steps.
"""
import argparse
import gc
import statistics
import time

import numpy as np

import tapegrad as tg

SHAPES = [(64, 128), (128,), (128, 10), (10,)]
LR, BETA_1, BETA_2, EPSILON = 0.001, 0.9, 0.999, 1e-7


def problem(seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(s).astype(np.float32) * 0.1 for s in SHAPES]
    grads = [rng.standard_normal(s).astype(np.float32) * 0.01 for s in SHAPES]
    return weights, grads


class NumpyAdam:
    """Adam written by hand: Keras's formulas, state and weights updated in place."""

    def __init__(self, weights):
        self.weights = weights
        self.m = [np.zeros_like(w) for w in weights]
        self.v = [np.zeros_like(w) for w in weights]
        self.t = 0

    def step(self, grads):
        self.t += 1
        t = np.float32(self.t)
        alpha = np.float32(LR) * np.sqrt(1 - np.float32(BETA_2) ** t) / (
            1 - np.float32(BETA_1) ** t)
        for w, g, m, v in zip(self.weights, grads, self.m, self.v):
            d = g - m
            d *= 1 - BETA_1
            m += d
            d = g * g
            d -= v
            d *= 1 - BETA_2
            v += d
            den = np.sqrt(v)
            den += EPSILON
            d = m * alpha
            d /= den
            w -= d


def sample(step, n, clock):
    """Seconds per call of step(), over n calls."""
    t0 = clock()
    for _ in range(n):
        step()
    return (clock() - t0) / n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pairs", type=int, default=200)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--clock", choices=["thread", "wall"], default="thread",
                    help="thread: the thread's CPU time (time.thread_time), which a "
                         "shared machine's scheduling does not inflate; wall: perf_counter")
    args = ap.parse_args()
    clock = time.thread_time if args.clock == "thread" else time.perf_counter

    weights, grads = problem()
    variables = [tg.Variable(w) for w in weights]
    tg_grads = [tg.constant(g) for g in grads]
    opt = tg.keras.optimizers.Adam(LR)
    pairs = list(zip(tg_grads, variables))
    by_hand = NumpyAdam([w.copy() for w in weights])

    # check: the same weights after the same three steps
    check_vars = [tg.Variable(w) for w in weights]
    check_opt = tg.keras.optimizers.Adam(LR)
    check_np = NumpyAdam([w.copy() for w in weights])
    for _ in range(3):
        check_opt.apply_gradients(zip(tg_grads, check_vars))
        check_np.step(grads)
    err = max(float(np.max(np.abs(v.numpy() - w))) for v, w in zip(check_vars, check_np.weights))

    def tg_step():
        opt.apply_gradients(pairs)

    def np_step():
        by_hand.step(grads)

    for f in (tg_step, np_step):   # warm up
        for _ in range(20):
            f()
    times = {"tapegrad": [], "numpy": []}
    ratios, round_ratios = [], []
    for r in range(args.rounds):
        gc.collect()
        this_round = []
        for i in range(args.pairs):
            order = [("tapegrad", tg_step), ("numpy", np_step)]
            if i % 2:
                order.reverse()
            got = {name: sample(f, args.steps, clock) for name, f in order}
            for name in got:
                times[name].append(got[name])
            this_round.append(got["tapegrad"] / got["numpy"])
        ratios += this_round
        round_ratios.append(statistics.median(this_round))

    med = {k: statistics.median(v) * 1e6 for k, v in times.items()}
    print(f"Adam step on a 64-128-10 MLP's weights (9,610 float32 parameters), "
          f"{args.rounds} rounds x {args.pairs} pairs x {args.steps} steps, {args.clock} clock; "
          f"max |difference| of the weights after 3 steps: {err:.2g}")
    print()
    q = statistics.quantiles(ratios, n=4)
    print("| library | median us per step | / NumPy by hand (paired) | paired, quartiles |")
    print("|---|---|---|---|")
    print(f"| tapegrad (tg.keras.optimizers.Adam) | {med['tapegrad']:.1f} | "
          f"{statistics.median(ratios):.2f}x | {q[0]:.2f}-{q[2]:.2f}x |")
    print(f"| NumPy by hand (in place) | {med['numpy']:.1f} | 1.00x | |")
    print()
    print(f"paired ratio per round: {', '.join(f'{x:.2f}' for x in round_ratios)}; "
          f"target <= 1.2x: {'met' if statistics.median(ratios) <= 1.2 else 'missed'}")


if __name__ == "__main__":
    main()
