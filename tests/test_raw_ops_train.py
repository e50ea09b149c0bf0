"""tg.raw_ops' fused training updates (ops_train.pxi) against TensorFlow 2.21's
tf.raw_ops.ResourceApply* on the same inputs: three steps from fixed weights and slots
(0.1), in float32 and float64; the expected values were printed by TF. Also TF's errors,
the keyword-only calling, copy on write (a tape's saved value, a read tensor, a NumPy
view never change), and tapegrad's own ResourceApplyKerasAdam (Keras's 1 - beta)."""
import numpy as np
import pytest

import tapegrad as tg

R = tg.raw_ops
W = np.array([[1.0, -2.0, 0.5], [0.25, 3.0, -1.5]])
G = [np.array([[0.3, -0.1, 0.2], [0.05, -0.4, 0.25]]),
     np.array([[-0.2, 0.15, 0.1], [0.3, 0.1, -0.05]]),
     np.array([[0.5, -0.3, -0.2], [0.0, 0.2, 0.4]])]

EXPECTED = {
    'gd-float32': [[[0.9399999976158142, -1.9750001430511475, 0.49000000953674316], [0.2150000035762787, 3.009999990463257, -1.559999942779541]]],
    'gd-float64': [[[0.94, -1.9749999999999999, 0.49], [0.215, 3.0100000000000002, -1.56]]],
    'momentum-float32': [[[1.1505999565124512, -1.727500081062317, 0.6906999349594116], [0.4233499765396118, 3.3132998943328857, -1.3543498516082764]], [[0.016599994152784348, 0.09749998897314072, 0.06769999116659164], [0.04184998944401741, 0.0762999877333641, 0.017149992287158966]]],
    'momentum-float64': [[[1.1506, -1.7275, 0.6907000000000001], [0.42335000000000006, 3.3133, -1.3543500000000002]], [[0.016600000000000004, 0.09750000000000002, 0.06770000000000001], [0.04185000000000001, 0.0763, 0.01714999999999999]]],
    'momentum_nesterov-float32': [[[1.0755399465560913, -1.7297499179840088, 0.6616299748420715], [0.3710149824619293, 3.2919700145721436, -1.428915023803711]], [[0.016599994152784348, 0.09749998897314072, 0.06769999116659164], [0.04184998944401741, 0.0762999877333641, 0.017149992287158966]]],
    'momentum_nesterov-float64': [[[1.07554, -1.72975, 0.66163], [0.37101500000000004, 3.29197, -1.428915]], [[0.016600000000000004, 0.09750000000000002, 0.06770000000000001], [0.04185000000000001, 0.0763, 0.01714999999999999]]],
    'adam-float32': [[[0.9731987714767456, -2.017570972442627, 0.4758853018283844], [0.225248783826828, 2.986466407775879, -1.5270580053329468]], [[0.1292000114917755, 0.048299986869096756, 0.07809999585151672], [0.10395000129938126, 0.06949999928474426, 0.1286500096321106]], [[0.10008008033037186, 0.0998227596282959, 0.09979021549224854], [0.0997927114367485, 0.09990997612476349, 0.09992517530918121]]],
    'adam-float64': [[[0.9731985425671751, -2.017571220812327, 0.4758851512219273], [0.22524861288845077, 2.9864663813758856, -1.527058260699146]], [[0.12919999999999998, 0.04830000000000002, 0.0781], [0.10395, 0.0695, 0.12865]], [[0.10008007999000001, 0.09982275741, 0.09979020994], [0.0997927049025, 0.09990997006, 0.0999251724625]]],
    'adam_nesterov-float32': [[[0.9711746573448181, -2.014012336730957, 0.47683045268058777], [0.22499006986618042, 2.9897961616516113, -1.529036521911621]], [[0.1292000114917755, 0.048299986869096756, 0.07809999585151672], [0.10395000129938126, 0.06949999928474426, 0.1286500096321106]], [[0.10008008033037186, 0.0998227596282959, 0.09979021549224854], [0.0997927114367485, 0.09990997612476349, 0.09992517530918121]]],
    'adam_nesterov-float64': [[[0.9711745446683904, -2.0140126482929883, 0.4768303104407196], [0.2249898982666198, 2.989796091750168, -1.529036793238207]], [[0.12919999999999998, 0.04830000000000002, 0.0781], [0.10395, 0.0695, 0.12865]], [[0.10008007999000001, 0.09982275741, 0.09979020994], [0.0997927049025, 0.09990997006, 0.0999251724625]]],
    'amsgrad-float32': [[[0.9732016324996948, -2.017559289932251, 0.47589996457099915], [0.22526493668556213, 2.986471652984619, -1.527047872543335]], [[0.1292000114917755, 0.048299986869096756, 0.07809999585151672], [0.10395000129938126, 0.06949999928474426, 0.1286500096321106]], [[0.10008008033037186, 0.0998227596282959, 0.09979021549224854], [0.0997927114367485, 0.09990997612476349, 0.09992517530918121]], [[0.10008008033037186, 0.10000000149011612, 0.10000000149011612], [0.10000000149011612, 0.10006000101566315, 0.10000000149011612]]],
    'amsgrad-float64': [[[0.9732014354279729, -2.0175594544973405, 0.47589978203297556], [0.2252647601440234, 2.9864715551574874, -1.5270480761150442]], [[0.12919999999999998, 0.04830000000000002, 0.0781], [0.10395, 0.0695, 0.12865]], [[0.10008007999000001, 0.09982275741, 0.09979020994], [0.0997927049025, 0.09990997006, 0.0999251724625]], [[0.10008007999000001, 0.1, 0.1], [0.1, 0.10006000000000001, 0.1]]],
    'rmsprop-float32': [[[0.6923733949661255, -2.00399112701416, 0.31732916831970215], [-0.016439013183116913, 3.0128047466278076, -1.8334088325500488]], [[0.10879000276327133, 0.08473499864339828, 0.08103999495506287], [0.08120249956846237, 0.0907600000500679, 0.09418749809265137]], [[0.15515455603599548, -0.07299292087554932, -0.024357624351978302], [0.06659848242998123, 0.0642760843038559, 0.15449932217597961]]],
    'rmsprop-float64': [[[0.6923734444824277, -2.00399133625203, 0.31732918201007254], [-0.016438993280344122, 3.0128045486777704, -1.8334089133279612]], [[0.10879, 0.08473500000000002, 0.08104000000000001], [0.08120250000000001, 0.09076000000000001, 0.09418750000000001]], [[0.15515455669450778, -0.07299291353459006, -0.024357617307386142], [0.06659847862289461, 0.06427608482917435, 0.15449930034578713]]],
    'centered_rmsprop-float32': [[[0.6699277758598328, -2.0041310787200928, 0.30801278352737427], [-0.030491888523101807, 3.0127689838409424, -1.8558952808380127]], [[0.1292000114917755, 0.048299986869096756, 0.07809999585151672], [0.10395000129938126, 0.06949999928474426, 0.1286500096321106]], [[0.10879000276327133, 0.08473499864339828, 0.08103999495506287], [0.08120249956846237, 0.0907600000500679, 0.09418749809265137]], [[0.16881529986858368, -0.07350178062915802, -0.02467191219329834], [0.0709826797246933, 0.06600647419691086, 0.1687491536140442]]],
    'centered_rmsprop-float64': [[[0.6699277976043103, -2.0041310812120763, 0.30801279007399684], [-0.03049187293568964, 3.012769041025963, -1.8558952891033607]], [[0.12919999999999998, 0.04830000000000002, 0.0781], [0.10395, 0.0695, 0.12865]], [[0.10879, 0.08473500000000002, 0.08104000000000001], [0.08120250000000001, 0.09076000000000001, 0.09418750000000001]], [[0.1688152952434388, -0.07350177741507016, -0.024671910992471298], [0.07098267469536704, 0.06600646847044414, 0.16874912485539767]]],
    'adagrad-float32': [[[0.9007093906402588, -1.9474573135375977, 0.46661099791526794], [0.16600629687309265, 3.023280382156372, -1.619872808456421]], [[0.48000001907348633, 0.2224999964237213, 0.1900000125169754], [0.19249999523162842, 0.3100000023841858, 0.32499998807907104]]],
    'adagrad-float64': [[[0.900709396512028, -1.9474571731797468, 0.46661101984297343], [0.1660062983978159, 3.023280379447633, -1.619872835079234]], [[0.48, 0.2225, 0.19000000000000003], [0.1925, 0.31000000000000005, 0.32500000000000007]]],
    'adagrad_no_slots-float32': [[[0.8102633953094482, -1.9209431409835815, 0.4683772325515747], [0.13932031393051147, 3.0316226482391357, -1.6897366046905518]], [[0.10000000149011612, 0.10000000149011612, 0.10000000149011612], [0.10000000149011612, 0.10000000149011612, 0.10000000149011612]]],
    'adagrad_no_slots-float64': [[[0.8102634003898783, -1.9209430834957824, 0.46837723339831305], [0.13932031689409569, 3.0316227666016866, -1.6897365996101217]], [[0.1, 0.1, 0.1], [0.1, 0.1, 0.1]]],
}

