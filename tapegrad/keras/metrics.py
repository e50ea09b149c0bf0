"""tg.keras.metrics: Keras 3's metrics, stateful (`update_state`, `result`, `reset_state`;
the state in non-trainable variables, `metric.variables`) with Keras's numbers.

A metric is not differentiated: its update is NumPy arithmetic on the values (read
without a copy), accumulated into float32 variables; `result()` returns a tensor.
"""
import numpy as _np

import tapegrad as _tg
from . import losses as _losses
from .utils import _auto_name, _deserialize, _get_keras_mask, _serialize

__all__ = ["Metric", "Sum", "Mean", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
           "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
           "SparseTopKCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError",
           "RootMeanSquaredError", "BinaryCrossentropy", "CategoricalCrossentropy",
           "SparseCategoricalCrossentropy", "KLDivergence", "Precision", "Recall",
           "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives", "AUC",
           "accuracy", "binary_accuracy", "categorical_accuracy",
           "sparse_categorical_accuracy", "top_k_categorical_accuracy",
           "sparse_top_k_categorical_accuracy", "get", "serialize", "deserialize"]

NEG_INF = -1e10
_EPSILON = 1e-7


def _np_value(x, dtype=None):
    """A NumPy value of a tensor, variable, array or Python value (no copy when it
    already has the dtype)."""
    a = _np.asarray(x) if isinstance(x, (_tg.Tensor, _tg.Variable)) else x
    a = _np.asarray(a)
    return a if dtype is None or a.dtype == dtype else a.astype(dtype)


def _same_rank(x1, x2, expand_rank_1=True):
    """squeeze_or_expand_to_same_rank on NumPy arrays."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def _divide_no_nan(a, b):
    a, b = _np.asarray(a), _np.asarray(b)
    if a.ndim == 0 and b.ndim == 0:          # Mean's result, every step of fit: no errstate
        return a / b if b != 0 else _np.zeros_like(a * b)
    with _np.errstate(divide="ignore", invalid="ignore"):
        return _np.where(b == 0, _np.zeros_like(a * b), a / _np.where(b == 0, 1, b))


class Metric:
    """The base class: `update_state(...)` accumulates, `result()` reads, `reset_state()`
    starts over; `metric(...)` updates and returns the result."""

    def __init__(self, dtype=None, name=None):
        self.name = name or _auto_name(type(self).__name__)
        self._dtype = _np.dtype(getattr(dtype, "name", dtype) or "float32")
        self._metrics = []
        self._variables = []

    def __setattr__(self, name, value):
        if isinstance(value, Metric) and "_metrics" in self.__dict__:
            self._metrics.append(value)
        super().__setattr__(name, value)

    @property
    def dtype(self):
        return self._dtype.name

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """A state variable of the metric (not trainable), tracked in `variables`."""
        if "_variables" not in self.__dict__:
            raise RuntimeError("You forgot to call `super().__init__()` "
                               "in the `__init__()` method. Go add it!")
        from . import initializers
        dtype = _np.dtype(getattr(dtype, "name", dtype) or self._dtype)
        value = _np.asarray(initializers.get(initializer)(tuple(shape), dtype=dtype), dtype)
        v = _tg.Variable(value, trainable=False, name=name)
        self._variables.append(v)
        return v

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        return self.add_variable(shape, initializer, dtype=dtype, name=name)

    @property
    def variables(self):
        out = list(self._variables)
        for m in self._metrics:
            out.extend(m.variables)
        return out

    def reset_state(self):
        for v in self.variables:
            v.assign(_np.zeros(tuple(v.shape), v.dtype))

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        if "_variables" not in self.__dict__:
            raise RuntimeError("You forgot to call `super().__init__()` "
                               "in the `__init__()` method. Go add it!")
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"

    __str__ = __repr__


# reductions --------------------------------------------------------------------------

def _reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    values = _np_value(values, dtype)
    if sample_weight is not None:
        sample_weight = _np_value(sample_weight, dtype)
        values, sample_weight = _same_rank(values, sample_weight)
        weight_ndim, values_ndim = sample_weight.ndim, values.ndim
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, values_ndim)))
        sample_weight = _np.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of the values."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", dtype=self._dtype, name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = _reduce_to_samplewise_values(values, sample_weight, _np.sum, self._dtype)
        self.total.assign_add(_np.sum(values, dtype=self._dtype))

    def reset_state(self):
        self.total.assign(_np.zeros((), self._dtype))

    def result(self):
        return self.total.read_value()


class Mean(Metric):
    """The (weighted) mean of the values: total / count."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", dtype=self._dtype, name="total")
        self.count = self.add_variable((), "zeros", dtype=self._dtype, name="count")

    def update_state(self, values, sample_weight=None):
        if type(sample_weight) is int and type(values) is _tg.Tensor and not values.shape:
            # a scalar weighted by a count (fit's loss tracker, every step): the general
            # path's numbers without its broadcasting and reductions
            t = self._dtype.type
            v = _np.asarray(values)
            v = t(v) if v.dtype == self._dtype else v.astype(self._dtype)[()]
            w = t(sample_weight)
            self.total.assign_add(_np.asarray(v * w))
            self.count.assign_add(_np.asarray(w))
            return
        values, sample_weight = _reduce_to_samplewise_values(values, sample_weight,
                                                             _np.mean, self._dtype)
        self.total.assign_add(_np.sum(values, dtype=self._dtype))
        if sample_weight is not None:
            n = _np.sum(sample_weight, dtype=self._dtype)
        elif values.ndim >= 1:
            n = values.shape[0]
        else:
            n = 1
        self.count.assign_add(_np.asarray(n, self._dtype))

    def reset_state(self):
        self.total.assign(_np.zeros((), self._dtype))
        self.count.assign(_np.zeros((), self._dtype))

    def result(self):
        return _tg.constant(_divide_no_nan(_np.asarray(self.total), _np.asarray(self.count))
                           .astype(self._dtype))


