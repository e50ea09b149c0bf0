"""`tg.device(name)`: TensorFlow's device scope. tapegrad computes on the CPU, so any
well-formed device name is accepted (TF places on the CPU what has no other device,
soft placement) and tensors report TF's CPU device string."""
import contextlib as _contextlib
import re as _re

_PART = _re.compile(r"(job:[\w-]+|replica:\d+|task:\d+|(device:)?[a-zA-Z_]+(:\d+|:\*)?)$")


def _check(device_name):
    if device_name is None or callable(device_name):
        return
    if not isinstance(device_name, str):
        raise ValueError(f"Expecting a string device name. Got {type(device_name)}"
                         f"({device_name!r})")
    for part in device_name.split("/"):
        if not part:
            continue
        if not _PART.match(part) or (":" not in part and part.lower() not in (
                "cpu", "gpu", "tpu")):
            raise ValueError(f"Unknown attribute '{part}' is encountered while parsing the "
                             f"device spec: '{device_name}'.")


@_contextlib.contextmanager
def device(device_name):
    """A context in which ops run on device_name; in tapegrad, on the CPU."""
    _check(device_name)
    yield None
