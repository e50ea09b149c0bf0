"""tg.keras.activations, regularizers, initializers and utils: activations and
regularizers against Keras 3's values (printed by Keras on TensorFlow 2.21), the
initializers' distributions, seeding and shapes, to_categorical and set_random_seed."""
import numpy as np
import pytest

import tapegrad as tg

A = tg.keras.activations
R = tg.keras.regularizers
I = tg.keras.initializers
U = tg.keras.utils

X = np.array([[-3.0, -1.0, -0.25, 0.0, 0.5, 2.0, 7.0]], np.float32)

ACTIVATIONS = {'celu': [[-0.9502129554748535, -0.6321205496788025, -0.22119921445846558, 0.0, 0.5, 2.0, 7.0]],
 'elu': [[-0.9502129554748535, -0.6321205496788025, -0.22119921445846558, 0.0, 0.5, 2.0, 7.0]],
 'elu(alpha=0.5)': [[-0.47510647773742676,
                     -0.31606027483940125,
                     -0.11059960722923279,
                     0.0,
                     0.5,
                     2.0,
                     7.0]],
 'exponential': [[0.049787066876888275,
                  0.3678794503211975,
                  0.7788007855415344,
                  1.0,
                  1.6487212181091309,
                  7.389056205749512,
                  1096.6331787109375]],
 'gelu': [[-0.004049695562571287,
           -0.15865525603294373,
           -0.10032341629266739,
           0.0,
           0.3457312285900116,
           1.9544997215270996,
           7.0]],
 'gelu(approximate=True)': [[-0.0036374330520629883,
                             -0.15880799293518066,
                             -0.10032464563846588,
                             0.0,
                             0.3457140028476715,
                             1.9545977115631104,
                             7.0]],
 'glu': [[0.622459352016449, -1.9051482677459717]],
 'hard_sigmoid': [[0.0,
                   0.3333333432674408,
                   0.4583333432674408,
                   0.5,
                   0.5833333134651184,
                   0.8333333134651184,
                   1.0]],
 'hard_silu': [[-0.0,
                -0.3333333432674408,
                -0.1145833358168602,
                0.0,
                0.2916666567325592,
                1.6666666269302368,
                7.0]],
 'hard_swish': [[-0.0,
                 -0.3333333432674408,
                 -0.1145833358168602,
                 0.0,
                 0.2916666567325592,
                 1.6666666269302368,
                 7.0]],
 'hard_tanh': [[-1.0, -1.0, -0.25, 0.0, 0.5, 1.0, 1.0]],
 'leaky_relu': [[-0.6000000238418579,
                 -0.20000000298023224,
                 -0.05000000074505806,
                 0.0,
                 0.5,
                 2.0,
                 7.0]],
 'linear': [[-3.0, -1.0, -0.25, 0.0, 0.5, 2.0, 7.0]],
 'log_sigmoid': [[-3.0485873222351074,
                  -1.31326162815094,
                  -0.825939416885376,
                  -0.6931471824645996,
                  -0.4740769863128662,
                  -0.12692800164222717,
                  -0.000911466486286372]],
 'log_softmax': [[-10.010191917419434,
                  -8.010191917419434,
                  -7.260191917419434,
                  -7.010191917419434,
                  -6.510191917419434,
                  -5.010191917419434,
                  -0.010192133486270905]],
 'mish': [[-0.14564746618270874,
           -0.30340149998664856,
           -0.12992696464061737,
           0.0,
           0.37524524331092834,
           1.9439589977264404,
           6.999989032745361]],
 'relu': [[0.0, 0.0, 0.0, 0.0, 0.5, 2.0, 7.0]],
 'relu(max_value=6.0)': [[0.0, 0.0, 0.0, 0.0, 0.5, 2.0, 6.0]],
 'relu(negative_slope=0.1, max_value=5.0, threshold=0.5)': [[-0.3499999940395355,
                                                             -0.15000000596046448,
                                                             -0.07500000298023224,
                                                             -0.05000000074505806,
                                                             0.0,
                                                             2.0,
                                                             5.0]],
 'relu(negative_slope=0.3)': [[-0.9000000357627869,
                               -0.30000001192092896,
                               -0.07500000298023224,
                               0.0,
                               0.5,
                               2.0,
                               7.0]],
 'relu6': [[0.0, 0.0, 0.0, 0.0, 0.5, 2.0, 6.0]],
 'selu': [[-1.6705687046051025,
           -1.1113307476043701,
           -0.38889017701148987,
           0.0,
           0.5253505110740662,
           2.1014020442962646,
           7.354907035827637]],
 'sigmoid': [[0.04742587357759476,
              0.2689414322376251,
              0.43782350420951843,
              0.5,
              0.622459352016449,
              0.8807970881462097,
              0.9990889430046082]],
 'silu': [[-0.14227762818336487,
           -0.2689414322376251,
           -0.10945587605237961,
           0.0,
           0.3112296760082245,
           1.7615941762924194,
           6.993622779846191]],
 'softmax': [[4.4939559302292764e-05,
              0.00033206091029569507,
              0.0007029729313217103,
              0.0009026351617649198,
              0.0014881937531754375,
              0.006669621914625168,
              0.9898596405982971]],
 'softplus': [[0.04858735203742981,
               0.3132616877555847,
               0.575939416885376,
               0.6931471824645996,
               0.9740769863128662,
               2.1269280910491943,
               7.000911712646484]],
 'softsign': [[-0.75,
               -0.5,
               -0.20000000298023224,
               0.0,
               0.3333333432674408,
               0.6666666865348816,
               0.875]],
 'swish': [[-0.14227762818336487,
            -0.2689414322376251,
            -0.10945587605237961,
            0.0,
            0.3112296760082245,
            1.7615941762924194,
            6.993622779846191]],
 'tanh': [[-0.9950547218322754,
           -0.7615941762924194,
           -0.24491865932941437,
           0.0,
           0.46211713552474976,
           0.9640275835990906,
           0.9999983310699463]],
 'tanh_shrink': [[-2.0049452781677246,
                  -0.23840582370758057,
                  -0.005081340670585632,
                  0.0,
                  0.037882864475250244,
                  1.0359723567962646,
                  6.000001907348633]]}
