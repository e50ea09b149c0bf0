"""`tg.config`: run-time settings, as TensorFlow's `tf.config`."""
from ._ns import public_dir as _public_dir
import collections as _collections

from . import _threading as threading  # noqa: F401
from .function import run_functions_eagerly, functions_run_eagerly  # noqa: F401

# tapegrad computes with NumPy on the CPU: one device, named as TensorFlow names it.
PhysicalDevice = _collections.namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = _collections.namedtuple("LogicalDevice", ["name", "device_type"])
_CPU = PhysicalDevice("/physical_device:CPU:0", "CPU")
_LOGICAL_CPU = LogicalDevice("/device:CPU:0", "CPU")


def list_physical_devices(device_type=None):
    """[PhysicalDevice('/physical_device:CPU:0', 'CPU')] (the CPU), or [] for another type."""
    if device_type is None or str(device_type).upper() == "CPU":
        return [_CPU]
    return []


def list_logical_devices(device_type=None):
    """[LogicalDevice('/device:CPU:0', 'CPU')], or [] for another device type."""
    if device_type is None or str(device_type).upper() == "CPU":
        return [_LOGICAL_CPU]
    return []


def get_visible_devices(device_type=None):
    return list_physical_devices(device_type)


def set_visible_devices(devices, device_type=None):
    """Accepts the CPU (tapegrad's one device); hiding it is an error."""
    devices = [devices] if isinstance(devices, PhysicalDevice) else list(devices)
    if any(d != _CPU for d in devices) or (device_type not in (None, "CPU") and devices):
        raise ValueError(f"set_visible_devices: tapegrad has one device, {_CPU}; got {devices}")
    if not devices and device_type in (None, "CPU"):
        raise ValueError("set_visible_devices: tapegrad computes on the CPU; it cannot be hidden")


__dir__ = _public_dir(globals())   # the namespace's public names only (no helper imports)
