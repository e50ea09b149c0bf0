"""tg.keras layers: outputs and gradients for given weights against Keras 3 on TensorFlow
2.21 (values written in), finite differences in float64, and Keras's behaviours (lazy
build, weight tracking, training-only behaviour, errors)."""
import numpy as np
import pytest

import tapegrad as tg
from tapegrad import keras
from tapegrad.keras import layers as L

from _helpers import close

# Computed by Keras 3 on TensorFlow 2.21 (tf.keras) with the weights below. In the
# gradient cases the loss is sum(y * arange(y.size).reshape(y.shape)), plus sum(last
# state) for the recurrent layers; g0 is d/d(inputs), g1... d/d(trainable weights).
KERAS = {
    'X': [[0.13, -0.13, 0.64], [0.1, -0.54, 0.36], [1.3, 0.95, -0.7], [-1.27, -0.62, 0.04]],
    'W': [[-2.33, -0.22], [-1.25, -0.73], [-0.54, -0.32]],
    'dense_y':
        [[-0.36790678, -0.3261376], [0.33424538, 0.05693834], [-0.99886864, -0.74226296],
         [0.9990242, 0.4770824]],
    'dense_g0':
        [[-0.19659954, -0.65235305, -0.28596297], [-4.797245, -4.4036, -1.9162302],
         [-0.5150271, -1.6503241, -0.7233579], [-1.2167541, -3.961555, -1.7364789]],
    'dense_g1': [[0.17455187, -3.5325718], [-0.95800525, -2.9501367], [0.6336977, 0.2930346]],
    'dense_g2': [1.7973096, 11.535884],
    'bn_train_y':
        [[0.0713801, -0.04363275, 0.45336995], [0.03843545, -1.352287, 0.17419234],
         [1.3562219, 3.403554, -0.8826945], [-1.4660376, -1.6076341, -0.14486784]],
    'bn_train_g0':
        [[-4.8448596, -14.360534, -2.1267507], [-1.5950885, -4.7600164, -0.32620883],
         [3.4872046, 4.7246537, -1.8424697], [2.9527428, 14.395898, 4.295429]],
    'bn_train_g1': [-4.941701, 0.04787831, -8.5548],
    'bn_train_g2': [18., 22., 26.],
    'bn_mm': [0.09649999, 0.1715, 0.27850002],
    'bn_mv': [0.9828225, 1.8391625, 0.4750475],
    'bn_inf_y':
        [[0.03377432, -0.3445179, 0.16197094], [0.00352867, -0.9490032, -0.04093876],
         [1.2133545, 1.247785, -0.80909705], [-1.3776892, -1.0669516, -0.2728356]],
    'bn_inf_g0':
        [[0., 1.4743545, 1.4493552], [3.0245647, 5.897418, 3.623388], [6.0491295,
         10.320481, 5.797421], [9.073694, 14.743546, 7.9714537]],
    'bn_inf_g1': [-5.108491, -4.137776, -13.509441],
    'bn_inf_g2': [18., 22., 26.],
    'ln_y':
        [[-0.25929368, -2.03658, 0.5637919], [0.33377025, -2.6052957, 0.4094388],
         [0.8976268, 1.0931191, -0.79709315], [-1.2194867, 0.08755612, 0.5128542]],
    'ln_g0':
        [[-3.3290899, 2.215154, 1.1139362], [-1.8204505, 0.582016, 1.2384343], [-4.6098747,
         5.5931077, -0.98323274], [-7.973347, 15.848896, -7.8755507]],
    'ln_g1': [-4.5883083, -3.0651817, 10.078858],
    'ln_g2': [18., 22., 26.],
    'S':
        [[[0.41, 1.04], [-0.13, 1.37], [-0.67, 0.35]], [[0.9, 0.09], [-0.74, -0.92],
         [-0.46, 0.22]]],
    'SimpleRNN_w0': [[-0.5, -0.1], [-0.08, 0.27]],
    'SimpleRNN_w1': [[0.11, 0.18], [-0.33, -0.06]],
    'SimpleRNN_w2': [0.39, 0.75],
    'SimpleRNN_out0':
        [[[0.10144979, 0.757277], [0.10625541, 0.8025458], [0.41682893, 0.7076562]],
         [[-0.06709903, 0.5943078], [0.5581194, 0.48374644], [0.46538, 0.7291157]]],
    'SimpleRNN_out1': [[0.41682893, 0.7076562], [0.46538, 0.7291157]],
    'SimpleRNN_g0':
        [[[-0.20696914, -0.03407246], [-1.531757, -0.0967724], [-2.3651679, 0.47823933]],
         [[-4.050388, 0.1787569], [-3.8743522, 0.6548759], [-4.8708863, 0.8281738]]],
    'SimpleRNN_g1': [[-5.2508945, -5.3576593], [2.1963012, -0.84861124]],
    'SimpleRNN_g2': [[5.0887957, 3.2088146], [13.800993, 8.164551]],
    'SimpleRNN_g3': [30.503149, 16.479454],
    'LSTM_w0':
        [[-0.63, 0.76, 0.67, 0.39, 0.13, -0.16, 0.73, 0.98], [0.9, 0.66, 0.18, -0.6, -0.,
         0.33, -0.64, 0.2]],
    'LSTM_w1':
        [[0.21, 0.35, -0.59, -0.33, -0.22, -0.58, 0.87, -0.25], [0.16, -0.13, 0.79, 0.66,
         0.32, -1.1, 0.03, 0.34]],
    'LSTM_w2': [0.5, -0.31, 0.91, -0.66, -0.33, 0.47, 0.02, 1.],
    'LSTM_out0':
        [[[-0.08427699, 0.33202392], [-0.09035257, 0.31524685], [-0.13962568, 0.15666096]],
         [[-0.0684284, 0.17765152], [-0.12192383, 0.06112008], [-0.14059332, 0.1498325]]],
    'LSTM_out1': [[-0.13962568, 0.15666096], [-0.14059332, 0.1498325]],
    'LSTM_out2': [[-0.47081333, 0.25292447], [-0.40818805, 0.23259185]],
    'LSTM_g0':
        [[[0.19018263, 0.10743982], [0.44837967, 0.5041143], [0.36135462, 0.5791599]],
         [[0.46193057, 1.7330165], [0.53481376, 0.07343256], [0.7819872, 1.6059018]]],
    'LSTM_g1':
        [[0.23332924, -0.1634044, 0.31194755, -0.5826, -1.3816578, 1.4942079, 0.8537489,
         -0.48705593], [0.2044793, 0.8891256, -0.04498048, 0.12740114, 1.3718612, 2.067675,
         -0.03537137, 0.277521]],
    'LSTM_g2':
        [[0.07704982, -0.19029146, 0.05431367, -0.09217596, -0.74112815, -0.516366,
         0.17098199, -0.1232083], [-0.14391029, 0.3067542, -0.10315946, 0.2424176,
         1.5124047, 1.0554221, -0.2510888, 0.21624623]],
    'LSTM_g3':
        [-1.2383074, 2.5986772, -0.56168604, 1.0476118, 11.5746975, 10.147968, -1.7247044,
         1.3972242],
    'GRU_w0': [[0.09, -0.32, -0.19, -0.55, -0.64, 0.32], [0.29, 0.65, -0.38, 0.84, -0.14, 0.79]],
    'GRU_w1': [[-0.22, -0.37, 0.12, 0.52, 0.08, -0.29], [-0.67, -0.7, 0.25, 0.49, -0.08, -0.54]],
    'GRU_w2': [[0.44, -0.64, -0.36, 0.31, -1.13, 0.19], [-0.29, 0.05, -0.04, 0.1, 0.35, -0.38]],
    'GRU_out0':
        [[[-0.33943263, 0.35618365], [-0.5347003, 0.5017499], [-0.5498099, 0.14791855]],
         [[-0.40158817, 0.23961918], [-0.37508258, -0.47564012], [-0.46582872,
         -0.16451393]]],
    'GRU_out1': [[-0.5498099, 0.14791855], [-0.46582872, -0.16451393]],
    'GRU_g0':
        [[[0.30558792, 0.2735435], [0.11362025, 0.44758335], [-0.14334923, 2.7290168]],
         [[1.6304743, 3.4888291], [-3.9456797, 3.960347], [0.8195101, 2.591289]]],
    'GRU_g1':
        [[2.1294665, -2.450488, -0.5165133, 0.16688052, -7.0166135, -3.9249196],
         [1.4400082, -3.6539855, -0.36378992, 0.15221167, -4.762963, 0.14932239]],
    'GRU_g2':
        [[-0.31986815, -0.79619116, -0.36223462, 0.38523412, -2.2961562, -3.6890607],
         [-0.19037098, 2.0161521, 0.10137351, -0.28465217, 0.90952563, 0.5451612]],
    'GRU_g3':
        [[3.7211752, 0.5407219, 0.9498816, -1.3416656, 12.732797, 19.405752], [3.7211752,
         0.5407219, 0.9498816, -1.3416656, 5.8535376, 11.413684]],
}


