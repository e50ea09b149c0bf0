"""One library, one process: runs the requested workloads and prints one JSON
line (prefixed with @@RESULT@@) on stdout. Started by run.py; not meant to be
run by hand, though `python bench/_worker.py --lib numpy --workloads mlp_small`
works for debugging."""
import argparse
import gc
import json
import os
import resource
import sys
import time
import traceback

THREADS = int(os.environ.get("TAPEGRAD_BENCH_THREADS", "2"))
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
           "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_v, str(THREADS))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

import problems as P  # noqa: E402
import tfstyle  # noqa: E402

MARK = "@@RESULT@@"

# Ops recorded for workload 5 per library (the chain is slow in some peers).
MEMORY_CHAIN_OPS = {"tensorflow": 100_000, "autograd": 100_000}


def _noblock(r):
    return r


class NotApplicable(Exception):
    """The library has no counterpart of this workload (shown as a dash)."""


# --------------------------------------------------------------------- libraries

class Lib:
    name = "?"
    block = staticmethod(_noblock)

    def version(self):
        return ""

    def to_np(self, t):
        return np.asarray(t)

    def info(self):
        return {}


class NumpyLib(Lib):
    name = "numpy"

    def version(self):
        return np.__version__

    def scalar(self):
        return lambda: P.np_scalar_chain(P.CHAIN_X0)

    def mlp(self, cfg):
        x, _, onehot, params = P.mlp_data(cfg)
        return lambda: P.np_mlp_step(params, x, onehot)

    def notape(self, cfg):
        x, _, onehot, params = P.mlp_data(cfg)
        return lambda: P.np_mlp_forward(params, x, onehot)

    def jacobian(self):
        W, x = P.jac_data()
        return lambda: P.np_jacobian(W, x)

    def chain_record(self, x, n_iter):
        raise NotApplicable("nothing is recorded by hand")

    def extra_scalar(self):
        # the interpreter floor: the forward loop on Python floats alone
        t = []
        for _ in range(5):
            t0 = time.perf_counter()
            P.py_float_chain_forward(P.CHAIN_X0)
            t.append(time.perf_counter() - t0)
        return {"python_float_forward_us_per_op": float(np.median(t)) / P.CHAIN_OPS * 1e6}


class TfStyleLib(Lib):
    """tapegrad and TensorFlow: the same code (tfstyle.py), module passed in."""

    def __init__(self, name, mod, ce_form):
        self.name = name
        self.tf = mod
        self.ce_form = ce_form or tfstyle.choose_ce_form(mod)

    def version(self):
        return getattr(self.tf, "__version__", "")

    def info(self):
        return {"ce_form": self.ce_form}

    def to_np(self, t):
        return np.asarray(t.numpy() if hasattr(t, "numpy") else t)

    def _mlp_inputs(self, cfg):
        tf = self.tf
        x, _, onehot, params = P.mlp_data(cfg)
        names = ["W1", "b1", "W2", "b2", "W3", "b3"]
        params = [tf.Variable(p, name=n) for p, n in zip(params, names)]
        return tf.constant(x), tf.constant(onehot), params

    def scalar(self):
        tf = self.tf
        x = tf.Variable(np.float64(P.CHAIN_X0), dtype=tf.float64)
        return lambda: tfstyle.scalar_chain(tf, x, P.CHAIN_ITERS, P.CHAIN_A)

    def mlp(self, cfg):
        tf, ce = self.tf, self.ce_form
        x, onehot, params = self._mlp_inputs(cfg)
        return lambda: tfstyle.mlp_step(tf, params, x, onehot, ce)

    def notape(self, cfg):
        tf, ce = self.tf, self.ce_form
        x, onehot, params = self._mlp_inputs(cfg)
        return lambda: tfstyle.mlp_loss(tf, params, x, onehot, ce)

    def jacobian(self):
        tf = self.tf
        W, x = P.jac_data()
        W, x = tf.constant(W), tf.constant(x.reshape(-1, 1))
        return lambda: tfstyle.jacobian(tf, W, x)

    def chain_input(self):
        return self.tf.Variable(np.float64(P.CHAIN_X0), dtype=self.tf.float64)

    def chain_record(self, x, n_iter):
        return tfstyle.scalar_chain_record(self.tf, x, n_iter, P.CHAIN_A)

    def chain_grad(self, holder, x):
        tape, y = holder
        return float(self.to_np(tape.gradient(y, x)))


