"""tg.data against TensorFlow 2.21: the values, structures, element_specs, cardinalities
and errors below are what the same pipelines give in TF (written in, TF not needed)."""
import numpy as np
import pytest

import tapegrad as tg

X = np.arange(12, dtype=np.float32).reshape(6, 2)
Y = np.array([0, 1, 0, 1, 1, 0])


def ds3():
    return tg.data.Dataset.from_tensor_slices([1, 2, 3])


def L(ds):
    return [a.tolist() if hasattr(a, "tolist") else a for a in ds.as_numpy_iterator()]


def spec(shape, dtype):
    return tg.TensorSpec(shape, dtype)


def test_from_tensor_slices_list():
    ds = ds3()
    assert ds.element_spec == spec((), tg.int32)
    assert L(ds) == [1, 2, 3]
    c = ds.cardinality()
    assert isinstance(c, tg.Tensor) and c.dtype == tg.int64 and int(c) == 3
    assert len(ds) == 3


def test_elements_are_tensors():
    out = list(ds3())
    assert all(type(t) is tg.Tensor for t in out)
    assert repr(out[0]) == "<tg.Tensor: shape=(), dtype=int32, numpy=1>"
    first = next(iter(ds3().batch(2)))
    assert repr(first) == "<tg.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], dtype=int32)>"


def test_from_tensor_slices_tuple_and_dict():
    ds = tg.data.Dataset.from_tensor_slices((X, Y))
    assert [(a.tolist(), b.tolist()) for a, b in ds.as_numpy_iterator()] == [
        ([0.0, 1.0], 0), ([2.0, 3.0], 1), ([4.0, 5.0], 0), ([6.0, 7.0], 1), ([8.0, 9.0], 1),
        ([10.0, 11.0], 0)]
    assert ds.element_spec == (spec((2,), tg.float32), spec((), tg.int64))
    d = tg.data.Dataset.from_tensor_slices({"b": Y, "a": X})
    out = list(d.as_numpy_iterator())
    assert list(out[0]) == ["b", "a"]            # the caller's key order, as TF
    assert [{k: v.tolist() for k, v in e.items()} for e in out][:2] == [
        {"b": 0, "a": [0.0, 1.0]}, {"b": 1, "a": [2.0, 3.0]}]
    assert d.element_spec == {"b": spec((), tg.int64), "a": spec((2,), tg.float32)}


def test_source_dtypes_as_tf():
    S = tg.data.Dataset.from_tensor_slices
    assert S([]).element_spec == spec((), tg.float32)
    assert S([1.0, 2.0]).element_spec == spec((), tg.float32)
    assert S(np.array([1.0, 2.0])).element_spec == spec((), tg.float64)
    assert S(np.array([1, 2])).element_spec == spec((), tg.int64)
    assert L(S(tg.constant([[1, 2], [3, 4]]))) == [[1, 2], [3, 4]]
    assert L(S(tg.Variable([1.0, 2.0]))) == [1.0, 2.0]


def test_batch():
    ds = tg.data.Dataset.from_tensor_slices((X, Y))
    assert [(a.tolist(), b.tolist()) for a, b in ds.batch(4).as_numpy_iterator()] == [
        ([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]], [0, 1, 0, 1]),
        ([[8.0, 9.0], [10.0, 11.0]], [1, 0])]
    assert [(a.tolist(), b.tolist()) for a, b in ds.batch(4, drop_remainder=True)
            .as_numpy_iterator()] == [([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]],
                                       [0, 1, 0, 1])]
    assert ds.batch(4).element_spec == (spec((None, 2), tg.float32), spec((None,), tg.int64))
    assert ds.batch(4, True).element_spec == (spec((4, 2), tg.float32), spec((4,), tg.int64))
    d = tg.data.Dataset.from_tensor_slices({"a": [1.0, 2.0], "b": [[1, 2], [3, 4]]})
    assert d.batch(2).element_spec == {"a": spec((None,), tg.float32),
                                       "b": spec((None, 2), tg.int32)}