class MeanMetricWrapper(Mean):
    """The mean of fn(y_true, y_pred, **kwargs) over the samples seen."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = _get_keras_mask(y_pred)          # a model output's mask: weights 0 and 1
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if mask is not None:
            sample_weight = _losses.apply_mask(sample_weight, mask, self._dtype, "sum")
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


# accuracies (NumPy: they are not differentiable) -------------------------------------

def _floatx(a):
    return _tg.constant(_np.asarray(a, _np.float32))


def _accuracy(y_true, y_pred):
    y_pred = _np_value(y_pred)
    y_true, y_pred = _same_rank(_np_value(y_true, y_pred.dtype), y_pred)
    return y_true == y_pred


def accuracy(y_true, y_pred):
    """1.0 where y_true equals y_pred, else 0.0."""
    return _floatx(_accuracy(y_true, y_pred))


def _binary_accuracy(y_true, y_pred, threshold=0.5):
    y_true, y_pred = _same_rank(_np_value(y_true), _np_value(y_pred))
    return y_true == (y_pred > threshold).astype(y_true.dtype)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where y_true equals (y_pred > threshold), else 0.0."""
    return _floatx(_binary_accuracy(y_true, y_pred, threshold))


def _categorical_accuracy(y_true, y_pred):
    y_pred = _np_value(y_pred)
    y_true = _np.argmax(_np_value(y_true), axis=-1).astype(y_pred.dtype)
    shape = y_true.shape
    reshape = False
    if y_true.ndim == y_pred.ndim:
        y_true = y_true[..., 0]
        reshape = True
    matches = y_true == _np.argmax(y_pred, axis=-1).astype(y_true.dtype)
    return matches.reshape(shape) if reshape else matches


def categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_true) equals argmax(y_pred), else 0.0."""
    return _floatx(_categorical_accuracy(y_true, y_pred))


def _sparse_categorical_accuracy(y_true, y_pred):
    y_pred = _np_value(y_pred)
    y_true = _np_value(y_true, y_pred.dtype)
    shape = y_true.shape
    reshape = False
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
        reshape = True
    matches = y_true == _np.argmax(y_pred, axis=-1).astype(y_true.dtype)
    if reshape:
        matches = matches.reshape(shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = matches[..., 0]
    return matches


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label equals argmax(y_pred), else 0.0."""
    return _floatx(_sparse_categorical_accuracy(y_true, y_pred))


def _in_top_k(targets, predictions, k):
    # tf.math.in_top_k: the target's score is in the top k when fewer than k scores are
    # strictly greater (ties at the boundary count as in); non-finite scores never are
    rows = _np.arange(predictions.shape[0])
    target_scores = predictions[rows, targets]
    greater = _np.sum(predictions > target_scores[:, None], axis=-1)
    finite = _np.all(_np.isfinite(predictions), axis=-1)
    return (greater < k) & finite


def _top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_pred = _np_value(y_pred)
    y_true = _np.argmax(_np_value(y_true, y_pred.dtype), axis=-1)
    shape = y_true.shape
    if y_pred.ndim > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    matches = _in_top_k(y_true.reshape(-1).astype("int32"), y_pred, k)
    return matches.reshape(shape) if len(shape) > 1 else matches


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot target is among the k largest scores, else 0.0."""
    return _floatx(_top_k_categorical_accuracy(y_true, y_pred, k))


def _sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_pred = _np_value(y_pred)
    y_true = _np_value(y_true).astype("int32")
    shape = y_true.shape
    if y_pred.ndim > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    matches = _in_top_k(y_true.reshape(-1), y_pred, k)
    return matches.reshape(shape) if len(shape) > 1 else matches


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the integer target is among the k largest scores, else 0.0."""
    return _floatx(_sparse_top_k_categorical_accuracy(y_true, y_pred, k))


def _np_fn(fn):
    """A metric function giving float32 NumPy values (the metrics' internal form)."""
    return lambda y_true, y_pred, **kw: _np.asarray(fn(y_true, y_pred, **kw), _np.float32)


def _metric_class(cls_name, fn, default_name, doc, **options):
    """A MeanMetricWrapper subclass of fn, with Keras's signature
    (options..., name, dtype) and config."""
    order = list(options) + ["name", "dtype"]

    def __init__(self, *args, **kwargs):
        given = dict(zip(order, args))
        for key, v in kwargs.items():
            if key not in order:
                raise TypeError(f"{cls_name}.__init__() got an unexpected keyword argument "
                                f"'{key}'")
            given[key] = v
        opts = {key: given.get(key, v) for key, v in options.items()}
        MeanMetricWrapper.__init__(self, fn, name=given.get("name", default_name),
                                   dtype=given.get("dtype"), **opts)
        for key, v in opts.items():
            setattr(self, key, v)

    return type(cls_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": doc,
                                                "__module__": __name__})


Accuracy = _metric_class("Accuracy", _np_fn(_accuracy), "accuracy",
                         "How often predictions equal labels.")
BinaryAccuracy = _metric_class("BinaryAccuracy", _np_fn(_binary_accuracy), "binary_accuracy",
                               "How often (y_pred > threshold) equals binary labels.",
                               threshold=0.5)
CategoricalAccuracy = _metric_class(
    "CategoricalAccuracy", _np_fn(_categorical_accuracy), "categorical_accuracy",
    "How often argmax(y_pred) equals argmax of one-hot labels.")
SparseCategoricalAccuracy = _metric_class(
    "SparseCategoricalAccuracy", _np_fn(_sparse_categorical_accuracy),
    "sparse_categorical_accuracy", "How often argmax(y_pred) equals integer labels.")
TopKCategoricalAccuracy = _metric_class(
    "TopKCategoricalAccuracy", _np_fn(_top_k_categorical_accuracy),
    "top_k_categorical_accuracy", "How often one-hot targets are in the top k (k=5).", k=5)