def ref(key):
    return np.asarray(KERAS[key], dtype=np.float32)


def arange_like(y):
    return np.arange(int(np.prod(y.shape)), dtype=np.float32).reshape(tuple(y.shape))


def grads(layer, x, loss_extra=None, **call_kwargs):
    xv = tg.Variable(x)
    with tg.GradientTape() as tape:
        y = layer(xv, **call_kwargs)
        first = y[0] if isinstance(y, list) else y
        s = tg.reduce_sum(first * arange_like(first))
        if loss_extra is not None:
            s = s + loss_extra(y)
    return y, tape.gradient(s, [xv] + layer.trainable_weights)


def test_dense_matches_keras():
    d = L.Dense(2, activation="tanh")
    d.build((None, 3))
    d.set_weights([ref("W"), np.array([0.1, -0.2], "float32")])
    y, g = grads(d, ref("X"))
    close(y, ref("dense_y"), rtol=1e-5, atol=1e-6)
    for i, gi in enumerate(g):
        close(gi, ref(f"dense_g{i}"), rtol=1e-5, atol=1e-5)


BN_WEIGHTS = [np.array([1., 2, .5], "float32"), np.array([0., .1, -.1], "float32"),
              np.array([.1, .2, .3], "float32"), np.array([1., 2., .5], "float32")]


def test_batch_normalization_training_then_inference_matches_keras():
    bn = L.BatchNormalization(momentum=0.9)
    bn.build((None, 3))
    bn.set_weights(BN_WEIGHTS)
    y, g = grads(bn, ref("X"), training=True)
    close(y, ref("bn_train_y"), rtol=1e-5, atol=1e-5)
    for i, gi in enumerate(g):
        close(gi, ref(f"bn_train_g{i}"), rtol=1e-4, atol=1e-4)
    close(bn.moving_mean, ref("bn_mm"), rtol=1e-5)
    close(bn.moving_variance, ref("bn_mv"), rtol=1e-5)
    y, g = grads(bn, ref("X"), training=False)
    close(y, ref("bn_inf_y"), rtol=1e-5, atol=1e-5)
    for i, gi in enumerate(g):
        close(gi, ref(f"bn_inf_g{i}"), rtol=1e-5, atol=1e-5)
    # inference leaves the moving statistics alone
    close(bn.moving_mean, ref("bn_mm"), rtol=1e-5)


def test_batch_normalization_moving_stats_only_in_training_and_when_trainable():
    bn = L.BatchNormalization()
    x = np.arange(12, dtype="float32").reshape(4, 3)
    bn(x)
    bn(x, training=False)
    close(bn.moving_mean, np.zeros(3))
    bn.trainable = False
    out = bn(x, training=True)        # a frozen BatchNormalization runs in inference mode
    close(bn.moving_mean, np.zeros(3))
    close(out, x / np.sqrt(1 + 1e-3), rtol=1e-6)
    assert bn.trainable_weights == [] and len(bn.non_trainable_weights) == 4
    bn.trainable = True
    bn(x, training=True)
    close(bn.moving_mean, 0.01 * x.mean(0), rtol=1e-6)
    assert [w.name for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.name for w in bn.trainable_weights] == ["gamma", "beta"]


def test_layer_normalization_matches_keras():
    ln = L.LayerNormalization()
    ln.build((None, 3))
    ln.set_weights(BN_WEIGHTS[:2])
    y, g = grads(ln, ref("X"))
    close(y, ref("ln_y"), rtol=1e-5, atol=1e-5)
    for i, gi in enumerate(g):
        close(gi, ref(f"ln_g{i}"), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("cls", [L.SimpleRNN, L.LSTM, L.GRU])
def test_recurrent_layers_match_keras(cls):
    name = cls.__name__
    r = cls(2, return_sequences=True, return_state=True)
    r.build((None, 3, 2))
    r.set_weights([ref(f"{name}_w{i}") for i in range(len(r.weights))])
    outs, g = grads(r, ref("S"), loss_extra=lambda o: tg.reduce_sum(o[-1]))
    n_out = 3 if cls is L.LSTM else 2
    assert isinstance(outs, list) and len(outs) == n_out
    for i, o in enumerate(outs):
        close(o, ref(f"{name}_out{i}"), rtol=1e-5, atol=1e-6)
    for i, gi in enumerate(g):
        close(gi, ref(f"{name}_g{i}"), rtol=1e-4, atol=1e-5)


def test_recurrent_output_shapes_and_weights():
    x = np.ones((4, 5, 3), "float32")
    assert tuple(L.LSTM(7)(x).shape) == (4, 7)
    assert tuple(L.GRU(7, return_sequences=True)(x).shape) == (4, 5, 7)
    lstm = L.LSTM(2)
    lstm(x)
    assert [tuple(w.shape) for w in lstm.weights] == [(3, 8), (2, 8), (8,)]
    assert [w.path for w in lstm.weights] == [f"{lstm.name}/lstm_cell/kernel",
                                             f"{lstm.name}/lstm_cell/recurrent_kernel",
                                             f"{lstm.name}/lstm_cell/bias"]
    close(lstm.cell.bias, [0, 0, 1, 1, 0, 0, 0, 0])    # unit_forget_bias
    gru = L.GRU(2)
    gru(x)
    assert tuple(gru.cell.bias.shape) == (2, 6)        # reset_after=True
    assert tuple(L.GRU(2, reset_after=False)(x).shape) == (4, 2)
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        L.SimpleRNN(2)(np.ones((2, 3), "float32"))


def test_lstm_initial_state_and_go_backwards():
    x = np.random.default_rng(1).normal(size=(2, 4, 3)).astype("float32")
    lstm = L.LSTM(2, return_state=True)
    out, h, c = lstm(x)
    out2, h2, c2 = lstm(x[:, 2:], initial_state=[lstm(x[:, :2])[1], lstm(x[:, :2])[2]])
    close(out2, out, rtol=1e-5, atol=1e-6)
    back = L.SimpleRNN(2, go_backwards=True)
    fwd = L.SimpleRNN(2)
    fwd.build((None, 4, 3))
    back.build((None, 4, 3))
    back.set_weights(fwd.get_weights())
    close(back(x), fwd(x[:, ::-1]), rtol=1e-6)


def f64_layer(layer, shape):
    layer.build(shape)
    return layer


@pytest.mark.parametrize("make, shape", [
    (lambda: L.Dense(3, activation="tanh", dtype="float64"), (2, 4)),
    (lambda: L.LayerNormalization(dtype="float64"), (3, 4)),
    (lambda: L.SimpleRNN(2, dtype="float64"), (2, 3, 2)),
    (lambda: L.LSTM(2, dtype="float64"), (2, 3, 2)),
    (lambda: L.GRU(2, dtype="float64"), (2, 3, 2)),
    (lambda: L.GRU(2, reset_after=False, dtype="float64"), (2, 3, 2)),
    (lambda: L.Softmax(dtype="float64"), (2, 4)),
    (lambda: L.UpSampling2D(dtype="float64"), (1, 2, 3, 2)),
    (lambda: L.GlobalMaxPooling2D(dtype="float64"), (2, 3, 3, 2)),
    (lambda: L.GlobalAveragePooling1D(dtype="float64"), (2, 3, 2)),
])
def test_layer_input_gradients_match_finite_differences(make, shape):
    layer = make()
    x = np.random.default_rng(3).normal(size=shape)
    layer(x)
    tg.test.check_gradients(lambda t: layer(t), x, order=1, modes=("rev",),
                            name=type(layer).__name__)


def test_batch_normalization_training_gradient_matches_finite_differences():
    bn = L.BatchNormalization(dtype="float64")
    x = np.random.default_rng(4).normal(size=(5, 3))
    bn(x)
    tg.test.check_gradients(lambda t: bn(t, training=True), x, order=1, modes=("rev",),
                            name="BatchNormalization(training=True)")


# -- the Layer base class ---------------------------------------------------------------------

class Linear(L.Layer):
    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones",
                                 name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b",
                                 trainable=False)

    def call(self, inputs):
        return tg.matmul(inputs, self.w) + self.b


