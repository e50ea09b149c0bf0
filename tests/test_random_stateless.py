"""tg.random's stateless ops and Generator: TensorFlow 2.21's numbers bit for bit (its
values written in; long draws by a checksum of their bits, which any changed bit
changes), its errors, the reparameterised gradients, and the statistics of the stateful
categorical (not TensorFlow's numbers: NumPy's generator)."""
import numpy as np
import pytest

import tapegrad as tg
from tapegrad.errors import InvalidArgumentError

R = tg.random
SEEDS = [(1, 2), (0, 0), (-5, 7), (2**31 - 1, -2**31)]

# TensorFlow 2.21 (tf.random.stateless_* and tf.random.Generator)
TF = {
    ('uniform', (1, 2), 'float16'): np.array([0.54296875, 0.2353515625, 0.060546875, 0.8935546875, 0.1435546875, 0.4423828125], np.float16),
    ('normal', (1, 2), 'float16'): np.array([0.5439453125, 0.2073974609375, 0.07354736328125, 0.04644775390625, -1.3017578125, -0.95361328125, 0.841796875], np.float16),
    ('truncated_normal', (1, 2), 'float16'): np.array([0.5439453125, 0.2073974609375, 0.07354736328125, 0.04644775390625, 0.168212890625], np.float16),
    ('uniform', (1, 2), 'float32'): np.array([0.8440604209899902, 0.19204533100128174, 0.9962232112884521, 0.16038739681243896, 0.27199018001556396, 0.6493459939956665], np.float32),
    ('normal', (1, 2), 'float32'): np.array([0.544110119342804, 0.20738030970096588, 0.0735643208026886, 0.04643455147743225, -1.301589846611023, -0.9538565278053284, 0.8417285680770874], np.float32),
    ('truncated_normal', (1, 2), 'float32'): np.array([0.544110119342804, 0.20738030970096588, 0.0735643208026886, 0.04643455147743225, 0.16820591688156128], np.float32),
    ('uniform', (1, 2), 'float64'): np.array([0.7524837538451801, 0.9697857725627486, 0.17592233912897481, 0.8555556648693279, 0.514811871731222, 0.6077450497806227], np.float64),
    ('normal', (1, 2), 'float64'): np.array([-0.1423118100189212, 0.7406072461585091, -1.469047669443883, 1.147747453689489, -0.7218813856153005, -0.898217540706226, 0.6003592788009644], np.float64),
    ('truncated_normal', (1, 2), 'float64'): np.array([-0.1423118100189212, 0.7406072461585091, -0.552387756244845, -0.734450092480207, -0.39842023956588357], np.float64),
    ('uniform_int', (1, 2), 'int32'): np.array([97, 284, 647, 168, 310, 224], np.int32),
    ('uniform_int', (1, 2), 'int64'): np.array([928, 223, 146, 184, 767, 860], np.int64),
    ('full_int', (1, 2), 'int32'): np.array([1105988140, 1738052849, -335576002, 370444179, 10670227], np.int32),
    ('full_int', (1, 2), 'int64'): np.array([7464880146280614444, 1591045637757961278, -1057468755545501549, 2524363516007002203, 6884554327646026923], np.int64),
    ('full_int', (1, 2), 'uint32'): np.array([1105988140, 1738052849, 3959391294, 370444179, 10670227], np.uint32),
    ('full_int', (1, 2), 'uint64'): np.array([7464880146280614444, 1591045637757961278, 17389275318164050067, 2524363516007002203, 6884554327646026923], np.uint64),
    ('categorical', (1, 2)): np.array([2, 2, 1, 2, 2, 2, 2, 0, 1, 1, 1, 0, 0, 0], np.int64),
    ('uniform', (0, 0), 'float16'): np.array([0.638671875, 0.6337890625, 0.119140625, 0.330078125, 0.318359375, 0.984375], np.float16),
    ('normal', (0, 0), 'float16'): np.array([-1.697265625, -0.4814453125, -0.662109375, 0.0870361328125, -1.0, 0.943359375, 0.61669921875], np.float16),
    ('truncated_normal', (0, 0), 'float16'): np.array([-1.697265625, -0.4814453125, -0.662109375, 0.0870361328125, -0.265869140625], np.float16),
    ('uniform', (0, 0), 'float32'): np.array([0.2110154628753662, 0.7060099840164185, 0.8000633716583252, 0.7707922458648682, 0.38858866691589355, 0.8703594207763672], np.float32),
    ('normal', (0, 0), 'float32'): np.array([-1.6970340013504028, -0.4813767075538635, -0.6622369289398193, 0.0870111882686615, -1.0001622438430786, 0.9434740543365479, 0.6166947484016418], np.float32),
    ('truncated_normal', (0, 0), 'float32'): np.array([-1.6970340013504028, -0.4813767075538635, -0.6622369289398193, 0.0870111882686615, -0.2657979428768158], np.float32),
    ('uniform', (0, 0), 'float64'): np.array([0.6881243022270687, 0.4005076135896002, 0.1087096778123815, 0.4655003663095476, 0.7941659363735021, 0.08868070526271477], np.float64),
    ('normal', (0, 0), 'float64'): np.array([0.5059786169247732, -0.7011114107383536, 0.4530945367782252, -2.057390155938518, 0.3590167620594231, 0.5762227589642083, -0.1653212843481704], np.float64),
    ('truncated_normal', (0, 0), 'float64'): np.array([0.5059786169247732, -0.7011114107383536, 1.4037223906742358, -0.4308960209073029, -0.2831203320711482], np.float64),
    ('uniform_int', (0, 0), 'int32'): np.array([408, 827, 547, 16, 117, 959], np.int32),
    ('uniform_int', (0, 0), 'int64'): np.array([966, 277, 858, 665, 919, 749], np.int64),
    ('full_int', (0, 0), 'int32'): np.array([-409271666, -1596301687, 1306945658, -1411208878, 556907846], np.int32),
    ('full_int', (0, 0), 'int64'): np.array([-6856063536328932722, -6061095977527908230, 6624627857932008774, -9000103707649019216, 6288472578141762791], np.int64),
    ('full_int', (0, 0), 'uint32'): np.array([3885695630, 2698665609, 1306945658, 2883758418, 556907846], np.uint32),
    ('full_int', (0, 0), 'uint64'): np.array([11590680537380618894, 12385648096181643386, 6624627857932008774, 9446640366060532400, 6288472578141762791], np.uint64),
    ('categorical', (0, 0)): np.array([2, 2, 1, 2, 2, 0, 2, 1, 0, 1, 0, 0, 1, 0], np.int64),
    ('uniform', (-5, 7), 'float16'): np.array([0.94921875, 0.23828125, 0.0458984375, 0.8134765625, 0.7353515625, 0.5263671875], np.float16),
    ('normal', (-5, 7), 'float16'): np.array([2.45703125, -0.2958984375, -0.8955078125, -0.33056640625, 0.07623291015625, -0.150146484375, -1.0380859375], np.float16),
    ('truncated_normal', (-5, 7), 'float16'): np.array([-0.2958984375, -0.8955078125, -0.33056640625, 0.07623291015625, 0.9248046875], np.float16),
    ('uniform', (-5, 7), 'float32'): np.array([0.04674673080444336, 0.2690720558166504, 0.6340388059616089, 0.6937028169631958, 0.9859296083450317, 0.42523515224456787], np.float32),
    ('normal', (-5, 7), 'float32'): np.array([2.4573304653167725, -0.29588761925697327, -0.8955138325691223, -0.3306739330291748, 0.07620611041784286, -0.15011084079742432, -1.0380806922912598], np.float32),
    ('truncated_normal', (-5, 7), 'float32'): np.array([-0.29588761925697327, -0.8955138325691223, -0.3306739330291748, 0.07620611041784286, 0.9245980381965637], np.float32),
    ('uniform', (-5, 7), 'float64'): np.array([0.3739742623066009, 0.07231093886066753, 0.8874376219236015, 0.05159585477470707, 0.49543188419824924, 0.2036259152147526], np.float64),
    ('normal', (-5, 7), 'float64'): np.array([0.6155384970137748, 1.260257498009569, 0.15567140743929214, 0.46324993623771565, 1.1352234051190917, 0.3404682473289223, -1.0371063268762881], np.float64),
    ('truncated_normal', (-5, 7), 'float64'): np.array([0.6155384970137748, 1.260257498009569, 1.7044392280694418, 1.2549931841810942, 0.4004598123535857], np.float64),
    ('uniform_int', (-5, 7), 'int32'): np.array([268, 779, 148, 884, 917, 25], np.int32),
    ('uniform_int', (-5, 7), 'int64'): np.array([30, 899, 44, 680, 761, 926], np.int64),
    ('full_int', (-5, 7), 'int32'): np.array([1107688396, 1872916724, 1859201071, -2082944191, -1124191503], np.int32),
    ('full_int', (-5, 7), 'int64'): np.array([8044116078819146700, -8946177177878976465, -3839760566872821007, 3228479848831832918, -306122546310812343], np.int64),
    ('full_int', (-5, 7), 'uint32'): np.array([1107688396, 1872916724, 1859201071, 2212023105, 3170775793], np.uint32),
    ('full_int', (-5, 7), 'uint64'): np.array([8044116078819146700, 9500566895830575151, 14606983506836730609, 3228479848831832918, 18140621527398739273], np.uint64),
    ('categorical', (-5, 7)): np.array([2, 0, 2, 0, 2, 1, 1, 1, 0, 1, 0, 1, 1, 0], np.int64),
    ('uniform', (2147483647, -2147483648), 'float16'): np.array([0.197265625, 0.5732421875, 0.705078125, 0.54296875, 0.1005859375, 0.0517578125], np.float16),
    ('normal', (2147483647, -2147483648), 'float16'): np.array([-1.7978515625, 1.9521484375, 1.5869140625, -1.47265625, -0.29736328125, 2.3671875, -0.51904296875], np.float16),
    ('truncated_normal', (2147483647, -2147483648), 'float16'): np.array([-1.7978515625, 1.9521484375, 1.5869140625, -1.47265625, 1.7802734375], np.float16),
    ('uniform', (2147483647, -2147483648), 'float32'): np.array([0.029565095901489258, 0.8815397024154663, 0.09603333473205566, 0.36908483505249023, 0.05799567699432373, 0.9801088571548462], np.float32),
    ('normal', (2147483647, -2147483648), 'float32'): np.array([-1.7978084087371826, 1.9519751071929932, 1.5865259170532227, -1.472771406173706, -0.2974725365638733, 2.3677592277526855, -0.5188620090484619], np.float32),
    ('truncated_normal', (2147483647, -2147483648), 'float32'): np.array([-1.7978084087371826, 1.9519751071929932, 1.5865259170532227, -1.472771406173706, 1.7806073427200317], np.float32),
    ('uniform', (2147483647, -2147483648), 'float64'): np.array([0.2365211693226168, 0.7682669560780466, 0.4639660473542453, 0.07643326162673536, 0.2796455913093281, 0.3794064389403988], np.float64),
    ('normal', (2147483647, -2147483648), 'float64'): np.array([-1.686895814061906, 0.19446758304841763, 0.5725558596966568, 1.0991212826637762, 1.0971373131170932, -1.1596353573016203, 1.2728328441303078], np.float64),
    ('truncated_normal', (2147483647, -2147483648), 'float64'): np.array([-1.686895814061906, 0.19446758304841763, 0.41246123040077853, -0.047279442968397346, -0.020563853825271042], np.float64),
    ('uniform_int', (2147483647, -2147483648), 'int32'): np.array([476, 21, 99, 947, 776, 52], np.int32),
    ('uniform_int', (2147483647, -2147483648), 'int64'): np.array([874, 641, 100, 563, 881, 492], np.int64),
    ('full_int', (2147483647, -2147483648), 'int32'): np.array([100911306, 1810945611, 1166822098, 1252998700, -1299747737], np.int32),
    ('full_int', (2147483647, -2147483648), 'int64'): np.array([7777952174180649162, 5381588439597337298, -6233698535233590169, 1544795204406556946, -6353929894957385363], np.int64),
    ('full_int', (2147483647, -2147483648), 'uint32'): np.array([100911306, 1810945611, 1166822098, 1252998700, 2995219559], np.uint32),
    ('full_int', (2147483647, -2147483648), 'uint64'): np.array([7777952174180649162, 5381588439597337298, 12213045538475961447, 1544795204406556946, 12092814178752166253], np.uint64),
    ('categorical', (2147483647, -2147483648)): np.array([1, 2, 2, 0, 1, 2, 2, 0, 0, 1, 0, 0, 0, 1], np.int64),
    ('normal_seed64',): np.array([0.4748584032058716, 0.07581251859664917, -0.29107797145843506, -2.0544593334198], np.float32),
    ('uniform_minmax',): np.array([2.8440604209899902, 2.3840906620025635, 2.996223211288452, 2.320774793624878], np.float32),
    ('tn_mean_std',): np.array([2.0882201194763184, 1.4147605895996094, 1.1471285820007324], np.float32),
    ('cat_int32',): np.array([2, 2, 1, 2, 2, 2, 1, 0, 2, 1, 1, 2, 2, 0, 2], np.int32),
    ('cat_inf',): np.array([4, 4, 1, 4, 4, 4], np.int64),
    ('bits', 'uniform', (1, 2), 'float16'): 6910270958,
    ('bits', 'normal', (1, 2), 'float16'): 15694401528,
    ('bits', 'truncated_normal', (1, 2), 'float16'): 15167761701,
    ('bits', 'uniform', (1, 2), 'float32'): 527071102101440,
    ('bits', 'normal', (1, 2), 'float32'): 1085368577611990,
    ('bits', 'truncated_normal', (1, 2), 'float32'): 1055602640116393,
    ('bits', 'uniform', (1, 2), 'float64'): 548021131123665582,
    ('bits', 'normal', (1, 2), 'float64'): 121150364595618852,
    ('bits', 'truncated_normal', (1, 2), 'float64'): 1424880931453266583,
    ('bits', 'uniform', (0, 0), 'float16'): 6967834070,
    ('bits', 'normal', (0, 0), 'float16'): 15087659095,
    ('bits', 'truncated_normal', (0, 0), 'float16'): 15160788148,
    ('bits', 'uniform', (0, 0), 'float32'): 526725481398516,
    ('bits', 'normal', (0, 0), 'float32'): 1045491045754382,
    ('bits', 'truncated_normal', (0, 0), 'float32'): 1052911125538178,
    ('bits', 'uniform', (0, 0), 'float64'): 2105264429473990232,
    ('bits', 'normal', (0, 0), 'float64'): 2177304548240390378,
    ('bits', 'truncated_normal', (0, 0), 'float64'): 1256530570163209025,
    ('bits', 'uniform', (-5, 7), 'float16'): 6886375522,
    ('bits', 'normal', (-5, 7), 'float16'): 15037198844,
    ('bits', 'truncated_normal', (-5, 7), 'float16'): 15132414865,
    ('bits', 'uniform', (-5, 7), 'float32'): 527093769561100,
    ('bits', 'normal', (-5, 7), 'float32'): 1045015763425196,
    ('bits', 'truncated_normal', (-5, 7), 'float32'): 1052806424764012,
    ('bits', 'uniform', (-5, 7), 'float64'): 1838635326345372590,
    ('bits', 'normal', (-5, 7), 'float64'): 1687169454894277290,
    ('bits', 'truncated_normal', (-5, 7), 'float64'): 258994919174663158,
    ('bits', 'uniform', (2147483647, -2147483648), 'float16'): 6931318612,
    ('bits', 'normal', (2147483647, -2147483648), 'float16'): 15482337290,
    ('bits', 'truncated_normal', (2147483647, -2147483648), 'float16'): 15174959565,
    ('bits', 'uniform', (2147483647, -2147483648), 'float32'): 526924523393412,
    ('bits', 'normal', (2147483647, -2147483648), 'float32'): 1073198928716193,
    ('bits', 'truncated_normal', (2147483647, -2147483648), 'float32'): 1056589818024870,
    ('bits', 'uniform', (2147483647, -2147483648), 'float64'): 1261126410752563362,
    ('bits', 'normal', (2147483647, -2147483648), 'float64'): 1938871701993816064,
    ('bits', 'truncated_normal', (2147483647, -2147483648), 'float64'): 836335914635141577,
    ('bits', 'uniform', (123456789, 987654321), 'float16'): 6886253764,
    ('bits', 'normal', (123456789, 987654321), 'float16'): 15327656049,
    ('bits', 'truncated_normal', (123456789, 987654321), 'float16'): 16086960617,
    ('bits', 'uniform', (123456789, 987654321), 'float32'): 526946101667056,
    ('bits', 'normal', (123456789, 987654321), 'float32'): 1063276855725346,
    ('bits', 'truncated_normal', (123456789, 987654321), 'float32'): 1113023399727723,
    ('bits', 'uniform', (123456789, 987654321), 'float64'): 1313685989941577974,
    ('bits', 'normal', (123456789, 987654321), 'float64'): 2137067025351332499,
    ('bits', 'truncated_normal', (123456789, 987654321), 'float64'): 698612274072730177,
    ('gen', 'normal'): np.array([-1.3240395784378052, 0.28785666823387146, -0.8757901191711426, -0.08857017755508423, 0.6921164393424988, 0.8421570658683777], np.float32),
    ('gen', 'state1'): np.array([1543, 0, 0], np.int64),
    ('gen', 'uniform_int'): np.array([3, 2, 3, 4, 3], np.int64),
    ('gen', 'full_int32'): np.array([-815056327, 2007642836, 85728454], np.int32),
    ('gen', 'full_uint64'): np.array([6958698921710751781, 2127770947798251487, 305911188292929009], np.uint64),
    ('gen', 'tn64'): np.array([-0.4521621636538095, 0.14372577790949095, -0.25624939441925326, 1.0792101700598054], np.float64),
    ('gen', 'uniform'): np.array([0.5686612129211426, 0.7385308742523193, 0.8826065063476562], np.float32),
    ('gen', 'make_seeds'): np.array([-256618119791617835, 9169803995702408522, 2549262478080713663, 0, 0, 0], np.int64),
    ('gen', 'state2'): np.array([6919, 0, 0], np.int64),
    ('gen', 'split_states'): np.array([0, 0, 200611721894967978, 0, 0, -1237863000353256169], np.int64),
    ('gen', 'split_normal'): np.array([-0.8178959488868713, 0.056011833250522614, 0.7287838459014893], np.float32),
    ('gen', 'state3'): np.array([7431, 0, 0], np.int64),
    ('gen', 'big_seed_state'): np.array([5, 64, 0], np.int64),
    ('gen', 'big_seed_uniform64'): np.array([0.03910573464646672, 0.23438540413703968, 0.9698866132396933], np.float64),
}


