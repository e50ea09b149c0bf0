"""tg.keras.losses: Keras 3's losses, as classes (`MeanSquaredError()(y_true, y_pred,
sample_weight)`, with Keras's reductions) and as functions (`mean_squared_error(y_true,
y_pred)`, one value per sample), written with tapegrad's ops so that they differentiate.
"""
import warnings as _warnings

import numpy as _np

import tapegrad as _tg
from .. import nn as _nn
from . import activations as _activations
from .utils import _auto_name, _deserialize, _get_keras_mask, _serialize

EPSILON = 1e-7   # keras.backend.epsilon()

__all__ = ["Loss", "LossFunctionWrapper", "MeanSquaredError", "MeanAbsoluteError",
           "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Huber", "LogCosh",
           "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
           "KLDivergence", "Poisson", "CosineSimilarity", "Hinge", "SquaredHinge",
           "CategoricalHinge", "mean_squared_error", "mean_absolute_error",
           "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "huber",
           "log_cosh", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "kl_divergence", "poisson",
           "cosine_similarity", "hinge", "squared_hinge", "categorical_hinge",
           "get", "serialize", "deserialize"]

_REDUCTIONS = {"sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight"}


def _tensor(x, dtype=None):
    """convert_to_tensor, casting (not refusing) to `dtype`, as keras.ops does."""
    t = _tg.convert_to_tensor(x)
    if dtype is not None and t.dtype != dtype:
        t = _tg.cast(t, dtype)
    return t


def _pred_true(y_true, y_pred):
    y_pred = _tensor(y_pred)
    return _tensor(y_true, y_pred.dtype), y_pred


def standardize_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError("Invalid value for argument `reduction`. "
                         f"Expected one of {_REDUCTIONS}. Received: reduction={reduction}")
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Squeeze (or expand) the last axis of length 1 so both have the same rank."""
    r1, r2 = len(x1.shape), len(x2.shape)
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = _tg.expand_dims(x2, -1)
        else:
            x1 = _tg.squeeze(x1, -1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = _tg.expand_dims(x1, -1)
        else:
            x2 = _tg.squeeze(x2, -1)
    return x1, x2


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    if reduction is None or reduction == "none" or tuple(values.shape) in ((), (0,)):
        return values
    loss = _tg.reduce_sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = _tg.cast(_tg.reduce_sum(sample_weight), loss.dtype)
        else:
            divisor = _np.asarray(values.shape.num_elements(), loss.dtype)
        if isinstance(divisor, _np.ndarray):
            loss = loss / divisor if divisor != 0 else _tg.zeros_like(loss)
        else:   # divide_no_nan by the sum of the weights
            zero = _tg.equal(divisor, 0)
            loss = _tg.where(zero, _tg.zeros_like(loss),
                            loss / _tg.where(zero, _tg.ones_like(divisor), divisor))
    return loss


def apply_mask(sample_weight, mask, dtype, reduction):
    """Merge a boolean mask (NumPy) into the sample weights: masked entries weigh 0, and
    for the mean reductions the others weigh total / valid, so the mean is over them."""
    if mask is None:
        return sample_weight
    mask = _np.asarray(mask, bool)
    if reduction in ("mean", "sum_over_batch_size"):
        valid = mask.sum()
        weight = mask.size / valid if valid else 0.0
        float_mask = _tensor(_np.where(mask, weight, 0).astype(dtype))
    else:
        float_mask = _tensor(mask.astype(dtype))
    if sample_weight is None:
        return float_mask
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(
        float_mask, _tensor(sample_weight, dtype))
    return sample_weight * float_mask


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size",
                           dtype=None, mask=None):
    """The losses times the sample weights (rank matched; a mask merged in), reduced."""
    reduction = standardize_reduction(reduction)
    values = _tensor(values, dtype)
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        sample_weight = _tensor(sample_weight, values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


class Loss:
    """The base class: `call(y_true, y_pred)` gives the per-sample losses, `__call__`
    weights and reduces them (reduction 'sum_over_batch_size' by default; 'sum', 'mean',
    'mean_with_sample_weight', 'none' or None)."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or _auto_name(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = _np.dtype(getattr(dtype, "name", dtype) or "float32")

    @property
    def dtype(self):
        return self._dtype.name

    def __call__(self, y_true, y_pred, sample_weight=None):
        in_mask = _get_keras_mask(y_pred)        # a model output's mask (sequence outputs)
        y_pred = _tensor(y_pred, self._dtype)
        y_true = _tensor(y_true, self._dtype)
        losses = self.call(y_true, y_pred)
        mask = self._mask(y_true, y_pred)
        if in_mask is not None:
            in_mask = _np.asarray(in_mask, bool)
            mask = in_mask if mask is None else in_mask & mask
        return reduce_weighted_values(losses, sample_weight, self.reduction, self._dtype,
                                      mask)

    def _mask(self, y_true, y_pred):
        # which per-sample losses count (Keras's mask on the losses), or None: all
        return None

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A Loss from a per-sample loss function `fn(y_true, y_pred, **kwargs)`."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"