def test_custom_layer_builds_lazily_from_the_first_input():
    layer = Linear(3)
    assert not layer.built and layer.weights == []
    y = layer(np.ones((2, 4), "float32"))
    assert layer.built
    close(y, np.full((2, 3), 4.0))
    assert [w.name for w in layer.weights] == ["w", "b"]
    assert [w.path for w in layer.weights] == [f"{layer.name}/w", f"{layer.name}/b"]
    assert [w.name for w in layer.trainable_weights] == ["w"]
    assert [w.name for w in layer.non_trainable_weights] == ["b"]
    assert isinstance(layer.w, tg.Variable)
    assert layer.count_params() == 15


def test_weights_are_watched_by_a_gradient_tape():
    layer = L.Dense(2)
    x = np.ones((3, 4), "float32")
    with tg.GradientTape() as tape:
        loss = tg.reduce_sum(layer(x))
    gk, gb = tape.gradient(loss, layer.trainable_variables)
    close(gk, np.full((4, 2), 3.0))
    close(gb, [3.0, 3.0])


def test_nested_layers_are_tracked_through_attributes_and_lists():
    class Block(L.Layer):
        def __init__(self):
            super().__init__()
            self.first = L.Dense(3)
            self.rest = [L.Dense(2), L.Dense(1)]
            self.scale = keras.Variable(2.0)
            self.plain = tg.Variable(3.0)     # Keras 3 tracks no tf.Variable

        def call(self, x):
            for layer in [self.first] + self.rest:
                x = layer(x)
            return x * self.scale * self.plain

    block = Block()
    block(np.ones((1, 4), "float32"))
    assert len(block.weights) == 7
    assert block.weights[0] is block.scale
    assert not any(w is block.plain for w in block.weights)
    assert len(block.trainable_weights) == 7
    block.trainable = False
    assert block.trainable_weights == [] and not block.first.trainable
    assert len(block.non_trainable_weights) == 7


def test_get_and_set_weights():
    d = L.Dense(2)
    assert d.get_weights() == []
    d.build((None, 3))
    w = [np.arange(6, dtype="float32").reshape(3, 2), np.array([1., 2.], "float32")]
    d.set_weights(w)
    got = d.get_weights()
    assert isinstance(got[0], np.ndarray)
    close(got[0], w[0])
    with pytest.raises(ValueError, match="expecting 2 weights"):
        d.set_weights([w[0]])
    with pytest.raises(ValueError, match=r"weight shape \(3, 2\) is not compatible with "
                                         r"provided weight shape \(3, 3\)"):
        d.set_weights([np.ones((3, 3)), w[1]])
    with pytest.raises(ValueError, match="isn't built"):
        L.Dense(3).count_params()


def test_add_loss_and_regularizer_losses():
    class ActivityLoss(L.Layer):
        def call(self, x):
            self.add_loss(tg.reduce_sum(x) * 0.5)
            return x

    layer = ActivityLoss()
    layer(np.ones((2, 2), "float32"))
    assert len(layer.losses) == 1
    close(layer.losses[0], 2.0)
    layer(np.ones((1, 2), "float32"))       # losses are those of the last call
    assert len(layer.losses) == 1
    close(layer.losses[0], 1.0)

    d = L.Dense(2, kernel_initializer="ones", kernel_regularizer=keras.regularizers.L2(0.1))
    d(np.ones((1, 3), "float32"))
    assert len(d.losses) == 1
    close(d.losses[0], 0.1 * 6)


def test_training_flag_reaches_inner_layers():
    class Net(L.Layer):
        def __init__(self):
            super().__init__()
            self.drop = L.Dropout(0.5, seed=1)

        def call(self, x):
            return self.drop(x)

    net = Net()
    x = np.ones((50, 20), "float32")
    close(net(x), x)
    close(net(x, training=False), x)
    y = np.asarray(net(x, training=True))
    assert set(np.unique(y)) == {0.0, 2.0}
    assert 0.3 < (y == 0).mean() < 0.7


def test_dropout():
    x = np.ones((100, 10), "float32")
    drop = L.Dropout(0.25)
    close(drop(x), x)
    y = np.asarray(drop(x, training=True))
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    with pytest.raises(ValueError, match="Expected a float value between 0 and 1. Received: "
                                         "rate=1.5"):
        L.Dropout(1.5)


def test_dense_shapes_dtypes_and_errors():
    d = L.Dense(2)
    d(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3, "
                                         r"but received input with shape \(2, 4\)"):
        d(np.ones((2, 4), "float32"))
    assert L.Dense(2)(np.ones((2, 3), "int32")).dtype == tg.float32
    assert L.Dense(2)(np.ones((2, 3), "float64")).dtype == tg.float32
    assert tuple(L.Dense(2)(np.ones((2, 5, 3), "float32")).shape) == (2, 5, 2)
    with pytest.raises(ValueError, match="expected a positive integer. Received: units=0"):
        L.Dense(0)
    with pytest.raises(ValueError, match=r"Unrecognized keyword arguments passed to Dense: "
                                         r"\{'foo': 3\}"):
        L.Dense(2, foo=3)
    assert repr(L.Dense(3, name="d9")) == "<Dense name=d9, built=False>"


def test_automatic_names():
    keras.backend.clear_session() if hasattr(keras, "backend") else None
    from tapegrad.keras.layers_base import clear_session
    clear_session()
    assert [L.Dense(1).name for _ in range(3)] == ["dense", "dense_1", "dense_2"]
    assert L.BatchNormalization().name == "batch_normalization"
    assert L.GlobalAveragePooling2D().name == "global_average_pooling2d"


def test_shape_layers():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    assert tuple(L.Flatten()(x).shape) == (2, 12)
    assert tuple(L.Flatten()(np.ones(3, "float32")).shape) == (3, 1)
    assert tuple(L.Reshape((4, 3))(x).shape) == (2, 4, 3)
    assert tuple(L.Reshape((-1, 2))(x).shape) == (2, 6, 2)
    with pytest.raises(ValueError, match=r"The total size of the tensor must be unchanged. "
                                         r"Received: input_shape=\(3,\), target_shape=\(5,\)"):
        L.Reshape((5,))(np.ones((2, 3), "float32"))
    close(L.Permute((2, 1))(x), np.transpose(x, (0, 2, 1)))
    with pytest.raises(ValueError, match="must be consecutive and start from 1"):
        L.Permute((0, 1))


