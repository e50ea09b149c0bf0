"""tg.keras.metrics against Keras 3 (tf.keras in TensorFlow 2.21): each metric updated
over three batches, with and without sample weights, its result after every batch and
after reset_state; the expected values were printed by Keras on TensorFlow."""
import numpy as np
import pytest

import tapegrad as tg

M = tg.keras.metrics

P = [np.array([[0.6605775952339172, 0.2797892987728119, 0.04249265417456627, 0.01714041270315647], [0.2655872702598572, 0.29807591438293457, 0.1981072574853897, 0.23822954297065735], [0.23663757741451263, 0.40703293681144714, 0.3551374673843384, 0.0011920571560040116], [0.47731664776802063, 0.01869707554578781, 0.4061988890171051, 0.09778741747140884], [0.4058123826980591, 0.2545609772205353, 0.14090564846992493, 0.19872091710567474], [0.01925962045788765, 0.08452247828245163, 0.4560777544975281, 0.44014012813568115]], np.float32), np.array([[0.20670567452907562, 0.12887592613697052, 0.3349592685699463, 0.3294591009616852], [0.28406012058258057, 0.2695232927799225, 0.28526371717453003, 0.16115286946296692], [0.07983572781085968, 0.4263659119606018, 0.3104598820209503, 0.183338463306427], [0.18215443193912506, 0.33349600434303284, 0.350201278924942, 0.13414828479290009], [0.31306228041648865, 0.176307812333107, 0.3255349397659302, 0.1850949078798294], [0.1836656928062439, 0.41753044724464417, 0.10653481632471085, 0.2922689914703369]], np.float32), np.array([[0.04323718324303627, 0.4285072982311249, 0.4050678312778473, 0.12318773567676544], [0.6166133284568787, 0.04120305925607681, 0.23646090924739838, 0.10572274774312973], [0.2944689691066742, 0.5207024216651917, 0.15081287920475006, 0.03401581197977066], [0.31750714778900146, 0.15580032765865326, 0.0712263286113739, 0.4554661810398102], [0.14140670001506805, 0.3181312680244446, 0.09445325285196304, 0.4460088014602661], [0.18013513088226318, 0.052048418670892715, 0.3103843331336975, 0.4574320912361145]], np.float32)]
S = [np.array([1, 1, 1, 3, 0, 1], np.int64), np.array([0, 1, 3, 2, 1, 3], np.int64), np.array([2, 3, 0, 1, 3, 3], np.int64)]
O = [np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]], np.float32), np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]], np.float32), np.array([[0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0]], np.float32)]
BT = [np.array([[0.0, 0.0], [0.0, 1.0], [0.0, 1.0], [0.0, 0.0], [0.0, 1.0], [1.0, 1.0]], np.float32), np.array([[1.0, 1.0], [0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 0.0]], np.float32), np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0], [1.0, 1.0], [0.0, 1.0]], np.float32)]
BP = [np.array([[0.8199999928474426, 0.47999998927116394], [0.23000000417232513, 0.800000011920929], [0.9200000166893005, 0.27000001072883606], [0.5400000214576721, 0.4399999976158142], [0.9300000071525574, 0.03999999910593033], [0.7300000190734863, 0.6100000143051147]], np.float32), np.array([[0.029999999329447746, 0.7200000286102295], [0.019999999552965164, 0.7599999904632568], [0.5099999904632568, 0.9300000071525574], [0.07000000029802322, 0.8399999737739563], [0.07000000029802322, 0.3400000035762787], [0.4300000071525574, 0.9700000286102295]], np.float32), np.array([[0.5600000023841858, 0.25999999046325684], [0.23999999463558197, 0.8899999856948853], [0.23000000417232513, 0.11999999731779099], [0.28999999165534973, 0.5899999737739563], [0.550000011920929, 0.8100000023841858], [0.5600000023841858, 0.28999999165534973]], np.float32)]
RT = [np.array([[0.35867196321487427, 1.3224574327468872, -0.013914668932557106], [1.0418397188186646, 1.4022648334503174, 1.1501656770706177], [-2.3653039932250977, 1.2286837100982666, 0.3396199941635132], [0.42377135157585144, 0.3712274134159088, 0.38275715708732605], [0.3194142282009125, -0.3589133024215698, -1.9016352891921997], [-0.10891472548246384, -0.8037318587303162, 1.0801633596420288]], np.float32), np.array([[-0.2887665033340454, 0.08347535878419876, -0.8496059775352478], [-0.5106224417686462, -0.011533061973750591, -1.485375165939331], [0.3006851077079773, -0.10607225447893143, -1.1857198476791382], [-2.398232936859131, 0.5130521059036255, -0.29758402705192566], [-0.5300084352493286, -0.23615463078022003, 1.8164759874343872], [-0.049800969660282135, 0.08661926537752151, -1.4870728254318237]], np.float32), np.array([[1.647339105606079, 0.9174879789352417, 1.0669348239898682], [0.047672729939222336, 0.9166547656059265, 0.37094682455062866], [0.6131891012191772, -0.15219296514987946, -1.4738879203796387], [1.0288543701171875, -1.9349596500396729, -0.23993666470050812], [-0.2045224905014038, -1.0428601503372192, 0.6131231188774109], [-0.2003297060728073, -0.4368683397769928, 0.519841730594635]], np.float32)]
RP = [np.array([[-0.47657904028892517, 1.3889800310134888, 0.35145506262779236], [-0.4743329882621765, -1.9442650079727173, -1.3077532052993774], [1.086830735206604, -0.050604064017534256, -0.2831250727176666], [1.643251657485962, -1.282649278640747, -0.5856577754020691], [-0.4725876748561859, 0.5863372683525085, -0.6635351777076721], [-0.6134178638458252, -1.6051493883132935, 0.7293493747711182]], np.float32), np.array([[0.806139349937439, -0.4763767421245575, 0.16333994269371033], [-1.2926461696624756, -0.4718131422996521, 1.37795090675354], [0.13573072850704193, 2.310363531112671, -0.7871927618980408], [0.5802844166755676, -0.19550582766532898, 0.5658178329467773], [-0.007211359683424234, -0.5611981153488159, -0.8676167726516724], [3.0660367012023926, -0.07734505832195282, -2.016660690307617]], np.float32), np.array([[-0.6486005783081055, 0.6780397295951843, -0.5000084042549133], [1.3604462146759033, 1.0023982524871826, -0.1523386389017105], [-0.4722159504890442, -1.0048010349273682, -0.699966549873352], [-1.4731431007385254, 1.2043962478637695, 1.5907007455825806], [-1.2561380863189697, -1.1816829442977905, -1.7685118913650513], [-0.9638542532920837, -3.106336832046509, -1.1422789096832275]], np.float32)]
W = [np.array([1.2100000381469727, 1.309999942779541, 1.8300000429153442, 0.12999999523162842, 1.6699999570846558, 0.7599999904632568], np.float32), np.array([0.6499999761581421, 1.9900000095367432, 1.559999942779541, 0.9700000286102295, 0.8500000238418579, 1.7599999904632568], np.float32), np.array([0.17000000178813934, 1.4199999570846558, 1.5800000429153442, 1.600000023841858, 0.6399999856948853, 1.590000033378601], np.float32)]
S2 = [np.where(np.arange(6) % 3 == 0, s, (s + 1) % 4) for s in S]
RP2 = [r[:, :2] for r in RP]
EXPECTED = {('AUC()', False): [0.37142857909202576, 0.36713284254074097, 0.4046875238418579, 0.0],
 ('AUC()', True): [0.2165014147758484, 0.3512468934059143, 0.38177573680877686, 0.0],
 ("AUC(curve='PR')", False): [0.33586299419403076, 0.44581520557403564, 0.48908066749572754, 0.0],
 ("AUC(curve='PR')", True): [0.31697210669517517, 0.39114218950271606, 0.4264754056930542, 0.0],
 ('AUC(from_logits=True)', False): [0.2571428418159485,
                                    0.5174825191497803,
                                    0.4656250476837158,
                                    0.0],
 ('AUC(from_logits=True)', True): [0.32099249958992004,
                                   0.5984819531440735,
                                   0.48754292726516724,
                                   0.0],
 ('AUC(multi_label=True)', False): [0.44999998807907104,
                                    0.33169642090797424,
                                    0.3461039066314697,
                                    0.0],
 ('AUC(multi_label=True)', True): [0.3028900623321533,
                                   0.30012428760528564,
                                   0.3225218653678894,
                                   0.0],
 ('AUC(num_thresholds=5)', False): [0.4285714328289032,
                                    0.3741258680820465,
                                    0.4156250059604645,
                                    0.0],
 ('AUC(num_thresholds=5)', True): [0.32841894030570984,
                                   0.35642075538635254,
                                   0.39170026779174805,
                                   0.0],
 ("AUC(summation_method='majoring', curve='PR')", False): [0.3933333158493042,
                                                           0.47832179069519043,
                                                           0.5115543603897095,
                                                           0.0],
 ("AUC(summation_method='majoring', curve='PR')", True): [0.37187430262565613,
                                                          0.4233378767967224,
                                                          0.44946160912513733,
                                                          0.0],
 ("AUC(summation_method='minoring')", False): [0.37142857909202576,
                                               0.3636363446712494,
                                               0.4000000059604645,
                                               0.0],
 ("AUC(summation_method='minoring')", True): [0.2165014147758484,
                                              0.34521037340164185,
                                              0.3740989863872528,
                                              0.0],
 ('AUC(thresholds=[0.2, 0.45, 0.9])', False): [0.3285714387893677,
                                               0.31468531489372253,
                                               0.3343749940395355,
                                               0.0],
 ('AUC(thresholds=[0.2, 0.45, 0.9])', True): [0.18984869122505188,
                                              0.2963920831680298,
                                              0.313455730676651,
                                              0.0],
 ('Accuracy()', False): [0.3333333432674408, 0.3333333432674408, 0.3333333432674408, 0.0],
 ('Accuracy()', True): [0.19392186403274536, 0.2014976292848587, 0.21807286143302917, 0.0],
 ('BinaryAccuracy()', False): [0.5, 0.4166666567325592, 0.4166666567325592, 0.0],
 ('BinaryAccuracy()', True): [0.3965267837047577, 0.3624914884567261, 0.37736284732818604, 0.0],
 ('BinaryAccuracy(threshold=0.7)', False): [0.5, 0.4583333432674408, 0.5, 0.0],
 ('BinaryAccuracy(threshold=0.7)', True): [0.3509407043457031,
                                           0.3941456973552704,
                                           0.4615030288696289,
                                           0.0],
 ('BinaryCrossentropy()', False): [1.2276487350463867, 1.3217624425888062, 1.1659101247787476, 0.0],
 ('BinaryCrossentropy()', True): [1.5287036895751953, 1.4060099124908447, 1.2372066974639893, 0.0],
 ('CategoricalAccuracy()', False): [0.5, 0.3333333432674408, 0.3333333432674408, 0.0],
 ('CategoricalAccuracy()', True): [0.6960926055908203,
                                   0.39346492290496826,
                                   0.3692946434020996,
                                   0.0],
 ('CategoricalCrossentropy()', False): [1.5134245157241821,
                                        1.473281741142273,
                                        1.4167400598526,
                                        0.0],
 ('CategoricalCrossentropy()', True): [1.2240039110183716,
                                       1.320352554321289,
                                       1.3557839393615723,
                                       0.0],
 ('FalseNegatives(thresholds=[0.25, 0.75])', False): [[1.0, 4.0],
                                                      [4.0, 10.0],
                                                      [6.0, 15.0],
                                                      [0.0, 0.0]],
 ('FalseNegatives(thresholds=[0.25, 0.75])', True): [[1.6699999570846558, 5.019999980926514],
                                                     [4.139999866485596, 10.75],
                                                     [7.300000190734863, 16.309999465942383],
                                                     [0.0, 0.0]],
 ('KLDivergence()', False): [1.5134204626083374, 1.4732774496078491, 1.4167357683181763, 0.0],
 ('KLDivergence()', True): [1.2239997386932373, 1.3203482627868652, 1.3557796478271484, 0.0],
 ('Mean()', 'values'): [2.0, 2.5, 3.382352828979492],
 ('MeanAbsoluteError()', False): [1.2453216314315796, 1.223912239074707, 1.2765941619873047, 0.0],
 ('MeanAbsoluteError()', True): [1.333756446838379, 1.2780187129974365, 1.327432632446289, 0.0],
 ('MeanSquaredError()', False): [2.4194657802581787, 2.4681708812713623, 2.553379535675049, 0.0],
 ('MeanSquaredError()', True): [2.8300225734710693, 2.7583072185516357, 2.794402837753296, 0.0],
 ('Precision()', False): [0.4285714328289032, 0.4615384638309479, 0.4736842215061188, 0.0],
 ('Precision()', True): [0.36897000670433044, 0.37190595269203186, 0.39198917150497437, 0.0],
 ('Precision(class_id=2, thresholds=0.2)', False): [0.0, 0.125, 0.1818181872367859, 0.0],
 ('Precision(class_id=2, thresholds=0.2)', True): [0.0,
                                                   0.11098399013280869,
                                                   0.09563758224248886,
                                                   0.0],
 ('Precision(thresholds=[0.3, 0.5, 0.8])', False): [[0.3333333432674408, 0.4285714328289032, 0.0],
                                                    [0.47058823704719543,
                                                     0.4615384638309479,
                                                     0.3333333432674408],
                                                    [0.47826087474823, 0.4736842215061188, 0.5],
                                                    [0.0, 0.0, 0.0]],
 ('Precision(thresholds=[0.3, 0.5, 0.8])', True): [[0.3140954375267029, 0.36897000670433044, 0.0],
                                                   [0.4286424517631531,
                                                    0.37190595269203186,
                                                    0.28111112117767334],
                                                   [0.4325563609600067,
                                                    0.39198917150497437,
                                                    0.4150090515613556],
                                                   [0.0, 0.0, 0.0]],
 ('Precision(top_k=2)', False): [0.3333333432674408, 0.25, 0.2777777910232544, 0.0],
 ('Precision(top_k=2)', True): [0.4356005787849426, 0.29782167077064514, 0.2934532165527344, 0.0],
 ('Recall()', False): [0.6000000238418579, 0.4615384638309479, 0.44999998807907104, 0.0],
 ('Recall()', True): [0.4470773935317993, 0.4119260013103485, 0.3921657204627991, 0.0],
 ('Recall(class_id=1)', False): [0.0, 0.0, 0.0, 0.0],
 ('Recall(class_id=1)', True): [0.0, 0.0, 0.0, 0.0],
 ('Recall(thresholds=[0.3, 0.5, 0.8])', False): [[0.6000000238418579, 0.6000000238418579, 0.0],
                                                 [0.6153846383094788,
                                                  0.4615384638309479,
                                                  0.1538461595773697],
                                                 [0.550000011920929,
                                                  0.44999998807907104,
                                                  0.20000000298023224],
                                                 [0.0, 0.0, 0.0]],
 ('Recall(thresholds=[0.3, 0.5, 0.8])', True): [[0.4470773935317993, 0.4470773935317993, 0.0],
                                                [0.5908156037330627,
                                                 0.4119260013103485,
                                                 0.1734064519405365],
                                                [0.5096803307533264,
                                                 0.3921657204627991,
                                                 0.20666368305683136],
                                                [0.0, 0.0, 0.0]],
 ('RootMeanSquaredError()', False): [1.555463194847107,
                                     1.5710413455963135,
                                     1.5979297161102295,
                                     0.0],
 ('RootMeanSquaredError()', True): [1.6822670698165894,
                                    1.6608152389526367,
                                    1.6716467142105103,
                                    0.0],
 ('SparseCategoricalAccuracy()', False): [0.5, 0.3333333432674408, 0.3333333432674408, 0.0],
 ('SparseCategoricalAccuracy()', True): [0.6960926055908203,
                                         0.39346492290496826,
                                         0.3692946434020996,
                                         0.0],
 ('SparseCategoricalCrossentropy()', False): [1.5134245157241821,
                                              1.473281741142273,
                                              1.4167400598526,
                                              0.0],
 ('SparseCategoricalCrossentropy()', True): [1.2240039110183716,
                                             1.320352554321289,
                                             1.3557839393615723,
                                             0.0],
 ('SparseTopKCategoricalAccuracy(k=2)', False): [0.6666666865348816, 0.5, 0.5555555820465088, 0.0],
 ('SparseTopKCategoricalAccuracy(k=2)', True): [0.8712011575698853,
                                                0.5956433415412903,
                                                0.5869064331054688,
                                                0.0],
 ('Sum()', 'values'): [6.0, 21.5, 36.5],
 ('TopKCategoricalAccuracy(k=2)', False): [0.6666666865348816, 0.5, 0.5555555820465088, 0.0],
 ('TopKCategoricalAccuracy(k=2)', True): [0.8712011575698853,
                                          0.5956433415412903,
                                          0.5869064331054688,
                                          0.0],
 ('TruePositives()', False): [3.0, 6.0, 9.0, 0.0],
 ('TruePositives()', True): [2.8299999237060547, 6.010000228881836, 8.710000038146973, 0.0]}