class TorchLib(Lib):
    name = "torch"

    def __init__(self):
        import torch
        torch.set_num_threads(THREADS)
        try:
            torch.set_num_interop_threads(THREADS)
        except RuntimeError:
            pass
        self.torch = torch
        import torch.nn.functional as F
        self.F = F

    def version(self):
        return self.torch.__version__

    def info(self):
        return {"num_threads": self.torch.get_num_threads()}

    def to_np(self, t):
        if isinstance(t, self.torch.Tensor):
            return t.detach().numpy()
        return np.asarray(t)

    def _mlp_inputs(self, cfg, grad=True):
        torch = self.torch
        x, labels, _, params = P.mlp_data(cfg)
        params = [torch.tensor(p, requires_grad=grad) for p in params]
        return torch.from_numpy(x), torch.from_numpy(labels), params

    def _loss(self, params, x, labels):
        torch = self.torch
        W1, b1, W2, b2, W3, b3 = params
        h = torch.tanh(x @ W1 + b1)
        h = torch.tanh(h @ W2 + b2)
        logits = h @ W3 + b3
        return self.F.cross_entropy(logits, labels)

    def scalar(self):
        torch = self.torch
        x = torch.tensor(P.CHAIN_X0, dtype=torch.float64, requires_grad=True)
        a, n = P.CHAIN_A, P.CHAIN_ITERS

        def run():
            y = x
            for _ in range(n):
                y = y * a + x
            return torch.autograd.grad(y, x)[0]
        return run

    def mlp(self, cfg):
        torch = self.torch
        x, labels, params = self._mlp_inputs(cfg)

        def run():
            loss = self._loss(params, x, labels)
            return loss, torch.autograd.grad(loss, params)
        return run

    def notape(self, cfg):
        torch = self.torch
        x, labels, params = self._mlp_inputs(cfg, grad=False)

        def run():
            with torch.no_grad():
                return self._loss(params, x, labels)
        return run

    def jacobian(self):
        torch = self.torch
        W, x = P.jac_data()
        W, x = torch.from_numpy(W), torch.from_numpy(x)
        f = lambda v: torch.tanh(W @ v)  # noqa: E731
        return lambda: torch.autograd.functional.jacobian(f, x, vectorize=True)

    def chain_input(self):
        return self.torch.tensor(P.CHAIN_X0, dtype=self.torch.float64, requires_grad=True)

    def chain_record(self, x, n_iter):
        y = x
        a = P.CHAIN_A
        for _ in range(n_iter):
            y = y * a + x
        return y

    def chain_grad(self, holder, x):
        return float(self.torch.autograd.grad(holder, x)[0])


class JaxLib(Lib):
    def __init__(self, jit):
        import jax
        jax.config.update("jax_enable_x64", True)  # for the float64 scalar chain
        import jax.numpy as jnp
        self.jax, self.jnp, self.jit = jax, jnp, jit
        self.name = "jax_jit" if jit else "jax"
        self.block = jax.block_until_ready

    def version(self):
        return self.jax.__version__

    def _wrap(self, f):
        return self.jax.jit(f) if self.jit else f

    def _loss_fn(self):
        jnp = self.jnp
        from jax.scipy.special import logsumexp

        def loss(params, x, onehot):
            W1, b1, W2, b2, W3, b3 = params
            h = jnp.tanh(x @ W1 + b1)
            h = jnp.tanh(h @ W2 + b2)
            logits = h @ W3 + b3
            return jnp.mean(logsumexp(logits, axis=1) - jnp.sum(logits * onehot, axis=1))
        return loss

    def _mlp_inputs(self, cfg):
        x, _, onehot, params = P.mlp_data(cfg)
        dp = self.jax.device_put
        return dp(x), dp(onehot), [dp(p) for p in params]

    def scalar(self):
        if self.jit:
            raise NotApplicable("not in the reference table (jit would unroll 10,000 iterations)")
        jnp = self.jnp
        a, n = P.CHAIN_A, P.CHAIN_ITERS

        def chain(x):
            y = x
            for _ in range(n):
                y = y * a + x
            return y
        g = self.jax.grad(chain)
        x = jnp.asarray(P.CHAIN_X0, dtype=jnp.float64)
        return lambda: g(x)

    def mlp(self, cfg):
        x, onehot, params = self._mlp_inputs(cfg)
        vg = self._wrap(self.jax.value_and_grad(self._loss_fn()))
        return lambda: vg(params, x, onehot)

    def notape(self, cfg):
        x, onehot, params = self._mlp_inputs(cfg)
        f = self._wrap(self._loss_fn())
        return lambda: f(params, x, onehot)

    def jacobian(self):
        jnp = self.jnp
        W, x = P.jac_data()
        W, x = self.jax.device_put(W), self.jax.device_put(x)
        J = self._wrap(self.jax.jacrev(lambda v: jnp.tanh(W @ v)))
        return lambda: J(x)

    def chain_record(self, x, n_iter):
        raise NotApplicable("eager JAX is too slow for 10^6 ops")


