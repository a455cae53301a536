"""The TF1 functional form ``batch_normalization(inputs, ...)`` and the UPDATE_OPS collection.

TensorFlow 1 code called ``tf.layers.batch_normalization(x, training=is_training)`` and then
had to run the moving-average updates itself, which the layer put in the ``UPDATE_OPS``
collection::

    y = layers.batch_normalization(x, training=True, name="bn1")
    ...                                                # loss, gradients, optimizer step
    for update in layers.get_collection(layers.UPDATE_OPS):
        update()                                       # forget this and the moving stats stay 0/1

(the most common TF1 batch-norm bug: tensorflow/tensorflow #11965, #16455). Calling
``batch_normalization`` again with the same ``name`` and ``reuse=True`` reuses that layer's
weights. ``layers.backend.clear_session()`` empties the collections and forgets the names.
"""

from __future__ import annotations

import numpy as np

from layers import backend
from layers.normalization_v1 import BatchNormalization as _V1BatchNormalization
from minigrad.errors import ArgumentTypeError, InvalidArgumentError

#: The collection of pending update objects added by ``batch_normalization`` (TF1's key).
UPDATE_OPS = "update_ops"
#: ``reuse=AUTO_REUSE``: reuse the layer of that name if it exists, else create it.
AUTO_REUSE = "auto_reuse"
#: The collection of the layers batch_normalization made (found by name for reuse; read
#: their moving statistics with get_collection(FUNCTIONAL_LAYERS)).
FUNCTIONAL_LAYERS = "functional_layers"


def get_collection(key: str) -> list:
    """The items in collection ``key`` (a copy), as ``tf.compat.v1.get_collection``.

    ``get_collection(UPDATE_OPS)`` gives the pending updates: call each one to run it.
    Collections are per thread, as TF1's are per graph and its default graph is per thread.
    """
    return backend.get_collection(key)


