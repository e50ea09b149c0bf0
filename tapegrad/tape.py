"""GradientTape: the context manager in front of the compiled tape (tapegrad._tape.Tape).

This file does what is per call, not per op: the tape stack, watching, nests of targets
and sources, output gradients, unconnected gradients, jacobians. Recording and the
reverse sweep are compiled."""
import contextlib
import enum
import warnings

from . import _nest
from . import errors
from . import _tape
from ._tape import Tensor, Variable


class UnconnectedGradients(enum.Enum):
    """What `gradient` gives for a source the target does not depend on."""
    NONE = "none"
    ZERO = "zero"


_ONE_CALL = ("A non-persistent GradientTape can only be used to compute one set of "
             "gradients (or jacobians)")


def _unconnected(value):
    if value is UnconnectedGradients.NONE or value is UnconnectedGradients.ZERO:
        return value
    try:
        return UnconnectedGradients(value)
    except ValueError:
        raise ValueError(f"Unknown value for unconnected_gradients: {value!r}; expected "
                         f"'none', 'zero' or a tg.UnconnectedGradients member") from None


def _is_tensor(x):
    return isinstance(x, (Tensor, Variable))


def _check_tensors(flat, what):
    """Targets and sources must be tensors. The classes are TensorFlow's: None is a
    TypeError, another object an AttributeError (TensorFlow reads its `dtype`)."""
    for x in flat:
        if type(x) is Tensor or type(x) is Variable:
            continue
        if x is None:
            raise TypeError(f"gradient: `{what}` must be Tensors or Variables (or a nest of "
                            f"them), got None")
        if not _is_tensor(x):
            raise AttributeError(f"gradient: `{what}` must be Tensors or Variables (or a "
                                 f"nest of them), got a {type(x).__module__}."
                                 f"{type(x).__name__}: {x!r}")


def _broadcast_like(value, like, what, whose):
    """value broadcast to like's shape; a ValueError naming `what` when it does not."""
    try:
        return _tape.broadcast_to(value, like.shape)
    except errors.InvalidArgumentError:
        raise ValueError(f"{what}: shape {tuple(value.shape)} does not broadcast to "
                         f"{whose} shape {tuple(like.shape)}") from None


