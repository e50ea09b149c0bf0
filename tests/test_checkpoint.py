"""tg.train.Checkpoint against TensorFlow 2.21: paths, keys, numbering, manager, errors
(TF's values written in)."""
import json
import os

import numpy as np
import pytest

import tapegrad as tg


class Model:
    """Any object whose attributes hold variables (as tg.Module, duck typed)."""

    def __init__(self):
        self.w = tg.Variable([[1.0, 2.0]], name="w")
        self.b = tg.Variable(0.0, name="b")
        self.layers = [tg.Variable(3.0), {"k": tg.Variable(4)}]


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_save_numbers_and_state_file(here):
    m, v = Model(), tg.Variable(7.0)
    ck = tg.train.Checkpoint(model=m, v=v)
    assert ck.save("ck/ckpt") == "ck/ckpt-1"
    assert ck.save("ck/ckpt") == "ck/ckpt-2"
    assert sorted(os.listdir("ck")) == ["checkpoint", "ckpt-1.index", "ckpt-1.npz",
                                        "ckpt-2.index", "ckpt-2.npz"]
    assert tg.train.latest_checkpoint("ck") == "ck/ckpt-2"
    assert tg.train.latest_checkpoint("nonexistent") is None
    assert open("ck/checkpoint").read() == ('model_checkpoint_path: "ckpt-2"\n'
                                            'all_model_checkpoint_paths: "ckpt-2"\n')
    assert repr(ck.save_counter) == "<tg.Variable 'save_counter:0' shape=() dtype=int64, numpy=2>"


def test_keys_as_tf_and_numpy_reads_them(here):
    ck = tg.train.Checkpoint(model=Model(), v=tg.Variable(7.0))
    path = ck.save("ck/ckpt")
    # TF's list, less its '_CHECKPOINTABLE_OBJECT_GRAPH' entry
    assert tg.train.list_variables("ck") == [
        ("model/b/.ATTRIBUTES/VARIABLE_VALUE", []),
        ("model/layers/0/.ATTRIBUTES/VARIABLE_VALUE", []),
        ("model/layers/1/k/.ATTRIBUTES/VARIABLE_VALUE", []),
        ("model/w/.ATTRIBUTES/VARIABLE_VALUE", [1, 2]),
        ("save_counter/.ATTRIBUTES/VARIABLE_VALUE", []),
        ("v/.ATTRIBUTES/VARIABLE_VALUE", [])]
    with np.load(path + ".npz") as data:
        np.testing.assert_array_equal(data["model/w/.ATTRIBUTES/VARIABLE_VALUE"], [[1.0, 2.0]])
        assert data["model/layers/1/k/.ATTRIBUTES/VARIABLE_VALUE"].dtype == np.int32
    index = json.loads(open(path + ".index").read())
    assert index["variables"]["v/.ATTRIBUTES/VARIABLE_VALUE"] == {"shape": [], "dtype": "float32"}
    assert float(tg.train.load_variable(path, "v")) == 7.0
    reader = tg.train.load_checkpoint("ck")
    assert reader.get_variable_to_shape_map()["model/w/.ATTRIBUTES/VARIABLE_VALUE"] == [1, 2]


def test_restore_into_existing_variables(here):
    m, v = Model(), tg.Variable(7.0)
    ck = tg.train.Checkpoint(model=m, v=v)
    first = ck.save("ck/ckpt")
    v.assign(0.0)
    m.w.assign([[0.0, 0.0]])
    m.layers[1]["k"].assign(9)
    status = ck.restore(first)
    assert float(v) == 7.0 and m.w.numpy().tolist() == [[1.0, 2.0]]
    assert int(m.layers[1]["k"]) == 4
    assert status.assert_consumed() is status
    # a fresh program's objects, same structure: restored through the nested attributes
    m2 = Model()
    m2.w.assign([[5.0, 5.0]])
    tg.train.Checkpoint(model=m2, v=tg.Variable(0.0)).restore(first).assert_consumed()
    assert m2.w.numpy().tolist() == [[1.0, 2.0]]


def test_shared_variable_saved_once(here):
    shared = tg.Variable(1.0)
    ck = tg.train.Checkpoint(a=[shared], b={"x": shared})
    path = ck.write("w")
    assert [k for k, _ in tg.train.list_variables(path)] == [
        "a/0/.ATTRIBUTES/VARIABLE_VALUE"]    # and no save_counter before a save(), as TF


def test_write_and_read(here):
    v = tg.Variable([1.0, 2.0])
    ck = tg.train.Checkpoint(v=v)
    assert ck.write("out/w") == "out/w"
    assert not os.path.exists("out/checkpoint")        # write() keeps no state file
    v.assign([0.0, 0.0])
    ck.read("out/w").assert_consumed()
    assert v.numpy().tolist() == [1.0, 2.0]


def test_errors(here):
    v = tg.Variable(7.0)
    ck = tg.train.Checkpoint(model=Model(), v=v)
    path = ck.save("ck/ckpt")
    with pytest.raises(tg.errors.NotFoundError, match="checkpoint suffix"):
        ck.restore("ck/nothere")
    with pytest.raises(ValueError, match=r"Received incompatible tensor with shape \(\) when "
                       r"attempting to restore variable with shape \(2,\)"):
        tg.train.Checkpoint(v=tg.Variable([1.0, 2.0])).restore(path)
    with pytest.raises(tg.errors.InvalidArgumentError,
                       match="expected dtype int32 does not equal original dtype float32"):
        tg.train.Checkpoint(v=tg.Variable(1, dtype=tg.int32)).restore(path)
    with pytest.raises(AssertionError, match="not bound to checkpointed values.*extra"):
        tg.train.Checkpoint(model=Model(), v=v, extra=tg.Variable(1.0)).restore(
            path).assert_consumed()
    with pytest.raises(AssertionError, match="model/w/.ATTRIBUTES/VARIABLE_VALUE"):
        tg.train.Checkpoint(v=v).restore(path).assert_consumed()
    tg.train.Checkpoint(v=v).restore(path).expect_partial()
    with pytest.raises(ValueError, match="trackable"):
        tg.train.Checkpoint(v=3)
    with pytest.raises(ValueError, match="trackable"):
        tg.train.Checkpoint(t=tg.constant(1.0))