class AutogradLib(Lib):
    name = "autograd"

    def __init__(self):
        import autograd
        import autograd.numpy as anp
        from autograd.scipy.special import logsumexp
        self.ag, self.anp, self.logsumexp = autograd, anp, logsumexp

    def version(self):
        try:
            from importlib.metadata import version
            return version("autograd")
        except Exception:
            return ""

    def _loss(self, params, x, onehot):
        anp = self.anp
        W1, b1, W2, b2, W3, b3 = params
        h = anp.tanh(anp.dot(x, W1) + b1)
        h = anp.tanh(anp.dot(h, W2) + b2)
        logits = anp.dot(h, W3) + b3
        return anp.mean(self.logsumexp(logits, axis=1) - anp.sum(logits * onehot, axis=1))

    def scalar(self):
        a, n = P.CHAIN_A, P.CHAIN_ITERS

        def chain(x):
            y = x
            for _ in range(n):
                y = y * a + x
            return y
        g = self.ag.grad(chain)
        return lambda: g(P.CHAIN_X0)

    def mlp(self, cfg):
        x, _, onehot, params = P.mlp_data(cfg)
        vg = self.ag.value_and_grad(self._loss)
        return lambda: vg(params, x, onehot)

    def notape(self, cfg):
        x, _, onehot, params = P.mlp_data(cfg)
        return lambda: self._loss(params, x, onehot)

    def jacobian(self):
        anp = self.anp
        W, x = P.jac_data()
        J = self.ag.jacobian(lambda v: anp.tanh(anp.dot(W, v)))
        return lambda: J(x)

    def chain_input(self):
        return P.CHAIN_X0

    def chain_record(self, x, n_iter):
        a = P.CHAIN_A

        def chain(v):
            y = v
            for _ in range(n_iter):
                y = y * a + v
            return y
        vjp, _ = self.ag.make_vjp(chain)(x)
        return vjp

    def chain_grad(self, holder, x):
        return float(holder(1.0))


def make_lib(name, standin=None, ce_form=None):
    if name == "numpy":
        return NumpyLib()
    if name == "tapegrad":
        import importlib
        mod = importlib.import_module(standin or "tapegrad")
        if standin == "tensorflow":
            _tf_threads(mod)
        return TfStyleLib("tapegrad", mod, ce_form)
    if name == "tensorflow":
        import tensorflow as tf
        _tf_threads(tf)
        return TfStyleLib("tensorflow", tf, ce_form)
    if name == "torch":
        return TorchLib()
    if name == "jax":
        return JaxLib(jit=False)
    if name == "jax_jit":
        return JaxLib(jit=True)
    if name == "autograd":
        return AutogradLib()
    raise ValueError("unknown library %r" % name)


def _tf_threads(tf):
    tf.config.threading.set_intra_op_parallelism_threads(THREADS)
    tf.config.threading.set_inter_op_parallelism_threads(THREADS)


# --------------------------------------------------------------------- checks

def check_value(lib, workload, out):
    """Small numbers summarising a result, compared across libraries by run.py."""
    tn = lib.to_np
    if workload == "scalar":
        return [float(tn(out))]
    if workload in ("mlp_small", "mlp_medium"):
        loss, grads = out
        grads = list(grads)
        return ([float(tn(loss))] + [float(np.abs(tn(g)).sum()) for g in grads]
                + [str(tn(grads[0]).dtype)])
    if workload == "notape":
        return [float(tn(out))]
    if workload == "jacobian":
        J = tn(out).reshape(P.JAC_N, P.JAC_N)
        return [float(np.abs(J).sum()), float(J[3, 7]), str(J.dtype)]
    return None


# --------------------------------------------------------------------- timing

def calibrate(fn, block, min_time):
    """Seconds of one call, and how many calls make a sample of about min_time."""
    t0 = time.perf_counter()
    block(fn())
    one = time.perf_counter() - t0
    return one, max(1, int(min_time / max(one, 1e-9)))


