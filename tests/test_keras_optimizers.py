"""tg.keras.optimizers against Keras 3 (tf.keras in TensorFlow 2.21): four steps of each
optimizer on fixed weights and gradients, with schedules, clipping, weight decay, moving
averages, gradient accumulation and loss scaling; the expected values were printed by
Keras on TensorFlow for the same inputs."""
import warnings

import numpy as np
import pytest

import tapegrad as tg

O = tg.keras.optimizers
S = tg.keras.optimizers.schedules

W0 = np.array([[1.0, -2.0, 0.5], [0.25, 3.0, -1.5]], np.float32)
B0 = np.array([0.1, -0.2, 0.3], np.float32)
GW = [np.array([[0.3, -0.1, 0.2], [0.05, -0.4, 0.25]], np.float32),
      np.array([[-0.2, 0.15, 0.1], [0.3, 0.1, -0.05]], np.float32),
      np.array([[0.5, -0.3, -0.2], [0.0, 0.2, 0.4]], np.float32),
      np.array([[0.1, 0.1, 0.1], [-0.1, -0.1, -0.1]], np.float32)]
GB = [np.array([1.0, -0.5, 0.25], np.float32), np.array([-0.75, 0.5, 0.0], np.float32),
      np.array([0.2, 0.2, -0.6], np.float32), np.array([0.0, 1.5, -1.0], np.float32)]

CASES = {
    "sgd": lambda: O.SGD(0.1),
    "sgd_momentum": lambda: O.SGD(0.1, momentum=0.9),
    "sgd_nesterov": lambda: O.SGD(0.1, momentum=0.9, nesterov=True),
    "adam": lambda: O.Adam(0.1),
    "adam_amsgrad": lambda: O.Adam(0.1, amsgrad=True),
    "adamw": lambda: O.AdamW(0.1, weight_decay=0.1),
    "rmsprop": lambda: O.RMSprop(0.1),
    "rmsprop_momentum_centered": lambda: O.RMSprop(0.1, rho=0.8, momentum=0.5, centered=True),
    "adagrad": lambda: O.Adagrad(0.1),
    "adamax": lambda: O.Adamax(0.1),
    "nadam": lambda: O.Nadam(0.1),
    "sgd_clipnorm": lambda: O.SGD(0.1, clipnorm=0.5),
    "adam_clipvalue": lambda: O.Adam(0.1, clipvalue=0.15),
    "sgd_global_clipnorm": lambda: O.SGD(0.1, global_clipnorm=1.0),
    "sgd_weight_decay": lambda: O.SGD(0.1, momentum=0.5, weight_decay=0.2),
    "sgd_exponential": lambda: O.SGD(S.ExponentialDecay(0.1, 2, 0.5)),
    "sgd_exponential_staircase": lambda: O.SGD(S.ExponentialDecay(0.1, 2, 0.5, staircase=True)),
    "adam_piecewise": lambda: O.Adam(S.PiecewiseConstantDecay([1, 2], [0.1, 0.05, 0.01])),
    "sgd_cosine": lambda: O.SGD(S.CosineDecay(0.1, 3, alpha=0.1)),
    "sgd_cosine_warmup": lambda: O.SGD(S.CosineDecay(0.01, 3, warmup_target=0.1,
                                                     warmup_steps=2)),
    "sgd_inverse_time": lambda: O.SGD(S.InverseTimeDecay(0.1, 1, 0.5)),
    "sgd_polynomial": lambda: O.SGD(S.PolynomialDecay(0.1, 3, 0.01, power=2.0)),
    "adam_ema": lambda: O.Adam(0.1, use_ema=True, ema_momentum=0.5),
    "sgd_accumulate": lambda: O.SGD(0.1, momentum=0.5, gradient_accumulation_steps=2),
    "adam_loss_scale": lambda: O.Adam(0.1, loss_scale_factor=4.0),
}

