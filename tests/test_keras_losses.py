"""tg.keras.losses against Keras 3 (tf.keras in TensorFlow 2.21): every loss with every
reduction, with and without sample weights, its gradient with respect to y_pred, and the
per-sample functions; the expected values were printed by Keras on TensorFlow."""
import warnings

import numpy as np
import pytest

import tapegrad as tg

L = tg.keras.losses

YT = np.array([[0., 1., 0.], [1., 0., 0.], [0., 0., 1.], [0., 1., 0.]], np.float32)
YP = np.array([[0.1, 0.8, 0.1], [0.3, 0.3, 0.4], [0.05, 0.15, 0.8], [0.6, 0.2, 0.2]], np.float32)
LOGITS = np.array([[1.0, 3.0, -1.0], [0.5, 0.2, 0.1], [-2.0, 0.0, 2.5], [2.0, -1.0, 0.5]],
                  np.float32)
SPARSE = np.array([1, 0, 2, 1])
BT = np.array([[1., 0.], [0., 0.], [1., 1.], [0., 1.]], np.float32)
BP = np.array([[0.9, 0.2], [0.4, 0.1], [0.7, 0.6], [0.3, 0.99]], np.float32)
RT = np.array([[1.0, -2.0], [0.5, 3.0], [0.0, 1.5], [-1.0, 0.25]], np.float32)
RP = np.array([[1.5, -1.0], [0.0, 3.5], [2.5, 1.0], [-1.25, 0.0]], np.float32)
SW = np.array([1.0, 0.5, 2.0, 0.0], np.float32)
CASES = {
    "MeanSquaredError()": ("RT", "RP"), "MeanAbsoluteError()": ("RT", "RP"),
    "Huber()": ("RT", "RP"), "Huber(delta=0.75)": ("RT", "RP"),
    "MeanAbsolutePercentageError()": ("RT", "RP"),
    "MeanSquaredLogarithmicError()": ("BT", "BP"),
    "LogCosh()": ("RT", "RP"), "Poisson()": ("BT", "BP"),
    "CosineSimilarity()": ("RT", "RP"), "CosineSimilarity(axis=0)": ("RT", "RP"),
    "Hinge()": ("BT", "RP"), "SquaredHinge()": ("BT", "RP"),
    "CategoricalHinge()": ("YT", "LOGITS"),
    "BinaryCrossentropy()": ("BT", "BP"), "BinaryCrossentropy(from_logits=True)": ("BT", "RP"),
    "BinaryCrossentropy(label_smoothing=0.2)": ("BT", "BP"),
    "BinaryCrossentropy(from_logits=True, label_smoothing=0.1)": ("BT", "RP"),
    "CategoricalCrossentropy()": ("YT", "YP"),
    "CategoricalCrossentropy(from_logits=True)": ("YT", "LOGITS"),
    "CategoricalCrossentropy(label_smoothing=0.3)": ("YT", "YP"),
    "CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)": ("YT", "LOGITS"),
    "SparseCategoricalCrossentropy()": ("SPARSE", "YP"),
    "SparseCategoricalCrossentropy(from_logits=True)": ("SPARSE", "LOGITS"),
    "SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)": ("SPARSE", "LOGITS"),
    "KLDivergence()": ("YP", "YT"), "KLDivergence(name='k')": ("YT", "YP"),
}
REDUCTIONS = ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"]