def _wrapper(fn, default_name, doc, **defaults):
    """The __init__ of a LossFunctionWrapper subclass for fn with keyword options
    `defaults`; positional arguments fill the options, then reduction, name, dtype, in
    Keras's order."""
    order = list(defaults) + ["reduction", "name", "dtype"]

    def __init__(self, *args, **kwargs):
        if len(args) > len(order):
            raise TypeError(f"{type(self).__name__}() takes at most {len(order)} positional "
                            f"arguments ({len(args)} given)")
        given = dict(zip(order, args))
        for k, v in kwargs.items():
            if k not in order:
                raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword "
                                f"argument '{k}'")
            if k in given:
                raise TypeError(f"{type(self).__name__}.__init__() got multiple values for "
                                f"argument '{k}'")
            given[k] = v
        options = {k: given.get(k, v) for k, v in defaults.items()}
        LossFunctionWrapper.__init__(
            self, fn, reduction=given.get("reduction", "sum_over_batch_size"),
            name=given.get("name", default_name), dtype=given.get("dtype"), **options)
        for k, v in options.items():
            setattr(self, k, v)

    return __init__, doc


# per-sample loss functions -------------------------------------------------------------

def mean_squared_error(y_true, y_pred):
    """mean((y_true - y_pred)²) over the last axis."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pred_true(y_true, y_pred))
    return _tg.reduce_mean(_tg.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """mean(|y_true - y_pred|) over the last axis."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pred_true(y_true, y_pred))
    return _tg.reduce_mean(_tg.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(|y_true - y_pred| / max(|y_true|, epsilon)) over the last axis."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pred_true(y_true, y_pred))
    eps = _np.asarray(EPSILON, y_pred.dtype)
    diff = _tg.abs((y_true - y_pred) / _tg.maximum(_tg.abs(y_true), eps))
    return 100.0 * _tg.reduce_mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))²) over the last axis."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pred_true(y_true, y_pred))
    eps = _np.asarray(EPSILON, y_pred.dtype)
    first = _tg.log(_tg.maximum(y_pred, eps) + 1.0)
    second = _tg.log(_tg.maximum(y_true, eps) + 1.0)
    return _tg.reduce_mean(_tg.square(first - second), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """Quadratic within delta of the target, linear beyond, averaged over the last axis."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pred_true(y_true, y_pred))
    delta = _np.asarray(delta, y_pred.dtype)
    error = y_pred - y_true
    abs_error = _tg.abs(error)
    half = _np.asarray(0.5, y_pred.dtype)
    return _tg.reduce_mean(_tg.where(abs_error <= delta, half * _tg.square(error),
                                   delta * abs_error - half * _np.square(delta)), axis=-1)


def log_cosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true))) over the last axis (stable for large errors)."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pred_true(y_true, y_pred))
    x = y_pred - y_true
    log2 = _np.asarray(_np.log(2.0), y_pred.dtype)
    return _tg.reduce_mean(x + _tg.softplus(x * -2.0) - log2, axis=-1)


def kl_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred)) over the last axis, both clipped to [eps, 1]."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    y_true = _tg.clip_by_value(y_true, EPSILON, 1.0)
    y_pred = _tg.clip_by_value(y_pred, EPSILON, 1.0)
    return _tg.reduce_sum(y_true * _tg.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + eps)) over the last axis."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    eps = _np.asarray(EPSILON, y_pred.dtype)
    return _tg.reduce_mean(y_pred - y_true * _tg.log(y_pred + eps), axis=-1)


def _normalize(x, axis):
    # Keras's l2 normalization: x * min(rsqrt(sum(x²)), 1 / epsilon)
    if len(x.shape) == 0:
        x = _tg.expand_dims(x, 0)
    inv = _tg.rsqrt(_tg.reduce_sum(_tg.square(x), axis=axis, keepdims=True))
    return x * _tg.minimum(inv, 1.0 / EPSILON)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Minus the cosine of the angle between y_true and y_pred along `axis`."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pred_true(y_true, y_pred))
    return -_tg.reduce_sum(_normalize(y_true, axis) * _normalize(y_pred, axis), axis=axis)


def _hinge_labels(y_true):
    # labels in {0, 1} become {-1, 1}; others are kept
    v = _np.asarray(y_true)
    return 2.0 * y_true - 1.0 if _np.all((v == 0) | (v == 1)) else y_true


def hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)) over the last axis ({0, 1} labels to {-1, 1})."""
    y_pred = _tensor(y_pred)
    y_true = _hinge_labels(_tensor(y_true, y_pred.dtype))
    return _tg.reduce_mean(_tg.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)²) over the last axis."""
    y_pred = _tensor(y_pred)
    y_true = _hinge_labels(_tensor(y_true, y_pred.dtype))
    return _tg.reduce_mean(_tg.square(_tg.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    pos = _tg.reduce_sum(y_true * y_pred, axis=-1)
    neg = _tg.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return _tg.maximum(neg - pos + 1.0, _np.asarray(0, y_pred.dtype))


def _check_same_shape(target, output, what="the same shape"):
    if len(target.shape) != len(output.shape):
        raise ValueError("Arguments `target` and `output` must have the same rank (ndim). "
                         f"Received: target.shape={target.shape}, output.shape={output.shape}")
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError("Arguments `target` and `output` must have the same shape. "
                         f"Received: target.shape={target.shape}, output.shape={output.shape}")


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross entropy of binary labels, averaged over `axis`; y_pred are probabilities
    (clipped to [eps, 1 - eps]) or, with from_logits, logits."""
    logits = None if from_logits else _activations._logits_of(y_pred, "Sigmoid")
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    _check_same_shape(y_true, y_pred)
    if logits is not None:
        y_pred, from_logits = _tensor(logits, y_pred.dtype), True
    if from_logits:
        bce = _nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    else:
        out = _tg.clip_by_value(y_pred, EPSILON, 1.0 - EPSILON)
        bce = -(y_true * _tg.log(out) + (1 - y_true) * _tg.log(1 - out))
    return _tg.reduce_mean(bce, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross entropy of one-hot (or soft) labels along `axis`; y_pred are probabilities
    (renormalized, clipped to [eps, 1 - eps]) or, with from_logits, logits."""
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")
    logits = None if from_logits else _activations._logits_of(y_pred, "Softmax")
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    if len(y_pred.shape) and y_pred.shape[-1] == 1:
        _warnings.warn(
            "In loss categorical_crossentropy, expected y_pred.shape to be (batch_size, "
            f"num_classes) with num_classes > 1. Received: y_pred.shape={y_pred.shape}. "
            "Consider using 'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning, stacklevel=2)
    if label_smoothing:
        num_classes = _np.asarray(y_true.shape[-1], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes)
    if len(y_true.shape) < 1:
        raise ValueError("Arguments `target` and `output` must be at least rank 1. Received: "
                         f"target.shape={y_true.shape}, output.shape={y_pred.shape}")
    _check_same_shape(y_true, y_pred)
    if logits is not None:
        y_pred, from_logits = _tensor(logits, y_pred.dtype), True
    if from_logits:
        return _nn.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    out = y_pred / _tg.reduce_sum(y_pred, axis=axis, keepdims=True)
    out = _tg.clip_by_value(out, EPSILON, 1.0 - EPSILON)
    return -_tg.reduce_sum(y_true * _tg.log(out), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Cross entropy of integer labels; y_pred are probabilities (clipped to
    [eps, 1 - eps]) or, with from_logits, logits. Labels equal to ignore_class give 0."""
    logits = None if from_logits else _activations._logits_of(y_pred, "Softmax")
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[axis] == 1:
        y_true = _tg.squeeze(y_true, axis)
    rank = len(y_pred.shape)
    if axis != -1 and axis != rank - 1:
        raise ValueError(f"Only axis=-1 is currently supported. Received: axis={axis}")
    if rank < 1:
        raise ValueError("Argument `output` must be at least rank 1. Received: "
                         f"output.shape={y_pred.shape}")
    if len(y_true.shape) != rank - 1:
        raise ValueError("Argument `output` must have rank (ndim) `target.ndim - 1`. "
                         f"Received: target.shape={y_true.shape}, output.shape={y_pred.shape}")
    if tuple(y_true.shape) != tuple(y_pred.shape[:-1]):
        raise ValueError("Arguments `target` and `output` must have the same shape up until "
                         f"the last dimension: target.shape={y_true.shape}, "
                         f"output.shape={y_pred.shape}")
    if logits is not None:
        y_pred, from_logits = _tensor(logits, y_pred.dtype), True
    valid = None
    if ignore_class is not None:
        valid = _np.asarray(y_true) != ignore_class
        y_true = _tg.where(valid, y_true, _tg.zeros_like(y_true))
        y_pred = _tg.where(valid[..., None], y_pred, _tg.zeros_like(y_pred))
    labels = _tg.cast(y_true, "int64")
    if not from_logits:
        y_pred = _tg.log(_tg.clip_by_value(y_pred, EPSILON, 1 - EPSILON))
    res = _nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=y_pred)
    if valid is not None:
        res = _tg.where(valid, res, _tg.zeros_like(res))
    return res


