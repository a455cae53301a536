"""The layer library's session state, as ``tf.keras.backend`` has it, kept per thread.

- ``learning_phase()`` / ``set_learning_phase(value)`` / ``learning_phase_scope(value)``:
  once set, the training flag of a call that does not say (unset, the default, such a call
  takes its ``call``'s own default, and ``learning_phase()`` reads 0);
- ``unique_name(base)``: default layer names ``dense``, ``dense_1``, ``dense_2``, ...;
  ``get_uid(prefix)``: 1, 2, 3, ... (inputs are named ``input_1``, ``input_2``, ...);
- ``clear_session()``: forget names, the learning phase and the graph collections;
- the call context: which layer calls are running now, and with which ``training``;
- the name scope: the layers whose calls enclose the creation of a weight, which name it
  (``outer/dense/kernel:0``, as Keras names weights built inside another layer's call).

All of it belongs to the calling thread, and a new thread starts afresh (learning phase
unset, no calls running, names counted from the start, empty collections): a model trained
in one thread never sees another thread's ``training`` or learning phase, and a thread's
layer names do not depend on what other threads created meanwhile (so two threads may both
make a ``dense``: name the layers yourself to combine models made in different threads).
TF1 keeps collections and name counters per graph, and its default graph is per thread
(Keras 2's learning phase and names are process-wide). Only the call
generations (``_generations``) are process-wide, since a layer can be called from any thread.
"""

from __future__ import annotations

import itertools
import numbers
import re
import threading
from contextlib import contextmanager

from minigrad.errors import InvalidArgumentError
from minigrad.validation import check_str


class _Session(threading.local):
    """One thread's layer state; each thread that uses it starts with these defaults."""

    def __init__(self):
        self.name_counts: dict[str, int] = {}
        self.learning_phase: int | None = None  # None: never set, so calls fall back to their default
        self.call_stack: list = []  # CallFrame of each Layer.__call__ running now, outermost first
        self.name_scope: list = []  # layers whose build or call is running, outermost first: weight names
        self.collections: dict[str, list] = {}


_session = _Session()
# numbers the outermost calls (a layer's per-call losses and updates reset per call); one
# counter for all threads, so that no two calls, in any threads, share a number
_generations = itertools.count(1)


def floatx() -> str:
    """The default float dtype of weights and inputs: "float32"."""
    return "float32"


def epsilon() -> float:
    """Keras's fuzz factor, 1e-7 (used by losses and constraints)."""
    return 1e-7


def to_snake_case(name: str) -> str:
    """``BatchNormalization`` -> ``batch_normalization``, ``Conv2D`` -> ``conv2d``."""
    check_str("name", name, where="to_snake_case")
    name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def get_uid(prefix: str = "") -> int:
    """1, 2, 3, ... on successive calls in this thread with the same prefix (until ``clear_session``)."""
    counts = _session.name_counts
    counts[prefix] = counts.get(prefix, 0) + 1
    return counts[prefix]


def unique_name(base: str) -> str:
    """``base`` the first time, then ``base_1``, ``base_2``, ... (as Keras names layers)."""
    check_str("base", base, where="unique_name")
    count = get_uid(base) - 1
    return base if count == 0 else f"{base}_{count}"


def learning_phase() -> int:
    """This thread's learning phase: 1 for training, 0 for inference (0 unless set)."""
    phase = _session.learning_phase
    return 0 if phase is None else phase


def global_learning_phase_is_set() -> bool:
    """Whether this thread set a learning phase (``set_learning_phase``, ``learning_phase_scope``)."""
    return _session.learning_phase is not None


def set_learning_phase(value: int | bool | None) -> None:
    """Set the learning phase of this thread (1/True: training, 0/False: inference, None: unset).

    Keras's learning phase is one global flag; here it is per thread (other threads, and
    threads started later, keep their own, unset at start), so that inference in one thread
    is not switched to training by another.

    Raises:
        InvalidArgumentError: (a ValueError, as Keras raises) for any other value: an int other
            than 0 or 1, a float, a string ("no" would read as True).
    """
    if value is not None and (isinstance(value, float) or not isinstance(value, numbers.Integral)
                              or value not in (0, 1)):
        raise InvalidArgumentError(
            f"set_learning_phase: the learning phase must be 0, 1 (or a bool) or None, got "
            f"{value!r}. Pass 1 (training), 0 (inference) or None (unset).")
    _session.learning_phase = None if value is None else int(value)