EXPECTED = {('BinaryCrossentropy()', 'mean_with_sample_weight', 'SW'): 0.33879974484443665,
 ('BinaryCrossentropy()', 'mean_with_sample_weight', None): 0.2723644971847534,
 ('BinaryCrossentropy()', 'none', None): [0.16425204277038574,
                                          0.3080930709838867,
                                          0.4337502717971802,
                                          0.18336264789104462],
 ('BinaryCrossentropy()', 'none', 'SW'): [0.16425204277038574,
                                          0.15404653549194336,
                                          0.8675005435943604,
                                          0.0],
 ('BinaryCrossentropy()', 'sum', None): 1.0894579887390137,
 ('BinaryCrossentropy()', 'sum', 'SW'): 1.1857991218566895,
 ('BinaryCrossentropy()', 'sum_over_batch_size', None): 0.2723644971847534,
 ('BinaryCrossentropy()', 'sum_over_batch_size', 'SW'): 0.29644978046417236,
 ('BinaryCrossentropy(from_logits=True)', 'mean_with_sample_weight', 'SW'): 0.48720380663871765,
 ('BinaryCrossentropy(from_logits=True)', 'mean_with_sample_weight', None): 0.759350061416626,
 ('BinaryCrossentropy(from_logits=True)', 'none', None): [0.2573374807834625,
                                                          2.1114487648010254,
                                                          0.1960757076740265,
                                                          0.47253814339637756],
 ('BinaryCrossentropy(from_logits=True)', 'none', 'SW'): [0.2573374807834625,
                                                          1.0557243824005127,
                                                          0.392151415348053,
                                                          0.0],
 ('BinaryCrossentropy(from_logits=True)', 'sum', None): 3.037400245666504,
 ('BinaryCrossentropy(from_logits=True)', 'sum', 'SW'): 1.7052133083343506,
 ('BinaryCrossentropy(from_logits=True)', 'sum_over_batch_size', 'SW'): 0.42630332708358765,
 ('BinaryCrossentropy(from_logits=True)', 'sum_over_batch_size', None): 0.759350061416626,
 ('BinaryCrossentropy(from_logits=True, label_smoothing=0.1)', 'mean_with_sample_weight', 'SW'): 0.5425609350204468,
 ('BinaryCrossentropy(from_logits=True, label_smoothing=0.1)', 'mean_with_sample_weight', None): 0.782787561416626,
 ('BinaryCrossentropy(from_logits=True, label_smoothing=0.1)', 'none', None): [0.3198375105857849,
                                                                               2.0239486694335938,
                                                                               0.28357571363449097,
                                                                               0.5037881135940552],
 ('BinaryCrossentropy(from_logits=True, label_smoothing=0.1)', 'none', 'SW'): [0.3198375105857849,
                                                                               1.0119743347167969,
                                                                               0.5671514272689819,
                                                                               0.0],
 ('BinaryCrossentropy(from_logits=True, label_smoothing=0.1)', 'sum', 'SW'): 1.8989633321762085,
 ('BinaryCrossentropy(from_logits=True, label_smoothing=0.1)', 'sum', None): 3.131150245666504,
 ('BinaryCrossentropy(from_logits=True, label_smoothing=0.1)', 'sum_over_batch_size', None): 0.782787561416626,
 ('BinaryCrossentropy(from_logits=True, label_smoothing=0.1)', 'sum_over_batch_size', 'SW'): 0.4747408330440521,
 ('BinaryCrossentropy(label_smoothing=0.2)', 'mean_with_sample_weight', 'SW'): 0.44437670707702637,
 ('BinaryCrossentropy(label_smoothing=0.2)', 'mean_with_sample_weight', None): 0.4333818554878235,
 ('BinaryCrossentropy(label_smoothing=0.2)', 'none', None): [0.34342795610427856,
                                                             0.4382275342941284,
                                                             0.49638837575912476,
                                                             0.45548349618911743],
 ('BinaryCrossentropy(label_smoothing=0.2)', 'none', 'SW'): [0.34342795610427856,
                                                             0.2191137671470642,
                                                             0.9927767515182495,
                                                             0.0],
 ('BinaryCrossentropy(label_smoothing=0.2)', 'sum', None): 1.733527421951294,
 ('BinaryCrossentropy(label_smoothing=0.2)', 'sum', 'SW'): 1.5553184747695923,
 ('BinaryCrossentropy(label_smoothing=0.2)', 'sum_over_batch_size', 'SW'): 0.38882961869239807,
 ('BinaryCrossentropy(label_smoothing=0.2)', 'sum_over_batch_size', None): 0.4333818554878235,
 ('CategoricalCrossentropy()', 'mean_with_sample_weight', None): 0.8149244785308838,
 ('CategoricalCrossentropy()', 'mean_with_sample_weight', 'SW'): 0.36326199769973755,
 ('CategoricalCrossentropy()', 'none', None): [0.2231435477733612,
                                               1.2039728164672852,
                                               0.2231435328722,
                                               1.6094379425048828],
 ('CategoricalCrossentropy()', 'none', 'SW'): [0.2231435477733612,
                                               0.6019864082336426,
                                               0.4462870657444,
                                               0.0],
 ('CategoricalCrossentropy()', 'sum', None): 3.259697914123535,
 ('CategoricalCrossentropy()', 'sum', 'SW'): 1.2714170217514038,
 ('CategoricalCrossentropy()', 'sum_over_batch_size', None): 0.8149244785308838,
 ('CategoricalCrossentropy()', 'sum_over_batch_size', 'SW'): 0.31785425543785095,
 ('CategoricalCrossentropy(from_logits=True)', 'mean_with_sample_weight', 'SW'): 0.21748244762420654,
 ('CategoricalCrossentropy(from_logits=True)', 'mean_with_sample_weight', None): 1.088361382484436,
 ('CategoricalCrossentropy(from_logits=True)', 'none', None): [0.14293169975280762,
                                                               0.8800989389419556,
                                                               0.08910369127988815,
                                                               3.2413113117218018],
 ('CategoricalCrossentropy(from_logits=True)', 'none', 'SW'): [0.14293169975280762,
                                                               0.4400494694709778,
                                                               0.1782073825597763,
                                                               0.0],
 ('CategoricalCrossentropy(from_logits=True)', 'sum', None): 4.353445529937744,
 ('CategoricalCrossentropy(from_logits=True)', 'sum', 'SW'): 0.7611885666847229,
 ('CategoricalCrossentropy(from_logits=True)', 'sum_over_batch_size', None): 1.088361382484436,
 ('CategoricalCrossentropy(from_logits=True)', 'sum_over_batch_size', 'SW'): 0.19029714167118073,
 ('CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)', 'mean_with_sample_weight', 'SW'): 0.4112919867038727,
 ('CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)', 'mean_with_sample_weight', None): 1.1650280952453613,
 ('CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)', 'none', None): [0.34293171763420105,
                                                                                    0.9034322500228882,
                                                                                    0.322437047958374,
                                                                                    3.091311454772949],
 ('CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)', 'none', 'SW'): [0.34293171763420105,
                                                                                    0.4517161250114441,
                                                                                    0.644874095916748,
                                                                                    0.0],
 ('CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)', 'sum', 'SW'): 1.4395219087600708,
 ('CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)', 'sum', None): 4.660112380981445,
 ('CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)', 'sum_over_batch_size', None): 1.1650280952453613,
 ('CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)', 'sum_over_batch_size', 'SW'): 0.3598804771900177,
 ('CategoricalCrossentropy(label_smoothing=0.3)', 'mean_with_sample_weight', 'SW'): 0.7320669889450073,
 ('CategoricalCrossentropy(label_smoothing=0.3)', 'mean_with_sample_weight', None): 0.9954032897949219,
 ('CategoricalCrossentropy(label_smoothing=0.3)', 'none', None): [0.6390318870544434,
                                                                  1.1752046346664429,
                                                                  0.6678000688552856,
                                                                  1.4995766878128052],
 ('CategoricalCrossentropy(label_smoothing=0.3)', 'none', 'SW'): [0.6390318870544434,
                                                                  0.5876023173332214,
                                                                  1.3356001377105713,
                                                                  0.0],
 ('CategoricalCrossentropy(label_smoothing=0.3)', 'sum', 'SW'): 2.562234401702881,
 ('CategoricalCrossentropy(label_smoothing=0.3)', 'sum', None): 3.9816131591796875,
 ('CategoricalCrossentropy(label_smoothing=0.3)', 'sum_over_batch_size', None): 0.9954032897949219,
 ('CategoricalCrossentropy(label_smoothing=0.3)', 'sum_over_batch_size', 'SW'): 0.6405586004257202,
 ('CategoricalHinge()', 'mean_with_sample_weight', 'SW'): 0.10000000149011612,
 ('CategoricalHinge()', 'mean_with_sample_weight', None): 1.1749999523162842,
 ('CategoricalHinge()', 'none', None): [0.0, 0.699999988079071, 0.0, 4.0],
 ('CategoricalHinge()', 'none', 'SW'): [0.0, 0.3499999940395355, 0.0, 0.0],
 ('CategoricalHinge()', 'sum', None): 4.699999809265137,
 ('CategoricalHinge()', 'sum', 'SW'): 0.3499999940395355,
 ('CategoricalHinge()', 'sum_over_batch_size', None): 1.1749999523162842,
 ('CategoricalHinge()', 'sum_over_batch_size', 'SW'): 0.08749999850988388,
 ('CosineSimilarity()', 'mean_with_sample_weight', None): -0.7990425825119019,
 ('CosineSimilarity()', 'mean_with_sample_weight', 'SW'): -0.6012061238288879,
 ('CosineSimilarity()', 'none', None): [-0.8682430982589722,
                                        -0.986393928527832,
                                        -0.3713906705379486,
                                        -0.9701425433158875],
 ('CosineSimilarity()', 'none', 'SW'): [-0.8682430982589722,
                                        -0.493196964263916,
                                        -0.7427813410758972,
                                        -0.0],
 ('CosineSimilarity()', 'sum', None): -3.1961703300476074,
 ('CosineSimilarity()', 'sum', 'SW'): -2.1042213439941406,
 ('CosineSimilarity()', 'sum_over_batch_size', 'SW'): -0.5260553359985352,
 ('CosineSimilarity()', 'sum_over_batch_size', None): -0.7990425825119019,
 ('CosineSimilarity(axis=0)', 'mean_with_sample_weight', None): -0.7628529071807861,
 ('CosineSimilarity(axis=0)', 'mean_with_sample_weight', 'SW'): 'InvalidArgumentError',
 ('CosineSimilarity(axis=0)', 'none', 'SW'): 'InvalidArgumentError',
 ('CosineSimilarity(axis=0)', 'none', None): [-0.5779476165771484, -0.9477581977844238],
 ('CosineSimilarity(axis=0)', 'sum', 'SW'): 'InvalidArgumentError',
 ('CosineSimilarity(axis=0)', 'sum', None): -1.5257058143615723,
 ('CosineSimilarity(axis=0)', 'sum_over_batch_size', 'SW'): 'InvalidArgumentError',
 ('CosineSimilarity(axis=0)', 'sum_over_batch_size', None): -0.7628529071807861,
 ('Hinge()', 'mean_with_sample_weight', 'SW'): 0.3928571343421936,
 ('Hinge()', 'mean_with_sample_weight', None): 0.8125,
 ('Hinge()', 'none', None): [0.0, 2.75, 0.0, 0.5],
 ('Hinge()', 'none', 'SW'): [0.0, 1.375, 0.0, 0.0],
 ('Hinge()', 'sum', 'SW'): 1.375,
 ('Hinge()', 'sum', None): 3.25,
 ('Hinge()', 'sum_over_batch_size', None): 0.8125,
 ('Hinge()', 'sum_over_batch_size', 'SW'): 0.34375,
 ('Huber()', 'mean_with_sample_weight', 'SW'): 0.7142857313156128,
 ('Huber()', 'mean_with_sample_weight', None): 0.3828125,
 ('Huber()', 'none', None): [0.3125, 0.125, 1.0625, 0.03125],
 ('Huber()', 'none', 'SW'): [0.3125, 0.0625, 2.125, 0.0],
 ('Huber()', 'sum', None): 1.53125,
 ('Huber()', 'sum', 'SW'): 2.5,
 ('Huber()', 'sum_over_batch_size', 'SW'): 0.625,
 ('Huber()', 'sum_over_batch_size', None): 0.3828125,
 ('Huber(delta=0.75)', 'mean_with_sample_weight', None): 0.328125,
 ('Huber(delta=0.75)', 'mean_with_sample_weight', 'SW'): 0.59375,
 ('Huber(delta=0.75)', 'none', None): [0.296875, 0.125, 0.859375, 0.03125],
 ('Huber(delta=0.75)', 'none', 'SW'): [0.296875, 0.0625, 1.71875, 0.0],
 ('Huber(delta=0.75)', 'sum', 'SW'): 2.078125,
 ('Huber(delta=0.75)', 'sum', None): 1.3125,
 ('Huber(delta=0.75)', 'sum_over_batch_size', 'SW'): 0.51953125,
 ('Huber(delta=0.75)', 'sum_over_batch_size', None): 0.328125,
 ('KLDivergence()', 'mean_with_sample_weight', None): 6.833327770233154,
 ('KLDivergence()', 'mean_with_sample_weight', 'SW'): 3.68656325340271,
 ('KLDivergence()', 'none', 'SW'): [2.584587574005127, 5.096883773803711, 5.221499919891357, 0.0],
 ('KLDivergence()', 'none', None): [2.584587574005127,
                                    10.193767547607422,
                                    2.6107499599456787,
                                    11.944206237792969],
 ('KLDivergence()', 'sum', None): 27.333311080932617,
 ('KLDivergence()', 'sum', 'SW'): 12.902971267700195,
 ('KLDivergence()', 'sum_over_batch_size', None): 6.833327770233154,
 ('KLDivergence()', 'sum_over_batch_size', 'SW'): 3.225742816925049,
 ("KLDivergence(name='k')", 'mean_with_sample_weight', None): 0.8149215579032898,
 ("KLDivergence(name='k')", 'mean_with_sample_weight', 'SW'): 0.3632592260837555,
 ("KLDivergence(name='k')", 'none', None): [0.22314077615737915,
                                            1.2039697170257568,
                                            0.22314082086086273,
                                            1.609434962272644],
 ("KLDivergence(name='k')", 'none', 'SW'): [0.22314077615737915,
                                            0.6019848585128784,
                                            0.44628164172172546,
                                            0.0],
 ("KLDivergence(name='k')", 'sum', None): 3.259686231613159,
 ("KLDivergence(name='k')", 'sum', 'SW'): 1.2714072465896606,
 ("KLDivergence(name='k')", 'sum_over_batch_size', None): 0.8149215579032898,
 ("KLDivergence(name='k')", 'sum_over_batch_size', 'SW'): 0.31785181164741516,
 ('LogCosh()', 'mean_with_sample_weight', None): 0.34870827198028564,
 ('LogCosh()', 'mean_with_sample_weight', 'SW'): 0.64876788854599,
 ('LogCosh()', 'none', None): [0.27694764733314514,
                               0.12011447548866272,
                               0.9668412804603577,
                               0.030929744243621826],
 ('LogCosh()', 'none', 'SW'): [0.27694764733314514, 0.06005723774433136, 1.9336825609207153, 0.0],
 ('LogCosh()', 'sum', None): 1.3948330879211426,
 ('LogCosh()', 'sum', 'SW'): 2.2706875801086426,
 ('LogCosh()', 'sum_over_batch_size', None): 0.34870827198028564,
 ('LogCosh()', 'sum_over_batch_size', 'SW'): 0.5676718950271606,
 ('MeanAbsoluteError()', 'mean_with_sample_weight', None): 0.75,
 ('MeanAbsoluteError()', 'mean_with_sample_weight', 'SW'): 1.1428571939468384,
 ('MeanAbsoluteError()', 'none', None): [0.75, 0.5, 1.5, 0.25],
 ('MeanAbsoluteError()', 'none', 'SW'): [0.75, 0.25, 3.0, 0.0],
 ('MeanAbsoluteError()', 'sum', 'SW'): 4.0,
 ('MeanAbsoluteError()', 'sum', None): 3.0,
 ('MeanAbsoluteError()', 'sum_over_batch_size', None): 0.75,
 ('MeanAbsoluteError()', 'sum_over_batch_size', 'SW'): 1.0,
 ('MeanAbsolutePercentageError()', 'mean_with_sample_weight', 'SW'): 714285696.0,
 ('MeanAbsolutePercentageError()', 'mean_with_sample_weight', None): 312500032.0,
 ('MeanAbsolutePercentageError()', 'none', None): [50.0, 58.33333206176758, 1250000000.0, 62.5],
 ('MeanAbsolutePercentageError()', 'none', 'SW'): [50.0, 29.16666603088379, 2500000000.0, 0.0],
 ('MeanAbsolutePercentageError()', 'sum', None): 1250000128.0,
 ('MeanAbsolutePercentageError()', 'sum', 'SW'): 2500000000.0,
 ('MeanAbsolutePercentageError()', 'sum_over_batch_size', None): 312500032.0,
 ('MeanAbsolutePercentageError()', 'sum_over_batch_size', 'SW'): 625000000.0,
 ('MeanSquaredError()', 'mean_with_sample_weight', None): 1.046875,
 ('MeanSquaredError()', 'mean_with_sample_weight', 'SW'): 2.0714285373687744,
 ('MeanSquaredError()', 'none', None): [0.625, 0.25, 3.25, 0.0625],
 ('MeanSquaredError()', 'none', 'SW'): [0.625, 0.125, 6.5, 0.0],
 ('MeanSquaredError()', 'sum', None): 4.1875,
 ('MeanSquaredError()', 'sum', 'SW'): 7.25,
 ('MeanSquaredError()', 'sum_over_batch_size', 'SW'): 1.8125,
 ('MeanSquaredError()', 'sum_over_batch_size', None): 1.046875,
 ('MeanSquaredLogarithmicError()', 'mean_with_sample_weight', None): 0.03790438175201416,
 ('MeanSquaredLogarithmicError()', 'mean_with_sample_weight', 'SW'): 0.03563309833407402,
 ('MeanSquaredLogarithmicError()', 'none', None): [0.017936062067747116,
                                                   0.061148740351200104,
                                                   0.038102708756923676,
                                                   0.034430019557476044],
 ('MeanSquaredLogarithmicError()', 'none', 'SW'): [0.017936062067747116,
                                                   0.030574370175600052,
                                                   0.07620541751384735,
                                                   0.0],
 ('MeanSquaredLogarithmicError()', 'sum', None): 0.15161752700805664,
 ('MeanSquaredLogarithmicError()', 'sum', 'SW'): 0.12471584975719452,
 ('MeanSquaredLogarithmicError()', 'sum_over_batch_size', None): 0.03790438175201416,
 ('MeanSquaredLogarithmicError()', 'sum_over_batch_size', 'SW'): 0.03117896243929863,
 ('Poisson()', 'mean_with_sample_weight', 'SW'): 0.827194333076477,
 ('Poisson()', 'mean_with_sample_weight', None): 0.6466138362884521,
 ('Poisson()', 'none', None): [0.6026802062988281, 0.25, 1.0837500095367432, 0.6500251293182373],
 ('Poisson()', 'none', 'SW'): [0.6026802062988281, 0.125, 2.1675000190734863, 0.0],
 ('Poisson()', 'sum', None): 2.5864553451538086,
 ('Poisson()', 'sum', 'SW'): 2.8951802253723145,
 ('Poisson()', 'sum_over_batch_size', None): 0.6466138362884521,
 ('Poisson()', 'sum_over_batch_size', 'SW'): 0.7237950563430786,
 ('SparseCategoricalCrossentropy()', 'mean_with_sample_weight', 'SW'): 0.36326202750205994,
 ('SparseCategoricalCrossentropy()', 'mean_with_sample_weight', None): 0.8149244785308838,
 ('SparseCategoricalCrossentropy()', 'none', None): [0.2231435477733612,
                                                     1.2039728164672852,
                                                     0.2231435477733612,
                                                     1.6094378232955933],
 ('SparseCategoricalCrossentropy()', 'none', 'SW'): [0.2231435477733612,
                                                     0.6019864082336426,
                                                     0.4462870955467224,
                                                     0.0],
 ('SparseCategoricalCrossentropy()', 'sum', 'SW'): 1.2714171409606934,
 ('SparseCategoricalCrossentropy()', 'sum', None): 3.259697914123535,
 ('SparseCategoricalCrossentropy()', 'sum_over_batch_size', None): 0.8149244785308838,
 ('SparseCategoricalCrossentropy()', 'sum_over_batch_size', 'SW'): 0.31785428524017334,
 ('SparseCategoricalCrossentropy(from_logits=True)', 'mean_with_sample_weight', 'SW'): 0.21748244762420654,
 ('SparseCategoricalCrossentropy(from_logits=True)', 'mean_with_sample_weight', None): 1.088361382484436,
 ('SparseCategoricalCrossentropy(from_logits=True)', 'none', None): [0.14293169975280762,
                                                                     0.8800989389419556,
                                                                     0.08910369127988815,
                                                                     3.2413113117218018],
 ('SparseCategoricalCrossentropy(from_logits=True)', 'none', 'SW'): [0.14293169975280762,
                                                                     0.4400494694709778,
                                                                     0.1782073825597763,
                                                                     0.0],
 ('SparseCategoricalCrossentropy(from_logits=True)', 'sum', None): 4.353445529937744,
 ('SparseCategoricalCrossentropy(from_logits=True)', 'sum', 'SW'): 0.7611885666847229,
 ('SparseCategoricalCrossentropy(from_logits=True)', 'sum_over_batch_size', None): 1.088361382484436,
 ('SparseCategoricalCrossentropy(from_logits=True)', 'sum_over_batch_size', 'SW'): 0.19029714167118073,
 ('SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)', 'mean_with_sample_weight', None): 1.4214472770690918,
 ('SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)', 'mean_with_sample_weight', 'SW'): 0.38865411281585693,
 ('SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)', 'none', 'SW'): [0.14293169975280762,
                                                                                     0.4400494694709778,
                                                                                     0.0,
                                                                                     0.0],
 ('SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)', 'none', None): [0.14293169975280762,
                                                                                     0.8800989389419556,
                                                                                     0.0,
                                                                                     3.2413113117218018],
 ('SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)', 'sum', None): 4.264341831207275,
 ('SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)', 'sum', 'SW'): 0.5829811692237854,
 ('SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)', 'sum_over_batch_size', None): 1.4214473962783813,
 ('SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)', 'sum_over_batch_size', 'SW'): 0.19432705640792847,
 ('SquaredHinge()', 'mean_with_sample_weight', 'SW'): 1.5178571939468384,
 ('SquaredHinge()', 'mean_with_sample_weight', None): 2.78125,
 ('SquaredHinge()', 'none', None): [0.0, 10.625, 0.0, 0.5],
 ('SquaredHinge()', 'none', 'SW'): [0.0, 5.3125, 0.0, 0.0],
 ('SquaredHinge()', 'sum', None): 11.125,
 ('SquaredHinge()', 'sum', 'SW'): 5.3125,
 ('SquaredHinge()', 'sum_over_batch_size', 'SW'): 1.328125,
 ('SquaredHinge()', 'sum_over_batch_size', None): 2.78125}
