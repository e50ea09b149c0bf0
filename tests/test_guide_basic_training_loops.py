"""TensorFlow's guide "Basic training loops" (its tf.Module part), run with
`import tapegrad as tf`; the noise comes from NumPy so that TF 2.21's printed numbers,
written in below, are the expected ones."""
import numpy as np
import pytest

import tapegrad as tf

# TF 2.21's (W, b, loss) after each of the ten epochs
TF_EPOCHS = [(4.45, 0.40, 6.54106), (4.04, 0.72, 4.19476), (3.75, 0.98, 2.84315),
             (3.53, 1.19, 2.05823), (3.37, 1.35, 1.59864), (3.26, 1.48, 1.32733),
             (3.17, 1.59, 1.16588), (3.11, 1.67, 1.06906), (3.07, 1.74, 1.01057),
             (3.04, 1.80, 0.97499)]


class MyModel(tf.Module):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.w = tf.Variable(5.0)
        self.b = tf.Variable(0.0)

    def __call__(self, x):
        return self.w * x + self.b


def loss(target_y, predicted_y):
    return tf.reduce_mean(tf.square(target_y - predicted_y))


def train(model, x, y, learning_rate):
    with tf.GradientTape() as t:
        current_loss = loss(y, model(x))
    dw, db = t.gradient(current_loss, [model.w, model.b])
    model.w.assign_sub(learning_rate * dw)
    model.b.assign_sub(learning_rate * db)


def test_basic_training_loop_gives_tensorflows_numbers():
    x = tf.cast(tf.linspace(-2, 2, 201), tf.float32)
    noise = tf.constant(np.random.default_rng(0).standard_normal(201).astype(np.float32))
    y = x * 3.0 + 2.0 + noise
    model = MyModel()
    assert len(model.variables) == 2
    assert model(3.0).numpy() == 15.0
    assert "%1.6f" % loss(y, model(x)).numpy() == "10.646257"
    for epoch in range(10):
        train(model, x, y, learning_rate=0.1)
        current_loss = loss(y, model(x))
        report = f"W = {model.w.numpy():1.2f}, b = {model.b.numpy():1.2f}, loss={current_loss:2.5f}"
        w, b, l = TF_EPOCHS[epoch]
        assert report.startswith(f"W = {w:1.2f}, b = {b:1.2f}, loss=")
        assert float(report.split("loss=")[1]) == pytest.approx(l, abs=1.5e-5)
