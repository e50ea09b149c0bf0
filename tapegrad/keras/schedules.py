"""tg.keras.optimizers.schedules: learning rates as functions of the optimizer's step,
as Keras 3's (each returns a 0-d tensor of the initial learning rate's dtype, float32 for
a Python float, computed in that dtype as Keras computes it)."""
import math as _math

import numpy as _np

import tapegrad as _tg
from .utils import _serialize

__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay",
           "PolynomialDecay", "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts",
           "serialize", "deserialize"]


def _value(x):
    """A NumPy value of a number, a tensor or a variable (not copied)."""
    return x.numpy() if isinstance(x, (_tg.Tensor, _tg.Variable)) else _np.asarray(x)


def _dtype_of(initial_learning_rate):
    return _tg.convert_to_tensor(initial_learning_rate).dtype


def _cast(x, dtype):
    return _np.asarray(_value(x)).astype(dtype)[()]


def _out(x, dtype):
    return _tg.constant(_np.asarray(x, dtype))


def _check_steps(name, steps):
    if steps <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={steps}")


class LearningRateSchedule:
    """The base class: a schedule is called with the step and returns a learning rate."""

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' "
            "must override `__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' "
            "must override `get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class _RateDecay(LearningRateSchedule):
    """ExponentialDecay's and InverseTimeDecay's arguments, configuration and progress
    step / decay_steps (floored with staircase); `_decay(lr, decay_rate, progress)` is
    the formula."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase, name):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name
        _check_steps("decay_steps", decay_steps)

    def __call__(self, step):
        dt = _dtype_of(self.initial_learning_rate)
        p = _cast(step, dt) / _cast(self.decay_steps, dt)
        if self.staircase:
            p = _np.floor(p)
        return _out(self._decay(_cast(self.initial_learning_rate, dt),
                                _cast(self.decay_rate, dt), p), dt)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_RateDecay):
    """initial_learning_rate * decay_rate ** (step / decay_steps) (floored with staircase)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def _decay(self, lr, rate, p):
        return lr * _np.power(rate, p)


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[i] for boundaries[i-1] < step <= boundaries[i]."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of "
                f"values. Received: boundaries={boundaries} of length "
                f"{len(boundaries)}, and values={values} of length {len(values)}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        values = [_value(_tg.convert_to_tensor(v)) for v in self.values]
        dt = _np.asarray(values[0]).dtype
        s = _value(_tg.convert_to_tensor(step))
        bounds = [_np.asarray(_value(_tg.convert_to_tensor(b))).astype(s.dtype)
                  for b in self.boundaries]
        r = _np.asarray(0, dt)
        r = r + _np.asarray(s <= bounds[0], dt) * values[0]
        r = r + _np.asarray(s > bounds[-1], dt) * values[-1]
        for low, high, v in zip(bounds[:-1], bounds[1:], values[1:-1]):
            r = r + _np.asarray((s > low) & (s <= high), dt) * v
        return _out(r, dt)

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """(initial - end) * (1 - step / decay_steps) ** power + end, with `cycle` restarts."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power=1.0, cycle=False, name="PolynomialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_steps("decay_steps", decay_steps)

    def __call__(self, step):
        dt = _dtype_of(self.initial_learning_rate)
        lr = _cast(self.initial_learning_rate, dt)
        end = _cast(self.end_learning_rate, dt)
        power = _cast(self.power, dt)
        s = _cast(step, dt)
        steps = _cast(self.decay_steps, dt)
        if self.cycle:
            mult = dt.type(1.0) if s == 0 else _np.ceil(s / dt.type(self.decay_steps))
            steps = steps * mult
        else:
            s = _np.minimum(s, steps)
        p = s / steps
        return _out((lr - end) * _np.power(1 - p, power) + end, dt)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(_RateDecay):
    """initial_learning_rate / (1 + decay_rate * step / decay_steps)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def _decay(self, lr, rate, p):
        return lr / (rate.dtype.type(1) + rate * p)


class CosineDecay(LearningRateSchedule):
    """Cosine decay from the initial rate (or, after a linear warmup, from
    warmup_target) to alpha times it over decay_steps."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_steps("decay_steps", decay_steps)

    def _decay(self, step, decay_steps, decay_from_lr, dt):
        fraction = step / decay_steps
        cosine = dt.type(0.5) * (dt.type(1.0) + _np.cos(dt.type(_math.pi) * fraction))
        decayed = dt.type(1 - self.alpha) * cosine + dt.type(self.alpha)
        return decay_from_lr * decayed

    def __call__(self, step):
        dt = _dtype_of(self.initial_learning_rate)
        lr = _cast(self.initial_learning_rate, dt)
        steps = _cast(self.decay_steps, dt)
        s = _cast(step, dt)
        if self.warmup_target is None:
            return _out(self._decay(_np.minimum(s, steps), steps, lr, dt), dt)
        target = _cast(self.warmup_target, dt)
        warmup = _cast(self.warmup_steps, dt)
        s = _np.minimum(s, steps + warmup)
        if s < warmup:
            return _out((target - lr) * (s / warmup) + lr, dt)
        return _out(self._decay(s - warmup, steps, target, dt), dt)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods grow by t_mul, peaks by m_mul."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        _check_steps("first_decay_steps", first_decay_steps)

    def __call__(self, step):
        dt = _dtype_of(self.initial_learning_rate)
        lr = _cast(self.initial_learning_rate, dt)
        alpha = _cast(self.alpha, dt)
        t_mul = _cast(self._t_mul, dt)
        m_mul = _cast(self._m_mul, dt)
        fraction = _cast(step, dt) / _cast(self.first_decay_steps, dt)
        one = dt.type(1.0)
        if t_mul == 1.0:
            i_restart = _np.floor(fraction)
            fraction = fraction - i_restart
        else:
            i_restart = _np.floor(_np.log(one - fraction * (one - t_mul)) / _np.log(t_mul))
            sum_r = (one - _np.power(t_mul, i_restart)) / (one - t_mul)
            fraction = (fraction - sum_r) / _np.power(t_mul, i_restart)
        cosine = dt.type(0.5) * _np.power(m_mul, i_restart) * (
            one + _np.cos(dt.type(_math.pi) * fraction))
        return _out(lr * ((one - alpha) * cosine + alpha), dt)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


def serialize(learning_rate_schedule):
    """{'class_name': ..., 'config': ...} of a schedule."""
    return _serialize(learning_rate_schedule)


def deserialize(config, custom_objects=None):
    """The schedule a serialize() dict describes."""
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or globals().get(name)
    if not (isinstance(cls, type) and issubclass(cls, LearningRateSchedule)):
        raise ValueError(f"Unknown decay: '{name}'. Please ensure you are using a "
                         "`keras.utils.custom_object_scope` and that this object is "
                         "included in the scope.")
    return cls.from_config(config["config"])
