"""tg.keras.layers: Keras 3's layers over tapegrad (channels-last, as Keras's default)."""
from .layers_base import Layer, InputLayer, Input, KerasTensor, Variable  # noqa: F401
from .layers_core import (  # noqa: F401
    Dense, Activation, ReLU, LeakyReLU, Softmax, Dropout, Flatten, Reshape, Permute, Rescaling,
    Embedding, GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D,
    GlobalMaxPooling2D, GlobalAvgPool1D, GlobalAvgPool2D, GlobalMaxPool1D, GlobalMaxPool2D,
    ZeroPadding2D, UpSampling2D, Add, Subtract, Multiply, Average, Maximum, Minimum,
    Concatenate, add, multiply, concatenate, Lambda,
)
from .layers_norm import BatchNormalization, LayerNormalization  # noqa: F401
from .layers_rnn import (  # noqa: F401
    RNN, SimpleRNN, LSTM, GRU, SimpleRNNCell, LSTMCell, GRUCell,
)
from .layers_conv import (  # noqa: F401
    Conv1D, Conv2D, Conv2DTranspose, MaxPooling1D, MaxPooling2D, AveragePooling1D,
    AveragePooling2D, MaxPool1D, MaxPool2D, AvgPool1D, AvgPool2D, Convolution1D,
    Convolution2D, Convolution2DTranspose,
)
