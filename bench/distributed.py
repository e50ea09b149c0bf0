"""Weak and strong scaling of data-parallel training with tapegrad.distribute on this
machine: the medium MLP (784-512-512-10, tanh, softmax cross entropy, float32), one BLAS
thread per process, 1 and 2 processes.

    python bench/distributed.py               # launches mpiexec -n 1 and -n 2 itself
    python bench/distributed.py --steps 100 --rounds 5 --mpiexec-args="-bind-to core"

- weak: batch 256 per process (the global batch grows with the processes);
- strong: global batch 512 (one process takes 512, two take 256 each).
A step is forward, backward (a local tape), the fused allreduce of all gradients
(hvd.grouped_allreduce: what DistributedGradientTape does after its own gradient()) and
an SGD update. "allreduce" is the time in that call, waiting for the slower process
included. Then a plain allreduce of the gradient's size, after a barrier, gives the
bandwidth, from which the end of scaling on a 10 Gb/s network is estimated.
Needs mpi4py and an MPI launcher (pip install mpich mpi4py).
"""
import argparse
import json
import os
import pathlib
import resource
import shlex
import shutil
import subprocess
import sys
import time

import numpy as np

SIZES = [784, 512, 512, 10]
PER_PROCESS = 256
GLOBAL_STRONG = 512


# --- one process of a run ----------------------------------------------------------------------

def worker(args):
    import tapegrad as tg
    import tapegrad.distribute as hvd
    from mpi4py import MPI
    hvd.init()
    n, r = hvd.size(), hvd.rank()
    batch = PER_PROCESS if args.mode == "weak" else GLOBAL_STRONG // n
    rng = np.random.default_rng(0)
    x_all = rng.standard_normal((batch * n, SIZES[0])).astype(np.float32)
    y_all = rng.integers(0, SIZES[-1], size=batch * n)
    x, y = x_all[r * batch:(r + 1) * batch], y_all[r * batch:(r + 1) * batch]
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        params.append(tg.Variable((rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in))
                                  .astype(np.float32)))
        params.append(tg.Variable(np.zeros(fan_out, np.float32)))
    hvd.broadcast_variables(params, root_rank=0)

    def step():
        with tg.GradientTape() as tape:
            h = tg.tanh(x @ params[0] + params[1])
            h = tg.tanh(h @ params[2] + params[3])
            logits = h @ params[4] + params[5]
            loss = tg.reduce_mean(tg.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
        grads = tape.gradient(loss, params)
        t0 = time.perf_counter()
        if n > 1:
            grads = hvd.grouped_allreduce(grads)
        t1 = time.perf_counter()
        for p, g in zip(params, grads):
            p.assign_sub(0.01 * g)
        return t1 - t0

    for _ in range(args.warmup):
        step()
    comm = MPI.COMM_WORLD
    comm.Barrier()
    in_allreduce, steps = [], []
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = last = time.perf_counter()
    for _ in range(args.steps):
        in_allreduce.append(step())
        now = time.perf_counter()
        steps.append(now - last)
        last = now
    elapsed = last - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    # page faults and kernel time per step: large NumPy temporaries that malloc hands back
    # to the kernel each step cost both (they are part of what one process pays)
    faults = comm.allreduce((after.ru_minflt - before.ru_minflt) / args.steps, op=MPI.SUM) / n
    sys_s = comm.allreduce((after.ru_stime - before.ru_stime) / args.steps, op=MPI.SUM) / n
    elapsed = comm.allreduce(elapsed, op=MPI.MAX)
    # the median step (each step ends in the allreduce, so the ranks' steps are the same
    # length, but for the skew): robust to the other tenants' bursts
    median_step = comm.allreduce(float(np.median(steps)), op=MPI.MAX)
    in_allreduce = comm.allreduce(float(np.median(in_allreduce)), op=MPI.SUM) / n

    # the allreduce alone, of the gradients' size, everyone ready (after a barrier)
    n_params = sum(int(np.prod(p.shape)) for p in params)
    buf = np.ones(n_params, np.float32)
    times = []
    for _ in range(args.reps + 2):
        comm.Barrier()
        t0 = time.perf_counter()
        comm.Allreduce(MPI.IN_PLACE, buf, op=MPI.SUM)
        times.append(time.perf_counter() - t0)
    times = np.array(times[2:])
    comm.Allreduce(MPI.IN_PLACE, times, op=MPI.MAX)      # a collective ends on its slowest
    bare = float(np.median(times)) if n > 1 else 0.0
    # the same through hvd.allreduce (shared memory on one machine), to a new tensor
    grad = tg.constant(buf)
    times = []
    for _ in range(args.reps + 2):
        comm.Barrier()
        t0 = time.perf_counter()
        hvd.allreduce(grad, op=hvd.Sum)
        times.append(time.perf_counter() - t0)
    times = np.array(times[2:])
    comm.Allreduce(MPI.IN_PLACE, times, op=MPI.MAX)
    bare_hvd = float(np.median(times)) if n > 1 else 0.0
    if r == 0:
        print(json.dumps({"mode": args.mode, "n": n, "batch": batch,
                          "step_s": median_step, "mean_step_s": elapsed / args.steps,
                          "allreduce_s": in_allreduce,
                          "faults": faults, "sys_s": sys_s,
                          "n_params": n_params, "bare_allreduce_s": bare,
                          "bare_hvd_allreduce_s": bare_hvd}))


# --- the driver --------------------------------------------------------------------------------

def find_mpiexec():
    here = pathlib.Path(sys.executable).parent / "mpiexec"
    return str(here) if here.exists() else shutil.which("mpiexec")


def run(mpiexec, n, mode, args):
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    cmd = ([mpiexec, "-n", str(n)] + shlex.split(args.mpiexec_args) +
           [sys.executable, __file__, "--worker", "--mode", mode,
            "--steps", str(args.steps), "--warmup", str(args.warmup), "--reps", str(args.reps)])
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.stderr[-3000:]}")
    return json.loads([ln for ln in out.stdout.splitlines() if ln.startswith("{")][-1])


