"""tg.keras: the part of Keras 3 (as TensorFlow 2.21's tf.keras) that training programs
use, written against tapegrad's public API."""
from . import activations
from . import initializers
from . import losses
from . import metrics
from . import optimizers
from . import regularizers
from . import utils
from . import backend
from . import layers
from . import callbacks
from . import models
from .layers import Input, Layer
from .layers_base import Variable
from .models import Model, Sequential
from .progbar import Progbar as _Progbar
utils.Progbar = _Progbar
