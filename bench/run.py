#!/usr/bin/env python
"""tapegrad benchmark suite: one command runs every workload for tapegrad, for
the same computation written by hand in NumPy, and for each importable peer
(PyTorch, TensorFlow eager, JAX eager and jit, HIPS autograd).

    python bench/run.py                 # full run (several minutes)
    python bench/run.py --quick         # smoke test
    python bench/run.py --only mlp_small --libs tapegrad,numpy,torch

Each library runs in its own subprocess (bench/_worker.py); for each round and
workload the libraries' samples are taken in turn (a sweep), and medians reported;
ratios are medians over sweeps of the ratio within a sweep. Threads are limited to 2.
Results go to bench/results.json and bench/relative_to_numpy.png.
"""
import argparse
import atexit
import datetime
import json
import os
import platform
import queue
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import problems as P  # noqa: E402

MARK = "@@RESULT@@"
THREADS = 2
ALL_LIBS = ["tapegrad", "numpy", "torch", "tensorflow", "jax", "jax_jit", "autograd"]
LIB_LABEL = {"tapegrad": "tapegrad", "numpy": "NumPy by hand", "torch": "PyTorch",
             "tensorflow": "TF eager", "jax": "JAX eager", "jax_jit": "JAX jit",
             "autograd": "HIPS autograd"}
TIMED = ["scalar", "mlp_small", "mlp_medium", "jacobian", "notape"]
MEMORY = ["memory_chain", "memory_mlp"]
ALL_WORKLOADS = TIMED + ["memory"]
TITLE = {
    "scalar": "1. scalar chain y = y*1.0001 + x, 20,000 ops (op = one of the 2 "
              "arithmetic ops per iteration), float64, record + gradient",
    "mlp_small": "2. MLP step, batch 32, 64-64-64-10 tanh, softmax CE, all grads",
    "mlp_medium": "3. MLP step, batch 256, 784-512-512-10 tanh, softmax CE, all grads",
    "jacobian": "4. Jacobian of tanh(W @ x), W 256x256 float32",
    "notape": "6. no-tape overhead: forward of workload 2 outside any tape",
}
UNIT = {"scalar": ("us/op", 1e6 / P.CHAIN_OPS), "mlp_small": ("ms", 1e3),
        "mlp_medium": ("ms", 1e3), "jacobian": ("ms", 1e3), "notape": ("ms", 1e3)}
# issue 5 targets, checked on tapegrad's rows
TARGET_TEXT = {"scalar": "<= 0.15 us/op and >= 30x faster than PyTorch",
               "mlp_small": "<= 1.3x NumPy", "mlp_medium": "<= 1.05x NumPy",
               "jacobian": "<= 20x NumPy analytic", "notape": "<= 1.2x NumPy",
               "memory_chain": "<= 64 bytes per recorded op"}


# --------------------------------------------------------------------- helpers

def worker_env():
    env = dict(os.environ)
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS",
              "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        env[v] = str(THREADS)
    env["TAPEGRAD_BENCH_THREADS"] = str(THREADS)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("JAX_PLATFORMS", "cpu")
    # the worker must import the installed tapegrad, never a source tree
    env.pop("PYTHONPATH", None)
    return env


def run_worker(python, args, env, timeout):
    cmd = [python, os.path.join(HERE, "_worker.py")] + args
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True,
                           timeout=timeout, cwd="/")
    except subprocess.TimeoutExpired:
        return {"available": False, "error": "timed out after %d s" % timeout}, 0.0
    dt = time.perf_counter() - t0
    for line in reversed(p.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK):]), dt
    tail = (p.stderr or p.stdout).strip().splitlines()[-6:]
    return {"available": False,
            "error": "worker exited %d: %s" % (p.returncode, " | ".join(tail))}, dt


PAUSE = 0.1   # seconds before a sample, for the machine to settle after the last one
PAIR = ("tapegrad", "numpy")   # timed next to each other in every sweep
SLOW_CALL = 0.5    # seconds: a library whose one call lasts longer (eager peers on the
SLOW_SAMPLES = 3   # scalar chain) gives this many samples a round, not --samples