REGULARIZERS = {'R.L1(0.5)': 3.25,
 'R.L1L2(0.1, 0.2)': 3.500000238418579,
 'R.L1L2(l2=0.3)': 4.275000095367432,
 'R.L2()': 0.14249999821186066,
 'R.OrthogonalRegularizer(0.1)': 0.08087360858917236,
 "R.OrthogonalRegularizer(0.2, mode='columns')": 0.024806946516036987}


@pytest.mark.parametrize("expr", sorted(ACTIVATIONS))
def test_activations_match_keras(expr):
    if expr == "glu":
        got = A.glu(np.array([[1., -2., 0.5, 3.]], np.float32))
    elif "(" in expr:
        name, args = expr.split("(", 1)
        got = eval(f"A.{name}(X, {args}")
    else:
        got = A.get(expr)(tg.constant(X))
    got = tg.convert_to_tensor(got)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.numpy(), ACTIVATIONS[expr], rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["relu", "elu", "gelu", "silu", "mish", "softplus",
                                  "sigmoid", "hard_sigmoid", "tanh", "softmax", "log_softmax",
                                  "celu", "selu", "softsign"])
def test_activation_gradients_match_finite_differences(name):
    x = np.array([[-2.0, -0.7, 0.3, 1.1, 2.5]])   # away from the kinks
    theoretical, numerical = tg.test.compute_gradient(A.get(name), [x])
    np.testing.assert_allclose(theoretical[0], numerical[0], rtol=1e-5, atol=1e-8)


def test_activations_get():
    assert A.get(None) is A.linear and A.get("relu") is A.relu and A.get("swish") is A.silu
    f = lambda x: x   # noqa: E731
    assert A.get(f) is f
    with pytest.raises(ValueError, match="Could not interpret activation function "
                                         "identifier: nope"):
        A.get("nope")
    with pytest.raises(ValueError, match="axis size must be divisible by 2"):
        A.glu(np.ones((1, 3), np.float32))


@pytest.mark.parametrize("expr", sorted(REGULARIZERS))
def test_regularizers_match_keras(expr):
    w = tg.Variable([[1., -2.], [0.5, 3.]])
    with tg.GradientTape() as tape:
        penalty = eval(expr)(w)
    np.testing.assert_allclose(float(penalty), REGULARIZERS[expr], rtol=2e-6)
    assert tape.gradient(penalty, w) is not None


def test_regularizer_gradient_config_and_errors():
    w = tg.Variable([[1., -2.], [0.5, 3.]])
    with tg.GradientTape() as tape:
        p = R.L1L2(0.1, 0.2)(w)
    np.testing.assert_allclose(tape.gradient(p, w).numpy(),
                               0.1 * np.sign(w.numpy()) + 0.4 * w.numpy(), rtol=1e-6)
    assert R.L1L2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert isinstance(R.get("l2"), R.L2) and R.get("l2").l2 == 0.01
    again = R.deserialize(R.serialize(R.L1(0.3)))
    assert isinstance(again, R.L1) and again.l1 == 0.3
    with pytest.raises(ValueError, match="Invalid value for argument l2: expected a "
                                         "non-negative float.Received: l2=a"):
        R.L2("a")
    with pytest.raises(ValueError, match="Invalid value for argument l1"):
        R.L1(-1.0)


