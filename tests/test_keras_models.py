"""tg.keras models: fit histories, evaluate, predict, train_on_batch and summary tables
against Keras 3 on TensorFlow 2.21 (values written in, for weights set explicitly and
shuffle=False), the functional API, Sequential, subclassed models, callbacks, the
progress bar, and weight files."""
import io
import os

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import keras
from tapegrad.keras import layers as L
from tapegrad.keras.layers_base import clear_session

from _helpers import close

# Keras 3 on TensorFlow 2.21 (tf.keras), same data, weights and arguments.
KERAS = {
    'X': [[0.13, -0.13, 0.64], [0.1, -0.54, 0.36], [1.3, 0.95, -0.7], [-1.27, -0.62, 0.04],
         [-2.33, -0.22, -1.25], [-0.73, -0.54, -0.32], [0.41, 1.04, -0.13], [1.37, -0.67, 0.35]],
    'Y': [0, 1, 1, 0, 1, 0, 0, 1],
    'W1': [[0.45, 0.05, -0.37, -0.46], [-0.23, 0.11, -0.5, -0.1], [-0.08, 0.27, 0.11, 0.18]],
    'W2': [[-0.33, -0.06], [0.39, 0.75], [-0.63, 0.76], [0.67, 0.39]],
    'hist_sgd': {'accuracy': [0.5, 0.5, 0.333333343],
         'loss': [0.744925797, 0.721678674, 0.713259935],
         'val_accuracy': [1.0, 1.0, 1.0],
         'val_loss': [0.642291129, 0.638213754, 0.633529663]},
    'eval_sgd': [0.68093884, 0.5],
    'pred_sgd': [[0.252635062, 0.0243067443], [0.0934127495, 0.0332814902]],
    'Yr': [[0.26, -0.31], [1.46, 1.96], [1.8, 1.32], [0.36, -1.21], [0.0, 0.66], [-1.29, 0.4],
         [0.43, 0.7], [-1.18, -0.66]],
    'hist_adam': {'loss': [1.19836259, 1.15970051],
         'mae': [0.864589751, 0.844769418],
         'val_loss': [1.7940731, 1.75068247],
         'val_mae': [1.16140676, 1.14359224]},
    'tob': [[1.13205814, 0.831840038], [1.1207782, 0.825483561]],
    'eval_sw': {'loss': 3.10035157, 'mae': 0.825483561},
    'Wo1': [[-0.22], [-0.58], [0.87], [-0.25], [0.16]],
    'Wo2': [[-0.13, 0.79, 0.66], [0.32, -1.1, 0.03], [0.34, 0.5, -0.31], [0.91, -0.66, -0.33],
         [0.47, 0.02, 1.0]],
    'X2': [[0.19, -0.63], [-0.38, -1.09], [-1.28, 0.63], [0.58, 1.29], [-0.75, 1.69], [-0.29, 1.57],
         [-0.43, -0.74], [0.25, 1.03]],
    'Y1': [[0.16], [-0.59], [-1.34], [-1.4], [0.5], [0.99], [-0.16], [-1.07]],
    'Y2': [0, 1, 2, 0, 1, 2, 2, 1],
    'hist_multi': {'loss': [1.64140892, 1.45019519],
         'o1_loss': [1.20183384, 1.01684737],
         'o1_mae': [0.92826581, 0.852795243],
         'o2_accuracy': [0.75, 0.75],
         'o2_loss': [0.879150033, 0.866695523]},
    'eval_multi': [1.2668736, 0.839792252, 0.854162753, 0.744606733, 0.75],
    'names_multi': ['loss', 'compile_metrics', 'o1_loss', 'o2_loss'],
    'hist_bn': {'loss': [1.61732841, 1.28668857]},
    'bn_mm_after': [-0.00142627768, -0.0021669853, 0.00317312963, 0.00189643796],
    'bn_losses': [0.011471699],
    'hist_lrs': {'learning_rate': [0.0500000007, 0.0250000004, 0.0125000002, 0.00625000009],
         'loss': [0.715153098, 0.707320809, 0.703669488, 0.701900482]},
    'hist_es': {'loss': [0.715536654, 0.652899623, 0.60197711, 0.587598562, 0.623073936]},
    'es_stopped': 4,
    'es_best': 3,
    'es_w': [0.0276553929, -0.0276554823],
}

# Keras's summary tables (COLUMNS=80).
SUM_SEQ = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 4)              │            16 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 2)              │            10 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 26 (104.00 B)
 Trainable params: 26 (104.00 B)
 Non-trainable params: 0 (0.00 B)
