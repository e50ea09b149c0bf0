"""TensorFlow's guide "Introduction to modules, layers, and models" (intro_to_modules),
its cells on hand-built modules and tf.function run with `import tapegrad as tf`, with the
outputs TensorFlow 2.21 prints (the SavedModel, checkpoint, TensorBoard and Keras parts are
left out; random initial values differ, so those cells check shapes and the arithmetic)."""
import numpy as np
import pytest

import tapegrad as tf


class SimpleModule(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.a_variable = tf.Variable(5.0, name="train_me")
        self.non_trainable_variable = tf.Variable(5.0, trainable=False, name="do_not_train_me")

    def __call__(self, x):
        return self.a_variable * x + self.non_trainable_variable


class Dense(tf.Module):
    def __init__(self, in_features, out_features, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(tf.random.normal([in_features, out_features]), name='w')
        self.b = tf.Variable(tf.zeros([out_features]), name='b')

    def __call__(self, x):
        y = tf.matmul(x, self.w) + self.b
        return tf.nn.relu(y)


class SequentialModule(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.dense_1 = Dense(in_features=3, out_features=3)
        self.dense_2 = Dense(in_features=3, out_features=2)

    def __call__(self, x):
        x = self.dense_1(x)
        return self.dense_2(x)


class FlexibleDenseModule(tf.Module):
    def __init__(self, out_features, name=None):
        super().__init__(name=name)
        self.is_built = False
        self.out_features = out_features

    def __call__(self, x):
        if not self.is_built:
            self.w = tf.Variable(tf.random.normal([x.shape[-1], self.out_features]), name='w')
            self.b = tf.Variable(tf.zeros([self.out_features]), name='b')
            self.is_built = True
        y = tf.matmul(x, self.w) + self.b
        return tf.nn.relu(y)


class MyFlexibleSequentialModule(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.dense_1 = FlexibleDenseModule(out_features=3)
        self.dense_2 = FlexibleDenseModule(out_features=2)

    def __call__(self, x):
        x = self.dense_1(x)
        return self.dense_2(x)


class MySequentialModule(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.dense_1 = Dense(in_features=3, out_features=3)
        self.dense_2 = Dense(in_features=3, out_features=2)

    @tf.function
    def __call__(self, x):
        x = self.dense_1(x)
        return self.dense_2(x)


def by_hand(model, x):
    h = np.maximum(np.asarray(x) @ model.dense_1.w.numpy() + model.dense_1.b.numpy(), 0)
    return np.maximum(h @ model.dense_2.w.numpy() + model.dense_2.b.numpy(), 0)


def test_simple_module():
    simple_module = SimpleModule(name="simple")
    assert repr(simple_module(tf.constant(5.0))) == \
        "<tg.Tensor: shape=(), dtype=float32, numpy=30.0>"
    assert str(simple_module.trainable_variables) == \
        "(<tg.Variable 'train_me:0' shape=() dtype=float32, numpy=5.0>,)"
    assert str(simple_module.variables) == (
        "(<tg.Variable 'train_me:0' shape=() dtype=float32, numpy=5.0>, "
        "<tg.Variable 'do_not_train_me:0' shape=() dtype=float32, numpy=5.0>)")


def test_sequential_module():
    my_model = SequentialModule(name="the_model")
    r = my_model(tf.constant([[2.0, 2.0, 2.0]]))
    assert r.shape == (1, 2) and r.dtype == tf.float32
    np.testing.assert_allclose(r, by_hand(my_model, [[2.0, 2.0, 2.0]]), rtol=1e-6)
    subs = my_model.submodules
    assert [type(s).__name__ for s in subs] == ["Dense", "Dense"]
    assert subs[0] is my_model.dense_1 and subs[1] is my_model.dense_2
    assert repr(subs[0]).startswith("<") and "Dense object at 0x" in repr(subs[0])
    assert [(v.name, tuple(v.shape), v.trainable) for v in my_model.variables] == [
        ("b:0", (3,), True), ("w:0", (3, 3), True), ("b:0", (2,), True), ("w:0", (3, 2), True)]
    assert repr(my_model.variables[0]) == ("<tg.Variable 'b:0' shape=(3,) dtype=float32, "
                                           "numpy=array([0., 0., 0.], dtype=float32)>")


def test_waiting_to_create_variables():
    my_model = MyFlexibleSequentialModule(name="the_model")
    assert len(my_model.variables) == 0
    r = my_model(tf.constant([[2.0, 2.0, 2.0]]))
    assert r.shape == (1, 2)
    assert [v.name for v in my_model.variables] == ['b:0', 'w:0', 'b:0', 'w:0']
    assert [tuple(v.shape) for v in my_model.variables] == [(3,), (3, 3), (2,), (3, 2)]
    np.testing.assert_allclose(r, by_hand(my_model, [[2.0, 2.0, 2.0]]), rtol=1e-6)


def test_saving_functions_module_with_tf_function():
    my_model = MySequentialModule(name="the_model")
    a = my_model([[2.0, 2.0, 2.0]])
    b = my_model([[[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]])
    assert type(a) is tf.Tensor and a.shape == (1, 2) and b.shape == (1, 2, 2)
    np.testing.assert_allclose(b.numpy()[0, 0], a.numpy()[0])
    np.testing.assert_allclose(b.numpy()[0, 1], a.numpy()[0])
    np.testing.assert_allclose(a, by_hand(my_model, [[2.0, 2.0, 2.0]]), rtol=1e-6)
    assert (my_model.name, my_model.name_scope.name, my_model.dense_1.name) == \
        ("the_model", "the_model/", "dense")


def test_training_a_module_by_gradient():
    # the guide's point: tape.gradient(loss, model.trainable_variables) on a hand-built model
    my_model = MySequentialModule()
    x = tf.constant([[2.0, 2.0, 2.0]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(my_model(x) ** 2)
    grads = tape.gradient(loss, my_model.trainable_variables)
    assert len(grads) == 4
    for g, v in zip(grads, my_model.trainable_variables):
        assert g is not None and g.shape == v.shape


@pytest.mark.parametrize("name", [None, "x"])
def test_module_name_default(name):
    assert SimpleModule(name=name).name == (name or "simple_module")
