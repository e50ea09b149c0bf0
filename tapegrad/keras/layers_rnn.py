"""Recurrent layers: SimpleRNN, LSTM and GRU (and their cells, and RNN over any cell),
with Keras 3's weights (gate orders i, f, c, o for LSTM and z, r, h for GRU,
reset_after=True by default) and its return_sequences / return_state outputs."""
import numpy as np

import tapegrad as tg

from .layers_base import Layer, Variable
from .layers_core import _activation, _init, _reg


def _check_rate(value, name):
    if not 0 <= value <= 1:
        raise ValueError(f"Received an invalid value for argument `{name}`, expected a float "
                         f"between 0 and 1. Received: {name}={value}")
    return float(value)


class _Cell(Layer):
    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Received an invalid value for argument `units`, expected a "
                             f"positive integer, got {units}.")
        self.units = int(units)
        self.activation = _activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = _init(kernel_initializer)
        self.recurrent_initializer = _init(recurrent_initializer)
        self.bias_initializer = _init(bias_initializer)
        self.kernel_regularizer = _reg(kernel_regularizer)
        self.recurrent_regularizer = _reg(recurrent_regularizer)
        self.bias_regularizer = _reg(bias_regularizer)
        self.kernel_constraint, self.recurrent_constraint = kernel_constraint, recurrent_constraint
        self.bias_constraint = bias_constraint
        self.dropout = _check_rate(dropout, "dropout")
        self.recurrent_dropout = _check_rate(recurrent_dropout, "recurrent_dropout")
        self._rng = np.random.default_rng(seed) if seed is not None else None
        self._masks = None

    @property
    def state_size(self):
        return [self.units]

    @property
    def output_size(self):
        return self.units

    def _kernels(self, input_dim, gates):
        self.kernel = self.add_weight(shape=(input_dim, gates * self.units), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, gates * self.units),
                                                name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)

    def _bias(self, shape, initializer=None):
        """The bias weight (None without use_bias), with the cell's regularizer and
        constraint."""
        if not self.use_bias:
            return None
        return self.add_weight(shape=shape, name="bias",
                               initializer=initializer or self.bias_initializer,
                               regularizer=self.bias_regularizer,
                               constraint=self.bias_constraint)

    def _mask(self, like, rate):
        seed = None if self._rng is None else int(self._rng.integers(2 ** 31 - 1))
        return tg.nn.dropout(tg.ones_like(like), rate, seed=seed)

    def reset_dropout_masks(self):
        self._masks = None

    def _dropped(self, x, h, training):
        """The inputs and the state with the dropout masks of this sequence applied (one
        mask per sequence, drawn at its first step, as Keras)."""
        if not training or (not 0 < self.dropout < 1 and not 0 < self.recurrent_dropout < 1):
            return x, h
        if self._masks is None:
            self._masks = (self._mask(x, self.dropout) if 0 < self.dropout < 1 else None,
                           self._mask(h, self.recurrent_dropout)
                           if 0 < self.recurrent_dropout < 1 else None)
        dm, rm = self._masks
        return (x * dm if dm is not None else x), (h * rm if rm is not None else h)

    def get_initial_state(self, batch_size):
        return [tg.zeros((batch_size, d), dtype=self.compute_dtype) for d in self.state_size]


class SimpleRNNCell(_Cell):
    def build(self, input_shape):
        self._kernels(input_shape[-1], 1)
        self.bias = self._bias((self.units,))

    def call(self, inputs, states, training=False):
        prev = states[0] if isinstance(states, (list, tuple)) else states
        x, prev = self._dropped(inputs, prev, training)
        h = tg.matmul(x, self.kernel)
        if self.bias is not None:
            h = h + self.bias
        out = h + tg.matmul(prev, self.recurrent_kernel)
        if self.activation is not None:
            out = self.activation(out)
        return out, [out]