SparseTopKCategoricalAccuracy = _metric_class(
    "SparseTopKCategoricalAccuracy", _np_fn(_sparse_top_k_categorical_accuracy),
    "sparse_top_k_categorical_accuracy",
    "How often integer targets are in the top k (k=5).", k=5)
MeanSquaredError = _metric_class("MeanSquaredError", _losses.mean_squared_error,
                                 "mean_squared_error", "Mean of the squared errors.")
MeanAbsoluteError = _metric_class("MeanAbsoluteError", _losses.mean_absolute_error,
                                  "mean_absolute_error", "Mean of the absolute errors.")
KLDivergence = _metric_class("KLDivergence", _losses.kl_divergence, "kl_divergence",
                             "Mean Kullback-Leibler divergence.")
BinaryCrossentropy = _metric_class(
    "BinaryCrossentropy", _losses.binary_crossentropy, "binary_crossentropy",
    "Mean binary cross entropy.", from_logits=False, label_smoothing=0.0)
CategoricalCrossentropy = _metric_class(
    "CategoricalCrossentropy", _losses.categorical_crossentropy, "categorical_crossentropy",
    "Mean categorical cross entropy.", from_logits=False, label_smoothing=0.0, axis=-1)
SparseCategoricalCrossentropy = _metric_class(
    "SparseCategoricalCrossentropy", _losses.sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", "Mean sparse categorical cross entropy.",
    from_logits=False, axis=-1)