class Server:
    """A worker in --serve mode: one library and workload, timed one sample at a time.
    Between its samples the worker is stopped (SIGSTOP): the thread pools of idle
    libraries (BLAS, OpenMP, TF, XLA) would otherwise spin on the two cores while
    another library is timed."""

    def __init__(self, python, args, env, timeout):
        self.timeout = timeout
        self.err = tempfile.TemporaryFile(mode="w+")
        self.p = subprocess.Popen([python, os.path.join(HERE, "_worker.py")] + args, env=env,
                                  cwd="/", stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=self.err, text=True, bufsize=1)
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        atexit.register(self._kill)   # a stopped worker must not outlive an interrupted run

    def _kill(self):
        if self.p.poll() is None:
            self.p.kill()

    def _pump(self):
        for line in self.p.stdout:
            if line.startswith(MARK):
                self.lines.put(json.loads(line[len(MARK):]))
        self.lines.put(None)

    def read(self):
        """The worker's next report, or None when it exited or timed out."""
        try:
            return self.lines.get(timeout=self.timeout)
        except queue.Empty:
            self.p.kill()
            return None

    def pause(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGSTOP)

    def resume(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGCONT)

    def send(self, line):
        """Write a line to the worker; False when it is gone."""
        try:
            self.p.stdin.write(line + "\n")
            self.p.stdin.flush()
            return True
        except OSError:
            return False

    def ask(self):
        """One sample: resume the worker, time, stop it again."""
        self.resume()
        rep = self.read() if self.send("sample") else None
        self.pause()
        return rep

    def tail(self):
        self.err.seek(0)
        return " | ".join(self.err.read().strip().splitlines()[-6:])

    def close(self):
        """Stop the worker; its BLAS report (None if it had none)."""
        self.resume()
        self.send("quit")
        blas = None
        while True:
            rep = self.read()
            if rep is None:
                break
            blas = rep.get("blas", blas)
        self.p.wait()
        self.err.close()
        return blas


def paired_ratio(sweeps, lib, base):
    """The median over sweeps of lib's sample over base's sample in the same sweep
    (None without such pairs). This machine's speed shifts by up to 1.5x within
    seconds; a ratio of the pooled medians can set one library's slow spell against
    the other's fast one, a ratio within a sweep cannot."""
    r = [s[lib] / s[base] for s in sweeps if lib in s and base in s]
    return statistics.median(r) if r else None


def fmt(v, digits=3):
    if v is None:
        return "—"
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    if a >= 1:
        return "%.2f" % v
    return "%.*g" % (digits, v)


def fmt_ratio(r):
    if r is None:
        return "—"
    return ("%.2fx" % r) if r < 10 else ("%.1fx" % r if r < 100 else "%.0fx" % r)


def fmt_bytes(b):
    if b is None:
        return "—"
    for unit, k in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if abs(b) >= k:
            return "%.1f %s" % (b / k, unit)
    return "%d B" % b


def machine_info():
    info = {"platform": platform.platform(), "python": sys.version.split()[0],
            "cpus": os.cpu_count()}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        info["lscpu_head"] = "\n".join(out.splitlines()[:10])
        for line in out.splitlines():
            if line.startswith("Model name:"):
                info["cpu"] = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return info


def blas_summary(blas):
    if not blas:
        return "threadpoolctl not installed (see numpy.show_config below)"
    parts = []
    for d in blas:
        if d.get("user_api") == "blas":
            parts.append("%s %s (%s, %s threads)" % (d.get("internal_api"), d.get("version"),
                                                    d.get("architecture"), d.get("num_threads")))
        else:
            parts.append("%s (%s threads)" % (d.get("internal_api"), d.get("num_threads")))
    return "; ".join(sorted(set(parts)))


def numpy_config_summary(python, env):
    code = ("import numpy, json\n"
            "try:\n"
            "    c = numpy.show_config(mode='dicts')['Build Dependencies']\n"
            "    print(json.dumps({k: {kk: c[k].get(kk) for kk in ('name', 'version')} "
            "for k in ('blas', 'lapack') if k in c}))\n"
            "except Exception as e:\n"
            "    print(json.dumps({'error': str(e)}))\n")
    p = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env, cwd="/")
    try:
        return json.loads(p.stdout.strip().splitlines()[-1])
    except Exception:
        return {"error": p.stderr.strip()[-200:]}