class LSTMCell(_Cell):
    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 unit_forget_bias=True, implementation=2, **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = _activation(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias

    @property
    def state_size(self):
        return [self.units, self.units]

    def build(self, input_shape):
        self._kernels(input_shape[-1], 4)
        init = None
        if self.unit_forget_bias:
            base, u = self.bias_initializer, self.units

            def init(shape, dtype=None):
                parts = [base((u,), dtype=dtype), np.ones(u, dtype=dtype),
                         base((2 * u,), dtype=dtype)]
                return np.concatenate([np.asarray(p) for p in parts])
        self.bias = self._bias((4 * self.units,), init)

    def call(self, inputs, states, training=False):
        h_prev, c_prev = states[0], states[1]
        x, h_in = self._dropped(inputs, h_prev, training)
        z = tg.matmul(x, self.kernel) + tg.matmul(h_in, self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        z0, z1, z2, z3 = tg.split(z, 4, axis=-1)
        i = self.recurrent_activation(z0)
        f = self.recurrent_activation(z1)
        c = f * c_prev + i * self.activation(z2)
        o = self.recurrent_activation(z3)
        h = o * self.activation(c)
        return h, [h, c]


class GRUCell(_Cell):
    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 reset_after=True, implementation=2, **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = _activation(recurrent_activation)
        self.reset_after = reset_after

    def build(self, input_shape):
        self._kernels(input_shape[-1], 3)
        self.bias = self._bias((2, 3 * self.units) if self.reset_after else (3 * self.units,))

    def call(self, inputs, states, training=False):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        x, h_in = self._dropped(inputs, h_prev, training)
        u = self.units
        if self.bias is not None:
            if self.reset_after:
                input_bias, recurrent_bias = self.bias[0], self.bias[1]
            else:
                input_bias, recurrent_bias = self.bias, None
        matrix_x = tg.matmul(x, self.kernel)
        if self.bias is not None:
            matrix_x = matrix_x + input_bias
        x_z, x_r, x_h = tg.split(matrix_x, 3, axis=-1)
        if self.reset_after:
            matrix_inner = tg.matmul(h_in, self.recurrent_kernel)
            if self.bias is not None:
                matrix_inner = matrix_inner + recurrent_bias
        else:
            matrix_inner = tg.matmul(h_in, self.recurrent_kernel[:, :2 * u])
        rz, rr, rh = (tg.split(matrix_inner, 3, axis=-1) if self.reset_after
                      else tg.split(matrix_inner, 2, axis=-1) + [None])
        z = self.recurrent_activation(x_z + rz)
        r = self.recurrent_activation(x_r + rr)
        if self.reset_after:
            recurrent_h = r * rh
        else:
            recurrent_h = tg.matmul(r * h_in, self.recurrent_kernel[:, 2 * u:])
        hh = self.activation(x_h + recurrent_h)
        h = z * h_prev + (1 - z) * hh
        return h, [h]


class RNN(Layer):
    """Run a cell over the time axis (axis 1) of (batch, time, features) inputs."""

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            raise ValueError("RNN: a list of cells (StackedRNNCells) is not supported by "
                             "tapegrad; stack RNN layers instead")
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(f"Argument `cell` should have a `call` method and a "
                             f"`state_size` attribute. Received: cell={cell}")
        self.cell = cell
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards, self.unroll = go_backwards, unroll
        self.stateful = stateful
        self.states = None     # stateful: the states carried from one call to the next
        self.zero_output_for_mask = zero_output_for_mask

    def build(self, sequences_shape, initial_state_shape=None):
        if len(sequences_shape) != 3:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the "
                             f"layer: expected ndim=3, found ndim={len(sequences_shape)}. "
                             f"Full shape received: {tuple(sequences_shape)}")
        if not self.cell.built:
            self.cell.build((sequences_shape[0],) + tuple(sequences_shape[2:]))
            self.cell.built = True
        for v in self.cell.weights:
            if hasattr(v, "path") and not v.path.startswith(self.name + "/"):
                v.path = f"{self.name}/{v.path}"
        import inspect
        self._cell_training = "training" in inspect.signature(self.cell.call).parameters
        if self.stateful:
            if self.states is not None:
                self.reset_state()
            elif sequences_shape[0] is None:
                raise ValueError(f"When using `stateful=True` in a RNN, the batch size must "
                                 f"be static. Found dynamic batch size: "
                                 f"sequence.shape={tuple(sequences_shape)}")
            else:   # Keras's state variables are not among the layer's weights
                object.__setattr__(self, "states", [
                    Variable(np.asarray(s), name="rnn_state", path=f"{self.name}/rnn_state",
                             trainable=False)
                    for s in self.cell.get_initial_state(sequences_shape[0])])

    def reset_state(self):
        """Zero the states a stateful RNN carries over (nothing before it is built)."""
        for v in self.states or ():
            v.assign(tg.zeros_like(v))

    reset_states = reset_state

    def call(self, sequences, initial_state=None, mask=None, training=False):
        batch = sequences.shape[0]
        if self.stateful and batch != self.states[0].shape[0]:
            raise ValueError(f"If an RNN is stateful, the batch size of the input sequences "
                             f"must be the same as the batch size of the initial state. \n"
                             f"- Expected batch size: {self.states[0].shape[0]}\n"
                             f"- Received batch size: {batch}")
        if initial_state is None:
            states = ([tg.convert_to_tensor(v) for v in self.states] if self.stateful
                      else self.cell.get_initial_state(batch))
        else:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
            states = [tg.convert_to_tensor(s) for s in states]
            if len(states) != len(self.cell.state_size):
                raise ValueError(f"Layer {self.name} expects {len(self.cell.state_size)} "
                                 f"state(s), but it received {len(states)} initial state(s).")
        steps = tg.unstack(sequences, axis=1)
        mask_steps = None
        if mask is not None:
            mask_steps = [np.asarray(m) for m in np.moveaxis(np.asarray(mask), 1, 0)]
        if self.go_backwards:
            steps = steps[::-1]
            mask_steps = mask_steps[::-1] if mask_steps is not None else None
        if hasattr(self.cell, "reset_dropout_masks"):
            self.cell.reset_dropout_masks()
        outputs = []
        out = None
        for t, x in enumerate(steps):
            out, new_states = (self.cell.call(x, states, training=training)
                               if self._cell_training else self.cell.call(x, states))
            new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
            if mask_steps is not None:
                keep = tg.constant(mask_steps[t][:, None])
                # a masked step's output: the last one, or zeros (zero_output_for_mask),
                # which is also what the next masked step repeats, as Keras
                prev_out = (outputs[-1] if outputs and not self.zero_output_for_mask
                            else tg.zeros_like(out))
                out = tg.where(keep, out, prev_out)
                new_states = [tg.where(keep, n, s) for n, s in zip(new_states, states)]
            states = new_states
            if self.return_sequences:
                outputs.append(out)
            else:
                outputs = [out]
        if hasattr(self.cell, "reset_dropout_masks"):
            self.cell.reset_dropout_masks()
        result = tg.stack(outputs, axis=1) if self.return_sequences else out
        if self.stateful:
            for v, state in zip(self.states, states):
                v.assign(state)
        if self.return_state:
            return [result] + states
        return result

    supports_masking = True

    def compute_mask(self, inputs, mask=None):
        # the output sequence keeps the input's mask; the last output and states have none
        out = mask if self.return_sequences and mask is not None else None
        return [out] + [None] * len(self.cell.state_size) if self.return_state else out

    @property
    def units(self):
        return self.cell.units

    def get_config(self):
        config = dict(super().get_config(), **{k: getattr(self, k) for k in _RNN_KW})
        if type(self) is not RNN:    # SimpleRNN, LSTM, GRU: over their own cell
            config["units"] = self.units
        return config


_CELL_KW = ("activation", "use_bias", "kernel_initializer", "recurrent_initializer",
            "bias_initializer", "kernel_regularizer", "recurrent_regularizer",
            "bias_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint",
            "dropout", "recurrent_dropout", "seed")


_RNN_KW = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
           "zero_output_for_mask")


