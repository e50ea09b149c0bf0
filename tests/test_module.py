"""tg.Module and tg.name_scope; expected names, orders and errors from TensorFlow 2.21."""
import threading

import numpy as np
import pytest

import tapegrad as tg


def names(vs):
    return [v.name for v in vs]


class M(tg.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        with self.name_scope:
            self.w = tg.Variable(1.0, name="w")
        self.l = [tg.Variable(2.0, name="l0"),
                  {"b": tg.Variable(3.0, name="b"),
                   "a": tg.Variable(4.0, name="a", trainable=False)}]

    @tg.Module.with_name_scope
    def __call__(self, x):
        return tg.Variable(x, name="inner")


class N(tg.Module):
    def __init__(self):
        super().__init__()
        self.m1 = M(name="first")
        self.m2 = M()
        self.same = self.m1
        self.t = (self.m1,)
        with self.name_scope:
            self.m3 = M(name="inner")


def test_name_scope_names_variables():
    with tg.name_scope("a"):
        assert tg.Variable(1.0).name == "a/Variable:0"
        with tg.name_scope("b"):
            assert tg.Variable(1.0, name="w").name == "a/b/w:0"
        with tg.name_scope("b/"):           # absolute
            assert tg.Variable(1.0, name="w").name == "b/w:0"
        with tg.name_scope(""):             # cleared
            assert tg.Variable(1.0, name="w").name == "w:0"
        assert tg.Variable(1.0, name="v").name == "a/v:0"
    assert tg.Variable(1.0, name="v").name == "v:0"


def test_name_scope_value_name_and_errors():
    with tg.name_scope("a") as s:
        assert s == "a/"
        with tg.name_scope("b") as s2:
            assert s2 == "a/b/"
    assert tg.name_scope("a").name == "a"
    with pytest.raises(ValueError, match="name for name_scope must be a string."):
        tg.name_scope(None)
    with pytest.raises(ValueError, match="name for name_scope must be a string."):
        tg.name_scope(3)


def test_name_scope_restored_after_exception():
    with pytest.raises(RuntimeError):
        with tg.name_scope("boom"):
            raise RuntimeError
    assert tg.Variable(1.0, name="v").name == "v:0"


def test_name_scope_is_per_thread():
    seen = []
    with tg.name_scope("main"):
        t = threading.Thread(target=lambda: seen.append(tg.Variable(1.0, name="v").name))
        t.start()
        t.join()
    assert seen == ["v:0"]


def test_module_walk_order_and_names():
    m = M()
    assert m.name == "m" and m.name_scope.name == "m/"
    assert names(m.variables) == ["l0:0", "a:0", "b:0", "m/w:0"]
    assert names(m.trainable_variables) == ["l0:0", "b:0", "m/w:0"]
    assert names(m.non_trainable_variables) == ["a:0"]
    assert type(m.variables) is tuple and type(m.trainable_variables) is tuple
    assert m(1.0).name == "m/inner:0"
    assert M.__call__.__name__ == "__call__"


def test_nested_modules_no_duplicates_breadth_first():
    n = N()
    assert n.name == "n"
    assert [s.name for s in n.submodules] == ["first", "m", "inner"]
    assert n.m3.name_scope.name == "n/inner/" and n.m3.w.name == "n/inner/w:0"
    assert names(n.variables) == [
        "l0:0", "a:0", "b:0", "first/w:0", "l0:0", "a:0", "b:0", "m/w:0",
        "n/l0:0", "n/a:0", "n/b:0", "n/inner/w:0"]
    # each variable object once, though m1 is reachable three times
    assert len({id(v) for v in n.variables}) == 12


def test_module_names():
    class Dense(tg.Module):
        pass

    class MyHTTPModule(tg.Module):
        pass

    assert tg.Module().name == "module" and tg.Module().name_scope.name == "module/"
    assert Dense().name == "dense"
    assert MyHTTPModule().name == "my_http_module"
    assert M(name="x").name == "x"
    with pytest.raises(ValueError, match="'a b' is not a valid module name. Module names "
                       "must be valid Python identifiers"):
        tg.Module(name="a b")
    with pytest.raises(TypeError):
        tg.Module(name=3)


def test_submodule_cycles():
    a, b, c = tg.Module(), tg.Module(), tg.Module()
    a.b = b
    b.c = c
    c.a = a
    assert list(a.submodules) == [b, c]
    assert list(b.submodules) == [c, a]
    assert list(c.submodules) == [a, b]


def test_flatten_with_path_and_predicate():
    m = M()
    paths = [p for p, _ in m._flatten(predicate=lambda v: isinstance(v, tg.Variable),
                                      with_path=True)]
    assert paths == [("l", 0), ("l", 1, "a"), ("l", 1, "b"), ("w",)]


def test_gradient_over_trainable_variables():
    class Dense(tg.Module):
        def __init__(self):
            super().__init__()
            self.w = tg.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
            self.b = tg.Variable([0.5, -0.5], name="b")
            self.frozen = tg.Variable(2.0, trainable=False)

        def __call__(self, x):
            return tg.matmul(x, self.w) * self.frozen + self.b

    d = Dense()
    x = tg.constant([[1.0, 1.0]])
    with tg.GradientTape() as tape:
        loss = tg.reduce_sum(d(x) ** 2)
    gb, gw = tape.gradient(loss, d.trainable_variables)
    # y = [8.5, 11.5]; dL/db = 2y; dL/dw = x^T (2y * 2)
    np.testing.assert_allclose(gb, [17.0, 23.0])
    np.testing.assert_allclose(gw, [[34.0, 46.0], [34.0, 46.0]])
    assert names(d.trainable_variables) == ["b:0", "w:0"]


def test_get_current_name_scope():
    # TF 2.21: '' outside every scope, 'outer/inner' inside two
    assert tg.get_current_name_scope() == ""
    with tg.name_scope("outer"):
        with tg.name_scope("inner"):
            assert tg.get_current_name_scope() == "outer/inner"
            assert tg.Variable(1.0, name="w").name == "outer/inner/w:0"
    assert tg.get_current_name_scope() == ""
