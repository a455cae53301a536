"""Keras V1 (TF1-era) classes, as ``tf.compat.v1.keras.layers``: ``layers.v1.BatchNormalization``.

Use them to reproduce old code: their training-time state changes are deferred (pending
updates the caller runs) and ``trainable=False`` only freezes weights. New code should use
``layers.BatchNormalization``.
"""

from layers.normalization_v1 import BatchNormalization  # noqa: F401

__all__ = ["BatchNormalization"]