EXPECTED = {'adagrad': ([[0.886423647403717, -1.9681963920593262, 0.4442503750324249],
              [0.1882285177707672, 3.0409581661224365, -1.6025954484939575]],
             [0.04749321937561035, -0.2932696044445038, 0.4020324647426605],
             4),
 'adam': ([[0.7706911563873291, -1.8604736328125, 0.2687073349952698],
           [-0.03225592151284218, 3.1678884029388428, -1.7743968963623047]],
          [-0.039708614349365234, -0.18644873797893524, 0.23823636770248413],
          4),
 'adam_amsgrad': ([[0.7706911563873291, -1.8604736328125, 0.2687073349952698],
                   [-0.03222328796982765, 3.1678884029388428, -1.7743968963623047]],
                  [-0.039701685309410095, -0.18644873797893524, 0.2382698804140091],
                  4),
 'adam_clipvalue': ([[0.8251280784606934, -1.9017163515090942, 0.25077083706855774],
                     [-0.030725281685590744, 3.0806379318237305, -1.7316268682479858]],
                    [-0.05581854656338692, -0.2030893713235855, 0.18089978396892548],
                    4),
 'adam_ema': ([[0.815337061882019, -1.878300666809082, 0.2966293692588806],
               [0.01090892031788826, 3.1527340412139893, -1.7251358032226562]],
              [-0.027433108538389206, -0.15052689611911774, 0.20376038551330566],
              4),
 'adam_loss_scale': ([[0.7706965208053589, -1.8604836463928223, 0.2687172293663025],
                      [-0.03223130479454994, 3.167884349822998, -1.7743886709213257]],
                     [-0.039707381278276443, -0.18644994497299194, 0.23824162781238556],
                     4),
 'adam_piecewise': ([[0.8507201671600342, -1.9003807306289673, 0.2985473573207855],
                     [0.02971087396144867, 3.1509361267089844, -1.693469762802124]],
                    [-0.018776562064886093, -0.12190797179937363, 0.15915004909038544],
                    4),
 'adam_set_lr_float64': ([[0.8740640150979024, -1.9183434490737263, 0.3029782976098504],
                          [0.05581070558175385, 3.1490390769783567, -1.6634294246428902]],
                         [-0.012009119614958763, -0.11338282376527786, 0.1435215026140213],
                         4),
 'adamax': ([[0.8108384609222412, -1.8790156841278076, 0.29528331756591797],
             [0.033815402537584305, 3.1469101905822754, -1.717543363571167]],
            [-0.029082419350743294, -0.15671516954898834, 0.21651168167591095],
            4),
 'adamw': ([[0.7351283431053162, -1.784591794013977, 0.253941148519516],
            [-0.036804743111133575, 3.045724868774414, -1.7105530500411987]],
           [-0.04033200442790985, -0.18122011423110962, 0.23032788932323456],
           4),
 'nadam': ([[0.8296369910240173, -1.9090887308120728, 0.3673042953014374],
            [0.05787450075149536, 3.0716073513031006, -1.6745827198028564]],
           [0.028737347573041916, -0.29389411211013794, 0.3806007504463196],
           4),
 'rmsprop': ([[0.5468663573265076, -1.7679243087768555, 0.1484179049730301],
              [-0.26986831426620483, 3.16252064704895, -1.9547169208526611]],
             [-0.0744190663099289, -0.49593931436538696, 0.5500823259353638],
             4),
 'rmsprop_momentum_centered': ([[0.40319710969924927, -1.6294020414352417, -0.039965786039829254],
                                [-0.5790252089500427, 3.2487239837646484, -2.170856475830078]],
                               [-0.18070395290851593, -0.3704085052013397, 0.39495155215263367],
                               4),
 'sgd': ([[0.9300000071525574, -1.9850001335144043, 0.48000001907348633],
          [0.22500000894069672, 3.0199999809265137, -1.5499999523162842]],
         [0.054999999701976776, -0.3700000047683716, 0.4350000023841858],
         4),
 'sgd_accumulate': ([[0.9624999761581421, -1.9937500953674316, 0.48250001668930054],
                     [0.22875000536441803, 3.017500162124634, -1.5299999713897705]],
                    [0.07124999910593033, -0.2849999964237213, 0.36125004291534424],
                    2),
 'sgd_clipnorm': ([[0.9523451924324036, -1.99702787399292, 0.4765785336494446],
                   [0.22586198151111603, 3.0199735164642334, -1.5319515466690063]],
                  [0.08288338035345078, -0.26259130239486694, 0.3620508313179016],
                  4),
 'sgd_cosine': ([[0.968250036239624, -1.992875099182129, 0.4777500033378601],
                 [0.2227500081062317, 3.026749849319458, -1.5331249237060547]],
                [0.051625002175569534, -0.21025000512599945, 0.3044999837875366],
                4),
 'sgd_cosine_warmup': ([[0.9505000114440918, -1.9847501516342163, 0.5049999952316284],
                        [0.24050000309944153, 2.985999822616577, -1.532249927520752]],
                       [0.11124999076128006, -0.35500001907348633, 0.4325000047683716],
                       4),
 'sgd_exponential': ([[0.9556066989898682, -1.9891420602798462, 0.4793933629989624],
                      [0.22732234001159668, 3.0264644622802734, -1.5379289388656616]],
                     [0.04303300753235817, -0.2483883649110794, 0.3403553366661072],
                     4),
 'sgd_exponential_staircase': ([[0.9600000381469727, -1.9950001239776611, 0.4749999940395355],
                                [0.2199999988079071, 3.0250000953674316, -1.534999966621399]],
                               [0.0650000050663948, -0.2850000262260437, 0.35500001907348633],
                               4),
 'sgd_global_clipnorm': ([[0.9418333768844604, -1.983071208000183, 0.48886463046073914],
                          [0.22163604199886322, 3.0065770149230957, -1.5484116077423096]],
                         [0.0779879167675972, -0.3136458396911621, 0.39507153630256653],
                         4),
 'sgd_inverse_time': ([[0.9543333649635315, -1.9889999628067017, 0.4793333113193512],
                       [0.2290000021457672, 3.0273332595825195, -1.53766667842865]],
                      [0.04000000283122063, -0.25333333015441895, 0.3449999988079071],
                      4),
 'sgd_momentum': ([[0.846030056476593, -1.9592599868774414, 0.4321199953556061],
                   [0.16150501370429993, 3.0824601650238037, -1.6384249925613403]],
                  [-0.07864998281002045, -0.35155001282691956, 0.4280250072479248],
                  4),
 'sgd_nesterov': ([[0.7914270162582397, -1.948333978652954, 0.4189079999923706],
                   [0.1453545093536377, 3.0942139625549316, -1.674582600593567]],
                  [-0.10578497499227524, -0.5063950419425964, 0.5502225160598755],
                  4),
 'sgd_polynomial': ([[0.9690000414848328, -1.9925000667572021, 0.4780000150203705],
                     [0.23100000619888306, 3.0319998264312744, -1.529499888420105]],
                    [0.03349999710917473, -0.1940000057220459, 0.296999990940094],
                    4),
 'sgd_weight_decay': ([[0.8186344504356384, -1.817928433418274, 0.42795220017433167],
                       [0.18062308430671692, 2.8021559715270996, -1.469035267829895]],
                      [0.011027622036635876, -0.35952407121658325, 0.42072564363479614],
                      4)}