def test_batch_across_repeats_and_generic_batch():
    assert L(ds3().repeat(3).batch(4)) == [[1, 2, 3, 1], [2, 3, 1, 2], [3]]
    assert L(ds3().batch(2).repeat(2)) == [[1, 2], [3], [1, 2], [3]]
    # element by element (after map): stacked
    assert L(ds3().map(lambda v: v * 2).batch(2)) == [[2, 4], [6]]
    assert L(tg.data.Dataset.range(5).batch(2, drop_remainder=True)) == [[0, 1], [2, 3]]


def test_take_skip_repeat():
    assert L(ds3().take(2)) == [1, 2]
    assert L(ds3().take(-1)) == [1, 2, 3]
    assert L(ds3().skip(2)) == [3]
    assert L(ds3().skip(-1)) == []
    assert L(ds3().skip(10)) == []
    assert L(ds3().repeat().take(7)) == [1, 2, 3, 1, 2, 3, 1]
    assert L(ds3().map(lambda v: v).repeat(2).skip(4)) == [2, 3]


def test_cardinality_as_tf():
    ds = ds3()
    cases = [ds.repeat(), ds.repeat(2), ds.filter(lambda v: v > 1), ds.map(lambda v: v),
             ds.take(2), ds.skip(1), ds.repeat().take(5), ds.batch(2), ds.batch(2, True),
             ds.repeat().batch(2), ds.shuffle(2), ds.cache(), ds.prefetch(1),
             ds.enumerate(), ds.repeat(0), ds.take(0), ds.filter(lambda v: True).take(2),
             ds.repeat().skip(2), ds.concatenate(ds)]
    assert [int(d.cardinality()) for d in cases] == [
        -1, 6, -2, 3, 2, 2, 5, 2, 1, -1, 3, 3, 3, 3, 0, 0, -2, -1, 6]
    assert tg.data.INFINITE_CARDINALITY == -1 and tg.data.UNKNOWN_CARDINALITY == -2
    assert tg.data.AUTOTUNE == -1


def test_range_from_tensors_zip_enumerate():
    R = tg.data.Dataset.range
    assert L(R(5)) == [0, 1, 2, 3, 4]
    assert L(R(2, 10, 3)) == [2, 5, 8]
    assert L(R(10, 0, -4)) == [10, 6, 2]
    assert R(3).element_spec == spec((), tg.int64)
    assert R(3, output_type=tg.int32).element_spec == spec((), tg.int32)
    assert [int(R(*a).cardinality()) for a in [(-3,), (10, 0, -3)]] == [0, 4]
    ft = tg.data.Dataset.from_tensors(([1, 2], 3.0))
    assert ft.element_spec == (spec((2,), tg.int32), spec((), tg.float32))
    assert L(tg.data.Dataset.from_tensors([1, 2])) == [[1, 2]]
    z = tg.data.Dataset.zip((ds3(), R(10)))
    assert list(z.as_numpy_iterator()) == [(1, 0), (2, 1), (3, 2)]
    assert z.element_spec == (spec((), tg.int32), spec((), tg.int64))
    assert int(tg.data.Dataset.zip((ds3(), ds3().take(2))).cardinality()) == 2
    assert L(tg.data.Dataset.zip(ds3(), ds3())) == [(1, 1), (2, 2), (3, 3)]
    zd = tg.data.Dataset.zip({"x": ds3(), "y": ds3().map(lambda v: v * 10)})
    assert list(zd.as_numpy_iterator()) == [{"x": 1, "y": 10}, {"x": 2, "y": 20},
                                            {"x": 3, "y": 30}]
    assert L(ds3().enumerate()) == [(0, 1), (1, 2), (2, 3)]
    assert L(ds3().enumerate(start=5)) == [(5, 1), (6, 2), (7, 3)]
    assert ds3().enumerate().element_spec == (spec((), tg.int64), spec((), tg.int32))