GRADIENTS = {'BinaryCrossentropy()': [[-0.1388888955116272, 0.15625],
                          [0.1041666641831398, 0.0694444477558136],
                          [-0.3571428656578064, -0.4166666567325592],
                          [0.0, 0.0]],
 'BinaryCrossentropy(from_logits=True)': [[-0.022803189232945442, 0.03361767902970314],
                                          [0.03125, 0.060667984187603],
                                          [-0.01896454393863678, -0.06723535805940628],
                                          [0.0, 0.0]],
 'BinaryCrossentropy(from_logits=True, label_smoothing=0.1)': [[-0.016553187742829323,
                                                                0.02736767940223217],
                                                               [0.02812500111758709,
                                                                0.05754298344254494],
                                                               [-0.006464540958404541,
                                                                -0.05473535507917404],
                                                               [0.0, 0.0]],
 'BinaryCrossentropy(label_smoothing=0.2)': [[-8.195638656616211e-08, 0.078125],
                                             [0.0781249925494194, 0.0],
                                             [-0.23809529840946198, -0.3125],
                                             [0.0, 0.0]],
 'CategoricalCrossentropy()': [[0.25, -0.0625, 0.25],
                               [-0.2916666567325592, 0.125, 0.125],
                               [0.5, 0.5, -0.125],
                               [0.0, 0.0, 0.0]],
 'CategoricalCrossentropy(from_logits=True)': [[0.029327604919672012,
                                                -0.033296674489974976,
                                                0.00396905979141593],
                                               [-0.07315726578235626,
                                                0.03840604051947594,
                                                0.03475122153759003],
                                               [0.005080981180071831,
                                                0.037543654441833496,
                                                -0.04262465238571167],
                                               [0.0, -0.0, 0.0]],
 'CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)': [[0.020994272083044052,
                                                                     -0.016630008816719055,
                                                                     -0.004364273976534605],
                                                                    [-0.0648239329457283,
                                                                     0.03423937410116196,
                                                                     0.030584555119276047],
                                                                    [-0.011585686355829239,
                                                                     0.020876986905932426,
                                                                     -0.009291321039199829],
                                                                    [0.0, -0.0, 0.0]],
 'CategoricalCrossentropy(label_smoothing=0.3)': [[0.0, 0.0, 0.0],
                                                  [-0.2083333283662796,
                                                   0.0833333432674408,
                                                   0.0937500149011612],
                                                  [-0.5, 0.1666666567325592, 0.0],
                                                  [0.0, 0.0, 0.0]],
 'CategoricalHinge()': [[0.0, 0.0, 0.0], [-0.125, 0.125, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
 'CosineSimilarity()': [[0.038164541125297546, 0.057246796786785126],
                        [-0.005871392320841551, 3.725290298461914e-09],
                        [0.06403287500143051, -0.16008219122886658],
                        [0.0, 0.0]],
 'CosineSimilarity(axis=0)': [[-0.06200454756617546, 0.03444233536720276],
                              [-0.052540697157382965, 0.014845840632915497],
                              [0.07179474830627441, -0.01751808449625969],
                              [0.06918402016162872, -0.00846212636679411]],
 'Hinge()': [[-0.0, 0.125], [0.0625, 0.0625], [-0.0, -0.25], [0.0, -0.0]],
 'Huber()': [[0.0625, 0.125], [-0.03125, 0.03125], [0.25, -0.125], [-0.0, -0.0]],
 'Huber(delta=0.75)': [[0.0625, 0.09375], [-0.03125, 0.03125], [0.1875, -0.125], [-0.0, -0.0]],
 'KLDivergence()': [[0.0, -0.20000000298023224, 0.0],
                    [-0.03750000149011612, 0.0, 0.0],
                    [0.0, 0.0, -0.4000000059604645],
                    [0.0, -0.0, 0.0]],
 "KLDivergence(name='k')": [[-2.4999997094710125e-07, -0.3124999701976776, -2.4999997094710125e-07],
                            [-0.4166666567325592, -4.1666666561468446e-08, -3.1249996368387656e-08],
                            [-9.99999883788405e-07, -3.3333333249174757e-07, -0.625],
                            [-0.0, -0.0, -0.0]],
 'LogCosh()': [[0.057764649391174316, 0.09519926458597183],
               [-0.02888231724500656, 0.028882324695587158],
               [0.24665357172489166, -0.11552926898002625],
               [0.0, 0.0]],
 'MeanAbsoluteError()': [[0.125, 0.125], [-0.0625, 0.0625], [0.25, -0.25], [-0.0, -0.0]],
 'MeanAbsolutePercentageError()': [[12.5, 6.25],
                                   [-12.5, 2.0833332538604736],
                                   [250000000.0, -16.66666603088379],
                                   [-0.0, -0.0]],
 'MeanSquaredError()': [[0.125, 0.25], [-0.0625, 0.0625], [1.25, -0.25], [-0.0, -0.0]],
 'MeanSquaredLogarithmicError()': [[-0.00674912054091692, 0.037983641028404236],
                                   [0.030042152851819992, 0.010830691084265709],
                                   [-0.04779966548085213, -0.06973236054182053],
                                   [0.0, -0.0]],
 'Poisson()': [[-0.013888880610466003, 0.125],
               [0.0625, 0.0625],
               [-0.10714280605316162, -0.16666656732559204],
               [0.0, 0.0]],
 'SparseCategoricalCrossentropy()': [[0.25, -0.0624999962747097, 0.25],
                                     [-0.2916666567325592, 0.125, 0.125],
                                     [0.5, 0.5, -0.1249999925494194],
                                     [0.0, -0.0, 0.0]],
 'SparseCategoricalCrossentropy(from_logits=True)': [[0.029327604919672012,
                                                      -0.033296674489974976,
                                                      0.00396905979141593],
                                                     [-0.07315726578235626,
                                                      0.03840604051947594,
                                                      0.03475122153759003],
                                                     [0.005080981180071831,
                                                      0.037543654441833496,
                                                      -0.04262465238571167],
                                                     [0.0, -0.0, 0.0]],
 'SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)': [[0.03910347446799278,
                                                                      -0.0443955659866333,
                                                                      0.0052920798771083355],
                                                                     [-0.09754302352666855,
                                                                      0.05120805650949478,
                                                                      0.04633496329188347],
                                                                     [0.0, 0.0, 0.0],
                                                                     [0.0, -0.0, 0.0]],
 'SquaredHinge()': [[-0.0, 0.0], [0.125, 0.5625], [-0.0, -0.0], [0.0, -0.0]]}
FUNCTIONS = {'bce_of_sigmoid_output': 16.06346321105957,
 'binary_crossentropy': [0.16425204277038574,
                         0.3080930709838867,
                         0.4337502717971802,
                         0.18336264789104462],
 'categorical_crossentropy': [0.2231435477733612,
                              1.2039728164672852,
                              0.2231435328722,
                              1.6094379425048828],
 'cce_of_softmax_output': 15.04930591583252,
 'cosine_similarity': [-0.8682430982589722,
                       -0.986393928527832,
                       -0.3713906705379486,
                       -0.9701425433158875],
 'huber': [0.3125, 0.125, 1.0625, 0.03125],
 'kl_divergence': [0.22314077615737915, 1.2039697170257568, 0.22314082086086273, 1.609434962272644],
 'mean_absolute_error': [0.75, 0.5, 1.5, 0.25],
 'mean_squared_error': [0.625, 0.25, 3.25, 0.0625],
 'sparse_categorical_crossentropy': [0.2231435477733612,
                                     1.2039728164672852,
                                     0.2231435477733612,
                                     1.6094378232955933]}


def _make(expr, **kwargs):
    loss = eval("L." + expr)
    if kwargs:
        loss = type(loss).from_config({**loss.get_config(), **kwargs})
    return loss


@pytest.mark.parametrize("expr", sorted(CASES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_losses_match_keras(expr, reduction, weighted):
    t, p = CASES[expr]
    expected = EXPECTED[(expr, reduction, "SW" if weighted else None)]
    loss = _make(expr, reduction=reduction)
    args = (globals()[t], globals()[p])
    if isinstance(expected, str):                 # Keras raises (a shape mismatch)
        with pytest.raises(getattr(tg.errors, expected)):
            loss(*args, sample_weight=SW)
        return
    got = loss(*args, sample_weight=SW if weighted else None)
    assert isinstance(got, tg.Tensor) and got.dtype == np.float32
    np.testing.assert_allclose(got.numpy(), expected, rtol=2e-6, atol=2e-7)


@pytest.mark.parametrize("expr", sorted(GRADIENTS))
def test_loss_gradients_match_keras(expr):
    t, p = CASES[expr]
    yp = tg.Variable(globals()[p])
    with tg.GradientTape() as tape:
        v = _make(expr)(globals()[t], yp, sample_weight=None if "axis=0" in expr else SW)
    np.testing.assert_allclose(tape.gradient(v, yp).numpy(), GRADIENTS[expr],
                               rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", sorted(k for k in FUNCTIONS if "_of_" not in k))
def test_loss_functions_match_keras(name):
    t, p = {"mean_squared_error": ("RT", "RP"), "mean_absolute_error": ("RT", "RP"),
            "huber": ("RT", "RP"), "kl_divergence": ("YT", "YP"),
            "cosine_similarity": ("RT", "RP"), "binary_crossentropy": ("BT", "BP"),
            "categorical_crossentropy": ("YT", "YP"),
            "sparse_categorical_crossentropy": ("SPARSE", "YP")}[name]
    got = getattr(L, name)(globals()[t], globals()[p])
    assert got.shape == (4,)
    np.testing.assert_allclose(got.numpy(), FUNCTIONS[name], rtol=2e-6, atol=2e-7)


def test_cross_entropy_of_a_softmax_or_sigmoid_output_uses_its_logits():
    # Keras remembers the logits of activations.softmax / sigmoid outputs
    a = tg.keras.activations
    o = a.softmax(tg.constant([[1., 2., 30.], [0., 0., 0.]]))
    got = L.CategoricalCrossentropy()(np.array([[1., 0, 0], [0, 1., 0]]), o)
    np.testing.assert_allclose(got.numpy(), FUNCTIONS["cce_of_softmax_output"], rtol=1e-6)
    o = a.sigmoid(tg.constant([[-30., 2.]]))
    got = L.BinaryCrossentropy()(np.array([[1., 0]]), o)
    np.testing.assert_allclose(got.numpy(), FUNCTIONS["bce_of_sigmoid_output"], rtol=1e-6)
    # a copy of the values has no logits: clipped probabilities, as Keras
    plain = tg.constant(np.asarray(a.softmax(tg.constant([[1., 2., 30.]]))))
    assert abs(float(L.CategoricalCrossentropy()(np.array([[1., 0, 0]]), plain)) - 16.118095) < 1e-4


def test_loss_gradient_through_a_model_matches_finite_differences():
    x = np.array([[0.5, -1.0], [1.5, 0.25], [0.0, 2.0]])
    labels = np.array([1, 0, 2])

    def f(w):
        logits = tg.matmul(tg.constant(x), w)
        return L.SparseCategoricalCrossentropy(from_logits=True, dtype="float64")(labels, logits)

    w0 = np.array([[0.1, -0.2, 0.3], [0.4, 0.0, -0.5]])
    theoretical, numerical = tg.test.compute_gradient(f, [w0])
    np.testing.assert_allclose(theoretical[0], numerical[0], rtol=1e-6, atol=1e-8)


def test_names_configs_and_get():
    assert L.MeanSquaredError().name == "mean_squared_error"
    assert L.Huber().name == "huber_loss"
    assert L.SparseCategoricalCrossentropy().get_config() == {
        "name": "sparse_categorical_crossentropy", "reduction": "sum_over_batch_size",
        "from_logits": False, "ignore_class": None, "axis": -1}
    c = L.CategoricalCrossentropy(True, 0.1, reduction="sum")
    assert (c.from_logits, c.label_smoothing, c.reduction) == (True, 0.1, "sum")
    assert L.MeanSquaredError("sum").reduction == "sum"
    assert L.get("mse") is L.mean_squared_error and L.get("MSE") is L.mean_squared_error
    assert L.get("sparse_categorical_crossentropy") is L.sparse_categorical_crossentropy
    assert isinstance(L.get("Huber"), L.Huber)
    h = L.Huber(delta=2.0)
    assert L.get(h) is h
    again = L.deserialize(L.serialize(h))
    assert isinstance(again, L.Huber) and again.delta == 2.0
    with pytest.raises(ValueError, match="Could not interpret loss identifier: huber_loss"):
        L.get("huber_loss")
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`. Expected "
                                         "one of .* Received: reduction=avg"):
        L.MeanSquaredError(reduction="avg")


def test_bad_shapes_name_the_arguments():
    with pytest.raises(ValueError, match="Arguments `target` and `output` must have the "
                                         "same shape"):
        L.categorical_crossentropy(np.zeros((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="must have the same shape up until the last "
                                         "dimension"):
        L.sparse_categorical_crossentropy(np.zeros(3, "int32"), np.ones((2, 4)))
    with pytest.warns(SyntaxWarning, match="Consider using 'binary_crossentropy'"):
        L.categorical_crossentropy(np.ones((2, 1)), np.ones((2, 1)))


def test_float64_inputs_are_computed_in_the_loss_dtype():
    got = L.MeanSquaredError()(RT.astype(np.float64), RP.astype(np.float64))
    assert got.dtype == np.float32
    got = L.MeanSquaredError(dtype="float64")(RT.astype(np.float64), RP.astype(np.float64))
    assert got.dtype == np.float64
    np.testing.assert_allclose(got.numpy(), np.mean((RT - RP.astype(np.float64)) ** 2))


def test_short_names():
    assert L.mse is L.MSE is L.mean_squared_error and L.kld is L.kl_divergence
    assert L.logcosh is L.log_cosh and L.mae is L.mean_absolute_error
