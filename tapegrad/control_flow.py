"""Control flow as TensorFlow 2 runs it eagerly: `cond`, `case`, `switch_case`,
`while_loop`, `map_fn`, `scan`, `foldl`, `foldr`, `vectorized_map` and `TensorArray`.

Eager TensorFlow runs these as Python control flow over ops; so does tapegrad, and the
tapes record the ops that ran, so gradients (GradientTape) and tangents
(ForwardAccumulator) flow through the branch taken and every iteration. The argument
checks, the result structures and the errors are TensorFlow's (its eager code paths)."""
import functools

import numpy as np

from . import _nest
from .errors import InvalidArgumentError, OutOfRangeError
from .function import TensorSpec, _UnknownShape, _as_shape
from ._tape import (Tensor, Variable, TensorShape, concat, convert_to_tensor, gather,
                    logical_and, split, stack, unstack, zeros)

__all__ = ["cond", "case", "switch_case", "while_loop", "map_fn", "scan", "foldl",
           "foldr", "vectorized_map", "TensorArray"]


# ----- shapes (an element shape may have None dimensions or an unknown rank) ---------------

def _compatible(a, b):
    if isinstance(a, _UnknownShape) or isinstance(b, _UnknownShape):
        return True
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _merge(a, b):
    if isinstance(a, _UnknownShape):
        return b
    if isinstance(b, _UnknownShape):
        return a
    return TensorShape(x if x is not None else y for x, y in zip(a, b))


def _fully_defined(s):
    return not isinstance(s, _UnknownShape) and all(d is not None for d in s)


def _index(i):
    return int(i.numpy()) if isinstance(i, (Tensor, Variable)) else int(i)


# ----- TensorArray ------------------------------------------------------------------------

