"""tg.data: input pipelines, as TensorFlow's `tf.data.Dataset`, run eagerly.

    ds = tg.data.Dataset.from_tensor_slices((x, y)).shuffle(60000).batch(32)
    for xb, yb in ds: ...

Elements are nests (tuples, dicts, namedtuples) of tg Tensors; lists are tensors, as in
TensorFlow. Datasets are recipes: iterating one runs it from the start.

Speed: a pipeline of from_tensor_slices, shuffle, repeat, take, skip, cache and
prefetch moves indices, not data; `batch` then takes each batch from the source with
one gather (a copy of the batch only), so an epoch of shuffled batches copies the data
once. Other transformations (map, filter, zip, ...) work element by element.

What differs from TensorFlow: nothing runs in the background (prefetch and
num_parallel_calls are accepted and change nothing), the functions given to map and
filter run eagerly on every element (Python side effects run each time), a map's
element_spec comes from running its function on the first element, and shuffle's order
for a given seed is not TensorFlow's.
"""
import itertools as _it

import numpy as _np

from . import _tape as _t
from .errors import InvalidArgumentError
from .function import TensorSpec

__all__ = ["Dataset", "AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY"]

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2

_TRACKED = (_t.Tensor, _t.Variable)


# Structures: tuples, namedtuples and dicts nest; everything else (lists included) is a
# leaf, as tf.data sees it. Dicts flatten in sorted key order.

def _flatten(s):
    if type(s) is tuple:
        if not any(isinstance(x, (tuple, dict)) for x in s):
            return list(s)
        return [y for x in s for y in _flatten(x)]
    if isinstance(s, dict):
        return [y for k in sorted(s) for y in _flatten(s[k])]
    if isinstance(s, tuple):
        return [y for x in s for y in _flatten(x)]
    return [s]


def _pack(s, flat):
    it = iter(flat)

    def pack(s):
        if type(s) is tuple:
            return tuple(pack(x) for x in s)
        if isinstance(s, dict):
            packed = {k: pack(s[k]) for k in sorted(s)}
            return type(s)((k, packed[k]) for k in s)
        if isinstance(s, tuple):
            return type(s)(*[pack(x) for x in s])
        return next(it)

    return pack(s)


def _flatten_up_to(structure, s):
    """s flattened as far as `structure` nests (its leaves may be tuples: shapes)."""
    if type(structure) is tuple or (isinstance(structure, tuple) and not isinstance(s, dict)):
        return [y for a, b in zip(structure, s) for y in _flatten_up_to(a, b)]
    if isinstance(structure, dict):
        return [y for k in sorted(structure) for y in _flatten_up_to(structure[k], s[k])]
    return [s]


def _is_leaf(s):
    return not isinstance(s, (tuple, dict))


def _to_tensor(x):
    if type(x) is _t.Tensor:
        return x
    if isinstance(x, _t.Variable):
        return x.read_value()
    if x is None:
        raise TypeError("tg.data: an element cannot hold None; give a tensor, a NumPy "
                        "array or a Python number")
    return _t.constant(x)


def _normalize(s):
    """A nest with its leaves made Tensors (a list is one tensor)."""
    if _is_leaf(s):
        return _to_tensor(s)
    return _pack(s, [_to_tensor(x) for x in _flatten(s)])


def _lists_to_tuples(s):
    # what a map or reduce function returns: its lists are tuples, as in TensorFlow
    if isinstance(s, list):
        return tuple(_lists_to_tuples(x) for x in s)
    if type(s) is tuple:
        return tuple(_lists_to_tuples(x) for x in s)
    if isinstance(s, dict):
        return type(s)((k, _lists_to_tuples(v)) for k, v in s.items())
    return s


def _spec_of(element):
    return _pack(element, [TensorSpec(x.shape, x.dtype) for x in _flatten(element)])


def _call(fn, element):
    # as TF: a tuple element is passed as positional arguments, anything else as one
    return fn(*element) if type(element) is tuple else fn(element)


def _numpy(element):
    if type(element) is _t.Tensor:
        return element.numpy()
    return _pack(element, [x.numpy() for x in _flatten(element)])


def _int_arg(value, what):
    if isinstance(value, _TRACKED):
        value = value.numpy()
    if isinstance(value, (bool, _np.bool_)) or not isinstance(value, (int, _np.integer)):
        raise TypeError(f"{what}: expected an integer, got {value!r}")
    return int(value)