def bits(a):
    a = np.asarray(a)
    u = a.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize])
    return int(sum(int(v) * (i + 1) for i, v in enumerate(u.reshape(-1))) % (1 << 61))


def same(t, expected):
    a = t.numpy() if hasattr(t, "numpy") else np.asarray(t)
    assert a.dtype == expected.dtype
    np.testing.assert_array_equal(a.reshape(-1), expected)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_stateless_float_draws(seed, dtype):
    same(R.stateless_uniform([2, 3], seed=seed, dtype=dtype), TF[("uniform", seed, dtype)])
    same(R.stateless_normal([7], seed=seed, dtype=dtype), TF[("normal", seed, dtype)])
    same(R.stateless_truncated_normal([5], seed=seed, dtype=dtype),
         TF[("truncated_normal", seed, dtype)])


@pytest.mark.parametrize("seed", SEEDS + [(123456789, 987654321)])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("op", ["uniform", "normal", "truncated_normal"])
def test_stateless_long_draws_bit_for_bit(op, seed, dtype):
    a = getattr(R, "stateless_" + op)([1000], seed=seed, dtype=dtype)
    assert bits(a.numpy()) == TF[("bits", op, seed, dtype)]


@pytest.mark.parametrize("seed", SEEDS)
def test_stateless_integers(seed):
    for dt in ("int32", "int64"):
        same(R.stateless_uniform([6], seed=seed, minval=-3, maxval=1000, dtype=dt),
             TF[("uniform_int", seed, dt)])
    for dt in ("int32", "int64", "uint32", "uint64"):
        same(R.stateless_uniform([5], seed=seed, minval=None, maxval=None, dtype=dt),
             TF[("full_int", seed, dt)])