def measure(fn, block, samples, min_time):
    """Median-ready list of seconds per call: `samples` samples, each a batch of
    calls long enough to last about min_time."""
    gc.collect()
    one, number = calibrate(fn, block, min_time)
    times = []
    if number == 1:                 # a slow call: the calibration call is a sample
        times.append(one)
    while len(times) < samples:
        gc.collect()
        t0 = time.perf_counter()
        for _ in range(number):
            block(fn())
        times.append((time.perf_counter() - t0) / number)
    return times, number


def make_fn(lib, workload):
    if workload == "scalar":
        return lib.scalar()
    if workload == "mlp_small":
        return lib.mlp(P.MLP_SMALL)
    if workload == "mlp_medium":
        return lib.mlp(P.MLP_MEDIUM)
    if workload == "jacobian":
        return lib.jacobian()
    if workload == "notape":
        return lib.notape(P.MLP_SMALL)
    raise ValueError(workload)


def run_timed(lib, workload, samples, min_time):
    settle_allocator()
    fn = make_fn(lib, workload)
    out = lib.block(fn())            # warm-up (and compilation for jit)
    check = check_value(lib, workload, out)
    del out
    times, number = measure(fn, lib.block, samples, min_time)
    res = {"times": times, "number": number, "check": check}
    if workload == "scalar" and hasattr(lib, "extra_scalar"):
        res["extra"] = lib.extra_scalar()
    return res


def settle_allocator():
    """Free one large block, as any process that has once freed a large array has: glibc
    then raises its mmap threshold (128 KB at start) to the block's size, and arrays up to
    that size stop costing an mmap, page faults and a munmap per allocation. Done the
    same way for every library; without it, a fresh process's first workload pays the
    start-up threshold (the 256x256 Jacobian: tapegrad 0.51-0.58 ms instead of 0.26-0.30)."""
    block = np.empty(16 << 20, np.uint8)
    del block


def serve(lib, workload, min_time):
    """Interleaved timing: set the workload up, warm it, calibrate a batch of calls
    lasting about min_time and say so; then time one batch per "sample" line read
    from stdin (run.py alternates the libraries' samples this way), until "quit"."""
    settle_allocator()
    fn = make_fn(lib, workload)
    out = lib.block(fn())
    ready = {"check": check_value(lib, workload, out)}
    del out
    one, number = calibrate(fn, lib.block, min_time)
    ready["number"] = number
    ready["call_s"] = one
    if workload == "scalar" and hasattr(lib, "extra_scalar"):
        ready["extra"] = lib.extra_scalar()
    print(MARK + json.dumps(ready), flush=True)
    for line in sys.stdin:
        if line.strip() != "sample":
            break
        gc.collect()
        if number > 1:
            # one untimed call first: the library timed before this one has had the
            # caches, and this process's thread pools have been stopped (negligible
            # beside a call that lasts a whole sample, which is not repeated)
            lib.block(fn())
        t0 = time.perf_counter()
        for _ in range(number):
            lib.block(fn())
        print(MARK + json.dumps({"time": (time.perf_counter() - t0) / number}), flush=True)


# --------------------------------------------------------------------- memory

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_bytes():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_memory_chain(lib, chain_ops_override=None):
    if not hasattr(lib, "chain_input"):
        lib.chain_record(None, 0)       # raises NotApplicable with the reason
        raise NotApplicable("not measured")
    import tracemalloc
    # keyed by module, so TensorFlow standing in for tapegrad gets its count
    key = lib.tf.__name__ if isinstance(lib, TfStyleLib) else lib.name
    n_ops = chain_ops_override or MEMORY_CHAIN_OPS.get(key, P.MEMORY_CHAIN_OPS)
    n_iter = n_ops // 2
    x = lib.chain_input()
    # warm the code path (first-use allocations are not per-op cost)
    h = lib.chain_record(x, 100)
    del h
    gc.collect()
    # 1) resident set size, without tracemalloc
    rss0 = rss_bytes()
    t0 = time.perf_counter()
    holder = lib.chain_record(x, n_iter)
    t_rec = time.perf_counter() - t0
    gc.collect()
    rss1 = rss_bytes()
    grad = lib.chain_grad(holder, x)
    del holder
    gc.collect()
    # 2) Python-visible allocations (tracemalloc)
    tracemalloc.start()
    cur0 = tracemalloc.get_traced_memory()[0]
    holder = lib.chain_record(x, n_iter)
    gc.collect()
    cur1 = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del holder
    exact = P.chain_grad_exact(n_iter)
    return {"ops": n_ops,
            "rss_bytes_per_op": (rss1 - rss0) / n_ops,
            "tracemalloc_bytes_per_op": (cur1 - cur0) / n_ops,
            "record_us_per_op": t_rec / n_ops * 1e6,
            "grad_rel_err": abs(grad - exact) / exact}


