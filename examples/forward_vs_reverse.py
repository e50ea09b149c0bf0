"""Forward mode costs one pass per input, reverse mode one pass per output: measured.

The Jacobian of f(x) = tanh(W x), from R^n to R^k, two ways:
- forward mode: one ForwardAccumulator pass per input direction (n passes);
- reverse mode: GradientTape.jacobian without vectorization (k reverse sweeps).
For n >> k reverse mode wins, for k >> n forward mode does. The script prints the
evaluation trace of Baydin et al.'s example (JMLR 2018, Tables 2 and 3), a table of
timings, and writes a plot (matplotlib, which this example needs; tapegrad does not).

    python examples/forward_vs_reverse.py [--out forward_vs_reverse.png] [--quick]
"""
import argparse
import time

import numpy as np

import tapegrad as tg


def baydin(x1, x2):
    v1 = tg.math.log(x1)
    v2 = x1 * x2
    v3 = tg.sin(x2)
    v4 = v1 + v2
    return v4 - v3


def f(W, x):
    return tg.tanh(tg.linalg.matvec(W, x))


def jacobian_forward(W, x):
    """n forward passes, one per input direction: the Jacobian's columns."""
    n = x.shape[0]
    cols = []
    for i in range(n):
        with tg.autodiff.ForwardAccumulator(x, tg.one_hot(i, n, dtype=x.dtype)) as acc:
            y = f(W, x)
        cols.append(acc.jvp(y))
    return tg.stack(cols, axis=1)


def jacobian_reverse(W, x):
    """k reverse sweeps, one per output: the Jacobian's rows."""
    with tg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = f(W, x)
    return tape.jacobian(y, x, experimental_use_pfor=False)


def best_time(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def measure(sizes, fixed, wide, repeat):
    """Seconds per Jacobian by each mode; `wide`: n varies with k fixed, else k varies."""
    rng = np.random.default_rng(0)
    rows = []
    for m in sizes:
        n, k = (m, fixed) if wide else (fixed, m)
        W = tg.constant(rng.standard_normal((k, n)) / np.sqrt(n))
        x = tg.constant(rng.standard_normal(n))
        jf, jr = jacobian_forward(W, x), jacobian_reverse(W, x)
        np.testing.assert_allclose(jf.numpy(), jr.numpy(), rtol=1e-10, atol=1e-12)
        rows.append((n, k, best_time(lambda: jacobian_forward(W, x), repeat),
                     best_time(lambda: jacobian_reverse(W, x), repeat)))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="forward_vs_reverse.png", help="where to write the plot")
    ap.add_argument("--quick", action="store_true", help="small sizes, one repeat, no plot")
    args = ap.parse_args()

    print("Evaluation trace of f(x1, x2) = ln(x1) + x1*x2 - sin(x2) at (2, 5), tangent "
          "(1, 0):\n")
    tr = tg.autodiff.trace(baydin, 2.0, 5.0, tangents=(1.0, 0.0))
    print(tr.table(), "\n")

    sizes = [2, 8, 32] if args.quick else [2, 4, 8, 16, 32, 64, 128, 256]
    fixed, repeat = 4, 1 if args.quick else 5
    wide = measure(sizes, fixed, True, repeat)
    tall = measure(sizes, fixed, False, repeat)
    print(f"Jacobian of tanh(W x), best of {repeat}, ms:")
    print(f"{'n':>5} {'k':>5} {'forward (n passes)':>20} {'reverse (k passes)':>20}")
    for n, k, tf_, tr_ in wide + tall:
        print(f"{n:>5} {k:>5} {1e3 * tf_:>20.3f} {1e3 * tr_:>20.3f}")
    if args.quick:
        return
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, data, label in ((axes[0], wide, "n inputs (k = 4 outputs)"),
                            (axes[1], tall, "k outputs (n = 4 inputs)")):
        m = [r[0] if data is wide else r[1] for r in data]
        ax.loglog(m, [1e3 * r[2] for r in data], "o-", label="forward mode (n passes)")
        ax.loglog(m, [1e3 * r[3] for r in data], "s-", label="reverse mode (k passes)")
        ax.set_xlabel(label)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("ms per Jacobian")
    axes[0].legend()
    fig.suptitle("Jacobian of tanh(W x) with tapegrad: forward vs reverse mode")
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    print(f"\nplot written to {args.out}")


if __name__ == "__main__":
    main()