def close(a, b, rtol):
    return abs(a - b) <= rtol * max(abs(a), abs(b), 1e-12)


def compare_check(workload, ref, got):
    """None when they agree, else a short reason."""
    if ref is None or got is None:
        return None
    if workload == "scalar":
        exact = P.chain_grad_exact()
        return None if close(got[0], exact, 1e-9) else "dy/dx %r != %r" % (got[0], exact)
    for r, g in zip(ref, got):
        if isinstance(r, str):
            if r != g:
                return "dtype %s, expected %s" % (g, r)
        elif not close(r, g, 2e-3):
            return "value %r, expected %r" % (g, r)
    return None


# --------------------------------------------------------------------- main

def main():
    global THREADS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="few repeats and 10^5 ops in workload 5 (smoke test)")
    ap.add_argument("--only", default=None,
                    help="workloads, comma separated: %s" % ",".join(ALL_WORKLOADS))
    ap.add_argument("--libs", default=None,
                    help="libraries, comma separated: %s" % ",".join(ALL_LIBS))
    ap.add_argument("--rounds", type=int, default=None, help="rounds (default 5, quick 2)")
    ap.add_argument("--samples", type=int, default=None,
                    help="timed samples per round (default 10, quick 2)")
    ap.add_argument("--min-time", type=float, default=None,
                    help="seconds per sample (a sample repeats a call until this; default 0.05)")
    ap.add_argument("--python", action="append", default=[], metavar="LIB=PATH",
                    help="interpreter for one library, e.g. tensorflow=/work/tfenv/bin/python")
    ap.add_argument("--tapegrad-standin", default=None, metavar="MODULE",
                    help="developers only: run the tapegrad column with this module "
                         "(e.g. tensorflow) while tapegrad is not installable")
    ap.add_argument("--threads", type=int, default=THREADS,
                    help="thread limit for every library (default 2); on a loaded "
                         "machine multi-threaded peers (PyTorch's OpenMP) can stall")
    ap.add_argument("--out", default=os.path.join(HERE, "results.json"))
    ap.add_argument("--png", default=os.path.join(HERE, "relative_to_numpy.png"))
    ap.add_argument("--no-plot", action="store_true")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per worker process")
    a = ap.parse_args()

    THREADS = a.threads
    rounds = a.rounds or (2 if a.quick else 5)
    samples = a.samples or (2 if a.quick else 10)
    min_time = a.min_time or (0.01 if a.quick else 0.05)
    chain_ops = 100_000 if a.quick else None

    libs = ALL_LIBS if not a.libs else [x.strip() for x in a.libs.split(",") if x.strip()]
    for lib in libs:
        if lib not in ALL_LIBS:
            ap.error("unknown library %r (choose from %s)" % (lib, ",".join(ALL_LIBS)))
    if "numpy" not in libs:
        libs = ["numpy"] + libs        # the baseline of every ratio
    workloads = ALL_WORKLOADS if not a.only else [x.strip() for x in a.only.split(",")]
    for w in workloads:
        if w not in ALL_WORKLOADS + MEMORY:
            ap.error("unknown workload %r (choose from %s)" % (w, ",".join(ALL_WORKLOADS)))
    timed = [w for w in TIMED if w in workloads]
    memory = [w for w in MEMORY if "memory" in workloads or w in workloads]

    pythons = {lib: sys.executable for lib in ALL_LIBS}
    for item in a.python:
        k, _, v = item.partition("=")
        pythons[k] = v
    env = worker_env()

    # ---- header
    t_start = time.time()
    mach = machine_info()
    np_cfg = numpy_config_summary(sys.executable, env)
    print("tapegrad benchmark suite  %s" % datetime.datetime.now().isoformat(timespec="seconds"))
    print("machine: %s, %s CPUs, %s; Python %s" % (mach.get("cpu", "?"), mach["cpus"],
                                                    platform.machine(), mach["python"]))
    print("threads: %d (OMP/OPENBLAS/MKL_NUM_THREADS, torch.set_num_threads, TF intra/inter op)"
          % THREADS)
    print("numpy.show_config: %s" % json.dumps(np_cfg))
    notes_env = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
                 if k in os.environ}
    if notes_env:
        print("note: set in the environment (left alone): %s" % notes_env)
    load0 = os.getloadavg()
    print("load average at start: %.2f %.2f %.2f (the machine may be shared)" % load0)
    print("rounds %d x samples %d (>= %.0f ms each); workloads: %s"
          % (rounds, samples, min_time * 1e3, ",".join(timed + memory)))

    # ---- probe
    present = {}
    probe = {}
    for lib in libs:
        args = ["--lib", lib, "--probe"]
        if lib == "tapegrad" and a.tapegrad_standin:
            args += ["--standin", a.tapegrad_standin]
        r, _ = run_worker(pythons[lib], args, env, 600)
        probe[lib] = r
        if r.get("available"):
            present[lib] = r
            extra = ""
            if lib == "tapegrad":
                extra = "  (%s)" % r["info"].get("module_file", "")
                if a.tapegrad_standin:
                    extra += "  STAND-IN: %s, not tapegrad" % a.tapegrad_standin
            print("  %-10s %-12s import %.2f s%s" % (lib, r.get("version", ""),
                                                   r.get("import_s", 0), extra))
        else:
            print("  %-10s skipped: not importable (%s)" % (lib, r.get("error", "?")[:150]))
    libs = [lib for lib in libs if lib in present]

    # the softmax shift: tapegrad and TensorFlow run the same code path
    if "tapegrad" in present:
        ce_form = present["tapegrad"]["info"].get("ce_form", "reduce_max")
    else:
        ce_form = "fused"
    print("softmax CE in tapegrad/TF code: %s" % {
        "fused": "tf.nn.softmax_cross_entropy_with_logits (fused, as torch's F.cross_entropy)",
        "reduce_max": "logits - reduce_max(logits)",
        "npshift": "logits - np.max(logits) (constant shift computed by NumPy, off the tape)",
    }[ce_form])

    # ---- timed workloads: for each round and workload, one process per library, all
    # started, then their samples taken in turn (library order rotated each round):
    # the load of this shared machine changes within seconds, and alternating samples
    # lets every library see the same conditions
    samples_of = {(lib, w): [] for lib in libs for w in timed}
    round_medians = {(lib, w): [] for lib in libs for w in timed}
    sweeps = {w: [] for w in timed}   # per sample sweep: {lib: seconds}, taken together
    checks, errors, skipped, extras, blas_by_lib = {}, {}, {}, {}, {}
    for r in range(rounds):
        order = libs[r % len(libs):] + libs[:r % len(libs)]
        for w in timed:
            t0 = time.perf_counter()
            servers, call_s = {}, {}
            for lib in order:
                args = ["--lib", lib, "--workloads", w, "--serve", "--min-time", str(min_time),
                        "--ce-form", ce_form]
                if lib == "tapegrad" and a.tapegrad_standin:
                    args += ["--standin", a.tapegrad_standin]
                srv = Server(pythons[lib], args, env, a.timeout)
                ready = srv.read()
                if ready is None or "check" not in ready:
                    ready = ready or {"error": "worker failed: " + srv.tail()}
                    if "skipped" in ready:
                        skipped[(lib, w)] = ready["skipped"]
                    else:
                        errors[(lib, w)] = ready.get("error", "worker failed")
                        if ready.get("traceback"):
                            errors[(lib, w)] += "\n" + ready["traceback"]
                    srv.close()
                    continue
                srv.pause()
                servers[lib] = srv
                checks.setdefault((lib, w), ready.get("check"))
                call_s[lib] = ready.get("call_s", 0)
                if "extra" in ready:
                    extras[(lib, w)] = ready["extra"]
            this_round = {lib: [] for lib in servers}
            for i in range(samples):
                # tapegrad and NumPy by hand side by side, each first in every other sweep:
                # their ratio is taken between samples a fraction of a second apart
                pair = [lib for lib in PAIR if lib in servers][::1 if i % 2 == 0 else -1]
                sweep = {}
                for lib in pair + [lib for lib in servers if lib not in PAIR]:
                    if i >= SLOW_SAMPLES and call_s.get(lib, 0) > SLOW_CALL:
                        continue
                    time.sleep(PAUSE)
                    rep = servers[lib].ask()
                    if rep is None or "time" not in rep:
                        errors[(lib, w)] = "worker failed while timing: " + servers[lib].tail()
                        continue
                    this_round[lib].append(rep["time"])
                    sweep[lib] = rep["time"]
                sweeps[w].append(sweep)
            for lib, srv in servers.items():
                blas_by_lib[lib] = srv.close() or blas_by_lib.get(lib)
                if this_round[lib]:
                    samples_of[(lib, w)].extend(this_round[lib])
                    round_medians[(lib, w)].append(statistics.median(this_round[lib]))
            print("  round %d/%d  %-10s %s  %6.1f s" % (r + 1, rounds, w, " ".join(servers),
                                                      time.perf_counter() - t0), flush=True)

    # ---- memory workloads: a fresh process each
    mem = {}
    if memory:
        menv = dict(env)
        # fixed mmap threshold: large freed buffers go back to the OS, so the
        # resident-set figures measure what is held, not what malloc kept
        menv["MALLOC_MMAP_THRESHOLD_"] = "131072"
        for w in memory:
            for lib in libs:
                args = ["--lib", lib, "--workloads", w, "--ce-form", ce_form]
                if chain_ops:
                    args += ["--chain-ops", str(chain_ops)]
                if lib == "tapegrad" and a.tapegrad_standin:
                    args += ["--standin", a.tapegrad_standin]
                res, dt = run_worker(pythons[lib], args, menv, a.timeout)
                print("  %-12s %-10s %6.1f s" % (w, lib, dt), flush=True)
                if res.get("available") and "results" in res:
                    mem[(lib, w)] = res["results"][w]
                    blas_by_lib.setdefault(lib, res.get("blas"))
                else:
                    mem[(lib, w)] = {"error": res.get("error", "worker failed")}

    # ---- summarise
    med = {k: statistics.median(v) for k, v in samples_of.items() if v}
    rows = []
    mismatches = []
    for w in timed:
        unit, scale = UNIT[w]
        base = med.get(("numpy", w))
        tg = med.get(("tapegrad", w))
        for lib in libs:
            key = (lib, w)
            row = {"workload": w, "lib": lib, "unit": unit}
            if key in med:
                m = med[key]
                rm = round_medians[key]
                rb = round_medians.get(("numpy", w), [])
                row.update(median=m * scale, round_min=min(rm) * scale, round_max=max(rm) * scale,
                           round_medians=[x * scale for x in rm],
                           # the ratio within each round (processes seconds apart)
                           vs_numpy_by_round=[x / b for x, b in zip(rm, rb)],
                           n_samples=len(samples_of[key]),
                           vs_numpy=paired_ratio(sweeps[w], lib, "numpy"),
                           vs_numpy_of_medians=m / base if base else None,
                           vs_tapegrad=paired_ratio(sweeps[w], lib, "tapegrad"))
                bad = compare_check(w, checks.get(("numpy", w)), checks.get(key))
                if bad:
                    row["check_failed"] = bad
                    mismatches.append("%s/%s: %s" % (lib, w, bad))
            elif key in skipped:
                row["skipped"] = skipped[key]
            elif key in errors:
                row["error"] = errors[key]
            else:
                continue
            if key in extras:
                row["extra"] = extras[key]
            rows.append(row)

    # targets (tapegrad rows)
    targets = {}
    if "tapegrad" in libs:
        def tget(w):
            return med.get(("tapegrad", w))
        if tget("scalar"):
            us = tget("scalar") * UNIT["scalar"][1]
            ok = us <= 0.15
            faster = paired_ratio(sweeps["scalar"], "torch", "tapegrad")
            if faster is not None:
                ok = ok and faster >= 30
            targets["scalar"] = ok
        for w, lim in (("mlp_small", 1.3), ("mlp_medium", 1.05), ("jacobian", 20), ("notape", 1.2)):
            r = paired_ratio(sweeps[w], "tapegrad", "numpy") if w in sweeps else None
            if r is not None:
                targets[w] = r <= lim
        mc = mem.get(("tapegrad", "memory_chain"), {})
        if "rss_bytes_per_op" in mc:
            targets["memory_chain"] = max(mc["rss_bytes_per_op"], mc["tracemalloc_bytes_per_op"]) <= 64

    table = render_table(rows, timed, libs, mem, memory, targets, a.tapegrad_standin)
    print()
    print(table)
    print()
    scalar_floor = extras.get(("numpy", "scalar"), {}).get("python_float_forward_us_per_op")
    if scalar_floor:
        print("interpreter floor (workload 1 forward loop on Python floats): %.4f us/op"
              % scalar_floor)
    print("BLAS (threadpoolctl, per library process):")
    for lib in libs:
        print("  %-10s %s" % (lib, blas_summary(blas_by_lib.get(lib))))
    if mismatches:
        print("RESULT CHECK FAILURES (value differs from NumPy by hand):")
        for m in mismatches:
            print("  " + m)
    for (lib, w), e in sorted(errors.items()):
        print("ERROR %s/%s: %s" % (lib, w, e.splitlines()[0][:300]))
    load1 = os.getloadavg()
    print("load average at end: %.2f %.2f %.2f; total %.0f s" % (load1 + (time.time() - t_start,)))

    out = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": mach, "threads": THREADS, "numpy_show_config": np_cfg,
        "env_notes": notes_env, "loadavg_start": load0, "loadavg_end": load1,
        "duration_s": time.time() - t_start,
        "options": {"rounds": rounds, "samples": samples, "min_time_s": min_time,
                    "quick": a.quick, "tapegrad_standin": a.tapegrad_standin,
                    "ce_form": ce_form, "memory_chain_ops_override": chain_ops},
        "libraries": {lib: {"version": probe[lib].get("version"),
                            "available": bool(probe[lib].get("available")),
                            "error": probe[lib].get("error"),
                            "blas": blas_by_lib.get(lib)} for lib in probe},
        "timed": rows,
        "memory": [dict(lib=lib, workload=w, **v) for (lib, w), v in mem.items()],
        "targets_met": targets,
        "sweeps": {w: [{lib: t * UNIT[w][1] for lib, t in sw.items()} for sw in sweeps[w]]
                   for w in timed},
        "check_failures": mismatches,
        "python_float_floor_us_per_op": scalar_floor,
        "table_markdown": table,
    }
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote %s" % a.out)
    if not a.no_plot:
        made = plot(rows, timed, libs, a.png, a.tapegrad_standin)
        print("wrote %s" % a.png if made else "matplotlib not importable: no chart")