def run_memory_mlp(lib):
    import tracemalloc
    fn = make_fn(lib, "mlp_medium")
    # cold: the first step in this process, lazy initialisation (and jit
    # compilation) included
    gc.collect()
    rss_cold = rss_bytes()
    reset_peak_rss()
    lib.block(fn())
    cold = peak_rss_bytes() - rss_cold
    # steady state: three more steps after that warm-up (a framework with a
    # caching allocator filled its pool during the warm-up, so this reads ~0)
    gc.collect()
    rss0 = rss_bytes()
    exact_reset = reset_peak_rss()
    for _ in range(3):
        lib.block(fn())
    peak = peak_rss_bytes()
    gc.collect()
    tracemalloc.start()
    cur0 = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    lib.block(fn())
    tm_peak = tracemalloc.get_traced_memory()[1] - cur0
    tracemalloc.stop()
    return {"peak_rss_delta_bytes": max(0, peak - rss0),
            "cold_peak_rss_delta_bytes": max(0, cold),
            "peak_rss_method": "VmHWM after clear_refs" if exact_reset else "ru_maxrss",
            "tracemalloc_peak_bytes": tm_peak}


# --------------------------------------------------------------------- main

def blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    out = []
    for d in threadpool_info():
        out.append({k: d.get(k) for k in ("user_api", "internal_api", "version",
                                          "num_threads", "threading_layer",
                                          "architecture", "filepath")})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--workloads", default="")
    ap.add_argument("--samples", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=0.05)
    ap.add_argument("--ce-form", default=None)
    ap.add_argument("--standin", default=None)
    ap.add_argument("--probe", action="store_true")
    ap.add_argument("--serve", action="store_true",
                    help="time samples of one workload on request (see serve)")
    ap.add_argument("--chain-ops", type=int, default=None,
                    help="override the op count of memory_chain")
    a = ap.parse_args()

    result = {"lib": a.lib}
    try:
        t0 = time.perf_counter()
        lib = make_lib(a.lib, a.standin, a.ce_form)
        result["import_s"] = time.perf_counter() - t0
        result["version"] = lib.version()
        result["info"] = lib.info()
        result["available"] = True
    except Exception as e:  # ImportError and anything a broken install raises
        result["available"] = False
        result["error"] = "%s: %s" % (type(e).__name__, e)
        print(MARK + json.dumps(result))
        return
    if a.probe:
        if a.lib == "tapegrad":
            tf = lib.tf
            result["info"]["ce_form"] = tfstyle.choose_ce_form(tf)
            result["info"]["has_jacobian"] = hasattr(getattr(tf, "GradientTape", None), "jacobian")
            result["info"]["module_file"] = getattr(tf, "__file__", "")
        print(MARK + json.dumps(result))
        return

    if a.serve:
        try:
            serve(lib, a.workloads, a.min_time)
        except NotApplicable as e:
            print(MARK + json.dumps({"skipped": str(e)}), flush=True)
        except Exception as e:
            print(MARK + json.dumps({"error": "%s: %s" % (type(e).__name__, e),
                                     "traceback": traceback.format_exc(limit=4)}), flush=True)
        print(MARK + json.dumps({"blas": blas_info()}), flush=True)
        return

    results = {}
    for w in [w for w in a.workloads.split(",") if w]:
        try:
            if w == "memory_chain":
                results[w] = run_memory_chain(lib, a.chain_ops)
            elif w == "memory_mlp":
                results[w] = run_memory_mlp(lib)
            else:
                results[w] = run_timed(lib, w, a.samples, a.min_time)
        except NotApplicable as e:
            results[w] = {"skipped": str(e)}
        except Exception as e:
            results[w] = {"error": "%s: %s" % (type(e).__name__, e),
                          "traceback": traceback.format_exc(limit=4)}
        gc.collect()
    result["results"] = results
    result["blas"] = blas_info()
    print(MARK + json.dumps(result))


if __name__ == "__main__":
    main()