def estimate(res, link_gbit=10.0, latency_s=25e-6):
    """Where scaling stops on a `link_gbit` network, with the arithmetic (Markdown)."""
    s_bytes = res[("strong", 1)]["n_params"] * 4
    bare = res[("weak", 2)]["bare_allreduce_s"]
    b_local = s_bytes / bare if bare > 0 else float("inf")
    b_link = link_gbit * 1e9 / 8
    b = min(b_local, b_link)                     # the slower of the link and MPI itself
    t_comm = 2 * s_bytes / b                     # ring allreduce, many processes
    t512 = res[("strong", 1)]["step_s"]          # compute of the global batch 512 in one process
    t256 = res[("weak", 1)]["step_s"]
    n_half = t512 / t_comm                       # strong: compute per process = comm
    weak_eff = t256 / (t256 + t_comm)
    limit = ("the link is the limit" if b_link <= b_local else
             "MPI's own rate, measured here, is below the link's and is the limit")
    lines = [
        f"- Gradient: {s_bytes // 4:,} float32 = S = {s_bytes / 1e6:.2f} MB per step.",
        f"- Measured here (shared memory, 2 processes): MPI's bare Allreduce of S takes "
        f"{bare * 1e3:.2f} ms, i.e. {b_local / 1e9:.2f} GB/s (S / t; for 2 processes a ring "
        f"moves 2(n-1)/n S = S per process); hvd.allreduce of S, through the shared-memory "
        f"window, {res[('weak', 2)]['bare_hvd_allreduce_s'] * 1e3:.2f} ms.",
        f"- 10 Gb/s = {b_link / 1e9:.2f} GB/s; B = min({b_local / 1e9:.2f}, "
        f"{b_link / 1e9:.2f}) = {b / 1e9:.2f} GB/s ({limit}). A ring allreduce sends and "
        f"receives 2(n-1)/n S per process: t_comm(n) = 2(n-1)/n x {s_bytes / 1e6:.2f} MB / "
        f"{b / 1e9:.2f} GB/s + 2(n-1) x {latency_s * 1e6:.0f} us (assumed TCP latency) "
        f"-> 2 S / B = {t_comm * 1e3:.2f} ms as n grows ({t_comm / 2 * 1e3:.2f} ms at n = 2).",
        f"- Strong scaling (global batch 512; one process computes a step in T = "
        f"{t512 * 1e3:.1f} ms): step(n) = T/n + t_comm(n), speedup(n) = T / step(n) < "
        f"T / (2 S / B) = {t512 / t_comm:.1f}. Computing and communicating take equally long "
        f"at n = T / (2 S / B) = {n_half:.1f} processes (efficiency 50%): past about "
        f"{max(1, int(round(n_half)))} processes, strong scaling stops paying.",
        f"- Weak scaling (256 per process, t = {t256 * 1e3:.1f} ms a step): efficiency "
        f"-> t / (t + 2 S / B) = {t256 * 1e3:.1f} / ({t256 * 1e3:.1f} + {t_comm * 1e3:.2f}) "
        f"= {weak_eff:.0%} for any n, until the latency term 2(n-1) x "
        f"{latency_s * 1e6:.0f} us equals 2 S / B at n = {1 + t_comm / (2 * latency_s):.0f}. "
        f"fp16 compression halves S (and t_comm), at the price of NumPy's float16 casts.",
    ]
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--mode", choices=["weak", "strong"], default="weak")
    p.add_argument("--steps", type=int, default=50, help="timed steps per run (50)")
    p.add_argument("--warmup", type=int, default=5, help="untimed steps first (5)")
    p.add_argument("--reps", type=int, default=20, help="bare allreduces timed (20)")
    p.add_argument("--rounds", type=int, default=5, help="runs of each configuration, "
                   "alternated (5)")
    p.add_argument("--mpiexec", default=None, help="the MPI launcher (default: the one "
                   "beside this Python, else mpiexec on PATH)")
    p.add_argument("--mpiexec-args", default="", help='e.g. "-bind-to core" (MPICH)')
    args = p.parse_args()
    if args.worker:
        return worker(args)
    mpiexec = args.mpiexec or find_mpiexec()
    if not mpiexec:
        sys.exit("no mpiexec found: pip install mpich mpi4py")
    rounds = []   # each round runs the four configurations back to back
    for _ in range(args.rounds):
        rounds.append({(mode, n): run(mpiexec, n, mode, args)
                       for mode in ("weak", "strong") for n in (1, 2)})
    res = {key: {k: (float(np.median([r[key][k] for r in rounds]))
                     if isinstance(v, float) else v) for k, v in rounds[0][key].items()}
           for key in rounds[0]}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"medium MLP {'-'.join(map(str, SIZES))}, float32, SGD; {args.steps} steps after "
          f"{args.warmup}, {args.rounds} rounds; 1 BLAS thread per process; "
          f"{os.cpu_count()} CPUs, load average {load:.2f}\n")
    print("| scaling | processes | batch per process | global batch | steps/s | samples/s "
          "| ms per step (median) | ms per step (mean) | ms in allreduce per step | page "
          "faults per step | kernel ms per step | speedup vs 1 process (per round) | "
          "speedup from the mean steps |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for mode in ("weak", "strong"):
        for n in (1, 2):
            d = res[(mode, n)]
            sps = 1.0 / d["step_s"]
            # samples per second over one process's, paired within each round
            ups, mean_ups = ([r[(mode, 1)][k] / r[(mode, n)][k] * n * r[(mode, n)]["batch"]
                              / r[(mode, 1)]["batch"] for r in rounds]
                             for k in ("step_s", "mean_step_s"))
            print(f"| {mode} | {n} | {d['batch']} | {d['batch'] * n} | {sps:.1f} | "
                  f"{sps * d['batch'] * n:.0f} | {d['step_s'] * 1e3:.2f} | "
                  f"{d['mean_step_s'] * 1e3:.2f} | {d['allreduce_s'] * 1e3:.2f} | "
                  f"{d['faults']:.0f} | {d['sys_s'] * 1e3:.2f} | **{np.median(ups):.2f}x** "
                  f"({', '.join(f'{u:.2f}' for u in ups)}) | {np.median(mean_ups):.2f}x |")
    print("\nms per step: the median (or mean) step of each run, median over rounds; "
          "speedup: samples per second relative to one process in the same round, from the "
          "median steps, median over rounds (weak: ideal 2x; strong: the same global batch, "
          "ideal 2x, target >= 1.6x); the last column is the same from the mean steps, "
          "which the other tenants' bursts inflate. Page faults and kernel time: per process "
          "and step (mean over processes); ms in allreduce: median per step.\n")
    print(estimate(res))


if __name__ == "__main__":
    main()