CASES = {
    "gd": ("ResourceApplyGradientDescent", 0, lambda t, s, dt: dict(alpha=dt(0.1))),
    "momentum": ("ResourceApplyKerasMomentum", 1,
                 lambda t, s, dt: dict(accum=s[0], lr=dt(0.1), momentum=dt(0.9))),
    "momentum_nesterov": ("ResourceApplyKerasMomentum", 1,
                          lambda t, s, dt: dict(accum=s[0], lr=dt(0.1), momentum=dt(0.9),
                                                use_nesterov=True)),
    "adam": ("ResourceApplyAdam", 2,
             lambda t, s, dt: dict(m=s[0], v=s[1], beta1_power=dt(0.9) ** dt(t),
                                   beta2_power=dt(0.999) ** dt(t), lr=dt(0.1), beta1=dt(0.9),
                                   beta2=dt(0.999), epsilon=dt(1e-7))),
    "adam_nesterov": ("ResourceApplyAdam", 2,
                      lambda t, s, dt: dict(m=s[0], v=s[1], beta1_power=dt(0.9) ** dt(t),
                                            beta2_power=dt(0.999) ** dt(t), lr=dt(0.1),
                                            beta1=dt(0.9), beta2=dt(0.999), epsilon=dt(1e-7),
                                            use_nesterov=True)),
    "amsgrad": ("ResourceApplyAdamWithAmsgrad", 3,
                lambda t, s, dt: dict(m=s[0], v=s[1], vhat=s[2], beta1_power=dt(0.9) ** dt(t),
                                      beta2_power=dt(0.999) ** dt(t), lr=dt(0.1),
                                      beta1=dt(0.9), beta2=dt(0.999), epsilon=dt(1e-7))),
    "rmsprop": ("ResourceApplyRMSProp", 2,
                lambda t, s, dt: dict(ms=s[0], mom=s[1], lr=dt(0.1), rho=dt(0.9),
                                      momentum=dt(0.5), epsilon=dt(1e-7))),
    "centered_rmsprop": ("ResourceApplyCenteredRMSProp", 3,
                         lambda t, s, dt: dict(mg=s[0], ms=s[1], mom=s[2], lr=dt(0.1),
                                               rho=dt(0.9), momentum=dt(0.5),
                                               epsilon=dt(1e-7))),
    "adagrad": ("ResourceApplyAdagradV2", 1,
                lambda t, s, dt: dict(accum=s[0], lr=dt(0.1), epsilon=dt(1e-7))),
    "adagrad_no_slots": ("ResourceApplyAdagradV2", 1,
                         lambda t, s, dt: dict(accum=s[0], lr=dt(0.1), epsilon=dt(1e-7),
                                               update_slots=False)),
}