@pytest.mark.parametrize("seed", SEEDS)
def test_stateless_categorical(seed):
    with np.errstate(divide="ignore"):
        logits = np.log(np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]], np.float32))
        same(R.stateless_categorical(logits, 7, seed=seed), TF[("categorical", seed)])


def test_stateless_other_forms():
    same(R.stateless_normal([4], seed=tg.constant([2**40, -7], tg.int64)), TF[("normal_seed64",)])
    same(R.stateless_uniform([2, 2], seed=[1, 2], minval=2., maxval=[3., 4.]),
         TF[("uniform_minmax",)])
    same(R.stateless_truncated_normal([3], seed=[1, 2], mean=1., stddev=2.), TF[("tn_mean_std",)])
    same(R.stateless_categorical([[0., 1., 2., -1.]] * 3, 5, seed=[3, 4], dtype=tg.int32),
         TF[("cat_int32",)])
    same(R.stateless_categorical([[-np.inf, 0., np.inf, np.nan, 1.]], 6, seed=[3, 4]),
         TF[("cat_inf",)])
    assert R.stateless_normal([0, 3], seed=[1, 2]).shape == (0, 3)
    assert R.stateless_categorical([[0., 1.]], 0, seed=[1, 2]).shape == (1, 0)
    # the same seed, the same draw; another seed, another draw
    a, b = (R.stateless_normal([5], seed=s).numpy() for s in ([4, 5], [4, 6]))
    np.testing.assert_array_equal(a, R.stateless_normal([5], seed=[4, 5]).numpy())
    assert not np.array_equal(a, b)