def _new_seed(seed):
    """A seed: the given one, else one drawn from tg.random (so tg.random.set_seed makes
    shuffles repeatable, as TF's global seed does)."""
    if seed is not None:
        return _int_arg(seed, "seed")
    from . import random
    return int(float(random.uniform((), dtype="float64")) * 2**52)


# The index plan: a pipeline over from_tensor_slices that moves indices. A plan is
# (sources, structure, stream) where sources are the sliced tensors, structure packs
# them into an element, and stream() starts one iteration: an iterator of index chunks
# (a `range`, or a 1-D int64 ndarray).

class _Plan:
    __slots__ = ("sources", "structure", "stream", "_pack")

    def __init__(self, sources, structure, stream):
        self.sources, self.structure, self.stream = sources, structure, stream
        if _is_leaf(structure):
            self._pack = lambda flat: flat[0]
        elif type(structure) is tuple and all(_is_leaf(x) for x in structure):
            self._pack = tuple          # (x, y): the common case, without recursion
        else:
            self._pack = lambda flat: _pack(structure, flat)

    def but(self, stream):
        return _Plan(self.sources, self.structure, stream)

    def element(self, i):
        return self._pack([s[i] for s in self.sources])

    def batch(self, idx):
        """The batch of the elements at idx (a range: a slice of each source, one copy;
        an array: one integer-array index, one gather)."""
        if type(idx) is range:
            key = slice(idx.start, idx.stop)
            flat = [s[key] for s in self.sources]
        else:
            flat = [s[idx] for s in self.sources]   # indices valid by construction
        return self._pack(flat)


def _take_chunks(chunks, n):
    for c in chunks:
        if n <= 0:
            return
        if len(c) > n:
            c = c[:n]
        n -= len(c)
        yield c


def _skip_chunks(chunks, n):
    for c in chunks:
        if n >= len(c):
            n -= len(c)
            continue
        yield c[n:] if n else c
        n = 0


def _indices(c):
    """An index chunk as an int64 array."""
    if type(c) is range:
        return _np.arange(c.start, c.stop, c.step, dtype=_np.int64)
    return _np.asarray(c, _np.int64)


def _shuffled(chunks, buffer_size, rng, as_array):
    """TensorFlow's shuffle: fill a buffer of buffer_size, then repeatedly emit a random
    buffer entry and put the next input in its place; at the end emit the rest of the
    buffer in random order. Chunks in, chunks out (lists, or int64 arrays with as_array)."""
    def permuted(pieces):
        if as_array:
            return rng.permutation(_np.concatenate([_indices(p) for p in pieces]))
        buf = [x for p in pieces for x in p]
        return [buf[j] for j in rng.permutation(len(buf))]

    pieces, total = [], 0
    chunks = iter(chunks)
    for c in chunks:
        if total + len(c) <= buffer_size:
            pieces.append(c)
            total += len(c)
            continue
        room = buffer_size - total
        pieces.append(c[:room])
        pending = list(c[room:])
        break
    else:   # the whole input fits in the buffer: one permutation
        if total:
            yield permuted(pieces)
        return
    buf = [x for p in pieces for x in p]
    while True:
        js = rng.integers(0, buffer_size, len(pending)).tolist()
        out = []
        append = out.append
        for j, v in zip(js, pending):
            append(buf[j])
            buf[j] = v
        yield _np.asarray(out, _np.int64) if as_array else out
        c = next(chunks, None)
        if c is None:
            break
        pending = list(c)
    yield permuted([buf])


class _Iterator:
    """What iter(dataset) gives: next(it), it.get_next(), it.element_spec."""

    def __init__(self, dataset):
        self._dataset = dataset
        self._gen = dataset._elements()

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._gen)

    def get_next(self):
        return next(self._gen)

    @property
    def element_spec(self):
        return self._dataset.element_spec


class _NumpyIterator:
    def __init__(self, dataset):
        self._it = iter(dataset)

    def __iter__(self):
        return self

    def __next__(self):
        return _numpy(next(self._it))

    def __repr__(self):
        return f"NumpyIterator(iterator={self._it!r})"