class TensorArray:
    """A list of tensors of one dtype, as TensorFlow's eager `tf.TensorArray`: `write`
    (returns the array, updated in place), `read`, `stack`, `unstack`, `gather`,
    `scatter`, `concat`, `split`, `size`. Gradients flow from `stack`/`read`/`gather`/
    `concat` to what was written or unstacked."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        if handle is not None:
            raise ValueError("TensorArray handles are not supported when eager "
                             "execution is enabled.")
        if size is None:
            raise ValueError("Size must be declared for TensorArrays when eager "
                             "execution is enabled.")
        self._dtype = np.dtype(dtype)
        self._infer_shape = infer_shape
        self._element_shape = _as_shape(element_shape)
        self._dynamic_size = dynamic_size or False
        self._clear_after_read = True if clear_after_read is None else clear_after_read
        self._previously_read = set()
        self._tensors = [None] * _index(size)

    @property
    def dtype(self):
        return self._dtype

    @property
    def dynamic_size(self):
        return self._dynamic_size

    @property
    def element_shape(self):
        return self._element_shape

    @property
    def flow(self):
        return convert_to_tensor(0)

    handle = None

    def identity(self):
        return self

    def mark_used(self):
        pass

    def size(self, name=None):
        return convert_to_tensor(len(self._tensors))

    def close(self, name=None):
        del self._tensors[:]

    def _zero_if_unset(self, ix):
        t = self._tensors[ix]
        if t is None:
            if not _fully_defined(self._element_shape):
                raise ValueError(f"Cannot convert a partially known TensorShape "
                                 f"{self._element_shape} to a Tensor.")
            t = self._tensors[ix] = zeros(list(self._element_shape), self._dtype)
        return t

    def read(self, index, name=None):
        index = _index(index)
        if index < 0:
            raise OutOfRangeError(f"Reading from negative indices (index {index}) is not "
                                  f"allowed.")
        if index >= len(self._tensors):
            raise OutOfRangeError(f"Tried to read from index {index} but array size is: "
                                  f"{len(self._tensors)} ")
        t = self._tensors[index]
        if t is None:
            if index in self._previously_read:
                raise InvalidArgumentError(
                    f"Could not read index {index} twice because it was cleared after a "
                    f"previous read (perhaps try setting clear_after_read = false?)")
            t = self._zero_if_unset(index)
        if self._clear_after_read:
            self._tensors[index] = None
            self._previously_read.add(index)
        return t

    def _write(self, index, value):
        index = _index(index)
        if index < 0:
            raise OutOfRangeError(f"Writing to negative indices (index {index}) is not "
                                  f"allowed.")
        size = len(self._tensors)
        if index >= size:
            if not self._dynamic_size:
                raise OutOfRangeError(f"Tried to write to index {index} but array is not "
                                      f"resizeable and size is: {size} ")
            self._tensors.extend([None] * (index - size + 1))
        if not isinstance(value, (Tensor, Variable)):
            value = convert_to_tensor(value, dtype_hint=self._dtype)
        if value.dtype != self._dtype:
            raise InvalidArgumentError(f"TensorArray dtype is {self._dtype.name} but Op is "
                                       f"trying to write dtype {value.dtype.name} ")
        shape = value.shape
        es = self._element_shape
        if type(es) is not TensorShape or tuple.__ne__(es, shape):   # (not the usual case)
            if not _compatible(es, shape):
                raise ValueError(f"Incompatible shape for value ({shape}), expected ({es})")
            if self._infer_shape:
                self._element_shape = _merge(es, shape)
        self._tensors[index] = value

    def write(self, index, value, name=None):
        self._write(index, value)
        return self

    def stack(self, name=None):
        for ix in range(len(self._tensors)):
            self._zero_if_unset(ix)
        if not self._tensors:
            shape = [0] + (list(self._element_shape)
                           if _fully_defined(self._element_shape) else [])
            return zeros(shape, self._dtype)
        return stack(self._tensors)

    def gather(self, indices, name=None):
        if isinstance(indices, (Tensor, Variable)):
            indices = indices.numpy()
        return stack([self._zero_if_unset(int(i)) for i in indices])

    def concat(self, name=None):
        parts = [self._zero_if_unset(ix) for ix in range(len(self._tensors))]
        for ix, p in enumerate(parts):
            if len(p.shape) == 0:
                raise InvalidArgumentError(f"Concat saw a scalar shape at index {ix} but "
                                           f"requires at least vectors.")
        if not parts:
            return zeros([0], self._dtype)
        return concat(parts, 0)

    def unstack(self, value, name=None):
        value = convert_to_tensor(value, dtype_hint=self._dtype)
        if len(value.shape) == 0:
            raise ValueError("Argument `axis` = 0 not in range [0, 0)")
        tensors = unstack(value)
        if len(tensors) > len(self._tensors) and not self._dynamic_size:
            raise ValueError(f"Cannot unstack {len(tensors)} tensors into a TensorArray of "
                             f"static size {len(self._tensors)} ")
        self._tensors = list(tensors)
        return self

    def scatter(self, indices, value, name=None):
        if isinstance(indices, (Tensor, Variable)):
            indices = indices.numpy()
        for index, v in zip(indices, unstack(convert_to_tensor(value,
                                                               dtype_hint=self._dtype))):
            self._write(index, v)
        return self

    def split(self, value, lengths, name=None):
        value = convert_to_tensor(value, dtype_hint=self._dtype)
        if value.dtype != self._dtype:
            raise InvalidArgumentError(f"TensorArray dtype is {self._dtype.name} but Op is "
                                       f"trying to write dtype {value.dtype.name} ")
        lengths = np.asarray(lengths.numpy() if isinstance(lengths, (Tensor, Variable))
                             else lengths)
        if lengths.ndim != 1:
            raise InvalidArgumentError(f"Expected lengths to be a vector, received shape: "
                                       f"{list(lengths.shape)} ")
        if len(value.shape) == 0:
            raise InvalidArgumentError(f"Expected value to be at least a vector, but "
                                       f"received shape: {list(value.shape)} ")
        if int(lengths.sum()) != value.shape[0]:
            raise InvalidArgumentError(
                f"Expected sum of lengths to be equal to values.shape[0], but sum of lengths "
                f"is {int(lengths.sum())} and value's shape is: {list(value.shape)} ")
        if not self._dynamic_size and lengths.shape[0] != len(self._tensors):
            raise InvalidArgumentError(
                f"TensorArray's size is not equal to the size of lengths "
                f"({len(self._tensors)} vs. {lengths.shape[0]}), and the TensorArray is not "
                f"marked as dynamically resizeable.")
        self._tensors = list(split(value, [int(n) for n in lengths], 0))
        return self


# ----- cond, case, switch_case ------------------------------------------------------------

def _unpack_if_singleton(res):
    if isinstance(res, (list, tuple)) and len(res) == 1:
        return res[0]
    return res


def _cond(pred, true_fn, false_fn, strict):
    if true_fn is None:
        raise TypeError("cond(): 'true_fn' argument required")
    if false_fn is None:
        raise TypeError("cond(): 'false_fn' argument required")
    if not callable(true_fn):
        raise TypeError("'true_fn' must be callable.")
    if not callable(false_fn):
        raise TypeError("'false_fn' must be callable.")
    taken = convert_to_tensor(pred).numpy()
    result = true_fn() if taken else false_fn()
    return result if strict else _unpack_if_singleton(result)


def cond(pred, true_fn=None, false_fn=None, name=None):
    """true_fn() if pred else false_fn(), their result returned as it is (TF's tf.cond
    run eagerly); only the branch taken runs, so only it is recorded on a tape."""
    return _cond(pred, true_fn, false_fn, True)


def _assert_true(condition, message, preds):
    if not condition:
        data = ", ".join(str(bool(convert_to_tensor(p).numpy())) for p in preds)
        raise InvalidArgumentError(
            f"Expected '{convert_to_tensor(False)!s}' to be true. Summarized data: "
            f"{message.encode()!r}\n{data}")


def _true_count(preds):
    return sum(bool(convert_to_tensor(p).numpy()) for p in preds)


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The fn of the first pair whose predicate is true, else default() (TF's tf.case
    run eagerly; without a default, the last pair's fn, with TF's error if no predicate
    is true)."""
    if not isinstance(pred_fn_pairs, (list, tuple, dict)):
        raise TypeError(f"'pred_fn_pairs' must be a list, tuple, or dict. Received: "
                        f"{type(pred_fn_pairs)}")
    if isinstance(pred_fn_pairs, dict):
        if not exclusive and type(pred_fn_pairs) is dict:
            raise ValueError("Unordered dictionaries are not supported for the "
                             "'pred_fn_pairs' argument when `exclusive=False` and eager mode "
                             "is enabled.")
        pred_fn_pairs = list(pred_fn_pairs.items())
    for pair in pred_fn_pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in 'pred_fn_pairs' must be a 2-tuple. Received "
                            f"{pair}.")
        pred, fn = pair
        if isinstance(pred, (Tensor, Variable)):
            if pred.dtype != np.bool_:
                raise TypeError(f"pred must be Tensor of type bool, got {pred.dtype.name}")
        else:
            raise TypeError(f"pred must be a Tensor, got: {pred}")
        if not callable(fn):
            raise TypeError(f"fn for pred {pred} must be callable.")
    predicates, actions = zip(*pred_fn_pairs)
    if default is None:
        k = len(predicates) - 1
        last_pred, last_action, all_preds = predicates[k], actions[k], predicates
        predicates, actions = predicates[:k], actions[:k]

        def default():
            _assert_true(not _true_count(predicates),
                         f"Implementation error: selected default action #{k} was called, "
                         f"but some of other predicates are True: ", predicates)
            _assert_true(bool(convert_to_tensor(last_pred).numpy()),
                         "Input error: None of conditions evaluated as True:", all_preds)
            return last_action()
    fn = default
    for predicate, action in reversed(list(zip(predicates, actions))):
        fn = functools.partial(_cond, predicate, action, fn, strict)
    if exclusive:
        _assert_true(_true_count(predicates) <= 1,
                     f"Input error: exclusive=True: more than 1 conditions "
                     f"({', '.join('?' for _ in predicates)}) evaluated as True:", predicates)
    return fn()


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """branch_fns[branch_index](), or default() (the last branch if None) when the index is
    out of range (TF's tf.switch_case run eagerly)."""
    if not isinstance(branch_index, Tensor):
        raise TypeError(f"'branch_index' must be a Tensor, got {type(branch_index)}")
    if branch_index.dtype.kind not in "iu":
        raise TypeError(f"'branch_index' must be an integer Tensor, got {branch_index.dtype}")
    if not branch_fns:
        raise ValueError("Must provide at least one item in 'branch_fns'")
    if not isinstance(branch_fns, (list, tuple, dict)):
        raise TypeError("'branch_fns' must be a list, tuple, or dict")
    if isinstance(branch_fns, dict):
        branch_fns = branch_fns.items()
    if all(callable(fn) for fn in branch_fns):
        branch_fns = list(enumerate(branch_fns))
    for pair in branch_fns:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in 'branch_fns' must be a 2-tuple. Received {pair}.")
        key, fn = pair
        if not isinstance(key, int):
            raise TypeError(f"key must be a Python `int`, got {type(key)}")
        if not callable(fn):
            raise TypeError(f"fn for key {key} must be callable.")
    keys = [p[0] for p in branch_fns]
    if min(keys) < 0 or max(keys) >= len(keys) or len(set(keys)) != len(keys):
        raise ValueError(f"branch indices (keys) must form contiguous range of [0 to "
                         f"{len(keys)}) but found {{{','.join(map(str, sorted(keys)))}}}")
    actions = [p[1] for p in sorted(branch_fns, key=lambda p: p[0])]
    if default is not None:
        actions.append(default)
    if len(branch_index.shape) != 0:
        raise InvalidArgumentError(f"'branch_index' must be a scalar, got shape "
                                   f"{branch_index.shape}")
    i = int(branch_index.numpy())
    if i < 0 or i >= len(actions):
        i = len(actions) - 1
    return actions[i]()