def test_stateless_reparameterised_gradients():
    mean, std = tg.Variable([1.0, -2.0, 0.5]), tg.Variable(2.0)
    lo, hi = tg.Variable(-1.0), tg.Variable(3.0)
    with tg.GradientTape(persistent=True) as tape:
        y = R.stateless_normal([3], seed=[1, 2], mean=mean, stddev=std)
        t = R.stateless_truncated_normal([3], seed=[1, 2], mean=mean, stddev=std)
        u = R.stateless_uniform([4], seed=[1, 2], minval=lo, maxval=hi)
        sy, st, su = tg.reduce_sum(y), tg.reduce_sum(t), tg.reduce_sum(u)
    z = R.stateless_normal([3], seed=[1, 2]).numpy()
    zt = R.stateless_truncated_normal([3], seed=[1, 2]).numpy()
    r = R.stateless_uniform([4], seed=[1, 2]).numpy()
    np.testing.assert_allclose(tape.gradient(sy, [mean, std])[1], z.sum(), rtol=1e-6)
    np.testing.assert_allclose(tape.gradient(sy, mean), [1, 1, 1])
    np.testing.assert_allclose(tape.gradient(st, std), zt.sum(), rtol=1e-6)
    np.testing.assert_allclose(tape.gradient(su, lo), (1 - r).sum(), rtol=1e-6)
    np.testing.assert_allclose(tape.gradient(su, hi), r.sum(), rtol=1e-6)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: R.stateless_uniform([3], seed=[1, 2, 3]), InvalidArgumentError,
     r"seed must have shape \[2\], not \[3\] \[Op:StatelessRandomGetKeyCounter\]"),
    (lambda: R.stateless_normal([2, 2], seed=[[1, 2]]), InvalidArgumentError,
     r"seed must have shape \[2\], not \[1,2\]"),
    (lambda: R.stateless_uniform([3], seed=[1., 2]), InvalidArgumentError,
     "Value for attr 'Tseed' of float is not in the list of allowed values: int32, int64"),
    (lambda: R.stateless_uniform([-1], seed=[1, 2]), InvalidArgumentError,
     r"Dimension -1 must be >= 0 \[Op:StatelessRandomUniformV2\]"),
    (lambda: R.stateless_uniform([3], seed=[1, 2], dtype="int32"), ValueError,
     r"For integer `dtype` argument <dtype: 'int32'>, argument `minval` and `maxval` must be "
     r"both None or not None. Got `minval`=0 and `maxval`=None."),
    (lambda: R.stateless_uniform([3], seed=[1, 2], dtype="int64", minval=None, maxval=4),
     ValueError, "Got `minval`=None and `maxval`=4"),
    (lambda: R.stateless_uniform([3], seed=[1, 2], dtype="int32", minval=5, maxval=3),
     InvalidArgumentError, r"Need minval < maxval, got 5 >= 3 \[Op:StatelessRandomUniformIntV2\]"),
    (lambda: R.stateless_uniform([3], seed=[1, 2], dtype="int32", minval=[0, 1], maxval=3),
     InvalidArgumentError, r"minval must be 0-D, got shape \[2\]"),
    (lambda: R.stateless_uniform([3], seed=[1, 2], dtype="uint32", minval=0, maxval=10),
     ValueError, "Please don't use unsigned integers in this case"),
    (lambda: R.stateless_uniform([3], seed=[1, 2], dtype="bool"), ValueError,
     r"Argument `dtype` got invalid value <dtype: 'bool'>. Accepted dtypes are \(tf.float16"),
    (lambda: R.stateless_normal([3], seed=[1, 2], dtype="int32"), TypeError,
     "Cannot convert 0.0 to EagerTensor of dtype int32"),
    (lambda: R.stateless_uniform([3], seed=[1, 2], minval=tg.constant(0., tg.float64)),
     ValueError, "minval: Tensor conversion requested dtype float32 for Tensor with dtype float64"),
    (lambda: R.stateless_normal([3], seed=[1, 2], alg="foo"), ValueError,
     "Argument `alg` got unsupported value foo"),
    (lambda: R.stateless_normal([3], seed=[1, 2], alg="threefry"), NotImplementedError,
     "threefry"),
    (lambda: R.stateless_categorical([1., 2.], 3, seed=[1, 2]), InvalidArgumentError,
     r"logits should be a matrix, got shape \[2\] \[Op:StatelessMultinomial\]"),
    (lambda: R.stateless_categorical([[0., 1.]], -1, seed=[1, 2]), InvalidArgumentError,
     r"num_samples should be non-negative, got -1 \[Op:StatelessMultinomial\]"),
    (lambda: R.stateless_categorical(np.zeros((2, 0), np.float32), 3, seed=[1, 2]),
     InvalidArgumentError, "num_classes should be positive, got 0"),
    (lambda: R.stateless_categorical([[1., 2.]], 3, seed=[1, 2], dtype="float32"), ValueError,
     r"Argument `dtype` got invalid value <dtype: 'float32'>. Accepted dtypes are \(tf.int32, "
     r"tf.int64\)."),
    (lambda: R.categorical([[0., 1.]], -1), InvalidArgumentError,
     r"num_samples should be non-negative, got -1 \[Op:Multinomial\]"),
    (lambda: R.Generator.from_seed(1, alg="foo"), ValueError, "Argument `alg` got unsupported"),
    (lambda: R.Generator.from_state([1, 2], alg="philox"), ValueError,
     r"Shapes \(2,\) and \[3\] are incompatible"),
    (lambda: R.Generator.from_seed(7).uniform([3], dtype="int32"), ValueError,
     "For integer dtype <dtype: 'int32'>, minval and maxval must be both `None` or both "
     "non-`None`; got minval=0 and maxval=None"),
    (lambda: R.Generator.from_seed(7).normal([3], dtype="int32"), TypeError,
     "Cannot convert 0.0 to EagerTensor of dtype int32"),
])
def test_random_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_generator_sequence():
    g = R.Generator.from_seed(7)
    assert g.algorithm == 1
    assert repr(g.state).startswith("<tg.Variable 'StateVar:0' shape=(3,) dtype=int64")
    same(g.normal([2, 3]), TF[("gen", "normal")])
    same(g.state, TF[("gen", "state1")])                  # 256 counter steps per value
    same(g.uniform([5], minval=2, maxval=9, dtype=tg.int64), TF[("gen", "uniform_int")])
    same(g.uniform_full_int([3], dtype=tg.int32), TF[("gen", "full_int32")])
    same(g.uniform_full_int([3]), TF[("gen", "full_uint64")])
    same(g.truncated_normal([4], dtype=tg.float64), TF[("gen", "tn64")])
    same(g.uniform([3], minval=-1., maxval=1.), TF[("gen", "uniform")])
    same(g.make_seeds(3), TF[("gen", "make_seeds")])
    same(g.state, TF[("gen", "state2")])
    gs = g.split(2)
    same(np.stack([x.state.numpy() for x in gs]), TF[("gen", "split_states")])
    same(gs[0].normal([3]), TF[("gen", "split_normal")])
    same(g.state, TF[("gen", "state3")])
    g = R.Generator.from_seed(2**70 + 5)
    same(g.state, TF[("gen", "big_seed_state")])
    same(g.uniform([3], dtype=tg.float64), TF[("gen", "big_seed_uniform64")])