CASES = {
    "Accuracy()": ("S", "S2"),
    "BinaryAccuracy()": ("BT", "BP"), "BinaryAccuracy(threshold=0.7)": ("BT", "BP"),
    "CategoricalAccuracy()": ("O", "P"), "SparseCategoricalAccuracy()": ("S", "P"),
    "TopKCategoricalAccuracy(k=2)": ("O", "P"), "SparseTopKCategoricalAccuracy(k=2)": ("S", "P"),
    "MeanSquaredError()": ("RT", "RP"), "MeanAbsoluteError()": ("RT", "RP"),
    "RootMeanSquaredError()": ("RT", "RP"),
    "CategoricalCrossentropy()": ("O", "P"), "SparseCategoricalCrossentropy()": ("S", "P"),
    "BinaryCrossentropy()": ("BT", "BP"), "KLDivergence()": ("O", "P"),
    "Precision()": ("BT", "BP"), "Recall()": ("BT", "BP"),
    "Precision(thresholds=[0.3, 0.5, 0.8])": ("BT", "BP"),
    "Recall(thresholds=[0.3, 0.5, 0.8])": ("BT", "BP"),
    "Precision(top_k=2)": ("O", "P"), "Recall(class_id=1)": ("O", "P"),
    "Precision(class_id=2, thresholds=0.2)": ("O", "P"),
    "TruePositives()": ("BT", "BP"), "FalseNegatives(thresholds=[0.25, 0.75])": ("BT", "BP"),
    "AUC()": ("BT", "BP"), "AUC(curve='PR')": ("BT", "BP"), "AUC(num_thresholds=5)": ("BT", "BP"),
    "AUC(summation_method='minoring')": ("BT", "BP"),
    "AUC(summation_method='majoring', curve='PR')": ("BT", "BP"),
    "AUC(thresholds=[0.2, 0.45, 0.9])": ("BT", "BP"), "AUC(multi_label=True)": ("BT", "BP"),
    "AUC(from_logits=True)": ("BT", "RP2"),
}