def test_failed_restore_changes_nothing(here):
    a, b = tg.Variable(1.0), tg.Variable([1.0, 2.0])
    path = tg.train.Checkpoint(a=a, b=b).write("x")
    a2, b2 = tg.Variable(5.0), tg.Variable([1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        tg.train.Checkpoint(a=a2, b=b2).restore(path)
    assert float(a2) == 5.0                    # checked before anything was assigned


def test_manager(here):
    m, v = Model(), tg.Variable(7.0)
    ck = tg.train.Checkpoint(model=m, v=v)
    ck.save("ck/ckpt")
    ck.save("ck/ckpt")
    mgr = tg.train.CheckpointManager(ck, "ck/mgr", max_to_keep=2)
    assert mgr.latest_checkpoint is None
    assert [mgr.save() for _ in range(4)] == ["ck/mgr/ckpt-3", "ck/mgr/ckpt-4",
                                              "ck/mgr/ckpt-5", "ck/mgr/ckpt-6"]
    assert mgr.checkpoints == ["ck/mgr/ckpt-5", "ck/mgr/ckpt-6"]
    assert mgr.latest_checkpoint == "ck/mgr/ckpt-6"
    assert sorted(os.listdir("ck/mgr")) == ["checkpoint", "ckpt-5.index", "ckpt-5.npz",
                                            "ckpt-6.index", "ckpt-6.npz"]
    assert mgr.save(checkpoint_number=100) == "ck/mgr/ckpt-100"
    v.assign(0.0)
    assert mgr.restore_or_initialize() == "ck/mgr/ckpt-100" and float(v) == 7.0
    # a new manager on the directory picks up the kept checkpoints
    again = tg.train.CheckpointManager(ck, "ck/mgr", max_to_keep=2)
    assert again.checkpoints == ["ck/mgr/ckpt-6", "ck/mgr/ckpt-100"]
    assert tg.train.latest_checkpoint("ck/mgr") == "ck/mgr/ckpt-100"
    inits = []
    fresh = tg.train.CheckpointManager(ck, "ck/empty", max_to_keep=None,
                                       init_fn=lambda: inits.append(1))
    assert fresh.restore_or_initialize() is None and inits == [1]


def test_crash_while_saving_keeps_previous_checkpoint(here, monkeypatch):
    v = tg.Variable(1.0)
    ck = tg.train.Checkpoint(v=v)
    good = ck.save("ck/ckpt")
    v.assign(2.0)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut")

    with monkeypatch.context() as mp:
        mp.setattr(np, "savez", crash)
        with pytest.raises(KeyboardInterrupt):
            ck.save("ck/ckpt")
    assert tg.train.latest_checkpoint("ck") == good
    assert sorted(os.listdir("ck")) == ["checkpoint", "ckpt-1.index", "ckpt-1.npz"]  # no temp left
    v.assign(0.0)
    ck.restore(good)
    assert float(v) == 1.0


def test_walks_modules_generically(here):
    class Dense:
        def __init__(self, n):
            self.kernel = tg.Variable(np.ones((2, n), np.float32))
            self.bias = tg.Variable(np.zeros(n, np.float32))
            self.activation = tg.nn.relu             # functions are not walked
            self.name = "dense"

    class Net:
        def __init__(self):
            self.layers = [Dense(3), Dense(1)]
            self.parent = self                       # cycles are fine

    net = Net()
    path = tg.train.Checkpoint(model=net).write("net")
    assert [k for k, _ in tg.train.list_variables(path)] == [
        "model/layers/0/bias/.ATTRIBUTES/VARIABLE_VALUE",
        "model/layers/0/kernel/.ATTRIBUTES/VARIABLE_VALUE",
        "model/layers/1/bias/.ATTRIBUTES/VARIABLE_VALUE",
        "model/layers/1/kernel/.ATTRIBUTES/VARIABLE_VALUE"]
    if hasattr(tg, "Module"):
        class M(tg.Module):
            def __init__(self):
                super().__init__()
                self.d = Dense(2)
        mod = M()
        p = tg.train.Checkpoint(m=mod).write("mod")
        mod.d.kernel.assign(np.zeros((2, 2), np.float32))
        tg.train.Checkpoint(m=mod).restore(p).assert_consumed()
        assert mod.d.kernel.numpy().tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_root_object_attributes_are_top_level_keys(here):
    # TF 2.21: Checkpoint(m, extra=v).write(...) lists 'extra/...' and 'w/...'
    class M:
        def __init__(self):
            self.w = tg.Variable(1.0)

    m = M()
    p = tg.train.Checkpoint(m, extra=tg.Variable(2.0)).write("ck2/a")
    assert tg.train.list_variables(p) == [("extra/.ATTRIBUTES/VARIABLE_VALUE", []),
                                          ("w/.ATTRIBUTES/VARIABLE_VALUE", [])]
    m.w.assign(5.0)
    tg.train.Checkpoint(m).restore(p).expect_partial()
    assert float(m.w) == 1.0
    with pytest.raises(ValueError, match="trackable"):
        tg.train.Checkpoint(3)
