"""layers: a Keras-style layer library on minigrad.

    import layers
    model = layers.Sequential([layers.Dense(64, activation="relu"), layers.Dense(3)])
"""

from layers import (  # noqa: F401
    activations,  # noqa: F401
    backend,
    callbacks,
    constraints,
    initializers,
    regularizers,
    saving,
    utils,
    v1,
)
from layers.base import InputSpec, Layer, Update  # noqa: F401
from layers.convolutional import Conv2D, Convolution2D  # noqa: F401
from layers.core import Activation, Dense, Dropout, Flatten, Reshape  # noqa: F401
from layers.functional import (  # noqa: F401
    AUTO_REUSE,
    FUNCTIONAL_LAYERS,
    UPDATE_OPS,
    batch_normalization,
    get_collection,
)
from layers.input_layer import Input, InputLayer  # noqa: F401
from layers.layer_group_normalization import GroupNormalization, LayerNormalization  # noqa: F401
from layers.merging import Add, Concatenate, Multiply  # noqa: F401
from layers.models import Model, Sequential, model_from_config, model_from_json  # noqa: F401
from layers.node import KerasTensor, Node  # noqa: F401
from layers.normalization import BatchNormalization  # noqa: F401
from layers.pooling import (  # noqa: F401
    AveragePooling2D,
    AvgPool2D,
    GlobalAveragePooling2D,
    GlobalAvgPool2D,
    GlobalMaxPool2D,
    GlobalMaxPooling2D,
    MaxPool2D,
    MaxPooling2D,
)
from layers.saving import load_model, register_keras_serializable  # noqa: F401