def _rnn_init(layer, cell_class, cell_name, units, kwargs, extra=(), **cell_args):
    """RNN.__init__ of a layer over its own cell: kwargs split between the RNN, the cell
    (its arguments and `extra`) and the layer; LSTM's and GRU's `use_cudnn` dropped."""
    rnn_kw = {k: kwargs.pop(k) for k in _RNN_KW if k in kwargs}
    cell_kw = {k: kwargs.pop(k) for k in list(kwargs) if k in _CELL_KW + extra}
    if "implementation" in extra:
        kwargs.pop("use_cudnn", None)
    cell = cell_class(units, dtype=kwargs.get("dtype"), name=cell_name, **cell_args, **cell_kw)
    RNN.__init__(layer, cell, **rnn_kw, **kwargs)


class SimpleRNN(RNN):
    """Fully-connected RNN: h_t = activation(x_t W + h_{t-1} U + b)."""

    def __init__(self, units, activation="tanh", **kwargs):
        _rnn_init(self, SimpleRNNCell, "simple_rnn_cell", units, kwargs, activation=activation)


class LSTM(RNN):
    """Long short-term memory; return_state gives [output, h, c]."""

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", **kwargs):
        _rnn_init(self, LSTMCell, "lstm_cell", units, kwargs,
                  ("unit_forget_bias", "implementation"), activation=activation,
                  recurrent_activation=recurrent_activation)


class GRU(RNN):
    """Gated recurrent unit (reset_after=True by default, as Keras 3)."""

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", **kwargs):
        _rnn_init(self, GRUCell, "gru_cell", units, kwargs, ("reset_after", "implementation"),
                  activation=activation, recurrent_activation=recurrent_activation)