class Dataset:
    """A sequence of elements (nests of tg Tensors), built by the constructors
    (`from_tensor_slices`, `from_tensors`, `range`, `zip`) and transformed by methods
    that each return a new Dataset."""

    _kind = "Dataset"

    # what a subclass gives
    def _elements(self):
        """A generator of the elements of one iteration."""
        plan = self._plan()
        if plan is None:
            raise NotImplementedError
        return self._plan_elements(plan)

    @staticmethod
    def _plan_elements(plan):
        for c in plan.stream():
            for i in c:
                yield plan.element(int(i))

    def _plan(self):
        return None

    def _cardinality(self):
        return UNKNOWN_CARDINALITY

    def _spec(self):
        return _spec_of(next(iter(self)))

    # iteration
    def __iter__(self):
        return _Iterator(self)

    def as_numpy_iterator(self):
        """An iterator of the elements as NumPy values (nests of arrays and scalars)."""
        return _NumpyIterator(self)

    def __bool__(self):
        return True

    def __len__(self):
        n = self._cardinality()
        if n == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return n

    def cardinality(self):
        """The number of elements as an int64 scalar tensor, or INFINITE_CARDINALITY (-1)
        or UNKNOWN_CARDINALITY (-2)."""
        return _t.constant(_np.int64(self._cardinality()))

    @property
    def element_spec(self):
        """The nest of tg.TensorSpec of one element."""
        if not hasattr(self, "_element_spec"):
            self._element_spec = self._spec()
        return self._element_spec

    def __repr__(self):
        return f"<{self._kind} element_spec={self.element_spec}>"

    # constructors
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """The slices of `tensors` (a tensor, or a tuple or dict nest of them) along their
        first dimension, which must be the same for every component."""
        return _TensorSliceDataset(tensors)

    @staticmethod
    def from_tensors(tensors, name=None):
        """One element: `tensors` itself."""
        return _TensorDataset(tensors)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None):
        """The values a generator yields, converted to output_signature's dtypes and
        checked against its shapes; `generator(*args)` is called for each iteration."""
        return _GeneratorDataset(generator, output_types, output_shapes, args,
                                 output_signature)

    @staticmethod
    def range(*args, output_type=_np.int64, name=None):
        """range(stop), range(start, stop[, step]) as scalar int64 tensors."""
        return _RangeDataset(args, output_type)

    @staticmethod
    def zip(*datasets, name=None):
        """Elements of several datasets side by side (a tuple or dict of datasets, or
        several datasets), as long as the shortest."""
        if len(datasets) == 1:
            datasets = datasets[0]
        return _ZipDataset(datasets)

    # transformations
    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """map_func applied to each element (a tuple element is passed as arguments)."""
        return _MapDataset(self, map_func)

    def flat_map(self, map_func, name=None):
        """The elements of the datasets map_func returns for each element, in turn."""
        return _FlatMapDataset(self, map_func)

    def filter(self, predicate, name=None):
        """The elements for which predicate gives a scalar boolean True."""
        return _FilterDataset(self, predicate)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """The elements in random order, drawn through a buffer of buffer_size (a buffer
        at least as long as the dataset gives a uniform permutation)."""
        return _ShuffleDataset(self, buffer_size, seed, reshuffle_each_iteration)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Consecutive elements stacked into batches of batch_size (the last one smaller
        unless drop_remainder)."""
        return _BatchDataset(self, batch_size, drop_remainder)

    def unbatch(self, name=None):
        """The slices of each element along its first dimension."""
        return _UnbatchDataset(self)

    def repeat(self, count=None, name=None):
        """The dataset count times over (None or -1: forever)."""
        return _RepeatDataset(self, count)

    def take(self, count, name=None):
        """The first count elements (-1: all)."""
        return _TakeDataset(self, count)

    def skip(self, count, name=None):
        """All but the first count elements (-1: none)."""
        return _SkipDataset(self, count)

    def prefetch(self, buffer_size, name=None):
        """The same elements (tapegrad runs nothing in the background)."""
        n = _int_arg(buffer_size, "buffer_size")
        if n < AUTOTUNE:
            raise InvalidArgumentError(
                f"buffer_size must be -1 (AUTOTUNE) or non-negative, got {n}")
        return _PassDataset(self, "_PrefetchDataset")

    def cache(self, filename="", name=None):
        """The elements of the first complete iteration, kept in memory and replayed."""
        if filename != "":
            raise NotImplementedError("tg.data: cache() keeps elements in memory; a "
                                      "filename is not supported")
        return _CacheDataset(self)

    def enumerate(self, start=0, name=None):
        """(index, element) pairs, the index an int64 scalar counting from start."""
        return Dataset.zip((Dataset.range(start, _np.iinfo(_np.int64).max), self))

    def concatenate(self, dataset, name=None):
        """This dataset's elements, then dataset's."""
        return _ConcatenateDataset(self, dataset)

    def apply(self, transformation_func):
        """transformation_func(self), which must return a Dataset."""
        out = transformation_func(self)
        if not isinstance(out, Dataset):
            raise TypeError("`transformation_func` must return a `tf.data.Dataset` object. "
                            f"Got {type(out)}.")
        return out

    def reduce(self, initial_state, reduce_func, name=None):
        """reduce_func(state, element) folded over the elements."""
        state = _normalize(initial_state)
        for e in self:
            state = _normalize(_lists_to_tuples(reduce_func(state, *e) if type(e) is tuple
                                                else reduce_func(state, e)))
        return state


# Constructors -------------------------------------------------------------------------

class _TensorSliceDataset(Dataset):
    _kind = "_TensorSliceDataset"

    def __init__(self, tensors):
        self._structure = _normalize(tensors)
        self._sources = _flatten(self._structure)
        n = None
        for s in self._sources:
            if not s.shape:
                raise ValueError("Unbatching a tensor is only supported for rank >= 1")
            if n is not None and s.shape[0] != n:
                raise ValueError(f"Dimensions {n} and {s.shape[0]} are not compatible")
            n = s.shape[0]
        self._n = n

    def _plan(self):
        n = self._n
        return _Plan(self._sources, self._structure, lambda: iter((range(n),)))

    def _cardinality(self):
        return self._n

    def _spec(self):
        return _pack(self._structure, [TensorSpec(s.shape[1:], s.dtype) for s in self._sources])


class _TensorDataset(Dataset):
    _kind = "_TensorDataset"

    def __init__(self, tensors):
        self._element = _normalize(tensors)

    def _elements(self):
        yield self._element

    def _cardinality(self):
        return 1

    def _spec(self):
        return _spec_of(self._element)


class _RangeDataset(Dataset):
    _kind = "_RangeDataset"

    def __init__(self, args, output_type):
        if not 1 <= len(args) <= 3:
            raise TypeError(f"range: expected 1 to 3 arguments (start, stop, step), got "
                            f"{len(args)}")
        args = [_int_arg(a, "range") for a in args]
        if len(args) == 1:
            args = [0] + args
        start, stop, step = args + [1] * (3 - len(args))
        if step == 0:
            raise InvalidArgumentError("step must be a non-zero integer.")
        self._range = range(start, stop, step)
        self._dtype = _np.dtype(output_type)

    def _elements(self):
        cast = self._dtype.type
        for v in self._range:
            yield _t.constant(cast(v))

    def _cardinality(self):
        return len(self._range)

    def _spec(self):
        return TensorSpec((), self._dtype)


class _GeneratorDataset(Dataset):
    _kind = "_FlatMapDataset"     # TF's name for what from_generator builds

    def __init__(self, generator, output_types, output_shapes, args, output_signature):
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        if output_signature is None:
            if output_types is None:
                raise TypeError("To specify the output signature you need to provide either "
                                "the `output_signature` argument or the `output_types` "
                                "argument.")
            flat_types = _flatten(output_types)
            flat_shapes = (_flatten_up_to(output_types, output_shapes)
                           if output_shapes is not None else [None] * len(flat_types))
            output_signature = _pack(output_types, [TensorSpec(sh, dt) for sh, dt in
                                                    zip(flat_shapes, flat_types)])
        if not all(isinstance(x, TensorSpec) for x in _flatten(output_signature)):
            raise TypeError("output_signature must be a nest of tg.TensorSpec")
        self._generator, self._args = generator, tuple(args or ())
        self._signature = output_signature

    def _elements(self):
        specs = _flatten(self._signature)
        for value in self._generator(*self._args):
            flat = _flatten(value) if not _is_leaf(self._signature) else [value]
            if len(flat) != len(specs):
                raise TypeError(f"`generator` yielded an element that did not match the "
                                f"expected structure {self._signature}: {value!r}")
            out = []
            for v, spec in zip(flat, specs):
                a = _np.asarray(v.numpy() if isinstance(v, _TRACKED) else v, spec.dtype)
                if spec.shape.rank is not None and (
                        a.ndim != spec.shape.rank or any(
                            d is not None and d != n for d, n in zip(spec.shape, a.shape))):
                    raise InvalidArgumentError(
                        f"TypeError: `generator` yielded an element of shape {a.shape} "
                        f"where an element of shape {tuple(spec.shape)} was expected.")
                out.append(_t.constant(a))
            yield out[0] if _is_leaf(self._signature) else _pack(self._signature, out)

    def _spec(self):
        return self._signature


class _ZipDataset(Dataset):
    _kind = "_ZipDataset"

    def __init__(self, datasets):
        if isinstance(datasets, Dataset):
            datasets = (datasets,)
        if isinstance(datasets, list):
            datasets = tuple(datasets)
        flat = _flatten(datasets)
        if not flat or not all(isinstance(d, Dataset) for d in flat):
            raise TypeError("zip: expected a (nested) tuple or dict of Datasets, got "
                            f"{datasets!r}")
        self._structure, self._datasets = datasets, flat

    def _elements(self):
        for parts in zip(*self._datasets):
            yield _pack(self._structure, parts)

    def _cardinality(self):
        cards = [d._cardinality() for d in self._datasets]
        finite = [c for c in cards if c >= 0]
        if finite:
            return min(finite)
        return UNKNOWN_CARDINALITY if UNKNOWN_CARDINALITY in cards else INFINITE_CARDINALITY

    def _spec(self):
        return _pack(self._structure, [d.element_spec for d in self._datasets])


# Transformations ----------------------------------------------------------------------

class _Unary(Dataset):
    def __init__(self, input_dataset):
        if not isinstance(input_dataset, Dataset):
            raise TypeError(f"expected a Dataset, got {input_dataset!r}")
        self._input = input_dataset

    def _spec(self):
        return self._input.element_spec

    def _cardinality(self):
        return self._input._cardinality()


class _PassDataset(_Unary):
    def __init__(self, input_dataset, kind):
        super().__init__(input_dataset)
        self._kind = kind

    def _plan(self):
        return self._input._plan()

    def _elements(self):
        return self._input._elements()


class _MapDataset(_Unary):
    _kind = "_MapDataset"

    def __init__(self, input_dataset, fn):
        super().__init__(input_dataset)
        if not callable(fn):
            raise TypeError(f"map: map_func must be callable, got {fn!r}")
        self._fn = fn

    def _elements(self):
        fn = self._fn
        for e in self._input._elements():
            yield _normalize(_lists_to_tuples(_call(fn, e)))

    def _spec(self):
        return Dataset._spec(self)


class _FlatMapDataset(_Unary):
    _kind = "_FlatMapDataset"

    def __init__(self, input_dataset, fn):
        super().__init__(input_dataset)
        if not callable(fn):
            raise TypeError(f"flat_map: map_func must be callable, got {fn!r}")
        self._fn = fn

    def _elements(self):
        for e in self._input._elements():
            ds = _call(self._fn, e)
            if not isinstance(ds, Dataset):
                raise TypeError(f"flat_map: map_func must return a Dataset, got {ds!r}")
            yield from ds._elements()

    def _cardinality(self):
        return UNKNOWN_CARDINALITY

    def _spec(self):
        return Dataset._spec(self)


class _FilterDataset(_Unary):
    _kind = "_FilterDataset"

    def __init__(self, input_dataset, predicate):
        super().__init__(input_dataset)
        if not callable(predicate):
            raise TypeError(f"filter: predicate must be callable, got {predicate!r}")
        self._predicate = predicate

    def _elements(self):
        pred = self._predicate
        for e in self._input._elements():
            keep = _to_tensor(_call(pred, e))
            if keep.dtype != _np.bool_ or keep.shape != ():
                raise ValueError("Invalid `predicate`. `predicate` must return a `tf.bool` "
                                 "scalar tensor, but its return type is "
                                 f"{TensorSpec(keep.shape, keep.dtype)}.")
            if keep:
                yield e

    def _cardinality(self):
        c = self._input._cardinality()
        return c if c == INFINITE_CARDINALITY else UNKNOWN_CARDINALITY


class _ShuffleDataset(_Unary):
    _kind = "_ShuffleDataset"

    def __init__(self, input_dataset, buffer_size, seed, reshuffle_each_iteration):
        super().__init__(input_dataset)
        n = _int_arg(buffer_size, "buffer_size")
        if n <= 0:
            raise InvalidArgumentError(
                "buffer_size must be greater than zero or UNKNOWN_CARDINALITY "
                f"[Op:ShuffleDatasetV3]")
        self._buffer_size = n
        self._seeds = _np.random.default_rng(_new_seed(seed))
        self._reshuffle = bool(reshuffle_each_iteration)
        self._first = int(self._seeds.integers(2**63))

    def _rng(self):
        seed = int(self._seeds.integers(2**63)) if self._reshuffle else self._first
        return _np.random.default_rng(seed)

    def _plan(self):
        plan = self._input._plan()
        if plan is None:
            return None
        return plan.but(lambda: _shuffled(plan.stream(), self._buffer_size, self._rng(), True))

    def _elements(self):
        plan = self._plan()
        if plan is not None:
            return self._plan_elements(plan)
        return self._shuffled_elements()

    def _shuffled_elements(self):
        chunks = ([e] for e in self._input._elements())
        for c in _shuffled(chunks, self._buffer_size, self._rng(), False):
            yield from c


class _BatchDataset(_Unary):
    _kind = "_BatchDataset"

    def __init__(self, input_dataset, batch_size, drop_remainder):
        super().__init__(input_dataset)
        b = _int_arg(batch_size, "batch_size")
        if b <= 0:
            raise InvalidArgumentError("Batch size must be greater than zero. "
                                                 "[Op:BatchDatasetV2]")
        self._b, self._drop = b, bool(drop_remainder)

    def _elements(self):
        plan = self._input._plan()
        if plan is not None:
            return (plan.batch(idx) for idx in self._index_batches(plan.stream()))
        return self._stacked()

    def _index_batches(self, chunks):
        b = self._b
        pending, n_pending = [], 0
        for c in chunks:
            start, n = 0, len(c)
            if n_pending:
                start = min(b - n_pending, n)
                pending.append(c[:start])
                n_pending += start
                if n_pending < b:
                    continue
                yield _np.concatenate([_indices(p) for p in pending])
                pending, n_pending = [], 0
            while n - start >= b:
                yield c[start:start + b]
                start += b
            if start < n:
                pending, n_pending = [c[start:]], n - start
        if n_pending and not self._drop:
            yield (pending[0] if len(pending) == 1 else
                   _np.concatenate([_indices(p) for p in pending]))

    def _stacked(self):
        it = self._input._elements()
        while True:
            elems = list(_it.islice(it, self._b))
            if not elems or (self._drop and len(elems) < self._b):
                return
            yield _stack(elems)

    def _cardinality(self):
        c = self._input._cardinality()
        if c < 0:
            return c
        return c // self._b if self._drop else -(-c // self._b)

    def _spec(self):
        lead = self._b if self._drop else None
        spec = self._input.element_spec
        return _pack(spec, [TensorSpec(None if s.shape.rank is None else
                                       (lead,) + tuple(s.shape), s.dtype)
                            for s in _flatten(spec)])


def _stack(elems):
    first = elems[0]
    flats = [_flatten(e) for e in elems]
    out = []
    for j in range(len(flats[0])):
        parts = [f[j] for f in flats]
        s0 = parts[0].shape
        for i, p in enumerate(parts):
            if p.shape != s0:
                raise InvalidArgumentError(
                    f"Cannot batch tensors with different shapes in component {j}. First "
                    f"element had shape {list(s0)} and element {i} had shape "
                    f"{list(p.shape)}.")
        out.append(_t.stack(parts))
    return out[0] if _is_leaf(first) else _pack(first, out)


class _UnbatchDataset(_Unary):
    _kind = "_UnbatchDataset"

    def __init__(self, input_dataset):
        super().__init__(input_dataset)
        if any(s.shape.rank == 0 for s in _flatten(input_dataset.element_spec)):
            raise ValueError("Cannot unbatch an input with scalar components.")

    def _elements(self):
        for e in self._input._elements():
            flat = _flatten(e)
            for i in range(flat[0].shape[0]):
                parts = [x[i] for x in flat]
                yield parts[0] if _is_leaf(e) else _pack(e, parts)

    def _cardinality(self):
        return UNKNOWN_CARDINALITY if self._input._cardinality() != INFINITE_CARDINALITY \
            else INFINITE_CARDINALITY

    def _spec(self):
        spec = self._input.element_spec
        return _pack(spec, [TensorSpec(None if s.shape.rank is None else tuple(s.shape)[1:],
                                       s.dtype) for s in _flatten(spec)])


class _RepeatDataset(_Unary):
    _kind = "_RepeatDataset"

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = -1 if count is None else _int_arg(count, "count")

    def _passes(self):
        return _it.count() if self._count < 0 else range(self._count)

    def _plan(self):
        plan = self._input._plan()
        if plan is None:
            return None
        return plan.but(lambda: (c for _ in self._passes() for c in plan.stream()))

    def _elements(self):
        plan = self._plan()
        if plan is not None:
            return self._plan_elements(plan)
        return (e for _ in self._passes() for e in self._input._elements())

    def _cardinality(self):
        c = self._input._cardinality()
        if self._count == 0 or c == 0:
            return 0
        if self._count < 0 or c < 0:
            return INFINITE_CARDINALITY if c != UNKNOWN_CARDINALITY else c
        return c * self._count


class _TakeDataset(_Unary):
    _kind = "_TakeDataset"

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = _int_arg(count, "count")

    def _plan(self):
        plan = self._input._plan()
        if plan is None or self._count < 0:
            return plan
        return plan.but(lambda: _take_chunks(plan.stream(), self._count))

    def _elements(self):
        plan = self._plan()
        if plan is not None:
            return self._plan_elements(plan)
        it = self._input._elements()
        return it if self._count < 0 else _it.islice(it, self._count)

    def _cardinality(self):
        c = self._input._cardinality()
        if self._count < 0:
            return c
        if c == UNKNOWN_CARDINALITY:
            return c
        return self._count if c == INFINITE_CARDINALITY else min(c, self._count)


class _SkipDataset(_Unary):
    _kind = "_SkipDataset"

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = _int_arg(count, "count")

    def _plan(self):
        plan = self._input._plan()
        if plan is None:
            return None
        if self._count < 0:
            return plan.but(lambda: iter(()))
        return plan.but(lambda: _skip_chunks(plan.stream(), self._count))

    def _elements(self):
        plan = self._plan()
        if plan is not None:
            return self._plan_elements(plan)
        if self._count < 0:
            return iter(())
        return _it.islice(self._input._elements(), self._count, None)

    def _cardinality(self):
        c = self._input._cardinality()
        if c < 0:
            return c
        return 0 if self._count < 0 else max(c - self._count, 0)


class _CacheDataset(_Unary):
    """Keeps what the first complete iteration gave (elements, or index chunks on a
    plan: the source is kept already) and replays it."""
    _kind = "_CacheDataset"

    def __init__(self, input_dataset):
        super().__init__(input_dataset)
        self._cached = None

    def _recorded(self, source):
        if self._cached is not None:
            yield from self._cached
            return
        kept = []
        for x in source():
            kept.append(x)
            yield x
        self._cached = kept

    def _plan(self):
        plan = self._input._plan()
        if plan is None:
            return None
        return plan.but(lambda: self._recorded(plan.stream))

    def _elements(self):
        plan = self._plan()
        if plan is not None:
            return self._plan_elements(plan)
        return self._recorded(self._input._elements)


class _ConcatenateDataset(Dataset):
    _kind = "_ConcatenateDataset"

    def __init__(self, first, second):
        if not isinstance(second, Dataset):
            raise TypeError(f"concatenate: expected a Dataset, got {second!r}")
        a, b = _flatten(first.element_spec), _flatten(second.element_spec)
        if len(a) != len(b) or any(x.dtype != y.dtype for x, y in zip(a, b)):
            raise TypeError(f"Incompatible dataset elements:\n{first.element_spec} vs. "
                            f"\n{second.element_spec}")
        self._first, self._second = first, second

    def _elements(self):
        yield from self._first._elements()
        yield from self._second._elements()

    def _cardinality(self):
        a, b = self._first._cardinality(), self._second._cardinality()
        if a == INFINITE_CARDINALITY or b == INFINITE_CARDINALITY:
            return INFINITE_CARDINALITY
        if a < 0 or b < 0:
            return UNKNOWN_CARDINALITY
        return a + b

    def _spec(self):
        a, b = self._first.element_spec, self._second.element_spec
        return _pack(a, [TensorSpec(tuple(x.shape) if tuple(x.shape) == tuple(y.shape)
                                    else (None,) * len(x.shape) if len(x.shape) == len(y.shape)
                                    else None, x.dtype)
                         for x, y in zip(_flatten(a), _flatten(b))])


def __dir__():
    # the namespace's public names only (no helper imports)
    if "__all__" in globals():
        return sorted(__all__)
    return sorted(n for n in globals() if not n.startswith("_"))