def test_generator_states_and_seeds():
    np.testing.assert_array_equal(R.Generator.from_seed(-1).state.numpy(), [-1, -1, -1])
    np.testing.assert_array_equal(R.Generator.from_seed([1, 2, 3, 4]).state.numpy(), [1, 2, 3])
    np.testing.assert_array_equal(R.create_rng_state(1, "philox").numpy(), [1, 0, 0])
    np.testing.assert_array_equal(R.create_rng_state([1, 2], "philox").numpy(), [0, 1, 2])
    np.testing.assert_array_equal(R.create_rng_state(-3, 1).numpy(), [-3, -1, -1])
    np.testing.assert_array_equal(
        R.Generator.from_key_counter(5, [1, 2], "philox").state.numpy(), [1, 2, 5])
    assert R.Generator.from_seed(1, alg="auto_select").algorithm == 3
    a, b = R.Generator.from_seed(3), R.Generator.from_seed(3)
    np.testing.assert_array_equal(a.normal([4]), b.normal([4]))
    c = R.Generator(copy_from=a)
    np.testing.assert_array_equal(a.uniform([4]), c.uniform([4]))
    a.reset_from_seed(3)
    np.testing.assert_array_equal(a.normal([4]), R.Generator.from_seed(3).normal([4]))
    n1, n2 = (R.Generator.from_non_deterministic_state() for _ in range(2))
    assert n1.state.shape == (3,) and not np.array_equal(n1.state.numpy(), n2.state.numpy())