def _run(name, nslots, kw, dt, grad_as=lambda g: g):
    var = tg.Variable(W.astype(dt))
    slots = [tg.Variable(np.full(W.shape, 0.1, dt)) for _ in range(nslots)]
    op = getattr(R, name)
    for t, g in enumerate(G, 1):
        g = grad_as(g.astype(dt))
        if name == "ResourceApplyGradientDescent":
            assert op(var=var, delta=g, **kw(t, slots, dt)) is None
        else:
            assert op(var=var, grad=g, **kw(t, slots, dt)) is None
    return [var] + slots


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("case", sorted(CASES))
def test_raw_op_gives_tensorflows_numbers(case, dt):
    got = _run(*CASES[case], dt)
    want = EXPECTED[f"{case}-{dt.__name__}"]
    assert len(got) == len(want)
    for v, w in zip(got, want):
        assert v.dtype == dt
        np.testing.assert_array_equal(v.numpy(), np.asarray(w, dt))   # bit for bit


def test_gradient_as_tensor_list_or_array():
    a = _run(*CASES["adam"], np.float32)
    b = _run(*CASES["adam"], np.float32, grad_as=tg.constant)
    c = _run(*CASES["adam"], np.float32, grad_as=lambda g: g.tolist())
    for x, y, z in zip(a, b, c):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
        np.testing.assert_array_equal(x.numpy(), z.numpy())