SCHEDULES = {'S.CosineDecay(0.0, 4, warmup_target=0.1, warmup_steps=2)': [0.0,
                                                              0.05000000074505806,
                                                              0.10000000149011612,
                                                              0.08535534143447876,
                                                              0.04999999701976776,
                                                              0.014644661918282509,
                                                              0.0,
                                                              0.0],
 'S.CosineDecay(0.1, 4, alpha=0.1)': [0.10000000149011612,
                                      0.08681981265544891,
                                      0.05499999597668648,
                                      0.023180196061730385,
                                      0.010000000707805157,
                                      0.010000000707805157,
                                      0.010000000707805157,
                                      0.010000000707805157],
 'S.CosineDecayRestarts(0.1, 2)': [0.10000000149011612,
                                   0.04999999701976776,
                                   0.10000000149011612,
                                   0.08535534143447876,
                                   0.04999999701976776,
                                   0.014644661918282509,
                                   0.10000000149011612,
                                   0.09619397670030594],
 'S.CosineDecayRestarts(0.1, 2, t_mul=1.0, m_mul=0.5)': [0.10000000149011612,
                                                         0.04999999701976776,
                                                         0.05000000074505806,
                                                         0.02499999850988388,
                                                         0.02500000037252903,
                                                         0.01249999925494194,
                                                         0.012500000186264515,
                                                         0.00624999962747097],
 'S.ExponentialDecay(0.1, 2, 0.5)': [0.10000000149011612,
                                     0.0707106813788414,
                                     0.05000000074505806,
                                     0.0353553406894207,
                                     0.02500000037252903,
                                     0.01767767034471035,
                                     0.012500000186264515,
                                     0.008838835172355175],
 'S.ExponentialDecay(0.1, 2, 0.5, staircase=True)': [0.10000000149011612,
                                                     0.10000000149011612,
                                                     0.05000000074505806,
                                                     0.05000000074505806,
                                                     0.02500000037252903,
                                                     0.02500000037252903,
                                                     0.012500000186264515,
                                                     0.012500000186264515],
 'S.InverseTimeDecay(0.1, 2, 0.5)': [0.10000000149011612,
                                     0.07999999821186066,
                                     0.06666667014360428,
                                     0.05714285746216774,
                                     0.05000000074505806,
                                     0.04444444552063942,
                                     0.03999999910593033,
                                     0.036363635212183],
 'S.InverseTimeDecay(0.1, 2, 0.5, staircase=True)': [0.10000000149011612,
                                                     0.10000000149011612,
                                                     0.06666667014360428,
                                                     0.06666667014360428,
                                                     0.05000000074505806,
                                                     0.05000000074505806,
                                                     0.03999999910593033,
                                                     0.03999999910593033],
 'S.PiecewiseConstantDecay([1, 3], [0.1, 0.05, 0.01])': [0.10000000149011612,
                                                         0.10000000149011612,
                                                         0.05000000074505806,
                                                         0.05000000074505806,
                                                         0.009999999776482582,
                                                         0.009999999776482582,
                                                         0.009999999776482582,
                                                         0.009999999776482582],
 'S.PolynomialDecay(0.1, 2, 0.01, cycle=True)': [0.10000000149011612,
                                                 0.054999999701976776,
                                                 0.009999999776482582,
                                                 0.032499998807907104,
                                                 0.009999999776482582,
                                                 0.02500000223517418,
                                                 0.009999999776482582,
                                                 0.021250000223517418],
 'S.PolynomialDecay(0.1, 4, 0.01, power=2.0)': [0.10000000149011612,
                                                0.06062500178813934,
                                                0.032499998807907104,
                                                0.015625,
                                                0.009999999776482582,
                                                0.009999999776482582,
                                                0.009999999776482582,
                                                0.009999999776482582]}


