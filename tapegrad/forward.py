"""ForwardAccumulator: forward-mode autodiff, as tf.autodiff.ForwardAccumulator."""
from . import _nest
from . import _tape
from ._tape import Tensor, Variable
from .tape import UnconnectedGradients, _broadcast_like, _unconnected


class ForwardAccumulator:
    """Computes Jacobian-vector products as ops run: inside the context, every op's
    output gets a tangent from its inputs' tangents (each op's JVP rule)."""

    def __init__(self, primals, tangents):
        flat_p = _nest.flatten(primals)
        flat_t = _nest.flatten(tangents)
        if len(flat_p) != len(flat_t):
            raise ValueError(f"ForwardAccumulator: got {len(flat_p)} primals and "
                             f"{len(flat_t)} tangents; they must match")
        self._acc = _tape.Accumulator()
        seen = set()
        for p, t in zip(flat_p, flat_t):
            if not isinstance(p, (Tensor, Variable)):
                raise TypeError(f"ForwardAccumulator: primals must be Tensors or Variables, "
                                f"got {type(p).__name__}")
            if id(p) in seen:
                raise ValueError(f"Tensor {p!r} was specified as a primal multiple times. "
                                 f"This may indicate an error. If it was intended, please "
                                 f"sum the corresponding tangents.")
            seen.add(id(p))
            t = _tape.convert_to_tensor(t, dtype=p.dtype)
            if tuple(t.shape) != tuple(p.shape):   # a scalar tangent: every element's
                t = _broadcast_like(t, p, "ForwardAccumulator: tangent", "the primal's")
            self._acc.set_tangent(p, t)

    def __enter__(self):
        if self._acc.active:
            raise ValueError("Accumulator is already recording.")
        self._acc.start()
        return self

    def __exit__(self, typ, value, traceback):
        self._acc.stop()

    def jvp(self, primals, unconnected_gradients=UnconnectedGradients.NONE):
        """The tangent of each of `primals` (a nest), None (or zeros) where unconnected."""
        zero = _unconnected(unconnected_gradients) is UnconnectedGradients.ZERO

        def one(p):
            t = self._acc.tangent(p)
            if t is None and zero:
                return _tape.zeros_like(p)
            return t

        return _nest.map_structure(one, primals)