def _adam_args(dt=np.float32, shape=(2, 3)):
    return dict(var=tg.Variable(np.ones(shape, dt)), m=tg.Variable(np.zeros(shape, dt)),
                v=tg.Variable(np.zeros(shape, dt)), beta1_power=0.9, beta2_power=0.999,
                lr=0.1, beta1=0.9, beta2=0.999, epsilon=1e-7, grad=np.ones(shape, dt))


def test_errors_as_tensorflow():
    with pytest.raises(TypeError, match=r"resource_apply_adam only takes keyword args "
                                        r"\(possible keys: \['var', 'm', 'v', 'beta1_power'"):
        R.ResourceApplyAdam(tg.Variable(1.0), **_adam_args())
    with pytest.raises(TypeError, match="keyword-only argument var"):   # TF: the above
        R.ResourceApplyAdam(tg.Variable(1.0))
    a = _adam_args()
    del a["epsilon"]
    with pytest.raises(TypeError, match="epsilon"):
        R.ResourceApplyAdam(**a)
    with pytest.raises(TypeError, match="foo"):
        R.ResourceApplyAdam(**_adam_args(), foo=1)
    with pytest.raises(tg.errors.InvalidArgumentError,
                       match=r"var and grad do not have the same shape\[2,3\] \[3,2\] "
                             r"\[Op:ResourceApplyAdam\]"):
        R.ResourceApplyAdam(**{**_adam_args(), "grad": np.ones((3, 2), np.float32)})
    with pytest.raises(tg.errors.InvalidArgumentError,
                       match=r"lr is not a scalar : \[2\] \[Op:ResourceApplyAdam\]"):
        R.ResourceApplyAdam(**{**_adam_args(), "lr": np.ones(2, np.float32)})
    with pytest.raises(tg.errors.InvalidArgumentError,
                       match=r"var and m do not have the same shape\[2,3\] \[3\]"):
        R.ResourceApplyAdam(**{**_adam_args(), "m": tg.Variable(np.zeros(3, np.float32))})
    with pytest.raises(tg.errors.InvalidArgumentError,
                       match=r"input #0\(zero-based\) was expected to be a resource tensor "
                             r"but is a float32 tensor"):
        R.ResourceApplyAdam(**{**_adam_args(), "var": tg.ones((2, 3))})
    # TF 2.21 aborts the process on these (a CHECK failure); tapegrad raises
    with pytest.raises(tg.errors.InvalidArgumentError, match="expected to be a float32 "
                                                             "tensor but is a float64"):
        R.ResourceApplyAdam(**{**_adam_args(), "m": tg.Variable(np.zeros((2, 3)))})
    with pytest.raises(tg.errors.InvalidArgumentError, match="expected to be a float32 "
                                                             "tensor but is a float64"):
        R.ResourceApplyAdam(**{**_adam_args(), "lr": tg.constant(0.1, tg.float64)})
    with pytest.raises(tg.errors.InvalidArgumentError, match="no kernel for dtype int32"):
        R.ResourceApplyGradientDescent(var=tg.Variable(np.ones(3, np.int32)), alpha=1,
                                       delta=np.ones(3, np.int32))