# ----- while_loop -------------------------------------------------------------------------

def _spec_of(x):
    if isinstance(x, TensorArray):
        return x
    return TensorSpec.from_tensor(convert_to_tensor(x))


def _to_tensor_keep_arrays(x):
    return x if isinstance(x, (TensorArray, Tensor)) else convert_to_tensor(x)


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, maximum_iterations=None, name=None):
    """Repeat `loop_vars = body(*loop_vars)` while cond(*loop_vars), at most
    maximum_iterations times; the loop variables come back as tensors in body's
    structure (TF's tf.while_loop run eagerly: its structure checks and errors)."""
    if not callable(cond):
        raise TypeError("'cond' must be callable.")
    if not callable(body):
        raise TypeError("'body' must be callable.")
    if parallel_iterations < 1:
        raise TypeError("'parallel_iterations' must be a positive integer.")
    loop_vars = _nest.map_structure(
        lambda v: convert_to_tensor(v) if isinstance(v, Variable) else v, loop_vars)
    if not loop_vars:
        raise ValueError("'loop_vars' must be provided.")
    if maximum_iterations is not None:
        m = convert_to_tensor(maximum_iterations)
        if len(m.shape) != 0:
            raise ValueError(f"'maximum_iterations' must be a scalar. Received shape: "
                             f"{m.shape}")
        m = int(m.numpy())
        orig_cond, orig_body = cond, body
        loop_vars = (0, loop_vars)

        def cond(i, lv):
            return logical_and(i < m, orig_cond(*lv))

        def body(i, lv):
            return (i + 1, orig_body(*lv))

    structure = _nest.map_structure(_spec_of, list(loop_vars))
    while cond(*loop_vars):
        loop_vars = body(*loop_vars)
        _nest.assert_same_structure(structure, list(loop_vars))
    loop_vars = _nest.map_structure(_to_tensor_keep_arrays, loop_vars)
    if maximum_iterations is not None:
        return loop_vars[1]
    return loop_vars