"""

SUM_MULTI = """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━
┃ Layer (type)                ┃ Output Shape            ┃        Param # ┃ Conne
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━
│ a (InputLayer)              │ (None, 3)               │              0 │ -    
├─────────────────────────────┼─────────────────────────┼────────────────┼──────
│ b (InputLayer)              │ (None, 2)               │              0 │ -    
├─────────────────────────────┼─────────────────────────┼────────────────┼──────
│ concatenate (Concatenate)   │ (None, 5)               │              0 │ a[0][
├─────────────────────────────┼─────────────────────────┼────────────────┼──────
│ o1 (Dense)                  │ (None, 1)               │              6 │ conca
├─────────────────────────────┼─────────────────────────┼────────────────┼──────
│ o2 (Dense)                  │ (None, 3)               │             18 │ conca
└─────────────────────────────┴─────────────────────────┴────────────────┴──────
 Total params: 24 (96.00 B)
 Trainable params: 24 (96.00 B)
 Non-trainable params: 0 (0.00 B)
"""

SUM_SUB_UNBUILT = """\
Model: "net"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ ?                      │   0 (unbuilt) │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ batch_normalization             │ ?                      │   0 (unbuilt) │
│ (BatchNormalization)            │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ ?                      │   0 (unbuilt) │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 0 (0.00 B)
 Trainable params: 0 (0.00 B)
 Non-trainable params: 0 (0.00 B)
"""

SUM_SUB_BUILT = """\
Model: "net"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (8, 4)                 │            16 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ batch_normalization             │ (8, 4)                 │            16 │
│ (BatchNormalization)            │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (8, 1)                 │             5 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 37 (148.00 B)
 Trainable params: 29 (116.00 B)
 Non-trainable params: 8 (32.00 B)
"""

SUM_RNN = """\
Model: "rnn"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┓
┃ Layer (type)                 ┃ Output Shape          ┃     Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━┩
│ lstm (LSTM)                  │ (None, 5, 8)          │         384 │
├──────────────────────────────┼───────────────────────┼─────────────┤
│ gru (GRU)                    │ (None, 4)             │         168 │
├──────────────────────────────┼───────────────────────┼─────────────┤
│ dense (Dense)                │ (None, 1)             │           5 │
└──────────────────────────────┴───────────────────────┴─────────────┘
 Total params: 557 (2.18 KB)
 Trainable params: 557 (2.18 KB)
 Non-trainable params: 0 (0.00 B)
"""

SUM_CHAIN = """\
Model: "chain"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ input_layer (InputLayer)        │ (None, 4)              │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 3)              │            15 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 2)              │             8 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 23 (92.00 B)
 Trainable params: 23 (92.00 B)
 Non-trainable params: 0 (0.00 B)
"""

SUM_OPT = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 4)              │            16 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 2)              │            10 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 80 (324.00 B)
 Trainable params: 26 (104.00 B)
 Non-trainable params: 0 (0.00 B)
 Optimizer params: 54 (220.00 B)
"""


def a(key, dtype="float32"):
    return np.asarray(KERAS[key], dtype=dtype)


def mlp():
    m = keras.Sequential([keras.Input((3,)), L.Dense(4, activation="relu"), L.Dense(2)])
    m.set_weights([a("W1"), np.zeros(4, "float32"), a("W2"), np.array([0.1, -0.1], "float32")])
    return m


def assert_history(history, expected, rtol=1e-5):
    assert sorted(history) == sorted(expected)
    for k in expected:
        close(history[k], expected[k], rtol=rtol, atol=1e-6)