# the classes -----------------------------------------------------------------------------

def _loss_class(cls_name, fn, default_name, doc, **options):
    init, doc = _wrapper(fn, default_name, doc, **options)
    return type(cls_name, (LossFunctionWrapper,), {"__init__": init, "__doc__": doc,
                                                   "__module__": __name__})


MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error, "mean_squared_error",
                               "Mean of the squared errors.")
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error,
                                "mean_absolute_error", "Mean of the absolute errors.")
MeanAbsolutePercentageError = _loss_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error,
    "mean_absolute_percentage_error", "100 times the mean relative absolute error.")
MeanSquaredLogarithmicError = _loss_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", "Mean squared error of log(1 + x).")
Huber = _loss_class("Huber", huber, "huber_loss", "Huber loss (delta=1.0).", delta=1.0)
LogCosh = _loss_class("LogCosh", log_cosh, "log_cosh", "Mean of log(cosh(error)).")
KLDivergence = _loss_class("KLDivergence", kl_divergence, "kl_divergence",
                           "Kullback-Leibler divergence of y_pred from y_true.")
Poisson = _loss_class("Poisson", poisson, "poisson", "Poisson negative log-likelihood.")
CosineSimilarity = _loss_class("CosineSimilarity", cosine_similarity, "cosine_similarity",
                               "Minus the cosine similarity along `axis`.", axis=-1)