# ----- map_fn, scan, foldl, foldr, vectorized_map ------------------------------------------

def _flat_elems(elems):
    flat = [convert_to_tensor(e) for e in _nest.flatten(elems)]
    if not flat:
        raise ValueError(f"elems must be a Tensor or (possibly nested) sequence of Tensors. "
                         f"Got {elems}, which does not contain any Tensors.")
    return flat


def _leading_dim(flat):
    """The common first dimension of the flattened elems (TF's checks)."""
    for e in flat:
        if len(e.shape) == 0:
            raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
    n = flat[0].shape[0]
    for e in flat[1:]:
        if e.shape[0] != n:
            raise ValueError(f"Dimensions {n} and {e.shape[0]} are not compatible")
    return n


def _as_spec(s):
    if isinstance(s, TensorSpec):
        return s
    return TensorSpec(None, s)


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True,
           swap_memory=False, infer_shape=True, name=None, fn_output_signature=None):
    """fn applied to each slice of elems along axis 0 (a nest of tensors with a common
    first dimension), the results stacked; fn_output_signature (a dtype, TensorSpec or a
    nest of them) when fn's output differs from elems in structure or dtype."""
    if fn_output_signature is None:
        fn_output_signature = dtype
    if not callable(fn):
        raise TypeError(f"The provided function {getattr(fn, '__name__', fn)} is not "
                        f"callable. fn must be callable.")
    flat = _flat_elems(elems)
    n = _leading_dim(flat)
    if fn_output_signature is None:
        out_structure = elems
        out_specs = [TensorSpec(None, e.dtype) for e in flat]
    else:
        out_structure = fn_output_signature
        out_specs = [_as_spec(s) for s in _nest.flatten(fn_output_signature)]
    accs = [TensorArray(s.dtype, size=n, infer_shape=infer_shape, element_shape=s.shape)
            for s in out_specs]
    slices = [unstack(e) for e in flat]
    for i in range(n):
        out = fn(_nest.pack_sequence_as(elems, [s[i] for s in slices]))
        _nest.assert_same_structure(out_structure, out)
        for ta, v in zip(accs, _nest.flatten(out)):
            ta.write(i, v)
    return _nest.pack_sequence_as(out_structure, [ta.stack() for ta in accs])