def test_global_generator():
    old = R.get_global_generator()
    assert R.get_global_generator() is old and old.algorithm == 1
    try:
        R.set_global_generator(R.Generator.from_seed(7))
        same(R.get_global_generator().normal([2, 3]), TF[("gen", "normal")])
    finally:
        R.set_global_generator(old)


def test_categorical_statistics_and_seed():
    # NumPy's stream, not TensorFlow's: check the frequencies (a binomial 5-sigma band)
    p = np.array([0.1, 0.2, 0.7])
    n = 20000
    s = R.categorical(np.log([p, p[::-1]]), n, seed=3).numpy()
    assert s.shape == (2, n) and s.dtype == np.int64
    for row, probs in zip(s, (p, p[::-1])):
        freq = np.bincount(row, minlength=3) / n
        assert np.all(np.abs(freq - probs) < 5 * np.sqrt(probs * (1 - probs) / n))
    np.testing.assert_array_equal(R.categorical([[0., 1.]], 9, seed=5),
                                  R.categorical([[0., 1.]], 9, seed=5))
    assert R.categorical([[0., 1.]], 2, dtype=tg.int32).dtype == tg.int32


def test_truncated_normal_within_two_deviations():
    a = R.stateless_truncated_normal([20000], seed=[9, 9], dtype="float64").numpy()
    assert np.abs(a).max() < 2
    # the standard normal truncated to [-2, 2]: variance 0.7737413
    assert abs(a.mean()) < 0.02 and abs(a.var() - 0.7737413) < 0.02