def test_activation_layers():
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]], "float32")
    close(L.ReLU()(x), np.maximum(x, 0))
    close(L.ReLU(max_value=1.0)(x), np.clip(x, 0, 1))
    close(L.ReLU(negative_slope=0.1, threshold=0.25)(x),
          np.where(x > 0.25, x, 0.1 * (x - 0.25)), rtol=1e-6)
    close(L.LeakyReLU()(x), np.where(x > 0, x, 0.3 * x))
    assert L.LeakyReLU().negative_slope == 0.3
    close(L.Softmax()(x), np.exp(x) / np.exp(x).sum(), rtol=1e-6)
    close(L.Activation("tanh")(x), np.tanh(x), rtol=1e-6)
    with pytest.raises(ValueError, match="max_value of a ReLU layer cannot be a negative "
                                         "value. Received: max_value=-1"):
        L.ReLU(max_value=-1)
    with pytest.raises(ValueError, match="Could not interpret activation function "
                                         "identifier: foo"):
        L.Activation("foo")


def test_embedding():
    e = L.Embedding(10, 3)
    y = e(np.array([[1, 2], [3, 9]]))
    assert tuple(y.shape) == (2, 2, 3)
    table = e.embeddings.numpy()
    assert np.all(np.abs(table) <= 0.05)
    close(y[1, 1], table[9])
    with tg.GradientTape() as tape:
        s = tg.reduce_sum(e(np.array([1, 1, 4])))
    g = tape.gradient(s, e.embeddings)
    assert type(g) is tg.IndexedSlices          # as TF 2.21's Keras 3 Embedding
    g = np.asarray(tg.convert_to_tensor(g))
    close(g[:, 0], [0, 2, 0, 0, 1, 0, 0, 0, 0, 0])
    with pytest.raises(tg.errors.InvalidArgumentError, match=r"indices\[0,1\] = 20 is not "
                                                               r"in \[0, 10\)"):
        e(np.array([[1., 20]]))


def test_pooling_padding_upsampling_rescaling():
    x = np.arange(2 * 3 * 4 * 5, dtype="float32").reshape(2, 3, 4, 5)
    close(L.GlobalAveragePooling2D()(x), x.mean((1, 2)))
    close(L.GlobalMaxPooling2D()(x), x.max((1, 2)))
    assert tuple(L.GlobalAveragePooling2D(keepdims=True)(x).shape) == (2, 1, 1, 5)
    close(L.GlobalAveragePooling1D()(x[:, 0]), x[:, 0].mean(1))
    close(L.GlobalMaxPooling1D()(x[:, 0]), x[:, 0].max(1))
    close(L.GlobalAveragePooling2D(data_format="channels_first")(x), x.mean((2, 3)))
    padded = L.ZeroPadding2D(((1, 2), (3, 4)))(x)
    assert tuple(padded.shape) == (2, 6, 11, 5)
    close(padded, np.pad(x, [(0, 0), (1, 2), (3, 4), (0, 0)]))
    up = L.UpSampling2D((2, 3))(x)
    close(up, x.repeat(2, axis=1).repeat(3, axis=2))
    r = L.Rescaling(1 / 255.0, offset=-1)(np.array([[0, 255]], "uint8"))
    assert r.dtype == tg.float32
    close(r, [[-1.0, 0.0]])


def test_merge_layers():
    a = np.array([[1.0, 2.0]], "float32")
    b = np.array([[3.0, 5.0]], "float32")
    close(L.Add()([a, b]), a + b)
    close(L.Multiply()([a, b, b]), a * b * b)
    close(L.Subtract()([a, b]), a - b)
    close(L.Average()([a, b]), (a + b) / 2)
    close(L.Maximum()([a, b]), np.maximum(a, b))
    close(L.Concatenate()([a, b]), np.concatenate([a, b], -1))
    close(L.Concatenate(axis=0)([a, b]), np.concatenate([a, b], 0))
    with pytest.raises(ValueError, match=r"A merge layer should be called on a list of "
                                         r"inputs. Received: input_shape=\(1, 2\) \(not a "
                                         r"list of shapes\)"):
        L.Add()(a)
    with pytest.raises(ValueError, match="requires inputs with matching shapes except for "
                                         "the concatenation axis"):
        L.Concatenate()([np.ones((2, 3), "float32"), np.ones((3, 3), "float32")])


def test_lambda_layer():
    close(L.Lambda(lambda x: x * 2)(np.ones((2, 3), "float32")), np.full((2, 3), 2.0))
    close(L.Lambda(lambda x, k: x + k, arguments={"k": 3.0})(np.ones(2, "float32")), [4, 4])


def test_symbolic_calls_give_keras_tensors():
    x = keras.Input((3,))
    assert x.shape == (None, 3) and x.dtype == np.float32
    h = L.Dense(4)(x)
    assert isinstance(h, L.KerasTensor) and h.shape == (None, 4)
    assert (h + 1).shape == (None, 4)
    seq = keras.Input((None, 5))
    assert L.LSTM(2, return_sequences=True)(seq).shape == (None, None, 2)
    outs = L.GRU(3, return_state=True)(seq)
    assert [o.shape for o in outs] == [(None, 3), (None, 3)]
    assert L.Flatten()(keras.Input((2, 3))).shape == (None, 6)
    assert L.Embedding(10, 4)(keras.Input((7,), dtype="int32")).shape == (None, 7, 4)
    assert L.Concatenate()([x, h]).shape == (None, 7)
    assert keras.Input(shape=(2,), batch_size=8).shape == (8, 2)
    with pytest.raises(ValueError, match="cannot convert it to a NumPy array"):
        np.asarray(x)