@pytest.mark.parametrize("name", sorted(CASES))
def test_four_steps_match_keras(name):
    o = CASES[name]()
    w, b = tg.Variable(W0), tg.Variable(B0)
    for i in range(4):
        o.apply_gradients([(tg.constant(GW[i]), w), (tg.constant(GB[i]), b)])
    if "ema" in name:
        o.finalize_variable_values([w, b])
    ew, eb, it = EXPECTED[name]
    np.testing.assert_allclose(w.numpy(), ew, rtol=2e-6, atol=1e-7)
    np.testing.assert_allclose(b.numpy(), eb, rtol=2e-6, atol=1e-7)
    assert w.dtype == np.float32 and b.dtype == np.float32
    assert int(o.iterations.numpy()) == it


def test_settable_learning_rate_and_float64_variables():
    o = O.Adam(0.1)
    w, b = tg.Variable(W0.astype(np.float64)), tg.Variable(B0)
    for i in range(4):
        if i == 2:
            o.learning_rate = 0.01
        o.apply_gradients([(tg.constant(GW[i].astype(np.float64)), w), (tg.constant(GB[i]), b)])
    ew, eb, it = EXPECTED["adam_set_lr_float64"]
    assert w.dtype == np.float64
    np.testing.assert_allclose(w.numpy(), ew, rtol=1e-12)
    np.testing.assert_allclose(b.numpy(), eb, rtol=2e-6, atol=1e-7)
    assert repr(o.learning_rate) == ("<tg.Variable 'learning_rate:0' shape=() dtype=float32, "
                                     "numpy=0.01>")


@pytest.mark.parametrize("expr", sorted(SCHEDULES))
def test_schedules_match_keras(expr):
    s = eval(expr)
    got = [s(i) for i in range(8)]
    assert all(isinstance(g, tg.Tensor) and g.dtype == np.float32 for g in got)
    np.testing.assert_allclose([g.numpy() for g in got], SCHEDULES[expr], rtol=2e-6, atol=1e-9)


def test_schedule_of_variable_step_and_config_round_trip():
    s = S.ExponentialDecay(0.1, 2, 0.5)
    assert np.isclose(s(tg.Variable(np.int64(3))).numpy(), 0.035355339)
    s2 = S.deserialize(S.serialize(s))
    assert type(s2) is S.ExponentialDecay and s2.get_config() == s.get_config()
    with pytest.raises(ValueError, match="Argument `decay_steps` must be > 0"):
        S.CosineDecay(0.1, 0)
    with pytest.raises(ValueError, match="The length of boundaries should be 1 less"):
        S.PiecewiseConstantDecay([1, 2], [0.1])


