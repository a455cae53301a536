"""Named exceptions for the mistakes people make with an autograd engine.

Each class also derives from the built-in exception a Python user would expect
(ValueError, TypeError, RuntimeError, ...), so ``except ValueError`` still works.
Every message says what happened, why, and what to do about it.
"""


class MinigradError(Exception):
    """Base class of every minigrad error."""


class GradientShapeError(MinigradError, ValueError):
    """An op's backward returned a gradient whose shape does not match its input."""


class MissingBackwardError(MinigradError, NotImplementedError):
    """A gradient was asked through an op that has no backward."""


class DeviceMismatchError(MinigradError, ValueError):
    """An op got inputs that live on different devices (cpu and cuda)."""


class DeviceUnavailableError(MinigradError, RuntimeError):
    """A device was asked for that this machine cannot provide (no CuPy or no GPU)."""


class TapeReuseError(MinigradError, RuntimeError):
    """A non-persistent GradientTape was asked for gradients a second time."""


class InPlaceWriteError(MinigradError, TypeError):
    """Code tried to write into a Tensor, a value the tape may have saved for backward."""


class UnsupportedDtypeError(MinigradError, TypeError):
    """A value of a dtype minigrad cannot hold or differentiate."""


class GradcheckError(MinigradError, AssertionError):
    """Analytic gradients disagree with finite differences (raised by gradcheck)."""


class InvalidArgumentError(MinigradError, ValueError):
    """An argument has the right type but a value that is not allowed (out of range, NaN, ...)."""


class ArgumentTypeError(MinigradError, TypeError):
    """An argument has the wrong type: a string where a bool belongs, None where data belongs, ..."""


class WeightsFileError(MinigradError, ValueError):
    """A weights file is not one minigrad wrote, is damaged, or does not fit the model."""


class PyTorchHabitError(MinigradError, AttributeError):
    """A PyTorch name was used (``x.backward()``, ``x.grad``, ``optimizer.step()``, ...).

    The message shows the minigrad way (``minigrad/pytorch_habits.py`` holds them all). It is
    an AttributeError, so ``hasattr(x, "grad")`` stays False and ``getattr(x, "grad", None)``
    None for code that probes an object's attributes.
    """


class ModelFileError(WeightsFileError):
    """A ``.keras`` model file is not one minigrad wrote, is damaged, or is of a newer format."""


class UnknownObjectError(InvalidArgumentError):
    """A config names a class or function that is not built in, registered, or in custom_objects."""


class DatasetDownloadError(MinigradError, OSError):
    """A dataset file could not be downloaded, arrived incomplete, or does not match its hash."""


class DatasetFileError(MinigradError, ValueError):
    """A dataset file is not in the format its loader reads (damaged, or another file by that name)."""


class OptionalDependencyError(MinigradError, ImportError):
    """A feature needs a package from one of minigrad's optional extras, and it is not installed."""


class IndexOutOfRangeError(MinigradError, IndexError):
    """An index (of a tensor, an argument list, ...) lies outside the range it must lie in."""


class TapeUsageError(MinigradError, RuntimeError):
    """A GradientTape was used where it cannot be: entered twice, paused outside its block."""


class DistributedError(MinigradError, RuntimeError):
    """A collective of ``minigrad.distributed`` cannot run as asked (e.g. ``init()`` was not called
    in a process that ``mpiexec`` started among several)."""