class RootMeanSquaredError(Mean):
    """sqrt of the mean of the squared errors."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = _np_value(y_pred, self._dtype)
        y_true, y_pred = _same_rank(_np_value(y_true, self._dtype), y_pred)
        return super().update_state(_np.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return _tg.constant(_np.sqrt(_np.asarray(super().result())))


# confusion-matrix metrics ------------------------------------------------------------

def _parse_thresholds(thresholds, default_threshold=0.5):
    if thresholds is not None:
        listed = thresholds if isinstance(thresholds, (list, tuple)) else [thresholds]
        invalid = [t for t in listed if t is None or t < 0 or t > 1]
        if invalid:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")
    t = default_threshold if thresholds is None else thresholds
    return list(t) if isinstance(t, (list, tuple)) else [t]


def _evenly_distributed(thresholds):
    n = len(thresholds)
    if n < 3:
        return False
    even = _np.arange(n, dtype=_np.float32) / (n - 1)
    return bool(_np.allclose(thresholds, even, atol=_EPSILON))


def _filter_top_k(x, k):
    idx = _np.argsort(-x, axis=-1, kind="stable")[..., :k]
    mask = _np.zeros_like(x)
    _np.put_along_axis(mask, idx, 1, axis=-1)
    return x * mask + NEG_INF * (1 - mask)


def _confusion_counts(y_true, y_pred, thresholds, top_k=None, class_id=None,
                      sample_weight=None, multi_label=False, label_weights=None,
                      evenly=False, dtype=_np.dtype("float32")):
    """(tp, fp, tn, fn) per threshold (and per label with multi_label), as Keras's
    update_confusion_matrix_variables: predicted positive is y_pred > threshold,
    actual positive is y_true != 0, every entry of the arrays one decision."""
    y_true = _np_value(y_true, dtype)
    y_pred = _np_value(y_pred, dtype)
    thresholds = _np.asarray(thresholds, dtype)
    y_pred, y_true = _same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = _np_value(sample_weight, dtype)[..., None]
        _, sample_weight = _same_rank(y_true, sample_weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with "
                             "shape (num_samples, num_classes), found shape: "
                             f"{y_pred.shape}")
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    weights = (_np.ones_like(y_pred) if sample_weight is None
               else _np.broadcast_to(sample_weight, y_pred.shape).astype(dtype))
    if label_weights is not None and not multi_label:
        weights = weights * _np.broadcast_to(_np.asarray(label_weights, dtype), y_pred.shape)
    labels = y_true != 0
    if multi_label:
        preds = y_pred.reshape(y_pred.shape[0], -1)
        labels = labels.reshape(preds.shape)
        weights = weights.reshape(preds.shape)
    else:
        preds, labels, weights = y_pred.reshape(-1, 1), labels.reshape(-1, 1), \
            weights.reshape(-1, 1)
    n_t = len(thresholds)
    if evenly:
        with_eps = thresholds[0] < 0.0 or thresholds[-1] > 1.0
        bucket = _np.ceil(_np.clip(preds, 0.0, 1.0) * dtype.type(n_t - 1)) - 1
        if with_eps:
            bucket = _np.maximum(bucket, 0)
        bucket = bucket.astype(_np.int64)
        true_w = labels * weights
        false_w = (~labels) * weights
        tp = _np.zeros((n_t, preds.shape[1]), dtype)
        fp = _np.zeros((n_t, preds.shape[1]), dtype)
        for j in range(preds.shape[1]):
            tb = _np.bincount(bucket[:, j], true_w[:, j], minlength=n_t)[:n_t]
            fb = _np.bincount(bucket[:, j], false_w[:, j], minlength=n_t)[:n_t]
            tp[:, j] = _np.cumsum(tb[::-1])[::-1]
            fp[:, j] = _np.cumsum(fb[::-1])[::-1]
        tn = _np.sum(false_w, axis=0, dtype=dtype) - fp
        fn = _np.sum(true_w, axis=0, dtype=dtype) - tp
    else:
        pos = preds[None] > thresholds.reshape(-1, 1, 1)            # (T, N, L)
        lab = labels[None]
        w = weights[None]
        tp = _np.sum(_np.where(lab & pos, w, 0), axis=1, dtype=dtype)
        fp = _np.sum(_np.where(~lab & pos, w, 0), axis=1, dtype=dtype)
        tn = _np.sum(_np.where(~lab & ~pos, w, 0), axis=1, dtype=dtype)
        fn = _np.sum(_np.where(lab & ~pos, w, 0), axis=1, dtype=dtype)
    if not multi_label:
        tp, fp, tn, fn = tp[:, 0], fp[:, 0], tn[:, 0], fn[:, 0]
    return tp.astype(dtype), fp.astype(dtype), tn.astype(dtype), fn.astype(dtype)


class _ConfusionMetric(Metric):
    """Counts of tp, fp, tn, fn at thresholds (the ones a subclass keeps)."""
    _kept = ()

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None,
                 default_threshold=0.5):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = _parse_thresholds(
            thresholds, default_threshold if top_k is None else NEG_INF)
        self._thresholds_distributed_evenly = _evenly_distributed(self.thresholds)
        for kind in self._kept:
            setattr(self, kind, self.add_variable((len(self.thresholds),), "zeros",
                                                  name=kind))

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = dict(zip(("true_positives", "false_positives", "true_negatives",
                           "false_negatives"),
                          _confusion_counts(y_true, y_pred, self.thresholds, self.top_k,
                                            self.class_id, sample_weight,
                                            evenly=self._thresholds_distributed_evenly,
                                            dtype=self._dtype)))
        for kind in self._kept:
            getattr(self, kind).assign_add(counts[kind])

    def reset_state(self):
        for kind in self._kept:
            getattr(self, kind).assign(_np.zeros(len(self.thresholds), self._dtype))

    def _out(self, value):
        value = _np.asarray(value, self._dtype)
        return _tg.constant(value[0] if len(self.thresholds) == 1 else value)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_ConfusionMetric):
    """tp / (tp + fp) at each threshold (0.5), of the top_k scores, or of class_id."""
    _kept = ("true_positives", "false_positives")

    def result(self):
        tp, fp = _np.asarray(self.true_positives), _np.asarray(self.false_positives)
        return self._out(_divide_no_nan(tp, tp + fp))


class Recall(_ConfusionMetric):
    """tp / (tp + fn) at each threshold (0.5), of the top_k scores, or of class_id."""
    _kept = ("true_positives", "false_negatives")

    def result(self):
        tp, fn = _np.asarray(self.true_positives), _np.asarray(self.false_negatives)
        return self._out(_divide_no_nan(tp, tp + fn))


def _count_class(cls_name, kind, doc):
    def __init__(self, thresholds=None, name=None, dtype=None):
        _ConfusionMetric.__init__(self, thresholds, name=name, dtype=dtype)

    def result(self):
        return self._out(getattr(self, kind).numpy())

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "thresholds": self.init_thresholds}

    return type(cls_name, (_ConfusionMetric,), {
        "__init__": __init__, "result": result, "get_config": get_config, "__doc__": doc,
        "_kept": (kind,), "__module__": __name__})


TruePositives = _count_class("TruePositives", "true_positives", "Weighted true positives.")
FalsePositives = _count_class("FalsePositives", "false_positives",
                              "Weighted false positives.")
TrueNegatives = _count_class("TrueNegatives", "true_negatives", "Weighted true negatives.")
FalseNegatives = _count_class("FalseNegatives", "false_negatives",
                              "Weighted false negatives.")


class AUC(Metric):
    """Area under the ROC or precision-recall curve, from counts at num_thresholds (200)
    thresholds; Riemann sums by 'interpolation' (the default), 'minoring' or 'majoring'."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        curves = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
        if str(curve).lower() not in curves:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are '
                             '["PR", "ROC"]')
        methods = {"interpolation", "majoring", "minoring"}
        if str(summation_method).lower() not in methods:
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             'Expected values are ["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._thresholds_distributed_evenly = _evenly_distributed(
                _np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1)
                          for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        self._thresholds = _np.array([0.0 - _EPSILON] + thresholds + [1.0 + _EPSILON])
        self.curve = curves[str(curve).lower()]
        self.summation_method = str(summation_method).lower()
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = (None if label_weights is None
                              else _np.asarray(label_weights, self._dtype))
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build([None, num_labels])
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. "
                                 f"Found rank {len(shape)}. Full shape received for "
                                 f"`y_pred`: {shape}")
            self._num_labels = shape[1]
            vshape = (self.num_thresholds, self._num_labels)
        else:
            vshape = (self.num_thresholds,)
        self.true_positives = self.add_variable(vshape, "zeros", name="true_positives")
        self.false_positives = self.add_variable(vshape, "zeros", name="false_positives")
        self.true_negatives = self.add_variable(vshape, "zeros", name="true_negatives")
        self.false_negatives = self.add_variable(vshape, "zeros", name="false_negatives")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self._built:
            self._build(tuple(_np.shape(_np_value(y_pred))))
        y_pred = _np_value(y_pred, self._dtype)
        if self._from_logits:
            y_pred = 1 / (1 + _np.exp(-y_pred))
        counts = _confusion_counts(
            y_true, y_pred, self._thresholds, sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
            evenly=self._thresholds_distributed_evenly, dtype=self._dtype)
        for v, c in zip((self.true_positives, self.false_positives, self.true_negatives,
                         self.false_negatives), counts):
            v.assign_add(c)

    def _by_label(self, terms):
        if not self.multi_label:
            return _np.sum(terms)
        by_label = _np.sum(terms, axis=0)
        if self.label_weights is None:
            return _np.mean(by_label)
        return _divide_no_nan(_np.sum(by_label * self.label_weights),
                              _np.sum(self.label_weights))

    def _interpolate_pr_auc(self, tp, fp, fn):
        n = self.num_thresholds
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        prec_slope = _divide_no_nan(dtp, _np.maximum(dp, 0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_p_ratio = _np.where((p[:n - 1] > 0) & (p[1:] > 0),
                                 _divide_no_nan(p[:n - 1], _np.maximum(p[1:], 0)),
                                 _np.ones_like(p[1:]))
        with _np.errstate(divide="ignore"):
            log_ratio = _np.log(safe_p_ratio)
        increment = _divide_no_nan(prec_slope * (dtp + intercept * log_ratio),
                                   _np.maximum(tp[1:] + fn[1:], 0))
        return self._by_label(increment)

    def result(self):
        tp, fp = _np.asarray(self.true_positives), _np.asarray(self.false_positives)
        tn, fn = _np.asarray(self.true_negatives), _np.asarray(self.false_negatives)
        n = self.num_thresholds
        if self.curve == "PR" and self.summation_method == "interpolation":
            return _tg.constant(_np.asarray(self._interpolate_pr_auc(tp, fp, fn), self._dtype))
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _divide_no_nan(tp, tp + fp)
        else:
            scaling = _divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scaling * _divide_no_nan(fn, tp)
            precision_gain = 1.0 - scaling * _divide_no_nan(fp, tp)
            recall_gain = _np.maximum(_np.where(tp == 0, 0.0, recall_gain), 0.0)
            precision_gain = _np.where(tp == 0, 1.0, precision_gain)
            x, y = recall_gain, precision_gain
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = _np.minimum(y[:n - 1], y[1:])
        else:
            heights = _np.maximum(y[:n - 1], y[1:])
        terms = (x[:n - 1] - x[1:]) * heights
        return _tg.constant(_np.asarray(self._by_label(terms), self._dtype))

    def reset_state(self):
        if self._built:
            for v in (self.true_positives, self.false_positives, self.true_negatives,
                      self.false_negatives):
                v.assign(_np.zeros(tuple(v.shape), v.dtype))

    def get_config(self):
        config = {"num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels,
                  "label_weights": None if self.label_weights is None
                  else self.label_weights.tolist(),
                  "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return {**super().get_config(), **config}


# lookup ----------------------------------------------------------------------------------

_CLASSES = [Sum, Mean, Accuracy, BinaryAccuracy, CategoricalAccuracy,
            SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
            MeanSquaredError, MeanAbsoluteError, RootMeanSquaredError, BinaryCrossentropy,
            CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Precision,
            Recall, TruePositives, FalsePositives, TrueNegatives, FalseNegatives, AUC]
_FUNCTIONS = [accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
              top_k_categorical_accuracy, sparse_top_k_categorical_accuracy,
              _losses.mean_squared_error, _losses.mean_absolute_error,
              _losses.mean_absolute_percentage_error, _losses.mean_squared_logarithmic_error,
              _losses.binary_crossentropy, _losses.categorical_crossentropy,
              _losses.sparse_categorical_crossentropy, _losses.kl_divergence,
              _losses.poisson, _losses.hinge, _losses.squared_hinge,
              _losses.categorical_hinge, _losses.log_cosh, _losses.huber]


def _snake(name):
    from .utils import _to_snake_case
    return _to_snake_case(name)


_ALL = {o.__name__: o for o in _CLASSES + _FUNCTIONS}
_ALL.update({_snake(c.__name__): c for c in _CLASSES})
_ALL.update({o.__name__: o for o in _FUNCTIONS})
_ALL.update({"bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "mse": MeanSquaredError,
             "MSE": MeanSquaredError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError})


def serialize(metric):
    return (_serialize(metric) if isinstance(metric, Metric)
            else getattr(metric, "__name__", metric))


def deserialize(config, custom_objects=None):
    return _deserialize(_ALL, config, custom_objects, "metric")


def get(identifier):
    """A metric from a name: a function for a function name ('sparse_categorical_accuracy',
    'mse' gives the class), an instance for a class name ('AUC'); a config dict; or a
    callable, returned as it is."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


# tf.keras's short names
mse = MSE = _losses.mean_squared_error
mae = MAE = _losses.mean_absolute_error
mape = MAPE = _losses.mean_absolute_percentage_error
msle = MSLE = _losses.mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = _losses.kl_divergence
logcosh = _losses.log_cosh
binary_crossentropy = _losses.binary_crossentropy
categorical_crossentropy = _losses.categorical_crossentropy
sparse_categorical_crossentropy = _losses.sparse_categorical_crossentropy
poisson, hinge, squared_hinge = _losses.poisson, _losses.hinge, _losses.squared_hinge
categorical_hinge, huber = _losses.categorical_hinge, _losses.huber
