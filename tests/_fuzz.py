"""A random API fuzzer for tapegrad's tape: interleaved tapes (nested, persistent, reset,
stopped), forward accumulators, custom gradients (that raise, re-enter tapes, return
Python numbers), variables assigned and deleted, exceptions through `with` blocks, and
the cyclic GC (with finalizers that run ops) firing at random.

    python tests/_fuzz.py                      # TAPEGRAD_FUZZ_STEPS steps (default 400)
    TAPEGRAD_FUZZ_STEPS=200000 TAPEGRAD_FUZZ_SEED=7 python tests/_fuzz.py   # a long run

It fails (exit status 1, with the seed and step) on any exception outside the few that
the API documents for misuse (RuntimeError, ValueError, InvalidArgumentError,
InternalError), on a gradient of the wrong shape or dtype, on two sweeps of one
persistent tape that disagree, and on recording state left behind; a crash fails the
test that runs it (tests/test_fuzz.py) through the exit status.
"""
import gc
import os
import random
import sys
import warnings

import numpy as np

import tapegrad as tg
from tapegrad import _tape
from tapegrad.errors import InternalError, InvalidArgumentError

ALLOWED = (RuntimeError, ValueError, InvalidArgumentError, InternalError)


class FuzzError(Exception):
    """Raised on purpose inside with blocks and grad_fns."""