class LegacyBatchNormalization(_V1BatchNormalization):
    """``tf.compat.v1.layers.BatchNormalization``: the V1 layer with TF1's dtype rule.

    Made without ``dtype``, the layer takes the dtype of its first (floating) input, as
    TF1's layers do: a float64 input gives float64 weights and float64 arithmetic (a Keras
    layer would compute in float32). float16 inputs still get float32 parameters.
    (``batch_normalization`` always passes ``training``, False unless told.)
    """

    def __init__(self, *args, dtype=None, **kwargs):
        super().__init__(*args, dtype=dtype, **kwargs)
        self._infer_dtype = dtype is None

    def __call__(self, inputs, *args, **kwargs):
        if self._infer_dtype and not self.built:
            dtype = getattr(inputs, "dtype", None)
            if dtype is not None and np.dtype(dtype).kind == "f":
                self._set_dtype(np.dtype(dtype).name)
        self._infer_dtype = False
        return super().__call__(inputs, *args, **kwargs)


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                        beta_initializer="zeros", gamma_initializer="ones",
                        moving_mean_initializer="zeros", moving_variance_initializer="ones",
                        beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                        gamma_constraint=None, training=False, trainable=True, name=None,
                        reuse=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99,
                        fused=None, virtual_batch_size=None, adjustment=None):
    """Batch normalization, TF1 functional form (``tf.compat.v1.layers.batch_normalization``).

    Normalizes ``inputs`` as ``layers.v1.BatchNormalization`` does (see
    ``layers.normalization.BatchNormalizationBase`` for the formulas and arguments):
    ``y = gamma (x - mu) / sqrt(sigma2 + epsilon) + beta`` with the batch's statistics when
    ``training`` is True, with the moving ones when it is False (the default, as in TF1).

    In training, the moving-average updates are **not** run: they are added to the
    ``UPDATE_OPS`` collection (``get_collection(UPDATE_OPS)``) as update objects that the
    caller runs (``update()``) after the optimizer step. A frozen layer (``trainable=False``)
    adds none, as in TF1, though it still normalizes with the batch statistics.

    Args:
        inputs: the input Tensor.
        axis ... adjustment: as for ``layers.v1.BatchNormalization``.
        training: whether to use the batch statistics (True) or the moving ones (False).
        trainable: False freezes the weights (and adds no updates).
        name: the layer's name (TF1: its variable scope); by default a unique
            ``batch_normalization``, ``batch_normalization_1``, ...
        reuse: True reuses the layer made earlier under ``name`` (its weights; the other
            arguments are then ignored); ``AUTO_REUSE`` reuses it if it exists, else makes
            it; None or False makes a new one.

    Returns:
        The normalized Tensor, of the input's shape.

    Raises:
        InvalidArgumentError: (a ValueError) for ``reuse=True`` with no layer of that name (or
            no name), or for a new layer under a name that is already taken (pass
            ``reuse=True``), as TF1 does; for a ``reuse`` other than None, True, False or
            ``AUTO_REUSE``; and for the layer arguments, as ``layers.v1.BatchNormalization``.
        ArgumentTypeError: (a TypeError) for a ``training`` or ``trainable`` that is not a
            bool (``Layer.__call__`` checks ``training``), a ``name`` that is not a string,
            and the layer arguments' types.
    """
    if not (reuse is None or isinstance(reuse, bool) or reuse == AUTO_REUSE):
        raise InvalidArgumentError(
            f"batch_normalization: `reuse` must be None, True, False or layers.AUTO_REUSE, got "
            f"{reuse!r}. Pass reuse=True to share an existing layer's weights.")
    if name is not None and not isinstance(name, str):
        raise ArgumentTypeError(f"batch_normalization: `name` must be a string or None, got "
                                f"{name!r}. Pass e.g. name='bn1'.")
    existing = _find_layer(name) if name is not None else None
    if reuse is True or (reuse == AUTO_REUSE and existing is not None):
        if existing is None:
            raise InvalidArgumentError(
                f"Variable {name or '<unnamed>'}/gamma does not exist: reuse=True needs a layer "
                "made earlier by batch_normalization(..., name=...) under the same name. Pass "
                "that name, or reuse=None to create a new layer."
            )
        layer = existing
    else:
        if existing is not None:
            raise InvalidArgumentError(
                f"Variable {name}/gamma already exists, disallowed. Did you mean to set "
                "reuse=True (or reuse=layers.AUTO_REUSE) to share the layer's weights? "
                "Otherwise choose another name."
            )
        layer = LegacyBatchNormalization(
            axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
            beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
            moving_mean_initializer=moving_mean_initializer,
            moving_variance_initializer=moving_variance_initializer,
            beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
            beta_constraint=beta_constraint, gamma_constraint=gamma_constraint, renorm=renorm,
            renorm_clipping=renorm_clipping, renorm_momentum=renorm_momentum, fused=fused,
            trainable=trainable, virtual_batch_size=virtual_batch_size, adjustment=adjustment,
            name=name or backend.unique_name("batch_normalization"),
        )
        backend.add_to_collection(FUNCTIONAL_LAYERS, layer)
    outputs = layer(inputs, training=training)
    # UPDATE_OPS holds each layer's updates from its latest call only: TF1 built one update op
    # per moving statistic and ran it every step, so running the whole collection after a step
    # must never replay an older batch's update.
    # An inference call (or a frozen layer) makes no updates and leaves the queued ones alone.
    fresh = layer.updates
    if fresh:
        stale = {id(u) for u in layer.__dict__.get("_queued_updates", ())}
        queued = backend.get_collection_ref(UPDATE_OPS)
        queued[:] = [u for u in queued if id(u) not in stale]
        queued.extend(fresh)
        layer._queued_updates = fresh
    return outputs


def _find_layer(name: str):
    for layer in backend.get_collection(FUNCTIONAL_LAYERS):
        if layer.name == name:
            return layer
    return None