# TensorFlow 2.21's stateless_categorical with its intra-op pool set to 1, 2 and 4
# threads: large draws split the rows in blocks, each reading its own part of the
# stream (checksums: sum of (i + 1) * index over the flat result)
SHARDED = {
    1: [91742722, 12758245, 1607400074],
    2: [92784719, 12719848, 1623510172],
    4: [93024559, 12806264, 1623510172],
}


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_categorical_sharded_like_tf(threads):
    from tapegrad import _philox
    key, counter = _philox.key_counter_from_seed(7, 3)
    got = []
    for b, s, c in [(64, 100, 10), (1000, 5, 3), (8, 1000, 100)]:
        logits = np.sin(np.arange(b * c)).reshape(b, c).astype(np.float32)
        y = _philox.categorical(counter, key, logits, s, threads)
        got.append(int(sum(int(v) * (i + 1) for i, v in enumerate(y.reshape(-1)))))
    assert got == SHARDED[threads]


def test_truncated_normal_long_draw_with_redraws():
    # a million values: a few groups of four (three for this seed in float32) need more
    # than their first two blocks; TensorFlow's checksums of the whole draws
    def fast_bits(a):
        u = a.view({4: np.uint32, 8: np.uint64}[a.itemsize]).astype(np.uint64)
        with np.errstate(over="ignore"):
            return int(np.sum(u * np.arange(1, u.size + 1, dtype=np.uint64), dtype=np.uint64))
    a = R.stateless_truncated_normal([1000000], seed=[1, 2]).numpy()
    assert fast_bits(a) == 14098323603562137004
    b = R.stateless_truncated_normal([1000000], seed=[5, 6], dtype="float64").numpy()
    assert fast_bits(b) == 7179732757312086222


def test_split_fold_in_algorithm():
    same(R.split([1, 2]), np.array([1105988140, 1738052849, -335576002, 370444179], np.int32))
    same(R.split(tg.constant([1, 2], tg.int64), num=3),
         np.array([7464880146280614444, 1591045637757961278, -1057468755545501549,
                   2524363516007002203, 6884554327646026923, -2336856294065325742], np.int64))
    same(R.fold_in([1, 2], 7), np.array([1105988140, 7], np.int32))
    same(R.fold_in(tg.constant([1, 2], tg.int64), tg.constant(7, tg.int64)),
         np.array([7464880146280614444, 7], np.int64))
    with pytest.raises(InvalidArgumentError, match="Shapes of all inputs must match"):
        R.fold_in([1, 2], [7, 8])
    assert R.Algorithm.PHILOX.value == 1
    g = R.Generator.from_seed(1, alg=R.Algorithm.AUTO_SELECT)
    assert g.algorithm == 3