def test_map():
    assert L(ds3().map(lambda v: v * 2)) == [2, 4, 6]
    ds = tg.data.Dataset.from_tensor_slices((X, Y))
    # a tuple element is passed as arguments
    assert L(ds.map(lambda a, b: a[0] + tg.cast(b, tg.float32))) == [0.0, 3.0, 4.0, 7.0, 9.0, 10.0]
    out = L(ds3().map(lambda v: [v, v + 1]))     # a list returned is a tuple
    assert out == [(1, 2), (2, 3), (3, 4)] and type(out[0]) is tuple
    assert L(ds3().map(lambda v: 1.5)) == [1.5, 1.5, 1.5]
    assert ds3().map(lambda v: 1.5).element_spec == spec((), tg.float32)
    assert list(ds3().map(lambda v: {"a": v}).as_numpy_iterator()) == [{"a": 1}, {"a": 2}, {"a": 3}]
    assert ds3().map(lambda v: (tg.cast(v, tg.float32), v)).element_spec == (
        spec((), tg.float32), spec((), tg.int32))
    d = tg.data.Dataset.from_tensor_slices({"a": [1.0, 2.0], "b": [3, 4]})
    assert L(d.map(lambda e: e["a"])) == [1.0, 2.0]
    assert L(ds3().map(lambda v: v, num_parallel_calls=tg.data.AUTOTUNE, deterministic=True)) == [1, 2, 3]
    assert L(tg.data.Dataset.range(4).batch(2).map(lambda v: v + 1)) == [[1, 2], [3, 4]]


def test_filter():
    assert L(ds3().filter(lambda v: v % 2 == 1)) == [1, 3]
    assert L(ds3().filter(lambda v: True)) == [1, 2, 3]
    with pytest.raises(ValueError, match=r"`predicate` must return a `tf.bool` scalar tensor"):
        L(ds3().filter(lambda v: 1))
    with pytest.raises(ValueError, match=r"shape=\(2,\)"):
        L(ds3().filter(lambda v: tg.constant([True, False])))


def test_shuffle():
    d = tg.data.Dataset.range(10).shuffle(3, seed=1)
    v = L(d)
    assert sorted(v) == list(range(10))
    fixed = tg.data.Dataset.range(10).shuffle(10, seed=1, reshuffle_each_iteration=False)
    assert L(fixed) == L(fixed)
    re = tg.data.Dataset.range(20).shuffle(20, seed=1)
    a, b = L(re), L(re)
    assert a != b and sorted(a) == sorted(b) == list(range(20))
    # the same seed gives the same order in a new dataset
    assert L(tg.data.Dataset.range(20).shuffle(20, seed=7)) == \
        L(tg.data.Dataset.range(20).shuffle(20, seed=7))
    rep = L(tg.data.Dataset.range(10).shuffle(10, seed=1, reshuffle_each_iteration=False).repeat(2))
    assert rep[:10] == rep[10:] and sorted(rep[:10]) == list(range(10))


def test_shuffle_buffer_semantics():
    # a buffer of 1 keeps the order; a buffer of b never moves an element more than b-1
    # places forward (the buffer holds the next b elements), on the index plan and off it
    assert L(tg.data.Dataset.range(8).shuffle(1, seed=3)) == list(range(8))
    for ds in [tg.data.Dataset.from_tensor_slices(np.arange(200)),
               tg.data.Dataset.range(200)]:
        out = L(ds.shuffle(5, seed=4))
        assert sorted(out) == list(range(200)) and out != list(range(200))
        assert all(v <= i + 4 for i, v in enumerate(out))
    # shuffle after repeat mixes across epochs but keeps every element's count
    out = L(ds3().repeat(4).shuffle(100, seed=0))
    assert sorted(out) == [1] * 4 + [2] * 4 + [3] * 4
    # seed from tg.random.set_seed when no seed is given
    tg.random.set_seed(5)
    a = L(tg.data.Dataset.range(30).shuffle(30))
    tg.random.set_seed(5)
    assert L(tg.data.Dataset.range(30).shuffle(30)) == a