Hinge = _loss_class("Hinge", hinge, "hinge", "Hinge loss.")
SquaredHinge = _loss_class("SquaredHinge", squared_hinge, "squared_hinge",
                           "Squared hinge loss.")
CategoricalHinge = _loss_class("CategoricalHinge", categorical_hinge, "categorical_hinge",
                               "Categorical hinge loss.")
BinaryCrossentropy = _loss_class(
    "BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
    "Binary cross entropy (from_logits=False, label_smoothing=0.0, axis=-1).",
    from_logits=False, label_smoothing=0.0, axis=-1)
CategoricalCrossentropy = _loss_class(
    "CategoricalCrossentropy", categorical_crossentropy, "categorical_crossentropy",
    "Categorical cross entropy of one-hot labels (from_logits=False, label_smoothing=0.0, "
    "axis=-1).", from_logits=False, label_smoothing=0.0, axis=-1)
SparseCategoricalCrossentropy = _loss_class(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy",
    "Categorical cross entropy of integer labels (from_logits=False, ignore_class=None).",
    from_logits=False, ignore_class=None)


def _sparse_init(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
    # Keras's argument order (reduction before axis)
    LossFunctionWrapper.__init__(self, sparse_categorical_crossentropy, reduction=reduction,
                                 name=name, dtype=dtype, from_logits=from_logits,
                                 ignore_class=ignore_class, axis=axis)
    self.from_logits = from_logits
    self.ignore_class = ignore_class
    self.axis = axis


def _sparse_mask(self, y_true, y_pred):
    if self.ignore_class is None:
        return None
    t = _np.asarray(y_true)
    if t.ndim == len(y_pred.shape) and t.shape[-1] == 1:
        t = t[..., 0]
    return t != self.ignore_class


SparseCategoricalCrossentropy.__init__ = _sparse_init
SparseCategoricalCrossentropy._mask = _sparse_mask

# lookup ----------------------------------------------------------------------------------

_CLASSES = [MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
            MeanSquaredLogarithmicError, Huber, LogCosh, KLDivergence, Poisson,
            CosineSimilarity, Hinge, SquaredHinge, CategoricalHinge, BinaryCrossentropy,
            CategoricalCrossentropy, SparseCategoricalCrossentropy]
_FUNCTIONS = [mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
              mean_squared_logarithmic_error, huber, log_cosh, kl_divergence, poisson,
              cosine_similarity, hinge, squared_hinge, categorical_hinge,
              binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy]
_ALL = {o.__name__: o for o in _CLASSES + _FUNCTIONS}
_ALL.update({"bce": binary_crossentropy, "BCE": binary_crossentropy, "kld": kl_divergence,
             "KLD": kl_divergence, "mae": mean_absolute_error, "MAE": mean_absolute_error,
             "mse": mean_squared_error, "MSE": mean_squared_error,
             "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
             "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error})


def serialize(loss):
    return _serialize(loss) if isinstance(loss, Loss) else getattr(loss, "__name__", loss)


def deserialize(name, custom_objects=None):
    return _deserialize(_ALL, name, custom_objects, "loss")


def get(identifier):
    """A loss from a name: a function for a function name or alias ('mse',
    'sparse_categorical_crossentropy'), an instance for a class name ('Huber'); a config
    dict; or a callable, returned as it is."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss identifier: {identifier}")


# tf.keras's short names
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