def render_table(rows, timed, libs, mem, memory, targets, standin):
    lines = []
    if standin:
        lines.append("**The tapegrad rows are %s standing in for tapegrad.**\n" % standin)
    lines.append("| workload | library | median | unit | round medians (min-max) "
                 "| / NumPy by hand (paired) | median / NumPy's median | / tapegrad (paired) "
                 "| issue 5 target |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for w in timed:
        first = True
        for row in [r for r in rows if r["workload"] == w]:
            wl = TITLE[w] if first else ""
            first = False
            lib = LIB_LABEL[row["lib"]]
            if w == "scalar" and row["lib"] == "numpy":
                lib += " (Python floats, adjoint loop)"
            tgt = ""
            if row["lib"] == "tapegrad" and w in TARGET_TEXT:
                tgt = TARGET_TEXT[w]
                if w in targets:
                    tgt += ": **%s**" % ("met" if targets[w] else "missed")
            if "median" in row:
                med = fmt(row["median"])
                if row.get("check_failed"):
                    med += " (CHECK FAILED)"
                lines.append("| %s | %s | %s | %s | %s-%s | %s | %s | %s | %s |" % (
                    wl, lib, med, row["unit"], fmt(row["round_min"]), fmt(row["round_max"]),
                    fmt_ratio(row["vs_numpy"]), fmt_ratio(row["vs_numpy_of_medians"]),
                    fmt_ratio(row["vs_tapegrad"]), tgt))
            else:
                why = row.get("skipped") or ("error: " + row.get("error", "").splitlines()[0][:80])
                lines.append("| %s | %s | — (%s) | | | | | | %s |" % (wl, lib, why, tgt))
    if memory:
        lines.append("")
        lines.append("| 5. memory | library | chain: bytes/op, tracemalloc | chain: bytes/op, RSS "
                     "| chain ops | chain record us/op | MLP-3 step peak RSS (steady / cold) "
                     "| MLP-3 step peak, tracemalloc | issue 5 target |")
        lines.append("|---|---|---|---|---|---|---|---|---|")
        for lib in libs:
            c = mem.get((lib, "memory_chain"), {})
            m = mem.get((lib, "memory_mlp"), {})
            if not c and not m:
                continue
            if "rss_bytes_per_op" in c:
                cells = [fmt(c["tracemalloc_bytes_per_op"]), fmt(c["rss_bytes_per_op"]),
                         "{:,}".format(c["ops"]), fmt(c["record_us_per_op"])]
            elif c:
                why = c.get("skipped") or ("error: " + c.get("error", "?").splitlines()[0][:60])
                cells = ["— (%s)" % why, "", "", ""]
            else:
                cells = ["", "", "", ""]
            if "peak_rss_delta_bytes" in m:
                cells += ["%s / %s" % (fmt_bytes(m["peak_rss_delta_bytes"]),
                                       fmt_bytes(m["cold_peak_rss_delta_bytes"])),
                          fmt_bytes(m["tracemalloc_peak_bytes"])]
            elif m:
                cells += ["— (%s)" % (m.get("skipped") or m.get("error", "?")[:60]), ""]
            else:
                cells += ["", ""]
            tgt = ""
            if lib == "tapegrad":
                tgt = TARGET_TEXT["memory_chain"]
                if "memory_chain" in targets:
                    tgt += ": **%s**" % ("met" if targets["memory_chain"] else "missed")
            lines.append("| | %s | %s | %s |" % (LIB_LABEL[lib], " | ".join(cells), tgt))
    return "\n".join(lines)


def plot(rows, timed, libs, path, standin):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    short = {"scalar": "1. scalar chain", "mlp_small": "2. MLP 32, 64-64-64-10",
             "mlp_medium": "3. MLP 256, 784-512-512-10", "jacobian": "4. Jacobian 256x256",
             "notape": "6. forward, no tape"}
    plibs = [lib for lib in libs if lib != "numpy"]
    fig, ax = plt.subplots(figsize=(11, 5.5))
    width = 0.8 / max(1, len(plibs))
    for i, lib in enumerate(plibs):
        xs, ys = [], []
        for j, w in enumerate(timed):
            r = [r for r in rows if r["workload"] == w and r["lib"] == lib and r.get("vs_numpy")]
            if r:
                xs.append(j + (i - (len(plibs) - 1) / 2) * width)
                ys.append(r[0]["vs_numpy"])
        label = LIB_LABEL[lib] + (" (stand-in: %s)" % standin if lib == "tapegrad" and standin else "")
        bars = ax.bar(xs, ys, width, label=label)
        for b, y in zip(bars, ys):
            ax.annotate(fmt_ratio(y), (b.get_x() + b.get_width() / 2, y), ha="center",
                        va="bottom", fontsize=6, rotation=90, xytext=(0, 2),
                        textcoords="offset points")
    ax.axhline(1.0, color="k", lw=0.8, ls="--")
    ax.set_yscale("log")
    ax.set_xticks(range(len(timed)))
    ax.set_xticklabels([short[w] for w in timed], fontsize=8)
    ax.set_ylabel("time relative to NumPy by hand (log; lower is better)")
    ax.set_title("tapegrad bench: median time / NumPy by hand (%d threads)" % THREADS)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


if __name__ == "__main__":
    main()