def test_shuffled_batches_cover_an_epoch():
    x = np.arange(100, dtype=np.float32).reshape(50, 2)
    y = np.arange(50)
    ds = tg.data.Dataset.from_tensor_slices((x, y)).shuffle(50, seed=2).batch(8)
    seen = []
    for xb, yb in ds:
        assert type(xb) is tg.Tensor and xb.shape[1] == 2 and xb.dtype == tg.float32
        np.testing.assert_array_equal(xb.numpy()[:, 0], 2 * yb.numpy())  # rows stay paired
        seen.extend(yb.numpy().tolist())
    assert sorted(seen) == list(range(50)) and len(seen) == 50 and seen != list(range(50))


def test_cache_prefetch_unbatch_concatenate_reduce_apply():
    calls = []
    c = ds3().map(lambda v: (calls.append(1), v)[1]).cache()
    assert L(c) == [1, 2, 3] and L(c) == [1, 2, 3] and len(calls) == 3
    frozen = tg.data.Dataset.range(20).shuffle(20, seed=3).cache()
    assert L(frozen) == L(frozen)          # the first epoch's order, replayed
    assert L(ds3().prefetch(tg.data.AUTOTUNE)) == [1, 2, 3]
    assert L(ds3().batch(2).unbatch()) == [1, 2, 3]
    assert L(ds3().concatenate(tg.data.Dataset.from_tensor_slices([7, 8]))) == [1, 2, 3, 7, 8]
    assert int(ds3().reduce(0, lambda s, v: s + v)) == 6
    assert L(ds3().apply(lambda d: d.take(1))) == [1]


def test_iterators():
    it = iter(ds3())
    assert [int(next(it)) for _ in range(3)] == [1, 2, 3]
    with pytest.raises(StopIteration):
        next(it)
    assert int(iter(ds3()).get_next()) == 1
    assert iter(ds3()).element_spec == spec((), tg.int32)
    total = 0
    for v in ds3():
        total += int(v)
    assert total == 6


def test_repr():
    assert repr(ds3()) == "<_TensorSliceDataset element_spec=TensorSpec(shape=(), dtype=tg.int32, name=None)>"
    assert repr(ds3().batch(2)) == ("<_BatchDataset element_spec=TensorSpec(shape=(None,), "
                                    "dtype=tg.int32, name=None)>")
    assert repr(ds3().map(lambda v: v)).startswith("<_MapDataset element_spec=")


def test_errors_as_tf():
    S = tg.data.Dataset.from_tensor_slices
    with pytest.raises(ValueError, match="Dimensions 3 and 2 are not compatible"):
        S(([1, 2, 3], [1, 2]))
    with pytest.raises(ValueError, match="only supported for rank >= 1"):
        S(5)
    with pytest.raises(tg.errors.InvalidArgumentError, match="Batch size must be greater than zero"):
        ds3().batch(0)
    with pytest.raises(tg.errors.InvalidArgumentError, match="buffer_size must be greater than zero"):
        ds3().shuffle(0)
    with pytest.raises(TypeError, match="The dataset is infinite."):
        len(ds3().repeat())
    with pytest.raises(TypeError, match="The dataset length is unknown."):
        len(ds3().filter(lambda v: True))
    with pytest.raises(tg.errors.InvalidArgumentError, match="step must be a non-zero integer"):
        tg.data.Dataset.range(0, 10, 0)
    with pytest.raises(ValueError, match="Cannot unbatch an input with scalar components."):
        ds3().unbatch()
    with pytest.raises(tg.errors.InvalidArgumentError, match="Cannot batch tensors with different shapes"):
        L(tg.data.Dataset.range(3).map(lambda v: tg.ones((int(v),))).batch(3))
    with pytest.raises(TypeError, match="batch_size"):
        ds3().batch(2.5)
    with pytest.raises(TypeError, match="map_func must be callable"):
        ds3().map(3)
    with pytest.raises(NotImplementedError, match="filename"):
        ds3().cache("some/file")