@pytest.mark.parametrize("expr", sorted(CASES))
@pytest.mark.parametrize("weighted", [False, True])
def test_metrics_over_batches_match_keras(expr, weighted):
    t, p = CASES[expr]
    m = eval("M." + expr)
    got = []
    for i in range(3):
        # the inputs as tensors in one batch, as NumPy arrays in the others
        yt, yp = globals()[t][i], globals()[p][i]
        if i == 1:
            yt, yp = tg.constant(yt), tg.constant(yp)
        m.update_state(yt, yp, sample_weight=W[i] if weighted else None)
        r = m.result()
        assert isinstance(r, tg.Tensor) and r.dtype == np.float32
        got.append(r.numpy())
    m.reset_state()
    got.append(m.result().numpy())
    for g, e in zip(got, EXPECTED[(expr, weighted)]):
        np.testing.assert_allclose(g, e, rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("cls", ["Mean", "Sum"])
def test_mean_and_sum_of_values_with_weights(cls):
    m = getattr(M, cls)()
    got = []
    for v, w in [([1., 2., 3.], None), ([[1., 2.], [3., 4.]], [0.5, 2.0]), (5.0, 3.0)]:
        m.update_state(v, sample_weight=w)
        got.append(float(m.result()))
    np.testing.assert_allclose(got, EXPECTED[(cls + "()", "values")], rtol=1e-6)
    assert [v.name for v in m.variables][0] == "total:0"
    assert all(not v.trainable for v in m.variables)


def test_call_names_config_and_repr():
    m = M.SparseCategoricalAccuracy()
    assert m.name == "sparse_categorical_accuracy" and m.dtype == "float32"
    assert repr(m) == "<SparseCategoricalAccuracy name=sparse_categorical_accuracy>"
    r = m(np.array([1, 2]), np.array([[0.1, 0.9, 0.0], [0.8, 0.1, 0.1]]))
    assert float(r) == 0.5
    assert M.BinaryAccuracy(threshold=0.3).get_config() == {
        "name": "binary_accuracy", "dtype": "float32", "threshold": 0.3}
    p = M.Precision(thresholds=[0.2, 0.6], name="p")
    assert p.get_config() == {"name": "p", "dtype": "float32", "thresholds": [0.2, 0.6],
                              "top_k": None, "class_id": None}
    auc = M.AUC(num_thresholds=3)
    np.testing.assert_allclose(auc.thresholds, [-1e-7, 0.5, 1 + 1e-7])
    assert M.Mean(name="loss").name == "loss"


def test_get_and_serialize():
    assert M.get("sparse_categorical_accuracy") is M.sparse_categorical_accuracy
    assert isinstance(M.get("AUC"), M.AUC) and isinstance(M.get("mse"), M.MeanSquaredError)
    assert isinstance(M.get("categorical_accuracy"), type(M.categorical_accuracy))
    assert M.get("mean_squared_error") is tg.keras.losses.mean_squared_error
    m = M.TopKCategoricalAccuracy(k=3)
    assert M.get(m) is m
    again = M.deserialize(M.serialize(m))
    assert isinstance(again, M.TopKCategoricalAccuracy) and again.k == 3
    with pytest.raises(ValueError, match="Could not interpret metric identifier: nope"):
        M.get("nope")


def test_metric_functions():
    np.testing.assert_array_equal(
        M.sparse_categorical_accuracy(np.array([[1], [2]]),
                                      np.array([[0.1, 0.9, 0.0], [0.8, 0.1, 0.1]])).numpy(),
        [1.0, 0.0])
    np.testing.assert_array_equal(M.binary_accuracy([1., 0.], [0.7, 0.7]).numpy(), [1.0, 0.0])
    # ties at the boundary of the top k count as in, as tf.math.in_top_k
    np.testing.assert_array_equal(
        M.sparse_top_k_categorical_accuracy([0, 1], [[0.2, 0.2, 0.6], [0.1, 0.3, 0.6]],
                                            k=2).numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(
        M.top_k_categorical_accuracy([[0., 1., 0.]], [[0.5, 0.2, 0.3]], k=1).numpy(), [0.0])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]. "
                                         r"Received: \[1.5\]"):
        M.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="Argument `num_thresholds` must be an integer > 1"):
        M.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="`num_labels` is needed only when `multi_label`"):
        M.AUC(num_labels=3)
    with pytest.raises(ValueError, match="When class_id is provided, y_pred must be a 2D"):
        M.Recall(class_id=1).update_state([1., 0.], [0.5, 0.5])


def test_a_subclassed_metric_tracks_its_variables_and_submetrics():
    class TwoMeans(M.Metric):
        def __init__(self):
            super().__init__(name="two")
            self.a = M.Mean()
            self.b = M.Mean()
            self.n = self.add_variable((), "zeros", name="n")

        def update_state(self, x):
            self.a.update_state(x)
            self.b.update_state(np.square(x))
            self.n.assign_add(1.0)

        def result(self):
            return self.b.result() - self.a.result() ** 2

    m = TwoMeans()
    m.update_state([1.0, 2.0, 3.0])
    assert len(m.variables) == 5
    np.testing.assert_allclose(float(m.result()), 2.0 / 3.0, rtol=1e-6)
    m.reset_state()
    assert float(m.n.numpy()) == 0.0 and float(m.result()) == 0.0
