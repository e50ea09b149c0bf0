"""tg.math.special: special functions (TensorFlow's tf.math.special)."""
from ._tape import table_names as _names

globals().update(_names("math.special"))   # the op table's (rules_special.pxi: ns="math.special")
del _names
