"""Exception classes, as TensorFlow's `tf.errors`."""


class OpError(Exception):
    """An op failed: its inputs or attributes were invalid (TensorFlow's OpError)."""

    def __init__(self, message="", node_def=None, op=None, error_code=None):
        super().__init__(message)
        self.message = message
        self.node_def = node_def
        self.op = op
        self.error_code = error_code


class InvalidArgumentError(OpError):
    """An op received an invalid argument: mismatched dtypes, incompatible shapes."""


class NotFoundError(OpError):
    """No kernel for an op on these inputs."""


class UnimplementedError(OpError):
    """The operation is not implemented."""


class InternalError(OpError):
    """An internal invariant broke."""


class OutOfRangeError(OpError):
    """An index or iteration went past the end (a TensorArray read, a finished iterator)."""


class FailedPreconditionError(OpError):
    """The operation's inputs are not in a state it can run on (TensorFlow's Cross of
    vectors that are not 3-vectors, for example)."""