def _scan_setup(elems):
    flat = [convert_to_tensor(e) for e in _nest.flatten(elems)]
    n = flat[0].shape[0]
    tas = [TensorArray(e.dtype, size=n).unstack(e) for e in flat]
    return flat, n, tas


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
         swap_memory=False, infer_shape=True, reverse=False, name=None):
    """The running accumulations acc = fn(acc, x) over the slices x of elems (axis 0),
    stacked; without an initializer the first slice is the first accumulation."""
    if not callable(fn):
        raise TypeError("fn must be callable.")
    flat, n, tas = _scan_setup(elems)
    if initializer is None:
        structure = elems
        first = n - 1 if reverse else 0
        a_flat = [ta.read(first) for ta in tas]
        i = 1
    else:
        structure = initializer
        a_flat = [convert_to_tensor(v) for v in _nest.flatten(initializer)]
        i = 0
    accs = [TensorArray(a.dtype, size=n, dynamic_size=False, infer_shape=infer_shape,
                        element_shape=a.shape) for a in a_flat]
    if initializer is None:
        for ta, a in zip(accs, a_flat):
            ta.write(n - 1 if reverse else 0, a)
    while i < n:
        ix = n - 1 - i if reverse else i
        x = _nest.pack_sequence_as(elems, [ta.read(ix) for ta in tas])
        out = fn(_nest.pack_sequence_as(structure, a_flat), x)
        _nest.assert_same_structure(structure, out)
        a_flat = _nest.flatten(out)
        for ta, a in zip(accs, a_flat):
            ta.write(ix, a)
        i += 1
    return _nest.pack_sequence_as(structure, [ta.stack() for ta in accs])


def _fold(fn, elems, initializer, right):
    if not callable(fn):
        raise TypeError("fn must be callable.")
    flat, n, tas = _scan_setup(elems)
    order = range(n - 1, -1, -1) if right else range(n)
    order = list(order)
    if initializer is None:
        structure = elems
        a = _nest.pack_sequence_as(elems, [ta.read(n - 1 if right else 0) for ta in tas])
        order = order[1:]
    else:
        structure = initializer
        a = initializer
    for ix in order:
        a = fn(a, _nest.pack_sequence_as(elems, [ta.read(ix) for ta in tas]))
        _nest.assert_same_structure(structure, a)   # as scan, and TensorFlow's loop
    return _nest.map_structure(_to_tensor_keep_arrays, a)


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """acc = fn(acc, x) over the slices x of elems from first to last; the final acc."""
    return _fold(fn, elems, initializer, right=False)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """acc = fn(acc, x) over the slices x of elems from last to first; the final acc."""
    return _fold(fn, elems, initializer, right=True)


def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """fn applied to each slice of elems along axis 0, the results stacked (results that
    do not depend on the slice are repeated along the batch, as TF's pfor does)."""
    flat = [convert_to_tensor(e) for e in _nest.flatten(elems)]
    if not flat or len(flat[0].shape) == 0:
        raise IndexError("list index out of range")
    n = _leading_dim(flat)    # TF's pfor silently uses the first one: an error here
    slices = [unstack(e) for e in flat]
    if n == 0:
        probe = fn(_nest.pack_sequence_as(elems, [zeros(list(e.shape[1:]), e.dtype)
                                                   for e in flat]))
        return _nest.map_structure(
            lambda o: zeros([0] + list(convert_to_tensor(o).shape),
                            convert_to_tensor(o).dtype), probe)
    outs = [fn(_nest.pack_sequence_as(elems, [s[i] for s in slices])) for i in range(n)]
    flat_outs = [_nest.flatten(o) for o in outs]
    return _nest.pack_sequence_as(outs[0], [stack([convert_to_tensor(v) for v in col])
                                            for col in zip(*flat_outs)])