def sparse_ce():
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def test_fit_sgd_with_validation_split_matches_keras():
    m = mlp()
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss=sparse_ce(), metrics=["accuracy"])
    h = m.fit(a("X"), a("Y", "int64"), batch_size=3, epochs=3, shuffle=False, verbose=0,
              validation_split=0.25)
    assert isinstance(h, keras.callbacks.History) and h is m.history
    assert_history(h.history, KERAS["hist_sgd"])
    assert list(h.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert h.epoch == [0, 1, 2]
    assert h.params == {"verbose": 0, "epochs": 3, "steps": 2}
    close(m.evaluate(a("X"), a("Y", "int64"), verbose=0), KERAS["eval_sgd"], rtol=1e-5)
    pred = m.predict(a("X")[:2], verbose=0)
    assert isinstance(pred, np.ndarray)
    close(pred, KERAS["pred_sgd"], rtol=1e-5, atol=1e-6)
    assert m.metrics_names == ["loss", "compile_metrics"]


def test_fit_adam_mse_with_validation_data_and_batch_methods_match_keras():
    m = mlp()
    m.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    h = m.fit(a("X"), a("Yr"), batch_size=4, epochs=2, shuffle=False, verbose=0,
              validation_data=(a("X")[:3], a("Yr")[:3]))
    assert_history(h.history, KERAS["hist_adam"])
    close([m.train_on_batch(a("X"), a("Yr")), m.test_on_batch(a("X"), a("Yr"))],
          KERAS["tob"], rtol=1e-5)
    logs = m.evaluate(a("X"), a("Yr"), sample_weight=np.arange(8.0), verbose=0,
                      return_dict=True)
    assert sorted(logs) == ["loss", "mae"]
    close([logs["loss"], logs["mae"]], [KERAS["eval_sw"]["loss"], KERAS["eval_sw"]["mae"]],
          rtol=1e-5)


def test_functional_model_with_two_inputs_and_two_outputs_matches_keras():
    i1, i2 = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    c = L.Concatenate()([i1, i2])
    f = keras.Model([i1, i2], [L.Dense(1, name="o1")(c), L.Dense(3, name="o2")(c)])
    assert isinstance(f, keras.Model)
    assert [l.name for l in f.layers] == ["a", "b", c._keras_history.operation.name, "o1", "o2"]
    f.set_weights([a("Wo1"), np.zeros(1, "float32"), a("Wo2"), np.zeros(3, "float32")])
    f.compile(keras.optimizers.SGD(0.05), loss=["mse", sparse_ce()],
              metrics=[["mae"], ["accuracy"]], loss_weights=[1.0, 0.5])
    data = ([a("X"), a("X2")], [a("Y1"), a("Y2", "int64")])
    h = f.fit(*data, batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert_history(h.history, KERAS["hist_multi"])
    close(f.evaluate(*data, verbose=0), KERAS["eval_multi"], rtol=1e-5)
    assert f.metrics_names == KERAS["names_multi"]
    out = f.predict([a("X"), a("X2")], verbose=0)
    assert isinstance(out, list) and [o.shape for o in out] == [(8, 1), (8, 3)]


class Net(keras.Model):
    def __init__(self, regularizer=None):
        super().__init__()
        self.d1 = L.Dense(4, kernel_regularizer=regularizer)
        self.bn = L.BatchNormalization()
        self.d2 = L.Dense(1)

    def call(self, x, training=False):
        return self.d2(tg.nn.relu(self.bn(self.d1(x), training=training)))


def test_subclassed_model_with_batch_norm_and_regularizer_matches_keras():
    n = Net(keras.regularizers.L2(0.01))
    n(a("X"))
    n.set_weights([a("W1"), np.zeros(4, "float32"), np.ones(4, "float32"),
                   np.zeros(4, "float32"), np.zeros(4, "float32"), np.ones(4, "float32"),
                   a("W2")[:, :1], np.zeros(1, "float32")])
    n.compile(keras.optimizers.SGD(0.1, momentum=0.9), loss="mse")
    h = n.fit(a("X"), a("Yr")[:, :1], batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert_history(h.history, KERAS["hist_bn"])
    close(n.bn.moving_mean, KERAS["bn_mm_after"], rtol=1e-4, atol=1e-7)
    close([float(l) for l in n.losses], KERAS["bn_losses"], rtol=1e-5)


def test_gradient_tape_loop_over_model_variables():
    n = Net()
    x = a("X")
    n(x)
    assert len(n.trainable_variables) == 6 and len(n.non_trainable_variables) == 2
    with tg.GradientTape() as tape:
        loss = tg.reduce_mean(tg.square(n(x, training=True) - a("Yr")[:, :1]))
    grads = tape.gradient(loss, n.trainable_variables)
    assert all(g is not None for g in grads)
    assert [tuple(g.shape) for g in grads] == [tuple(v.shape) for v in n.trainable_variables]


def test_learning_rate_scheduler_matches_keras():
    m = mlp()
    m.compile(keras.optimizers.SGD(0.1), loss=sparse_ce())
    sched = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    h = m.fit(a("X"), a("Y", "int64"), batch_size=4, epochs=4, shuffle=False, verbose=0,
              callbacks=[sched])
    assert_history(h.history, KERAS["hist_lrs"])


def test_early_stopping_restores_best_weights_as_keras():
    m = mlp()
    m.compile(keras.optimizers.SGD(3.0), loss=sparse_ce())
    es = keras.callbacks.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
    h = m.fit(a("X"), a("Y", "int64"), batch_size=8, epochs=20, shuffle=False, verbose=0,
              callbacks=[es])
    assert_history(h.history, KERAS["hist_es"], rtol=1e-4)
    assert (es.stopped_epoch, es.best_epoch) == (KERAS["es_stopped"], KERAS["es_best"])
    close(m.get_weights()[3], KERAS["es_w"], rtol=1e-4, atol=1e-6)


def test_lambda_callback_and_hook_order():
    calls = []
    cb = keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: calls.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: calls.append(f"epoch_begin {epoch}"),
        on_train_batch_end=lambda batch, logs: calls.append(f"batch_end {batch}"),
        on_epoch_end=lambda epoch, logs: calls.append(f"epoch_end {epoch} {sorted(logs)}"),
        on_train_end=lambda logs: calls.append("train_end"))
    m = mlp()
    m.compile("sgd", loss=sparse_ce(), metrics=["accuracy"])
    m.fit(a("X"), a("Y", "int64"), batch_size=5, epochs=2, verbose=0, callbacks=[cb])
    assert calls == ["train_begin", "epoch_begin 0", "batch_end 0", "batch_end 1",
                     "epoch_end 0 ['accuracy', 'loss']", "epoch_begin 1", "batch_end 0",
                     "batch_end 1", "epoch_end 1 ['accuracy', 'loss']", "train_end"]
    with pytest.raises(TypeError):
        keras.callbacks.LambdaCallback(on_everything=print)


def test_model_checkpoint_and_weight_files(tmp_path):
    m = mlp()
    m.compile(keras.optimizers.SGD(0.1), loss=sparse_ce())
    path = str(tmp_path / "w{epoch:02d}.weights.npz")
    ck = keras.callbacks.ModelCheckpoint(path, monitor="loss", save_weights_only=True)
    m.fit(a("X"), a("Y", "int64"), epochs=3, verbose=0, callbacks=[ck])
    assert sorted(os.listdir(tmp_path)) == ["w01.weights.npz", "w02.weights.npz",
                                            "w03.weights.npz"]
    m2 = mlp()
    m2.load_weights(str(tmp_path / "w03.weights.npz"))
    for w1, w2 in zip(m.get_weights(), m2.get_weights()):
        close(w2, w1)
    with np.load(tmp_path / "w03.weights.npz") as data:
        assert sorted(data.files) == ["layers/dense/vars/0", "layers/dense/vars/1",
                                      "layers/dense_1/vars/0", "layers/dense_1/vars/1"]
    with pytest.raises(ValueError, match="save_weights_only=True"):
        keras.callbacks.ModelCheckpoint(str(tmp_path / "m.keras"))
    with pytest.raises(ValueError, match=r"must end in `.weights.h5`"):
        m.save_weights(str(tmp_path / "w.h5"))
    with pytest.raises(ValueError, match="expected variable 'layers/dense/vars/0' of shape"):
        keras.Sequential([keras.Input((5,)), L.Dense(4), L.Dense(2)]).load_weights(
            str(tmp_path / "w01.weights.npz"))


def test_weight_file_layout_of_a_subclassed_model(tmp_path):
    class M(keras.Model):
        def __init__(self):
            super().__init__()
            self.d1 = L.Dense(4)
            self.blocks = [L.Dense(3), L.Dense(2)]
            self.rnn = L.LSTM(2)

        def call(self, x):
            return self.blocks[1](self.blocks[0](self.d1(x)))

    m = M()
    m(np.ones((1, 3), "float32"))
    m.rnn(np.ones((1, 2, 3), "float32"))
    m.save_weights(str(tmp_path / "m.weights.npz"))
    with np.load(tmp_path / "m.weights.npz") as data:
        assert sorted(data.files) == [
            "blocks/dense/vars/0", "blocks/dense/vars/1", "blocks/dense_1/vars/0",
            "blocks/dense_1/vars/1", "d1/vars/0", "d1/vars/1", "rnn/cell/vars/0",
            "rnn/cell/vars/1", "rnn/cell/vars/2"]


def test_h5_weights_without_h5py_name_the_extra(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "h5py", None)         # import h5py fails
    with pytest.raises(ImportError, match=r"pip install tapegrad\[h5\]"):
        mlp().save_weights(str(tmp_path / "m.weights.h5"))


def test_h5_weights_in_keras_layout(tmp_path):
    h5py = pytest.importorskip("h5py")
    m = mlp()
    m.save_weights(str(tmp_path / "m.weights.h5"))
    with h5py.File(tmp_path / "m.weights.h5") as f:
        assert f["layers/dense/vars"].attrs["name"] == m.layers[0].name
        close(f["layers/dense_1/vars/0"][()], a("W2"))
    m2 = mlp()
    m2.layers[0].kernel.assign(np.zeros((3, 4), "float32"))
    m2.load_weights(str(tmp_path / "m.weights.h5"))
    close(m2.layers[0].kernel, a("W1"))


def summary_text(model, **kwargs):
    out = []
    model.summary(print_fn=out.append, **kwargs)
    return "".join(out)


def test_summary_tables_match_keras(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    clear_session()
    m = keras.Sequential([keras.Input((3,)), L.Dense(4, activation="relu"), L.Dense(2)])
    assert summary_text(m) == SUM_SEQ
    clear_session()
    i1, i2 = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    c = L.Concatenate()([i1, i2])
    f = keras.Model([i1, i2], [L.Dense(1, name="o1")(c), L.Dense(3, name="o2")(c)])
    assert summary_text(f, line_length=100) == SUM_MULTI
    clear_session()

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.d1, self.bn, self.d2 = L.Dense(4), L.BatchNormalization(), L.Dense(1)

        def call(self, x, training=False):
            return self.d2(tg.nn.relu(self.bn(self.d1(x), training=training)))

    n = Net()
    assert summary_text(n) == SUM_SUB_UNBUILT
    n(np.ones((8, 3), "float32"))
    assert summary_text(n) == SUM_SUB_BUILT
    clear_session()
    r = keras.Sequential([keras.Input((5, 3)), L.LSTM(8, return_sequences=True), L.GRU(4),
                          L.Dense(1)], name="rnn")
    assert summary_text(r, line_length=70) == SUM_RNN
    clear_session()
    x = keras.Input((4,))
    h = L.Dense(3)(x)
    assert summary_text(keras.Model(x, L.Dense(2)(h), name="chain")) == SUM_CHAIN


def test_summary_counts_optimizer_variables_once_built(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    clear_session()
    m = keras.Sequential([keras.Input((3,)), L.Dense(4), L.Dense(2)])
    m.compile(keras.optimizers.Adam(), "mse")
    m.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    assert summary_text(m) == SUM_OPT


def test_sequential_building():
    s = keras.Sequential([L.Dense(4), L.Dense(2)])
    assert not s.built
    y = s(np.ones((5, 3), "float32"))
    assert s.built and tuple(y.shape) == (5, 2)
    assert [tuple(w.shape) for w in s.weights] == [(3, 4), (4,), (4, 2), (2,)]
    s2 = keras.Sequential()
    s2.add(keras.Input((3,)))
    s2.add(L.Dense(4))
    assert s2.built and s2.output_shape == (None, 4)
    s2.add(L.Dense(1))
    assert s2.output_shape == (None, 1) and len(s2.layers) == 2
    s3 = keras.Sequential()
    s3.add(L.Dense(4, input_shape=(3,)))
    assert s3.built and s3.input_shape == (None, 3)
    with pytest.raises(ValueError, match="Only instances of `keras.Layer` can be added"):
        s3.add(3)
    popped = s3.pop()
    assert isinstance(popped, L.Dense) and s3.layers == []


def test_functional_model_reuses_layers_and_nests():
    inp = keras.Input((4,))
    shared = L.Dense(4, activation="tanh")
    out = shared(shared(inp))
    inner = keras.Model(inp, out)
    x2 = keras.Input((4,))
    outer = keras.Model(x2, L.Dense(1)(inner(x2)))
    data = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    expected = np.tanh(np.tanh(data @ shared.kernel.numpy()) @ shared.kernel.numpy())
    close(inner(data), expected, rtol=1e-5)
    assert len(outer.trainable_weights) == 4
    assert tuple(outer(data).shape) == (3, 1)
    d = keras.Input((2,), name="u"), keras.Input((3,), name="v")
    dm = keras.Model({"u": d[0], "v": d[1]}, {"s": L.Concatenate()([d[0], d[1]])})
    res = dm({"u": np.ones((1, 2)), "v": np.zeros((1, 3))})
    close(res["s"], [[1, 1, 0, 0, 0]])
    with pytest.raises(ValueError, match="must be KerasTensors"):
        keras.Model(inp, np.ones(3))


def test_compile_is_required_and_errors():
    m = mlp()
    with pytest.raises(ValueError, match=r"You must call `compile\(\)` before using the "
                                         r"model."):
        m.fit(a("X"), a("Y"))
    with pytest.raises(ValueError, match="not sufficient to split it"):
        m.compile("sgd", loss="mse")
        m.fit(a("X")[:1], a("Yr")[:1], validation_split=0.5, verbose=0)


def test_fit_on_a_dataset_of_batches():
    class Batches:
        def __init__(self):
            self.x, self.y = a("X"), a("Y", "int64")

        def __len__(self):
            return 2

        def __iter__(self):
            for i in range(2):
                yield self.x[i * 4:(i + 1) * 4], self.y[i * 4:(i + 1) * 4]

    m1, m2 = mlp(), mlp()
    for m in (m1, m2):
        m.compile(keras.optimizers.SGD(0.1), loss=sparse_ce(), metrics=["accuracy"])
    h1 = m1.fit(Batches(), epochs=2, verbose=0)
    h2 = m2.fit(a("X"), a("Y", "int64"), batch_size=4, epochs=2, shuffle=False, verbose=0)
    for k in h2.history:
        close(h1.history[k], h2.history[k], rtol=1e-6)


def test_custom_train_step():
    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = L.Dense(1, kernel_initializer="zeros")
            self.steps = 0

        def call(self, x):
            return self.d(x)

        def train_step(self, data):
            x, y = data
            with tg.GradientTape() as tape:
                loss = tg.reduce_mean(tg.square(self(x, training=True) - y))
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            self.steps += 1
            return {"my_loss": loss}

    c = Custom()
    c.compile(keras.optimizers.SGD(0.1))
    h = c.fit(a("X"), a("Yr")[:, :1], batch_size=4, epochs=2, verbose=0)
    assert c.steps == 4 and list(h.history) == ["my_loss"] and len(h.history["my_loss"]) == 2


def fit_output(verbose, tty):
    class Stream(io.StringIO):
        def isatty(self):
            return tty

    import sys
    stream = Stream()
    old, sys.stdout = sys.stdout, stream
    try:
        m = mlp()
        m.compile(keras.optimizers.SGD(0.1), loss=sparse_ce(), metrics=["accuracy"])
        m.fit(a("X"), a("Y", "int64"), batch_size=2, epochs=2, verbose=verbose,
              shuffle=False)
    finally:
        sys.stdout = old
    return stream.getvalue()


def test_progress_bar_in_a_log_file_has_no_control_characters():
    import re
    text = fit_output(1, tty=False)
    assert "\x1b" not in text and "\r" not in text and "\b" not in text
    lines = text.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert re.fullmatch(r"4/4 ━{20} \d+s \d+(us|ms|s)/step - accuracy: \d\.\d{4} - "
                        r"loss: \d\.\d{4}", lines[1]), lines[1]


def test_progress_bar_on_a_terminal_redraws_in_place():
    text = fit_output(1, tty=True)
    assert "\r" in text and "\x1b[1m4/4\x1b[0m" in text and "\x1b[32m━" in text
    assert text.count("\n") == 4


def test_verbose_2_prints_one_line_per_epoch_and_0_nothing():
    import re
    lines = fit_output(2, tty=False).splitlines()
    assert len(lines) == 4
    assert re.fullmatch(r"4/4 - \d+s - \d+(us|ms|s)/step - accuracy: \d\.\d{4} - "
                        r"loss: \d\.\d{4}", lines[1]), lines[1]
    assert fit_output(0, tty=True) == ""


def test_progbar_formats_as_keras():
    from tapegrad.keras.progbar import Progbar
    out = io.StringIO()
    bar = Progbar(10, stream=out)
    bar.update(5, [("loss", 0.5)])
    bar.update(10, [("loss", 0.00001)], finalize=True)
    line = out.getvalue().strip()
    assert line.startswith("10/10 ━━━━━━━━━━━━━━━━━━━━ 0s")
    assert line.endswith("- loss: 1.0000e-05")


def test_early_stopping_on_val_accuracy_maximizes_it():
    m = mlp()
    m.compile(keras.optimizers.SGD(0.0), loss=sparse_ce(), metrics=["accuracy"])
    es = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=2)
    h = m.fit(a("X"), a("Y", "int64"), validation_split=0.25, epochs=10, verbose=0,
              callbacks=[es])
    assert es.monitor_op is np.greater
    assert len(h.history["loss"]) == 3          # no change for two epochs after the first


def test_fit_reads_batch_logs_only_for_callbacks_that_want_them():
    # with no callback reading a batch's logs, fit updates the metrics without reading
    # them every step; the epoch logs (History) are the same either way
    seen = []
    histories = []
    for callbacks in ([], [keras.callbacks.LambdaCallback(
            on_train_batch_end=lambda batch, logs: seen.append(dict(logs)))]):
        m = mlp()
        m.compile(keras.optimizers.Adam(0.1), loss=sparse_ce(), metrics=["accuracy"])
        histories.append(m.fit(a("X"), a("Y", "int64"), batch_size=5, epochs=3, verbose=0,
                               shuffle=False, callbacks=callbacks).history)
        assert not m._skip_batch_logs
    assert histories[0] == histories[1] and len(histories[0]["loss"]) == 3
    assert len(seen) == 6 and all(sorted(s) == ["accuracy", "loss"] for s in seen)
    assert seen[-1] == {k: v[-1] for k, v in histories[1].items()}

    class Step(keras.Sequential):      # a train_step of its own still gets its logs
        def train_step(self, data):
            logs = super().train_step(data)
            seen.append(logs)
            return logs
    seen.clear()
    m = Step([keras.Input((3,)), L.Dense(2)])
    m.compile("sgd", loss=sparse_ce())
    m.fit(a("X"), a("Y", "int64"), batch_size=5, epochs=1, verbose=0)
    assert len(seen) == 2 and all(sorted(s) == ["loss"] for s in seen)


def test_mean_of_a_scalar_weighted_by_a_count_as_the_general_path():
    fast, general = keras.metrics.Mean(), keras.metrics.Mean()
    for value, n in ((0.3, 5), (1.7, 3), (np.float32(2.5) / 3, 7)):
        fast.update_state(tg.constant(np.float32(value)), sample_weight=n)
        general.update_state(np.float32(value), sample_weight=np.float32(n))
    assert fast.result().numpy() == general.result().numpy()
    assert float(fast.count.numpy()) == 15.0
    f64 = keras.metrics.Mean(dtype="float64")
    f64.update_state(tg.constant(0.1), sample_weight=2)     # float32 value, float64 metric
    assert f64.result().numpy() == np.float64(np.float32(0.1))
    empty = keras.metrics.Mean()
    assert empty.result().numpy() == 0.0


# -- a sequence output's mask weights the loss and the metrics (Keras 3 on TF 2.21) ---------
# Embedding(mask_zero=True) -> LSTM(return_sequences=True) -> Dense: the output carries the
# mask of the padded steps; the loss weighs a valid step total / valid and a masked one 0
# (so the mean is over the valid steps; with reduction 'sum' the weights are 0 and 1),
# times the sample weights when given; accuracy weighs the steps 0 and 1.
_SEQ_X = np.array([[3, 1, 2, 0, 0], [1, 0, 0, 0, 0], [2, 2, 3, 1, 4], [4, 3, 0, 0, 0]])
_SEQ_Y = np.array([[0, 1, 2, 0, 1], [2, 0, 0, 1, 1], [1, 1, 0, 2, 0], [0, 2, 1, 1, 2]])


def _seq_model(keras, rnn="LSTM", functional=False):
    layers = [keras.layers.Embedding(5, 3, mask_zero=True),
              getattr(keras.layers, rnn)(4, return_sequences=True), keras.layers.Dense(3)]
    if functional:
        inp = keras.Input((5,), dtype="int32")
        h = inp
        for layer in layers:
            h = layer(h)
        m = keras.Model(inp, h)
    else:
        m = keras.Sequential([keras.Input((5,), dtype="int32")] + layers)
    r = np.random.default_rng(1)
    m.set_weights([r.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in m.get_weights()])
    return m


@pytest.mark.parametrize("case", ["mask", "mask_and_sample_weight"])
def test_fit_weights_the_loss_and_metrics_by_the_output_mask_as_keras(case):
    keras = tg.keras
    m = _seq_model(keras)
    weighted = case == "mask_and_sample_weight"
    sw = np.array([[1.346531, 0.6856161, 0.27375233, 0.22974974, 1.6638864],
                   [1.84296, 1.2919444, 1.5130938, 1.178525, 1.8831303],
                   [1.6685364, 0.2049293, 1.7433277, 0.26045403, 1.5133798],
                   [0.5161801, 1.7537221, 1.1746302, 0.7394814, 0.960837]],
                  np.float32) if weighted else None
    m.compile(keras.optimizers.Adam(0.05),
              keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=None if weighted else ["accuracy"])
    ev = m.evaluate(_SEQ_X, _SEQ_Y, sample_weight=sw, batch_size=4, verbose=0,
                    return_dict=True)
    h = m.fit(_SEQ_X, _SEQ_Y, sample_weight=sw, batch_size=2, epochs=2, shuffle=False,
              verbose=0)
    kernel, bias = m.get_weights()[-2:]
    if weighted:
        np.testing.assert_allclose(ev["loss"], 1.1508413553237915, rtol=1e-6)
        np.testing.assert_allclose(h.history["loss"], [1.1490962505340576, 1.1135797500610352],
                                   rtol=1e-6)
        want_kernel = [-0.48340460658073425, 0.037174224853515625, 0.37731772661209106,
                       -0.2931588292121887, 0.30459797382354736, 0.08810659497976303,
                       -0.40516790747642517, 0.3163619339466095, -0.006957981735467911,
                       -0.17217610776424408, 0.18945778906345367, -0.3147924244403839]
        want_bias = [0.1915520280599594, -0.48355451226234436, -6.310828030109406e-05]
    else:
        np.testing.assert_allclose(ev["loss"], 1.0891002416610718, rtol=1e-6)
        np.testing.assert_allclose(ev["accuracy"], 0.3636363744735718, rtol=1e-6)  # 4 / 11
        np.testing.assert_allclose(h.history["loss"], [1.0944346189498901, 1.0580253601074219],
                                   rtol=1e-6)
        np.testing.assert_allclose(h.history["accuracy"],
                                   [0.3636363744735718, 0.45454543828964233], rtol=1e-6)
        want_kernel = [-0.5308817028999329, 0.18041905760765076, 0.40870413184165955,
                       -0.33949050307273865, 0.2620755732059479, 0.1373368203639984,
                       -0.49693140387535095, 0.5737876296043396, 0.044027768075466156,
                       -0.30272260308265686, 0.20228524506092072, -0.2326577603816986]
        want_bias = [0.11748441308736801, -0.4328615069389343, 0.009353426285088062]
    np.testing.assert_allclose(kernel.ravel(), want_kernel, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bias, want_bias, rtol=1e-5, atol=1e-6)


def test_a_model_outputs_mask_reaches_losses_and_metrics_called_by_hand_as_keras():
    # Keras 3 on TF 2.21, a functional Embedding -> GRU -> Dense: the output of model(x)
    # carries its mask (tg.identity of it does not), whatever the reduction; a loss's own
    # mask (ignore_class) is and-ed with it; all steps masked gives 0
    keras = tg.keras
    m = _seq_model(keras, "GRU", functional=True)
    p = m(_SEQ_X)
    S = keras.losses.SparseCategoricalCrossentropy
    got = [S(from_logits=True)(_SEQ_Y, p), S(from_logits=True)(_SEQ_Y, tg.identity(p)),
           S(from_logits=True)(_SEQ_Y, p, sample_weight=np.linspace(0.5, 2, 20).reshape(
               4, 5).astype(np.float32)),
           S(from_logits=True, reduction="sum")(_SEQ_Y, p),
           S(from_logits=True, reduction="mean_with_sample_weight")(_SEQ_Y, p),
           S(from_logits=True, ignore_class=1)(_SEQ_Y, p)]
    acc = keras.metrics.SparseCategoricalAccuracy()
    acc.update_state(_SEQ_Y, p)
    got.append(acc.result())
    got.append(S(from_logits=True)(_SEQ_Y[:1], m(np.zeros((1, 5), int))))
    np.testing.assert_allclose([float(v) for v in got], [
        1.0896779298782349, 1.1360729932785034, 1.3176771402359009, 11.986456871032715,
        1.0896779298782349, 1.021347999572754, 0.3636363744735718, 0.0], rtol=1e-6)


def test_a_per_sample_weight_with_a_sequence_mask_is_refused_as_keras():
    # Keras 3 (run eagerly): the (batch,) weights times the (batch, steps) mask do not
    # broadcast
    keras = tg.keras
    m = _seq_model(keras)
    m.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    with pytest.raises(tg.errors.InvalidArgumentError, match=r"Incompatible shapes: \[4\] "
                                                             r"vs. \[4,5\]"):
        m.fit(_SEQ_X, _SEQ_Y, sample_weight=np.ones(4, np.float32), verbose=0)


def test_output_masks_are_not_kept_for_outputs_nobody_holds():
    from tapegrad.keras import utils
    m = _seq_model(tg.keras)
    for _ in range(20):
        m(_SEQ_X)
    kept = m(_SEQ_X)
    assert len(utils._masks) <= 2 and utils._get_keras_mask(kept) is not None
    np.testing.assert_array_equal(np.asarray(utils._get_keras_mask(kept)), _SEQ_X != 0)