class GradientTape:
    """Records operations for automatic differentiation, as tf.GradientTape.

    Trainable variables read inside the context are watched automatically (unless
    `watch_accessed_variables=False`); tensors through `watch`. `gradient` answers once,
    or any number of times with `persistent=True`."""

    _keep_values = False   # tg.autodiff.Trace keeps every recorded op's values

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = bool(persistent)
        self._watch_accessed_variables = bool(watch_accessed_variables)
        self._tape = None
        self._recording = False
        self._watched = None   # the compiled tape of the last call, once the record is gone

    # the context --------------------------------------------------------------------

    def __enter__(self):
        self._push_tape()
        return self

    def __exit__(self, typ, value, traceback):
        if self._recording:
            self._tape.stop()       # _pop_tape, inlined: this runs once per step
            self._recording = False

    def _push_tape(self):
        if self._recording:
            raise ValueError("Tape is still recording, This can happen if you try to "
                             "re-enter an already-active tape.")
        if self._tape is None:
            self._tape = _tape.Tape(self._persistent, self._watch_accessed_variables,
                                    self._keep_values)
        self._tape.start()
        self._recording = True

    def _pop_tape(self):
        if not self._recording:
            raise ValueError("Tape is not recording.")
        self._tape.stop()
        self._recording = False

    @contextlib.contextmanager
    def stop_recording(self):
        """Temporarily stop recording operations on this tape (a ValueError if the tape is
        not recording, a RuntimeError if it has no record at all, as TensorFlow)."""
        if self._tape is None:
            raise RuntimeError("GradientTape.stop_recording() can only be used in a "
                               "context manager.")
        self._pop_tape()
        try:
            yield
        finally:
            self._push_tape()

    def reset(self):
        """Clear all information stored in this tape; only while it records (a ValueError
        otherwise, as TensorFlow)."""
        self._pop_tape()
        self._tape = None
        self._watched = None
        self._push_tape()

    # watching -----------------------------------------------------------------------

    def watch(self, tensor):
        """Ensure `tensor` (a Tensor, a Variable, or a nest of them) is traced."""
        if self._tape is None:
            self._tape = _tape.Tape(self._persistent, self._watch_accessed_variables,
                                    self._keep_values)
        for t in _nest.flatten(tensor):
            if not _is_tensor(t):
                raise ValueError(f"Passed in object of type {type(t)}, not tg.Tensor or "
                                 f"tg.Variable")
            self._tape.watch(t)

    def watched_variables(self):
        """The variables this tape watches, in the order they were created (as TensorFlow)."""
        if self._tape is not None:
            return self._tape.watched_variables()
        return self._watched.watched_variables() if self._watched is not None else ()

    # gradients ----------------------------------------------------------------------

    def _begin_call(self):
        if self._tape is None:
            raise RuntimeError(_ONE_CALL)
        if self._recording:
            if not self._persistent:
                self._pop_tape()
            else:
                warnings.warn("Calling GradientTape.gradient on a persistent tape inside "
                              "its context is significantly less efficient than calling "
                              "it outside the context (it causes the gradient ops to be "
                              "recorded on the tape, leading to increased CPU and memory "
                              "usage). Only call GradientTape.gradient inside the context "
                              "if you actually want to trace the gradient in order to "
                              "compute higher order derivatives.", stacklevel=3)

    def _end_call(self):
        # A non-persistent compiled tape is used from the moment its one call begins (it
        # refuses any other): once it is, drop it, whatever ended the call (an error, or
        # Ctrl-C landing anywhere); a call refused before it began keeps it.
        if not self._persistent and self._tape is not None and self._tape.used:
            self._watched = self._tape   # its watched variables outlive its record
            self._tape = None

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """The gradient of the sum of `target` (a tensor or nest) with respect to each
        of `sources` (a nest), packed like `sources`."""
        self._begin_call()
        unconnected = _unconnected(unconnected_gradients)
        # the usual call (a tensor, or a flat list or tuple of them) is flattened in C
        flat_targets = _tape.flat_tensors(target, False)
        if flat_targets is None:
            if target is None:
                raise TypeError("Argument `target` should be a list or nested structure of "
                                "Tensors or Variables to be differentiated, but received "
                                "None.")
            flat_targets = _nest.flatten(target)
            _check_tensors(flat_targets, "target")
        flat_sources = _tape.flat_tensors(sources, True)
        flat = flat_sources is not None
        if not flat:
            flat_sources = _nest.flatten(sources)
            _check_tensors(flat_sources, "sources")
            for s in flat_sources:
                if s.dtype.kind not in "fc":
                    warnings.warn(f"The dtype of the source tensor must be floating (e.g. "
                                  f"tg.float32) when calling GradientTape.gradient, got "
                                  f"{s.dtype.name}", stacklevel=2)
        seeds = self._seeds(flat_targets, output_gradients)
        if output_gradients is not None:
            # a None entry among given output gradients: that target contributes nothing
            kept = [i for i, s in enumerate(seeds) if s is not None]
            flat_targets = [flat_targets[i] for i in kept]
            seeds = [seeds[i] for i in kept]
        try:
            grads = self._tape.gradient(flat_targets, flat_sources, seeds)
        finally:
            self._end_call()
        if unconnected is UnconnectedGradients.ZERO:
            grads = [_tape.zeros_like(s) if g is None else g
                     for g, s in zip(grads, flat_sources)]
        if flat:
            return (grads if type(sources) is list else tuple(grads) if type(sources) is tuple
                    else grads[0])
        return _nest.pack_sequence_as(sources, grads)

    @staticmethod
    def _seeds(flat_targets, output_gradients):
        if output_gradients is None:
            return [None] * len(flat_targets)
        flat = _nest.flatten(output_gradients)
        if len(flat) != len(flat_targets):
            raise ValueError(f"output_gradients: expected one per target ({len(flat_targets)}"
                             f"), got {len(flat)}")
        seeds = []
        for og, t in zip(flat, flat_targets):
            if og is None:
                seeds.append(None)
                continue
            og = _tape.convert_to_tensor(og, dtype=t.dtype)
            if tuple(og.shape) != tuple(t.shape):
                # a scalar (or any shape that broadcasts) seeds every element, as the
                # product rules of TensorFlow's sweep broadcast it
                og = _broadcast_like(og, t, "output_gradients", "the target's")
            seeds.append(og)
        return seeds

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """d target / d source for each source: shape target.shape + source.shape."""
        if not experimental_use_pfor and not self._persistent:
            raise RuntimeError("GradientTape must be created with persistent=True to "
                               "compute the jacobian with experimental_use_pfor=False.")
        self._begin_call()
        unconnected = _unconnected(unconnected_gradients)
        if not _is_tensor(target):
            raise TypeError(f"jacobian: target must be a Tensor or Variable, got "
                            f"{type(target).__name__}")
        flat_sources = _nest.flatten(sources)
        for s in flat_sources:
            if not _is_tensor(s):
                raise ValueError(f"jacobian: sources must be Tensors or Variables, got "
                                 f"{type(s).__name__}")
        try:
            rows = self._tape.jacobian(target, flat_sources, bool(experimental_use_pfor))
        finally:
            self._end_call()
        tshape = tuple(target.shape)
        out = []
        for r, s in zip(rows, flat_sources):
            if r is None:
                out.append(_tape.zeros(tshape + tuple(s.shape), s.dtype)
                           if unconnected is UnconnectedGradients.ZERO else None)
            else:
                out.append(r)
        return _nest.pack_sequence_as(sources, out)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example jacobians: target [b, y...], source [b, x...] -> [b, y..., x...]."""
        _unconnected(unconnected_gradients)
        if not _is_tensor(target) or not _is_tensor(source):
            raise ValueError("batch_jacobian: target and source must be Tensors or Variables")
        tshape, sshape = tuple(target.shape), tuple(source.shape)
        for what, shape in (("target", tshape), ("source", sshape)):
            if len(shape) < 2:
                raise ValueError(f"batch_jacobian: {what} must have rank at least 2 "
                                 f"([batch, ...]), got shape {shape}")
        if tshape[0] != sshape[0]:
            raise ValueError(f"batch_jacobian: need first dimension of target shape {tshape} "
                             f"and source shape {sshape} to match.")
        if not experimental_use_pfor and not self._persistent:
            raise RuntimeError("GradientTape must be created with persistent=True to "
                               "compute the batch_jacobian with experimental_use_pfor=False.")
        self._begin_call()
        try:
            # unconnected: zeros whatever `unconnected_gradients` says, as TensorFlow
            return self._tape.batch_jacobian(target, source, bool(experimental_use_pfor))
        finally:
            self._end_call()