@pytest.mark.parametrize("cls,limit", [("GlorotUniform", np.sqrt(6 / (200 + 300))),
                                       ("HeUniform", np.sqrt(6 / 200)),
                                       ("LecunUniform", np.sqrt(3 / 200))])
def test_uniform_variance_scaling(cls, limit):
    w = getattr(I, cls)(seed=1)((200, 300)).numpy()
    assert w.dtype == np.float32 and w.shape == (200, 300)
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.98 * limit
    np.testing.assert_allclose(w.std(), limit / np.sqrt(3), rtol=0.02)


@pytest.mark.parametrize("cls,std", [("GlorotNormal", np.sqrt(2 / (200 + 300))),
                                     ("HeNormal", np.sqrt(2 / 200)),
                                     ("LecunNormal", np.sqrt(1 / 200))])
def test_truncated_normal_variance_scaling(cls, std):
    w = getattr(I, cls)(seed=2)((200, 300)).numpy()
    # truncated at two deviations of the untruncated normal, whose stddev is std / .8796
    assert np.abs(w).max() <= 2 * std / 0.87962566103423978
    np.testing.assert_allclose(w.std(), std, rtol=0.02)


def test_seeding_shapes_and_dtypes():
    a = I.RandomNormal(seed=3)
    np.testing.assert_array_equal(a((4, 5)).numpy(), a((4, 5)).numpy())   # as Keras
    np.testing.assert_array_equal(a((4, 5)).numpy(), I.RandomNormal(seed=3)((4, 5)).numpy())
    assert not np.array_equal(a((4, 5)).numpy(), I.RandomNormal(seed=4)((4, 5)).numpy())
    assert I.GlorotUniform()((3, 3, 4, 8), dtype="float64").dtype == np.float64
    np.testing.assert_array_equal(I.Zeros()((2, 3)).numpy(), np.zeros((2, 3)))
    np.testing.assert_array_equal(I.Ones()((2,), dtype="int32").numpy(), [1, 1])
    np.testing.assert_array_equal(I.Constant(2.5)((2,)).numpy(), [2.5, 2.5])
    np.testing.assert_array_equal(I.Identity(2.0)((2, 3)).numpy(), 2 * np.eye(2, 3))
    u = I.RandomUniform(-1, 1, seed=0)((1000,)).numpy()
    assert u.min() >= -1 and u.max() < 1
    t = I.TruncatedNormal(0.0, 1.0, seed=0)((1000,)).numpy()
    assert np.abs(t).max() <= 2
    q = I.Orthogonal(seed=0)((6, 4)).numpy()
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)
    q = I.Orthogonal(gain=2.0, seed=0)((3, 5)).numpy()
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(3), atol=1e-5)


def test_initializers_get_and_errors():
    assert isinstance(I.get("glorot_uniform"), I.GlorotUniform)
    assert isinstance(I.get("GlorotUniform"), I.GlorotUniform)
    assert isinstance(I.get("zeros"), I.Zeros) and isinstance(I.get("uniform"), I.RandomUniform)
    assert I.GlorotUniform(seed=5).get_config() == {"seed": 5}
    again = I.deserialize(I.serialize(I.VarianceScaling(2.0, "fan_out", "uniform", seed=1)))
    assert (again.scale, again.mode, again.distribution, again.seed) == (2.0, "fan_out",
                                                                         "uniform", 1)
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: "
                                         "Glorot_uniform"):
        I.get("Glorot_uniform")
    with pytest.raises(ValueError, match="`seed` argument should be an instance of"):
        I.RandomNormal(seed=1.5)
    with pytest.raises(ValueError, match="Invalid `mode` argument"):
        I.VarianceScaling(mode="fan")
    with pytest.raises(ValueError, match="Identity matrix initializer can only be used "
                                         "for 2D"):
        I.Identity()((2, 2, 2))


def test_to_categorical_and_set_random_seed():
    np.testing.assert_array_equal(U.to_categorical([0, 2, 1]),
                                  [[1., 0., 0.], [0., 0., 1.], [0., 1., 0.]])
    np.testing.assert_array_equal(U.to_categorical([[1], [0]], 3), [[0., 1., 0.], [1., 0., 0.]])
    assert U.to_categorical(np.array([[0, 1], [2, 1]])).shape == (2, 2, 3)
    assert U.to_categorical([1, 0]).dtype == np.float64
    U.set_random_seed(7)
    a = (I.GlorotUniform()((3, 3)).numpy(), tg.random.normal((2,)).numpy(), np.random.rand())
    U.set_random_seed(7)
    b = (I.GlorotUniform()((3, 3)).numpy(), tg.random.normal((2,)).numpy(), np.random.rand())
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    with pytest.raises(ValueError, match="Expected `seed` argument to be an integer"):
        U.set_random_seed(1.5)