def test_variables_iterations_and_names():
    o = O.Adam(0.1, name="my_adam")
    assert o.name == "my_adam"
    assert [v.name for v in o.variables] == ["iteration:0", "learning_rate:0"]
    w = tg.Variable(W0, name="w")
    o.apply_gradients([(GW[0], w)])       # a NumPy gradient is accepted
    assert [v.name for v in o.variables] == ["iteration:0", "learning_rate:0",
                                             "w_0_momentum:0", "w_0_velocity:0"]
    assert o.iterations.dtype == np.int64 and int(o.iterations.numpy()) == 1
    assert o.apply_gradients([(GW[1], w)]) is o.iterations
    assert not any(v.trainable for v in o.variables)
    a, b = O.SGD(), O.SGD()
    assert b.name.startswith("sgd_") and a.name != b.name
    assert O.RMSprop().name.startswith("rm_sprop")


def test_updates_are_in_place_on_the_variables():
    # the update writes into the variables' own arrays when nothing else holds them
    o = O.Adam(0.1)
    w = tg.Variable(W0)
    o.apply_gradients([(GW[0], w)])
    slots = o.variables[2:]
    before = [np.asarray(v).ctypes.data for v in [w] + slots]
    for i in range(1, 4):
        o.apply_gradients([(GW[i], w)])
    assert [np.asarray(v).ctypes.data for v in [w] + slots] == before


def test_held_values_are_not_changed_by_an_update():
    # copy on write: a value read before the step keeps its numbers
    o = O.SGD(0.1, momentum=0.9)
    w = tg.Variable(W0)
    held = w.numpy()
    t = w.read_value()
    o.apply_gradients([(GW[0], w)])
    np.testing.assert_array_equal(held, W0)
    np.testing.assert_array_equal(t.numpy(), W0)
    assert not np.array_equal(w.numpy(), W0)