@contextmanager
def learning_phase_scope(value: int | bool):
    """Set this thread's learning phase inside the block only."""
    previous = _session.learning_phase
    set_learning_phase(value)
    try:
        yield
    finally:
        set_learning_phase(previous)


def clear_session() -> None:
    """Reset this thread's default names, learning phase and collections (UPDATE_OPS, ...)."""
    _session.name_counts.clear()
    _session.learning_phase = None
    _session.collections.clear()


class CallFrame:
    """One running ``Layer.__call__``: the layer, its ``training`` and the outermost inputs."""

    __slots__ = ("layer", "training", "top_inputs", "generation", "shape_inference")

    def __init__(self, layer, training, top_inputs, generation, shape_inference):
        self.layer = layer
        self.training = training
        self.top_inputs = top_inputs
        self.generation = generation
        self.shape_inference = shape_inference


def current_frame() -> CallFrame | None:
    """The innermost layer call running in this thread, or None outside any call."""
    call_stack = _session.call_stack
    return call_stack[-1] if call_stack else None


@contextmanager
def call_frame(layer, training, inputs, shape_inference: bool = False):
    """Enter a layer call: nested calls see this ``training``; the outermost one starts a new call."""
    call_stack = _session.call_stack
    outer = call_stack[-1] if call_stack else None
    if outer is None:
        frame = CallFrame(layer, training, inputs, next(_generations), shape_inference)
    else:
        frame = CallFrame(layer, training, outer.top_inputs, outer.generation,
                          shape_inference or outer.shape_inference)
    call_stack.append(frame)
    try:
        yield frame
    finally:
        call_stack.pop()


def name_scope_prefix(layer) -> str:
    """The name of ``layer``'s weights without the weight's own name: the enclosing layers'
    names and ``layer``'s own, joined by "/" (``outer/dense``).

    A layer that builds inside its own call is the innermost scope; one built outside it
    (``build`` called directly) still gets its own name, after the enclosing scopes.
    """
    scopes = _session.name_scope
    names = [scope.name for scope in scopes]
    if not scopes or scopes[-1] is not layer:
        names.append(layer.name)
    return "/".join(names)


class name_scope:
    """Enter ``layer``'s name scope: weights made inside are named after it and after the
    layers whose scopes enclose it, as Keras's ``tf.name_scope(layer.name)`` in ``__call__``.

    ``fresh=True`` drops the enclosing scopes first, as Keras does when it builds a layer on
    symbolic inputs (its scratch graph starts with no name scope): a Sequential or functional
    model's layers are named ``dense/kernel:0`` wherever the model is built.
    (A class, not a generator: it runs in every layer call; 0.8 us instead of 2.1.)
    """

    __slots__ = ("layer", "fresh", "saved")

    def __init__(self, layer, fresh: bool = False):
        self.layer, self.fresh = layer, fresh

    def __enter__(self):
        session = _session
        self.saved = session.name_scope
        enclosing = [] if self.fresh else session.name_scope
        session.name_scope = enclosing + ([self.layer] if self.layer is not None else [])

    def __exit__(self, *exc_info):
        _session.name_scope = self.saved


def get_collection(key: str) -> list:
    """The items this thread added to collection ``key`` (a copy), as ``tf.compat.v1.get_collection``."""
    return list(_session.collections.get(key, ()))


def get_collection_ref(key: str) -> list:
    """The live list behind collection ``key`` (changes to it change the collection)."""
    return _session.collections.setdefault(key, [])


def add_to_collection(key: str, value) -> None:
    """Add ``value`` to this thread's collection ``key``."""
    _session.collections.setdefault(key, []).append(value)