# Convolution and pooling layers, Keras 3 on TensorFlow 2.21: arrays of more than 40 values
# are given as digests [sum(a), sum(a * k), sum(a * a)] with k = arange(a.size) / a.size.
KERAS_CONV = {
    'I2':
        [[[[-0.8, -1.3], [-0.2, 0.4], [1.1, 0.1], [-0.6, -0.8], [0.7, 1.6]], [[0.3, -1.2],
         [-1., 1.6], [0.2, -1.7], [-0.1, -1.2], [-0.6, -0.5]], [[-0.7, 0.6], [-0.1, -0.6],
         [0.4, 0.8], [-1.6, -0.3], [-1., -0.2]], [[-1.3, 0.], [-0., -0.3], [-1., -0.4],
         [-1.1, -1.4], [0.2, -1.1]], [[1.2, 0.7], [-2., 0.3], [-1.1, 0.], [0., -2.], [-0.2,
         -0.3]]], [[[1., -1.2], [0.7, -1.1], [-0.3, -0.8], [1.4, 0.6], [2.4, 0.6]], [[0.8,
         0.8], [-0.6, -0.1], [1.4, -0.4], [0.2, -0.], [0.6, -0.4]], [[-0.2, 0.2], [0.1,
         -0.9], [0.9, -1.3], [-1.2, -1.3], [1., -0.4]], [[-1., -1.1], [0.4, -1.1], [-1.3,
         0.6], [-1.2, -0.3], [-0., -0.4]], [[-0.1, 1.3], [-0.5, -1.3], [-1.8, -0.2], [-0.4,
         0.3], [-0.5, -0.5]]]],
    'I1':
        [[[-0.7, -0.5], [0.2, -0.4], [0.1, 1.9], [0.5, -1.6], [1.7, 0.3], [-0.9, 0.9]],
         [[0., -0.6], [-0.6, -1.], [0., 1.1], [-0.3, 0.4], [1.9, -1.2], [0.3, -0.3]]],
    'c2_w0':
        [[[[-0.5, -0.5, -0.], [0.2, -0.3, 0.]], [[0.4, 0.1, 0.4], [0.2, 0.2, 0.9]], [[0.3,
         0.1, 0.4], [-0.5, -0.2, 0.4]]], [[[0.3, 0.8, 0.], [-0.7, 1., 0.5]], [[-0.5, 0.7,
         0.], [-0.9, -0.2, -0.3]], [[0.8, -0.4, -0.1], [-0.1, -0.2, -0.5]]], [[[0.1, 0.5,
         0.3], [-0.5, -0.6, 0.1]], [[-0.4, -0.3, -0.8], [1., 0.5, -0.5]], [[0.5, 0.7,
         -1.2], [-0.3, -0.2, 0.3]]]],
    'c2_w1': [-0.1, -0.1, -0.],
    'c2_y_digest': [24.78999951, 13.89592564, 48.37209885],
    'c2_g0_digest': [-5.29000116, -4.40000044, 713.25933397],
    'c2_g1_digest': [-164.16000659, -94.65555926, 2064.7630488],
    'c2_g2': [25.50000191, 21., 12.60000038],
    'c2v_w0':
        [[[[0.9, 1.1], [-0.3, -0.5]], [[1.3, -0.5], [-0.3, 0.]], [[0.2, 0.5], [0.2,
         -0.4]]], [[[0.3, 0.1], [0.9, -0.]], [[-0.7, -0.5], [0.7, -0.3]], [[-1.1, -0.3],
         [0., 0.6]]]],
    'c2v_w1': [-0.5, 0.3],
    'c2v_y':
        [[[[-0.62999988, -0.45000011]], [[2.38999987, 0.70000005]], [[-1.46000004,
         -1.62000012]], [[-1.04999971, 0.46000013]]], [[[0.25000012, 2.18999982]],
         [[-0.55999982, -0.07999992]], [[0.97999978, 0.31999996]], [[-0.20999998,
         1.3599999]]]],
    'c2v_g0_digest': [10.47999998, 5.7032, 47.58120345],
    'c2v_g1':
        [[[[-1.03999996, -1.2299999], [-1.46000004, -1.78000009]], [[0.0200001,
         0.16000009], [-2.01999998, -2.32999992]], [[3.32000017, 3.6500001], [-1.80000007,
         -1.88]]], [[[-0.83999997, -0.94000006], [1.87999988, 2.00999975]], [[-3.03999996,
         -3.26999998], [-1.17999995, -1.43999982]], [[0.53999996, 0.49000007],
         [-2.55999994, -2.94000006]]]],
    'c2v_g2': [5.5999999, 6.4000001],
    'c1_w0': [[[0.4, -0.3], [-0.1, 0.9]], [[0.9, 0.4], [0.2, 0.6]], [[-0.1, -0.], [-0.4, 0.]]],
    'c1_w1': [-0., 1.4],
    'c1_y':
        [[[0.27000001, 1.39999998], [0.14000002, 1.39999998], [-1.5, 0.81999993], [0.69,
         1.24000001], [-0.05000001, 2.34000015], [-0.02000004, 0.21999991]], [[0.24000001,
         1.39999998], [0.46000001, 1.39999998], [-0.56, 1.03999996], [-0.87, 0.55999994],
         [0.57000005, 1.51999998], [-0.24000001, 0.80000001]]],
    'c1_g0':
        [[[0.61000001, 1.11000001], [0.87000006, 1.35000002], [1.03999996, 0.54000002],
         [1.27999997, 0.62], [-0.08000001, -0.32000002], [-0.1, -0.40000001]],
         [[2.16999984, 2.55000019], [2.43000007, 2.78999996], [2.48000002, 1.01999998],
         [2.72000003, 1.10000002], [-0.2, -0.80000001], [-0.22000001, -0.88000005]]],
    'c1_g1':
        [[[-1.68000007, -1.78999996], [-4.20000029, -4.44999981]], [[-1.32000017,
         -1.4000001], [-0.20000005, -0.26999974]], [[3.92000008, 4.14000034], [-1.84000015,
         -1.9400003]]],
    'c1_g2': [13.19999981, 14.40000057],
    'c1s_w0': [[[-0.1, 0.6, 0.7], [-0.1, 0.6, -1.1]], [[0., 0.4, -1.2], [-0.6, 0.5, -0.1]]],
    'c1s_w1': [-0.5, -0.2, -0.3],
    'c1s_y':
        [[[-0.13999999, -1.04000008, -0.44], [0.26000005, 0.39999998, -2.75999999],
         [-1.24000001, 1.09000003, 1.54999995]], [[0.16000003, -1.30000007, 1.18000007],
         [-0.85000002, 0.54000002, -1.19000006], [-0.38999999, 0.18999998, 2.01999998]]],
    'c1s_g0':
        [[[0.2, -0.16000001], [-0.2, 0.03], [0.56, -0.34], [-0.44, -0.03], [0.92000002,
         -0.52000004], [-0.68000007, -0.09000003]], [[1.27999997, -0.70000005],
         [-0.92000008, -0.15000002], [1.6400001, -0.87999994], [-1.15999997, -0.20999999],
         [2., -1.06000006], [-1.4000001, -0.27000004]]],
    'c1s_g1':
        [[[3.9000001, 4.19999981, 4.5], [-0.26999998, -0.16999996, -0.07000005]],
         [[-0.84000003, -0.92000002, -1.], [-0.81000006, -1.01000011, -1.21000016]]],
    'c1s_g2': [4.5, 5.0999999, 5.69999981],
    'ct_w0':
        [[[[0.4, 0.2], [-0.1, -0.3]], [[-0., 0.7], [0.2, 0.3]], [[-0.1, -0.6], [-0.4,
         0.3]]], [[[0.1, -0.5], [-0.8, 0.1]], [[-0.2, -0.2], [-0.2, 0.1]], [[0.1, 0.5],
         [0.5, 0.7]]], [[[0.4, -0.2], [-0., 0.2]], [[-0.2, 0.3], [0.6, -0.4]], [[-0.9,
         0.6], [0., 0.4]]]],
    'ct_w1': [-0.7, 0.9],
    'ct_y_digest': [16.11999893, 8.40529944, 445.03059393],
    'ct_g0_digest': [1218.78004748, 765.09422513, 97765.88321073],
    'ct_g1':
        [[[[-144.23999023, -314.92001343], [-144.99002075, -316.47998047]],
         [[-145.73999023, -318.03997803], [-146.49000549, -319.6000061]], [[-213.64001465,
         -256.76000977], [-214.65000916, -258.16000366]]], [[[-159.24000549,
         -346.11999512], [-159.98999023, -347.68005371]], [[-160.74002075, -349.23999023],
         [-161.49000549, -350.79998779]], [[-233.84002686, -284.76000977], [-234.84997559,
         -286.16000366]]], [[[4.67998886, -331.44003296], [4.46999359, -332.83001709]],
         [[4.26000786, -334.22003174], [4.05001068, -335.60998535]], [[-98.36001587,
         -293.79998779], [-98.90000916, -295.10998535]]]],
    'ct_g2': [3980., 4000.],
    'ctv_w0':
        [[[[0.4, -0.1], [-0.2, 0.1]], [[-0.1, -0.1], [-0.6, 0.6]]], [[[-0., 0.], [0.,
         -1.2]], [[0.3, -0.2], [-0.1, 0.]]]],
    'ctv_w1': [-0.5, 0.4],
    'ctv_y_digest': [-7.90999906, -3.18378065, 207.02870961],
    'ctv_g0_digest': [-1443.00008163, -953.63005404, 35842.63408165],
    'ctv_g1':
        [[[[-154.32000732, -363.48001099], [-155.07000732, -365.03997803]],
         [[-155.82000732, -366.60003662], [-156.57000732, -368.16000366]]],
         [[[-170.82000732, -397.80001831], [-171.57000732, -399.36001587]],
         [[-172.32000732, -400.91998291], [-173.07000732, -402.48001099]]]],
    'ctv_g2': [5832.20019531, 5856.40039062],
    'mp2_y':
        [[[[0.30000001, 1.60000002], [1.10000002, 0.1], [0.69999999, 1.60000002]], [[-0.,
         0.60000002], [0.40000001, 0.80000001], [0.2, -0.2]], [[1.20000005, 0.69999999],
         [0., 0.], [-0.2, -0.30000001]]], [[[1., 0.80000001], [1.39999998, 0.60000002],
         [2.4000001, 0.60000002]], [[0.40000001, 0.2], [0.89999998, 0.60000002], [1.,
         -0.40000001]], [[-0.1, 1.29999995], [-0.40000001, 0.30000001], [-0.5, -0.5]]]],
    'mp2_g0_digest': [63.00000104, 43.53800069, 149.10000466],
    'ap2_y_digest': [-19.65000026, -10.37617198, 19.18125017],
    'ap2_g0_digest': [201.60000378, 132.12800231, 641.51502461],
    'mp1_y':
        [[[0.2, 1.89999998], [1.70000005, 1.89999998]], [[0., 1.10000002], [1.89999998,
         1.10000002]]],
    'mp1_g0':
        [[[0., 0.], [0., 0.], [0., 0.40000001], [0., 0.], [0.2, 0.], [0., 0.]],
         [[0.40000001, 0.], [0., 0.], [0., 1.20000005], [0., 0.], [0.60000002, 0.], [0.,
         0.]]],
    'ap1_y':
        [[[-0.25, -0.44999999], [0.30000001, 0.14999998], [0.40000004, 0.60000002]],
         [[-0.30000001, -0.80000001], [-0.15000001, 0.75], [1.10000002, -0.75]]],
    'ap1_g0':
        [[[0., 0.05], [0., 0.05], [0.1, 0.15000001], [0.1, 0.15000001], [0.2, 0.25], [0.2,
         0.25]], [[0.30000001, 0.34999999], [0.30000001, 0.34999999], [0.40000001,
         0.45000002], [0.40000001, 0.45000002], [0.5, 0.55000001], [0.5, 0.55000001]]],
}