def test_none_gradients_are_skipped_with_a_warning():
    o = O.SGD(0.1)
    w, b = tg.Variable(W0), tg.Variable(B0)
    with pytest.warns(UserWarning, match="Gradients do not exist for variables"):
        o.apply_gradients([(GW[0], w), (None, b)])
    np.testing.assert_array_equal(b.numpy(), B0)
    np.testing.assert_allclose(w.numpy(), W0 - np.float32(0.1) * GW[0], rtol=1e-7)
    with pytest.raises(ValueError, match="No gradients provided for any variable."):
        o.apply_gradients([(None, w)])


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="Argument `learning_rate` should be float"):
        O.Adam(learning_rate=1)
    with pytest.raises(ValueError, match="`momentum` must be a float between"):
        O.SGD(momentum=1)
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue` and "
                                         "`global_clipnorm` can be set"):
        O.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match=r"Argument\(s\) not recognized: \{'foo': 1\}"):
        O.Adam(foo=1)
    with pytest.raises(ValueError, match="Argument `weight_decay` must be a float"):
        O.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="`gradient_accumulation_steps` must be an integer"):
        O.SGD(gradient_accumulation_steps=1)
    o = O.SGD(0.1)
    o.apply_gradients([(GW[0], tg.Variable(W0))])
    with pytest.raises(ValueError, match="(?s)Unknown variable: .* This optimizer can only be "
                                         "called for the variables it was originally built"):
        o.apply_gradients([(GW[0], tg.Variable(W0))])
    s = O.SGD(S.ExponentialDecay(0.1, 2, 0.5))
    with pytest.raises(TypeError, match="its learning rate is not settable"):
        s.learning_rate = 0.1
    np.testing.assert_allclose(s.learning_rate.numpy(), 0.1)


def test_get_serialize_and_config():
    assert isinstance(O.get("adam"), O.Adam) and isinstance(O.get("RMSprop"), O.RMSprop)
    o = O.Adam(0.5)
    assert O.get(o) is o
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: nope"):
        O.get("nope")
    config = o.get_config()
    assert config["learning_rate"] == 0.5 and config["beta_1"] == 0.9
    assert config["epsilon"] == 1e-7 and config["amsgrad"] is False
    o2 = O.deserialize(O.serialize(o))
    assert type(o2) is O.Adam and o2.get_config() == config
    sched = O.SGD(S.CosineDecay(0.1, 10))
    again = O.SGD.from_config(sched.get_config())
    assert isinstance(again._learning_rate, S.CosineDecay)


def test_exclude_from_weight_decay_and_apply_without_variables():
    o = O.SGD(0.1, weight_decay=0.5)
    w, b = tg.Variable(W0, name="kernel"), tg.Variable(B0, name="bias")
    o.exclude_from_weight_decay(var_names=["bias"])
    o.build([w, b])
    o.apply([GW[0], GB[0]])
    np.testing.assert_allclose(b.numpy(), B0 - np.float32(0.1) * GB[0], rtol=1e-6)
    decayed = W0 - W0 * np.float32(0.5) * np.float32(0.1)
    np.testing.assert_allclose(w.numpy(), decayed - np.float32(0.1) * GW[0], rtol=1e-6)
    with pytest.raises(ValueError, match="must match `optimizer.variables` one-to-on"):
        o.apply([GW[0]])


def test_in_a_training_loop_the_loss_decreases():
    x = tg.constant(np.linspace(-1, 1, 16, dtype=np.float32)[:, None])
    y = 3 * x - 1
    w, b = tg.Variable([[0.0]]), tg.Variable([0.0])
    o = O.Adam(0.1)
    losses = []
    for _ in range(100):
        with tg.GradientTape() as tape:
            loss = tg.reduce_mean((x @ w + b - y) ** 2)
        o.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))
        losses.append(float(loss))
    assert losses[-1] < 1e-3 * losses[0]


def test_fit_scales_the_loss_by_loss_scale_factor():
    # Keras 3 on TF 2.21: fit multiplies the loss by loss_scale_factor inside the tape and
    # the optimizer divides the gradients by it (tapegrad once only divided)
    keras = tg.keras
    x = np.array([[1., 2, 1], [3, 1, 0], [2, 2, 4], [0, 1, 1]], np.float32)
    y = np.array([0, 1, 1, 0])
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(
        2, kernel_initializer=keras.initializers.Constant(
            np.linspace(-.5, .5, 6).reshape(3, 2).astype(np.float32)))])
    m.compile(O.SGD(0.1, loss_scale_factor=64.0),
              keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    h = m.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h.history["loss"], [0.6537600755691528, 0.5987896919250488],
                               rtol=1e-6)
    kernel, bias = m.get_weights()
    np.testing.assert_allclose(kernel.ravel(), [
        -0.5784841179847717, -0.22151592373847961, 0.0012788891326636076,
        -0.0012788816820830107, 0.3126128315925598, 0.48738718032836914],
        rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(bias, [0.061508581042289734, -0.061508581042289734],
                               rtol=1e-6)


def test_loss_scale_optimizer_api_as_keras():
    # Keras 3 on TF 2.21: variables, proxies, config round trip and argument errors
    opt = O.LossScaleOptimizer(O.SGD(0.1), initial_scale=8.0, dynamic_growth_steps=2)
    assert float(opt.scale_loss(tg.constant(2.0))) == 16.0
    v = tg.Variable([1.0, 2.0])
    opt.build([v])
    assert [x.name.split(":")[0] for x in opt.variables] == [
        "iteration", "learning_rate", "step_counter", "dynamic_scale", "iteration",
        "learning_rate"]
    assert opt.iterations is opt.inner_optimizer.iterations
    np.testing.assert_allclose(float(np.asarray(opt.learning_rate)), 0.1)
    opt.learning_rate = 0.5
    assert float(np.asarray(opt.inner_optimizer.learning_rate)) == 0.5
    assert opt.dynamic_scale.dtype == np.float32 and opt.step_counter.dtype == np.int64
    cfg = opt.get_config()
    assert cfg["name"].startswith("loss_scale_optimizer") and cfg["initial_scale"] == 8.0
    assert cfg["dynamic_growth_steps"] == 2 and cfg["inner_optimizer"]["class_name"] == "SGD"
    back = O.deserialize(O.serialize(opt))
    assert type(back) is O.LossScaleOptimizer and type(back.inner_optimizer) is O.SGD
    assert back.initial_scale == 8.0 and back.dynamic_growth_steps == 2
    with pytest.raises(ValueError, match="LossScaleOptimizer does not support `clipnorm`. "
                                         "Instead, set `clipnorm` on the `inner_optimizer`."):
        O.LossScaleOptimizer(O.SGD(0.1), clipnorm=1.0)
    with pytest.raises(ValueError, match="does not support arguments: `foo`."):
        O.LossScaleOptimizer(O.SGD(0.1), foo=1.0)
    with pytest.raises(ValueError, match="no longer supports `dynamic=False`"):
        O.LossScaleOptimizer(O.SGD(0.1), dynamic=False)
    O.LossScaleOptimizer(O.SGD(0.1), clipnorm=None, use_ema=False)   # old configs' defaults
    inner = O.SGD(0.1, loss_scale_factor=4.0)
    O.LossScaleOptimizer(inner)
    assert inner.loss_scale_factor is None