def test_training_loop_with_module_data_and_checkpoint(tmp_path):
    # the README's example: a hand-built tg.Module fit by a tg.data pipeline, checkpointed
    class Linear(tg.Module):
        def __init__(self):
            super().__init__()
            self.w = tg.Variable(0.0)
            self.b = tg.Variable(0.0)

        def __call__(self, x):
            return self.w * x + self.b

    rng = np.random.default_rng(0)
    x = rng.standard_normal(256).astype(np.float32)
    y = (3.0 * x + 2.0).astype(np.float32)
    model = Linear()
    ds = tg.data.Dataset.from_tensor_slices((x, y)).shuffle(256, seed=1).batch(32)
    ckpt = tg.train.Checkpoint(model=model)
    manager = tg.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2)
    for epoch in range(20):
        for xb, yb in ds:
            with tg.GradientTape() as tape:
                loss = tg.reduce_mean(tg.square(model(xb) - yb))
            gw, gb = tape.gradient(loss, [model.w, model.b])
            model.w.assign_sub(0.1 * gw)
            model.b.assign_sub(0.1 * gb)
        manager.save()
    assert f"{loss:.4f}" == "0.0000"
    np.testing.assert_allclose([float(model.w), float(model.b)], [3.0, 2.0], atol=1e-4)
    assert len(manager.checkpoints) == 2
    fresh = Linear()
    tg.train.Checkpoint(model=fresh).restore(manager.latest_checkpoint).assert_consumed()
    assert float(fresh.w) == float(model.w) and float(fresh.b) == float(model.b)


def test_an_epoch_never_copies_the_whole_array():
    # shuffle + batch move indices: the memory an epoch holds at once is a few batches and
    # the index permutation, never a copy of the 8 MB array (NumPy reports to tracemalloc)
    import tracemalloc
    x = np.ones((20000, 100), np.float32)
    ds = tg.data.Dataset.from_tensor_slices((x, np.arange(20000))).shuffle(20000, seed=0).batch(32)
    for _ in ds.take(2):       # warm up
        pass
    tracemalloc.start()
    try:
        n = sum(1 for _ in ds)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert n == 625
    assert peak < 1_000_000, peak           # the array is 8,000,000 bytes


def test_from_generator_and_flat_map():
    def gen():
        for i in range(3):
            yield i, [float(i)] * i

    sig = (tg.TensorSpec((), tg.int32), tg.TensorSpec((None,), tg.float32))
    ds = tg.data.Dataset.from_generator(gen, output_signature=sig)
    assert ds.element_spec == sig
    assert int(ds.cardinality()) == -2
    assert [(a, b.tolist()) for a, b in ds.as_numpy_iterator()] == [(0, []), (1, [1.0]),
                                                                    (2, [2.0, 2.0])]
    assert len(list(ds)) + len(list(ds)) == 6       # the generator is called again
    old = tg.data.Dataset.from_generator(gen, output_types=(tg.int64, tg.float32))
    assert [s.dtype for s in old.element_spec] == [tg.int64, tg.float32]
    assert [s.shape.rank for s in old.element_spec] == [None, None]
    shaped = tg.data.Dataset.from_generator(gen, output_types=(tg.int64, tg.float32),
                                            output_shapes=((), (None,)))
    assert shaped.element_spec == (tg.TensorSpec((), tg.int64), tg.TensorSpec((None,), tg.float32))
    with pytest.raises(tg.errors.InvalidArgumentError,
                       match=r"yielded an element of shape \(2,\) where an element of shape \(3,\)"):
        list(tg.data.Dataset.from_generator(lambda: iter([[1.0, 2.0]]),
                                            output_signature=tg.TensorSpec((3,), tg.float32)))
    assert L(tg.data.Dataset.from_generator(lambda: iter([1.5]),
                                            output_signature=tg.TensorSpec((), tg.int32))) == [1]
    assert L(tg.data.Dataset.from_generator(lambda n: range(n), args=(3,),
                                            output_signature=tg.TensorSpec((), tg.int64))) == [0, 1, 2]
    with pytest.raises(TypeError, match="provide either the `output_signature`"):
        tg.data.Dataset.from_generator(gen)
    with pytest.raises(TypeError, match="`generator` must be a Python callable."):
        tg.data.Dataset.from_generator(gen(), output_signature=sig)
    fm = tg.data.Dataset.range(3).flat_map(lambda x: tg.data.Dataset.from_tensors(x).repeat(x))
    assert L(fm) == [1, 2, 2] and int(fm.cardinality()) == -2