def digest(a):
    a = np.asarray(a, dtype=np.float64)
    k = np.arange(a.size).reshape(a.shape) / a.size
    return np.array([a.sum(), (a * k).sum(), (a * a).sum()])


def check_conv(name, key, value):
    ref = KERAS_CONV.get(key)
    if ref is None:
        close(digest(value), KERAS_CONV[key + "_digest"], rtol=1e-4, atol=1e-4)
    else:
        close(value, np.asarray(ref, "float32"), rtol=1e-4, atol=1e-5)


CONV_CASES = [
    ("c2", lambda: L.Conv2D(3, 3, strides=2, padding="same", activation="relu"), "I2"),
    ("c2v", lambda: L.Conv2D(2, (2, 3), dilation_rate=(1, 2)), "I2"),
    ("c1", lambda: L.Conv1D(2, 3, padding="causal", dilation_rate=2), "I1"),
    ("c1s", lambda: L.Conv1D(3, 2, strides=2, padding="same"), "I1"),
    ("ct", lambda: L.Conv2DTranspose(2, 3, strides=2, padding="same"), "I2"),
    ("ctv", lambda: L.Conv2DTranspose(2, 2, strides=2, padding="valid", output_padding=1), "I2"),
    ("mp2", lambda: L.MaxPooling2D(2, padding="same"), "I2"),
    ("ap2", lambda: L.AveragePooling2D((2, 2), strides=1), "I2"),
    ("mp1", lambda: L.MaxPooling1D(3, strides=2), "I1"),
    ("ap1", lambda: L.AveragePooling1D(2, padding="same"), "I1"),
]


@pytest.mark.parametrize("name, make, inp", CONV_CASES, ids=[c[0] for c in CONV_CASES])
def test_convolution_and_pooling_layers_match_keras(name, make, inp):
    x = np.asarray(KERAS_CONV[inp], "float32")
    layer = make()
    layer.build(x.shape)
    layer.set_weights([np.asarray(KERAS_CONV[f"{name}_w{i}"], "float32")
                       for i in range(len(layer.weights))])
    xv = tg.Variable(x)
    with tg.GradientTape() as tape:
        y = layer(xv)
        s = tg.reduce_sum(y * (arange_like(y) / 10))
    check_conv(name, f"{name}_y", y)
    for i, g in enumerate(tape.gradient(s, [xv] + layer.trainable_weights)):
        check_conv(name, f"{name}_g{i}", g)


def test_convolution_layers_shapes_and_errors():
    x = np.ones((2, 8, 8, 3), "float32")
    assert tuple(L.Conv2D(4, 3)(x).shape) == (2, 6, 6, 4)
    assert tuple(L.Conv2D(4, 3, padding="same", strides=2)(x).shape) == (2, 4, 4, 4)
    assert tuple(L.Conv2DTranspose(5, 3, strides=2)(x).shape) == (2, 17, 17, 5)
    assert tuple(L.MaxPooling2D()(x).shape) == (2, 4, 4, 3)
    assert tuple(L.Conv2D(4, 3, data_format="channels_first")(
        np.ones((2, 3, 8, 8), "float32")).shape) == (2, 4, 6, 6)
    c = L.Conv2D(4, 3)
    c(x)
    assert [w.name for w in c.weights] == ["kernel", "bias"]
    assert tuple(c.kernel.shape) == (3, 3, 3, 4)
    assert L.Conv2D(4, 3)(keras.Input((None, None, 3))).shape == (None, None, None, 4)
    assert L.Conv1D(2, 3, padding="causal")(keras.Input((7, 1))).shape == (None, 7, 2)
    with pytest.raises(ValueError, match="Expected a strictly positive value. Received "
                                         "filters=0"):
        L.Conv2D(0, 3)
    with pytest.raises(ValueError, match=r"The `padding` argument must be a list/tuple or one "
                                         r"of \{'same', 'valid'\}. Received: causal"):
        L.Conv2D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="expected min_ndim=4, found ndim=3"):
        L.Conv2D(2, 3)(np.ones((2, 5, 5), "float32"))