class Fuzzer:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.values = []        # Tensors and Variables
        self.tapes = []         # every GradientTape made (entered or not)
        self.accs = []          # active accumulators, innermost last
        self.finalizer_budget = 0
        self.stats = {}         # what each action ended with: its name, or the error's

    # pools -----------------------------------------------------------------------------

    def new_value(self):
        r = self.r
        dtype = r.choice([np.float32, np.float64])
        shape = r.choice([(), (), (3,), (2, 3)])
        # (not np.random: it sets a context variable, and a finalizer that does so while
        # the GC runs inside another ContextVar.set corrupts CPython's context)
        a = np.asarray([r.uniform(-1, 1) for _ in range(int(np.prod(shape)))],
                       dtype).reshape(shape)
        v = tg.Variable(a) if r.random() < 0.3 else tg.constant(a)
        self.values.append(v)
        return v

    def pick(self, pred=lambda v: True):
        cands = [v for v in self.values if pred(v)]
        if not cands or self.r.random() < 0.15:
            return self.new_value()
        return self.r.choice(cands)

    def open_tapes(self):
        return [t for t in self.tapes if t._recording]

    # actions ---------------------------------------------------------------------------

    def op(self):
        r = self.r
        a = self.pick()
        kind = r.randrange(8)
        if kind == 0:
            out = r.choice([tg.sin, tg.tanh, tg.square, tg.nn.relu, tg.negative])(a)
        elif kind in (1, 2):
            b = self.pick(lambda v: v.dtype == a.dtype and (
                tuple(v.shape) == tuple(a.shape) or not v.shape or not a.shape))
            out = r.choice([tg.add, tg.multiply, tg.subtract])(a, b)
        elif kind == 3:
            out = a * r.choice([2.0, 0.5, -1.0]) + r.choice([1.0, 0.0])
        elif kind == 4:
            out = tg.reduce_sum(a) if r.random() < 0.5 else tg.reduce_mean(a)
        elif kind == 5 and a.shape:
            out = a[r.randrange(a.shape[0])]
        elif kind == 6:
            out = self.custom(a)
        else:
            b = self.pick()        # any dtype: a float32/float64 mix is an error
            out = a * b
        self.values.append(out)

    def custom(self, a):
        r = self.r
        mode = r.randrange(5)

        @tg.custom_gradient
        def f(x):
            y = tg.sin(x) * 2.0

            def grad(dy, variables=None):   # (a finalizer may read variables inside f)
                if mode == 1:
                    raise FuzzError("grad_fn")
                if mode == 2 and self.tapes:
                    t = r.choice(self.tapes)
                    try:           # re-entering a tape, maybe the one being swept
                        t.gradient(y, x)
                    except ALLOWED:
                        pass
                dx = 1 if mode == 3 and not x.shape else dy * tg.cos(x) * 2.0  # 1: a number
                return (dx, [None] * len(variables)) if variables else dx
            return y, grad

        return f(a)

    def enter_tape(self):
        t = tg.GradientTape(persistent=self.r.random() < 0.5,
                            watch_accessed_variables=self.r.random() < 0.8)
        t.__enter__()
        self.tapes.append(t)
        if len(self.tapes) > 12:
            done = [t for t in self.tapes if not t._recording]
            if done:
                self.tapes.remove(done[0])

    def exit_tape(self):
        ts = self.open_tapes()
        if ts:
            t = self.r.choice(ts)
            if self.r.random() < 0.3:     # an exception propagating through the with block
                t.__exit__(FuzzError, FuzzError("body"), None)
            else:
                t.__exit__(None, None, None)

    def watch(self):
        if self.tapes:
            t = self.r.choice(self.tapes)
            vs = [self.pick() for _ in range(self.r.randrange(1, 3))]
            t.watch(vs if self.r.random() < 0.5 else {"a": vs[0], "b": (vs[-1],)})

    def gradient(self):
        r = self.r
        if not self.tapes:
            return
        t = r.choice(self.tapes)
        targets = [self.pick() for _ in range(r.randrange(1, 3))]
        sources = [self.pick() for _ in range(r.randrange(1, 4))]
        if len({id(s) for s in sources}) != len(sources):
            sources = list({id(s): s for s in sources}.values())
        kw = {}
        if r.random() < 0.2:
            kw["unconnected_gradients"] = "zero"
        if r.random() < 0.2:
            kw["output_gradients"] = [tg.ones_like(x) for x in targets]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gs = t.gradient(targets, sources, **kw)
            if t._persistent and r.random() < 0.3:
                again = t.gradient(targets, sources, **kw)
                for g1, g2 in zip(gs, again):
                    assert (g1 is None) == (g2 is None)
                    if g1 is not None and not t._recording:
                        assert np.array_equal(np.asarray(g1), np.asarray(g2)), (g1, g2)
        assert len(gs) == len(sources)
        for g, s in zip(gs, sources):
            if g is None:
                assert "unconnected_gradients" not in kw
                continue
            assert isinstance(g, tg.Tensor), type(g)
            assert g.dtype == s.dtype, (g.dtype, s.dtype)
            # a grad_fn's Python number for a scalar input: a scalar gradient
            assert tuple(g.shape) in (tuple(s.shape), ()), (g.shape, s.shape)

    def jacobian(self):
        ts = [t for t in self.tapes if t._persistent]
        if ts:
            t = self.r.choice(ts)
            y, x = self.pick(), self.pick()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                j = t.jacobian(y, x, experimental_use_pfor=self.r.random() < 0.5)
            if j is not None:
                assert tuple(j.shape) == tuple(y.shape) + tuple(x.shape)

    def enter_acc(self):
        p = self.pick()
        acc = tg.autodiff.ForwardAccumulator(p, tg.ones_like(p))
        acc.__enter__()
        self.accs.append(acc)

    def exit_acc(self):
        if self.accs:
            acc = self.accs.pop()
            acc.__exit__(None, None, None)
            t = acc.jvp(self.pick())
            assert t is None or isinstance(t, tg.Tensor)

    def misc(self):
        r = self.r
        k = r.randrange(7)
        if k == 0 and self.values:
            del self.values[r.randrange(len(self.values))]
        elif k == 1:
            gc.collect()
        elif k == 2:
            self.finalizer_budget = r.randrange(20)
            _Cycle(self)
        elif k == 3:
            vs = [v for v in self.values if isinstance(v, tg.Variable)]
            if vs:
                v = r.choice(vs)
                v.assign(v * 0.5)
        elif k == 4:
            ts = self.open_tapes()
            if ts:
                t = r.choice(ts)
                with t.stop_recording():
                    self.op()
        elif k == 5:
            ts = self.open_tapes()
            if ts:
                r.choice(ts).reset()
        elif k == 6 and len(self.values) > 60:
            del self.values[:30]

    def step(self):
        actions = [(self.op, 30), (self.enter_tape, 6), (self.exit_tape, 6),
                   (self.watch, 6), (self.gradient, 12), (self.jacobian, 2),
                   (self.enter_acc, 3), (self.exit_acc, 3), (self.misc, 10)]
        fn = self.r.choices([a for a, _ in actions], [w for _, w in actions])[0]
        try:
            fn()
            key = fn.__name__
        except (FuzzError,) + ALLOWED as e:
            key = type(e).__name__
        self.stats[key] = self.stats.get(key, 0) + 1

    def close(self):
        while self.accs:
            self.accs.pop().__exit__(None, None, None)
        for t in self.open_tapes():
            t.__exit__(None, None, None)
        assert not _tape._active_recording()


class _Cycle:
    """Garbage in a reference cycle whose finalizer runs ops (while something records)."""

    def __init__(self, fuzzer):
        self.me = self
        self.fuzzer = fuzzer

    def __del__(self):
        f = self.fuzzer
        if f.finalizer_budget > 0:
            f.finalizer_budget -= 1
            try:
                f.op()
            except (FuzzError,) + ALLOWED:
                pass
            _Cycle(f)


def main():
    steps = int(os.environ.get("TAPEGRAD_FUZZ_STEPS", "400"))
    seed = int(os.environ.get("TAPEGRAD_FUZZ_SEED", "0"))
    f = Fuzzer(seed)
    gc.set_threshold(50, 5, 5)      # the cyclic GC fires often, inside recording
    np.seterr(all="ignore")
    warnings.simplefilter("ignore")
    step = 0
    try:
        for step in range(steps):
            f.step()
        f.close()
    except BaseException:
        print(f"fuzz: failure at step {step} (TAPEGRAD_FUZZ_SEED={seed})", file=sys.stderr)
        raise
    stats = ", ".join(f"{k} {v}" for k, v in sorted(f.stats.items()))
    print(f"fuzz: {steps} steps, seed {seed} ({stats}): ok")


if __name__ == "__main__":
    main()