def test_failed_update_leaves_variables_unchanged():
    a = _adam_args()
    before = [a[k].numpy() for k in ("var", "m", "v")]
    with pytest.raises(tg.errors.InvalidArgumentError):
        R.ResourceApplyAdam(**{**a, "grad": np.ones((3, 2), np.float32)})
    for k, b in zip(("var", "m", "v"), before):
        np.testing.assert_array_equal(a[k].numpy(), b)
    a["var"].assign_add(np.ones((2, 3), np.float32))      # still writable after
    np.testing.assert_array_equal(a["var"].numpy(), 2 * np.ones((2, 3), np.float32))


def test_copy_on_write_saved_values_never_change():
    a = _adam_args()
    var = a["var"]
    read = var.read_value()
    view = np.asarray(var)
    with tg.GradientTape() as tape:
        y = tg.reduce_sum(var * var)
    R.ResourceApplyAdam(**a)
    np.testing.assert_array_equal(read.numpy(), np.ones((2, 3), np.float32))
    np.testing.assert_array_equal(view, np.ones((2, 3), np.float32))
    np.testing.assert_array_equal(tape.gradient(y, var).numpy(), 2 * np.ones((2, 3)))
    assert float(var.numpy()[0, 0]) < 1.0
    # with no other reader, the update is in place: the same memory
    del read, view, tape, y
    p = np.asarray(var).__array_interface__["data"][0]
    R.ResourceApplyAdam(**{**a, "var": var})
    assert np.asarray(var).__array_interface__["data"][0] == p


def test_scalar_and_same_variable_twice():
    v = tg.Variable(2.0)
    R.ResourceApplyGradientDescent(var=v, alpha=0.5, delta=tg.constant(1.0))
    assert v.numpy() == np.float32(1.5) and v.shape == ()
    # vhat given as v itself (TF accepts it): one array, updated once per element
    a = _adam_args()
    R.ResourceApplyAdamWithAmsgrad(**{k: a[k] for k in a}, vhat=a["v"])
    b = _adam_args()
    R.ResourceApplyAdam(**b)
    np.testing.assert_array_equal(a["var"].numpy(), b["var"].numpy())


def test_keras_adam_forms_one_minus_beta_as_keras():
    # Keras 3's Adam on float32: m += (g - m) * float32(1 - 0.9) = 0.1 exactly; TF's raw
    # op uses float32(1) - float32(0.9) = 0.100000024
    for op, c1 in ((R.ResourceApplyKerasAdam, np.float32(1 - 0.9)),
                   (R.ResourceApplyAdam, np.float32(1) - np.float32(0.9))):
        a = _adam_args()
        a["grad"] = np.full((2, 3), 0.3, np.float32)
        op(**a)
        np.testing.assert_array_equal(a["m"].numpy(), np.full((2, 3), np.float32(0.3) * c1))
    # and the rest of the step as Keras's formula, written in NumPy
    a = _adam_args()
    g = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    a["grad"] = g
    R.ResourceApplyKerasAdam(**a, vhat=tg.Variable(np.zeros((2, 3), np.float32)))
    m = (g - 0) * np.float32(1 - 0.9)
    v = (g * g - 0) * np.float32(1 - 0.999)
    alpha = np.float32(0.1) * np.sqrt(np.float32(1) - np.float32(0.999)) / (
        np.float32(1) - np.float32(0.9))
    np.testing.assert_array_equal(a["var"].numpy(), 1 - (m * alpha) / (np.sqrt(v) + np.float32(1e-7)))