def test_a_small_convnet_trains():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 8, 8, 1)).astype("float32")
    y = (x[:, :4].mean((1, 2, 3)) > x[:, 4:].mean((1, 2, 3))).astype("int64")
    m = keras.Sequential([keras.Input((8, 8, 1)), L.Conv2D(4, 3, activation="relu"),
                          L.MaxPooling2D(), L.Flatten(), L.Dense(2)])
    m.compile(keras.optimizers.Adam(0.01),
              keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    h = m.fit(x, y, epochs=15, batch_size=8, verbose=0)
    assert h.history["loss"][-1] < 0.6 * h.history["loss"][0]


def test_conv_groups_as_keras():
    """Keras 3's grouped Conv1D/Conv2D: kernel (*k, channels / groups, filters); its values."""
    c = L.Conv2D(6, (2, 2), groups=2)
    c.build((None, 5, 5, 4))
    assert tuple(c.kernel.shape) == (2, 2, 2, 6)
    c.kernel.assign(np.arange(48, dtype=np.float32).reshape(2, 2, 2, 6) / 100)
    c.bias.assign(np.arange(6, dtype=np.float32))
    x = np.arange(2 * 5 * 5 * 4, dtype=np.float32).reshape(2, 5, 5, 4)[:1, :3, :3] / 50
    y = c(x)
    assert tuple(y.shape) == (1, 2, 2, 6)
    close(np.asarray(y).ravel()[:12], [0.6336, 1.6536, 2.6736, 3.7704, 4.7936, 5.8168,
                                       0.768, 1.7944, 2.8208, 3.924, 4.9536, 5.9832], rtol=1e-5)
    c1 = L.Conv1D(4, 2, groups=2, padding="causal")
    c1.build((None, 4, 6))
    assert tuple(c1.kernel.shape) == (2, 3, 4)
    c1.kernel.assign(np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 100)
    y1 = c1(np.arange(24, dtype=np.float32).reshape(1, 4, 6) / 10)
    close(np.asarray(y1).ravel(), [0.056, 0.059, 0.224, 0.236, 0.364, 0.388, 0.628, 0.67,
                                   0.724, 0.784, 1.06, 1.138, 1.084, 1.18, 1.492, 1.606], rtol=1e-5)
    cf = L.Conv2D(6, 3, groups=2, data_format="channels_first")
    cf.build((None, 4, 5, 5))
    assert tuple(cf.kernel.shape) == (3, 3, 2, 6)
    with pytest.raises(ValueError, match=r"The number of filters must be evenly divisible by the number of groups. Received: groups=2, filters=5."):
        L.Conv2D(5, 3, groups=2)
    with pytest.raises(ValueError, match=r"The number of groups must be a positive integer. Received: groups=0."):
        L.Conv2D(4, 3, groups=0)
    with pytest.raises(ValueError, match=r"The number of input channels must be evenly divisible by the number of groups. "
                                         r"Received groups=2, but the input has 3 channels \(full input shape is \(1, 5, 5, 3\)\)."):
        L.Conv2D(4, 3, groups=2)(np.ones((1, 5, 5, 3), np.float32))
    with pytest.raises(ValueError, match=r"Unrecognized keyword arguments passed to Conv2DTranspose: \{'groups': 2\}"):
        L.Conv2DTranspose(4, 3, groups=2)


def test_keras_variable_as_keras_3_and_model_tracking_of_tf_variables():
    # Keras 3 (TF 2.21): keras.Variable is tracked by layers and models, tf.Variable not
    v = keras.Variable(3.0)
    assert repr(v) == "<Variable path=variable, shape=(), dtype=float32, value=3.0>"
    assert (v.name, v.path, v.trainable, v.dtype) == ("variable", "variable", True, "float32")
    w = keras.Variable(keras.initializers.Ones(), shape=(2,), name="w")
    assert repr(w) == "<Variable path=w, shape=(2,), dtype=float32, value=[1. 1.]>"
    u = keras.Variable(np.zeros((2, 2)), dtype="float32", trainable=False, name="u")
    assert u.dtype == "float32" and not u.trainable
    with pytest.raises(ValueError, match="the `shape` argument should be specified"):
        keras.Variable(keras.initializers.Ones())

    class M(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = L.Dense(2)
            self.v = tg.Variable(1.0)
            self.w = tg.Variable(2.0, trainable=False)
            self.kv = keras.Variable(3.0)

        def call(self, x):
            return self.d(x) * self.v

    m = M()
    m(np.ones((1, 3), np.float32))
    # TF 2.21: ['variable', 'kernel', 'bias'], the same trainable, none non-trainable
    assert [x.name for x in m.weights] == ["variable", "kernel", "bias"]
    assert [x.name for x in m.trainable_variables] == ["variable", "kernel", "bias"]
    assert m.non_trainable_weights == []


# -- masks: Embedding(mask_zero=True) and the layers after it -----------------------------

MASK_X = np.array([[3, 1, 0, 0, 0], [2, 4, 5, 1, 0], [0, 7, 2, 0, 0]], "int32")
# Keras 3 (TF 2.21): Sequential and functional outputs for these weights (cos formula)
MASK_EXPECTED = {
    'lstm': [[0.060127194970846176, -0.012577168643474579, -0.11675361543893814], [0.08902741968631744, -0.005709612276405096, -0.1637052446603775], [0.0749296247959137, 0.004764177370816469, -0.1126037985086441]],
    'gru': [[0.049728162586688995, -0.5548650026321411, -0.5509839653968811], [0.35169026255607605, -0.3253271281719208, -0.6188129186630249], [0.4972480237483978, 0.30421051383018494, -0.0822189450263977]],
    'simple_seq_pool': [[-0.3678268790245056, -0.29365020990371704, -0.07768670469522476], [-0.381145715713501, -0.3243010938167572, -0.11427253484725952], [-0.46023207902908325, -0.42352330684661865, -0.19237957894802094]],
    'dense_pool': [[-0.17168690264225006, -0.3807162046432495, -0.41396811604499817], [-0.20396214723587036, -0.4221324622631073, -0.44896823167800903], [-0.27890676259994507, -0.49870187044143677, -0.5018367171287537]],
    'lstm_seq': [[-0.18544279038906097, -0.041259005665779114, 0.1009650006890297], [-0.18737773597240448, -0.020532354712486267, 0.11667415499687195], [-0.1656542867422104, -0.010210891254246235, 0.11275236308574677]],
}


def _mask_model(kind):
    layers = [keras.Input((5,), dtype="int32"), L.Embedding(10, 4, mask_zero=True)]
    layers += {"lstm": lambda: [L.LSTM(3)], "gru": lambda: [L.GRU(3)],
               "simple_seq_pool": lambda: [L.SimpleRNN(3, return_sequences=True),
                                           L.GlobalAveragePooling1D()],
               "dense_pool": lambda: [L.Dense(3), L.Activation("tanh"), L.Dropout(0.5),
                                      L.GlobalAveragePooling1D()],
               "lstm_seq": lambda: [L.LSTM(2, return_sequences=True), L.LSTM(3)]}[kind]()
    m = keras.Sequential(layers)
    m.set_weights([(np.cos(np.arange(w.size) * 0.7 + i) * 0.5).reshape(w.shape)
                   .astype("float32") for i, w in enumerate(m.get_weights())])
    return m


@pytest.mark.parametrize("kind", sorted(MASK_EXPECTED))
def test_embedding_mask_propagates_as_keras(kind):
    m = _mask_model(kind)
    np.testing.assert_allclose(m(MASK_X).numpy(), MASK_EXPECTED[kind], rtol=2e-5, atol=2e-6)
    inp = keras.Input((5,), dtype="int32")      # the same layers in a functional model
    x = inp
    for layer in m.layers:
        x = layer(x)
    np.testing.assert_allclose(keras.Model(inp, x)(MASK_X).numpy(), MASK_EXPECTED[kind],
                               rtol=2e-5, atol=2e-6)
    # the mask matters: without it (mask_zero=False) the numbers differ
    m.layers[0].mask_zero = False
    assert not np.allclose(m(MASK_X).numpy(), MASK_EXPECTED[kind], atol=1e-4)


def test_compute_mask_of_the_masking_layers():
    e = L.Embedding(10, 4, mask_zero=True)
    np.testing.assert_array_equal(e.compute_mask(MASK_X).numpy(), MASK_X != 0)
    assert L.Embedding(10, 4).compute_mask(MASK_X) is None
    mask = tg.constant(MASK_X != 0)
    assert L.Dense(2).compute_mask(None, mask) is mask and L.Dense(2).supports_masking
    assert L.GlobalAveragePooling1D().compute_mask(None, mask) is None
    assert L.LSTM(2, return_sequences=True).compute_mask(None, mask) is mask
    assert L.LSTM(2).compute_mask(None, mask) is None
    assert L.Flatten().supports_masking is False


def test_rnn_zero_output_for_mask_as_keras():
    for rs, want in ((True, [[[-0.5339124798774719, -0.42587417364120483],
                               [-0.06193072348833084, 0.06025349721312523], [0.0, 0.0],
                               [0.0, 0.0], [0.0, 0.0]],
                              [[-0.4215973913669586, -0.15844210982322693],
                               [-0.3886803686618805, -0.4322536885738373],
                               [-0.1308569312095642, -0.18457207083702087],
                               [-0.25665146112442017, -0.18892501294612885], [0.0, 0.0]],
                              [[0.0, 0.0], [-0.48767831921577454, -0.2685481905937195],
                               [-0.2149394303560257, 0.136977419257164], [0.0, 0.0],
                               [0.0, 0.0]]]),
                     (False, [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])):   # TF 2.21's values
        m = keras.Sequential([keras.Input((5,), dtype="int32"),
                              L.Embedding(10, 2, mask_zero=True),
                              L.SimpleRNN(2, return_sequences=rs, zero_output_for_mask=True)])
        m.set_weights([(np.cos(np.arange(w.size) * 0.7 + i) * 0.5).reshape(w.shape)
                       .astype("float32") for i, w in enumerate(m.get_weights())])
        np.testing.assert_allclose(m(MASK_X).numpy(), want, rtol=2e-5, atol=2e-6)


# Keras 3 (TF 2.21) stateful RNNs: x and the weights drawn in this order from
# default_rng(0) (weights x 0.3, in the layer's trainable_weights order), two calls on
# the same x, the second starting from the first's final states
_STATEFUL = {
    "SimpleRNN": {
        "first": [[0.6080449223518372, -0.5570281147956848, -0.4328238070011139], [0.32817476987838745, 0.29547736048698425, -0.04741063341498375]],
        "second": [[0.6082383394241333, -0.5580012798309326, -0.4332493245601654], [0.32996252179145813, 0.29629066586494446, -0.04674364998936653]],
        "states": [[[0.6082383394241333, -0.5580012798309326, -0.4332493245601654], [0.32996252179145813, 0.29629066586494446, -0.04674364998936653]]],
    },
    "LSTM": {
        "first": [[0.10930010676383972, -0.017482833936810493, 0.05738430470228195], [0.1904945820569992, 0.0807337760925293, -0.06764327734708786]],
        "second": [[0.12100556492805481, -0.01833897829055786, 0.06251081079244614], [0.20872072875499725, 0.08222312480211258, -0.06343622505664825]],
        "states": [[[0.12100556492805481, -0.01833897829055786, 0.06251081079244614], [0.20872072875499725, 0.08222312480211258, -0.06343622505664825]], [[0.19726291298866272, -0.05358913540840149, 0.1428828239440918], [0.36773285269737244, 0.20771577954292297, -0.15948106348514557]]],
    },
    "GRU": {
        "first": [[-0.5390632748603821, 0.13032767176628113, 0.4464203119277954], [-0.2480391263961792, 0.3328855335712433, 0.6538553833961487]],
        "second": [[-0.6109384894371033, 0.1397445946931839, 0.4459742605686188], [-0.31019502878189087, 0.3354329466819763, 0.6647321581840515]],
        "states": [[[-0.6109384894371033, 0.1397445946931839, 0.4459742605686188], [-0.31019502878189087, 0.3354329466819763, 0.6647321581840515]]],
    },
}


def test_stateful_rnns_carry_their_states_as_keras():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 4, 5)).astype(np.float32)
    for name, want in _STATEFUL.items():
        layer = getattr(keras.layers, name)(3, stateful=True)
        layer.build((2, 4, 5))
        layer.set_weights([rng.normal(size=w.shape).astype(np.float32) * 0.3
                           for w in layer.trainable_weights])
        assert len(layer.weights) == 3    # the states are not weights, as Keras's
        first, second = layer(x), layer(x)
        np.testing.assert_allclose(first.numpy(), want["first"], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(second.numpy(), want["second"], rtol=1e-5, atol=1e-6)
        for v, s in zip(layer.states, want["states"]):
            np.testing.assert_allclose(v.numpy(), s, rtol=1e-5, atol=1e-6)
            assert not v.trainable and v.path == f"{layer.name}/rnn_state"
        layer.reset_states()
        np.testing.assert_array_equal(layer(x).numpy(), first.numpy())
        with pytest.raises(ValueError, match="If an RNN is stateful, the batch size of the "
                           "input sequences must be the same as the batch size of the initial "
                           "state. \n- Expected batch size: 2\n- Received batch size: 1"):
            layer(x[:1])


def test_stateful_rnn_errors_and_training():
    with pytest.raises(ValueError, match=r"When using `stateful=True` in a RNN, the batch "
                       r"size must be static. Found dynamic batch size: "
                       r"sequence.shape=\(None, 4, 5\)"):
        keras.Sequential([keras.Input((4, 5)), keras.layers.LSTM(3, stateful=True)])
    layer = keras.layers.LSTM(3, stateful=True)
    layer.reset_states()                    # nothing to reset before it is built
    assert layer.states is None
    model = keras.Sequential([keras.Input((4, 5), batch_size=2),
                              keras.layers.GRU(3, stateful=True), keras.layers.Dense(1)])
    rnn = model.layers[0]
    x = np.random.default_rng(1).normal(size=(2, 4, 5)).astype(np.float32)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.ones((2, 1), np.float32), epochs=2, batch_size=2, shuffle=False,
              verbose=0)
    carried = [v.numpy().copy() for v in rnn.states]
    assert np.abs(carried[0]).sum() > 0     # the last batch's states are kept
    with tg.GradientTape() as tape:         # gradients flow through the carried states
        loss = tg.reduce_sum(model(x))
    grads = tape.gradient(loss, model.trainable_variables)
    assert all(g is not None for g in grads)
    assert not np.array_equal(rnn.states[0].numpy(), carried[0])


def test_rnn_configs_keep_their_flags():
    layer = keras.layers.GRU(4, stateful=True, return_sequences=True, go_backwards=True)
    config = layer.get_config()
    assert {k: config[k] for k in ("units", "return_sequences", "return_state",
                                   "go_backwards", "stateful", "unroll",
                                   "zero_output_for_mask")} == {
        "units": 4, "return_sequences": True, "return_state": False, "go_backwards": True,
        "stateful": True, "unroll": False, "zero_output_for_mask": False}
    again = keras.layers.GRU.from_config(config)
    assert again.stateful and again.go_backwards and again.units == 4


# Keras 3 (TF 2.21): a subclassed model, Embedding(10, 4, mask_zero=True) -> LSTM(3) ->
# Dense(2), its weights drawn from default_rng(5) x 0.4 in `weights` order; the masks
# flow through the layers it calls, and the loss weighs by its output's mask
_SUBCLASSED_MASKS = {"False": {"out": [[0.28332778811454773, 0.6876572370529175], [0.266396164894104, 0.6989817023277283], [0.2376503199338913, 0.6399537920951843]]}, "True": {"out": [[[0.3047938048839569, 0.6520974040031433], [0.28332778811454773, 0.6876572370529175], [0.28332778811454773, 0.6876572370529175], [0.28332778811454773, 0.6876572370529175]], [[0.24580155313014984, 0.6698657274246216], [0.29254862666130066, 0.6789330244064331], [0.266396164894104, 0.6989817023277283], [0.266396164894104, 0.6989817023277283]], [[0.2376503199338913, 0.6399537920951843], [0.2376503199338913, 0.6399537920951843], [0.2376503199338913, 0.6399537920951843], [0.2376503199338913, 0.6399537920951843]]], "mse": 0.31970807909965515, "mse_nomask": 0.325836181640625}}


def test_masks_flow_through_a_subclassed_models_layers():
    class M(keras.Model):
        def __init__(self, seq):
            super().__init__()
            self.emb = keras.layers.Embedding(10, 4, mask_zero=True)
            self.rnn = keras.layers.LSTM(3, return_sequences=seq)
            self.out = keras.layers.Dense(2)

        def call(self, x):
            return self.out(self.rnn(self.emb(x)))
    x = np.array([[3, 5, 0, 0], [1, 2, 7, 0], [4, 0, 0, 0]])
    for seq in (False, True):
        want = _SUBCLASSED_MASKS[str(seq)]
        m = M(seq)
        m(x)
        rng = np.random.default_rng(5)
        m.set_weights([rng.normal(size=w.shape).astype(np.float32) * 0.4 for w in m.weights])
        y = m(x)
        np.testing.assert_allclose(y.numpy(), want["out"], rtol=1e-5, atol=1e-6)
        if seq:
            t = np.ones((3, 4, 2), np.float32)
            assert abs(want["mse"] - want["mse_nomask"]) > 1e-3
            np.testing.assert_allclose(float(keras.losses.MeanSquaredError()(t, y)),
                                       want["mse"], rtol=1e-5)
