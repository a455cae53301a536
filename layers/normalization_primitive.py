"""BatchNormalization's primitive path: when the closed-form kernels fit, and running them.

The primitive path calls ``minigrad.nn.batch_norm_train`` / ``batch_norm_infer`` (one op with
a closed-form backward) instead of the composite graph of primitive ops. It runs for the
fused layer (``layer.fused``: rank 4 or 5 on a channel axis the fused kernel takes) and for a
plain non-fused float16/float32 one (``primitive_path_fits``), which keeps Keras's non-fused
rule for the moving variance. In inference it keeps the per-channel scale and shift until a weight changes.
"""

from __future__ import annotations

import warnings

import minigrad as mg
from minigrad.errors import InvalidArgumentError

_FUSED_AXES = (-4, -3, -1, 1, 3, 4)  # the only axes the fused kernel may take (rank 4 or 5)
_FUSED_DATA_FORMATS = {(4, 1): "NCHW", (4, 3): "NHWC", (5, 1): "NCDHW", (5, 4): "NDHWC"}


def raise_if_fused_cannot_be_used(layer) -> None:
    """Raise ValueError if the fused kernel cannot run this configuration (the rank, 4 or 5,
    is checked at build)."""
    if layer.renorm:
        raise InvalidArgumentError(
            "Passing both `fused=True` and `renorm=True` is not supported: the "
            "fused kernel has no renorm correction. Pass fused=False or None.")
    axis = [layer.axis] if isinstance(layer.axis, int) else layer.axis
    if len(axis) > 1 or axis[0] not in _FUSED_AXES:
        raise InvalidArgumentError(
            "Passing `fused=True` is only supported when axis is 1 or 3 for input rank = 4 "
            f"or 1 or 4 for input rank = 5. Got axis {axis}. Pass fused=False or None for "
            "other axes."
        )
    if layer.virtual_batch_size is not None:
        raise InvalidArgumentError(
            "Passing `fused=True` is not supported when `virtual_batch_size` is "
            "specified. Pass fused=False or None.")
    if layer.adjustment is not None:
        raise InvalidArgumentError(
            "Passing `fused=True` is not supported when `adjustment` is "
            "specified. Pass fused=False or None.")
    if layer.compute_dtype not in ("float16", "bfloat16", "float32"):
        raise InvalidArgumentError(
            "Passing `fused=True` is only supported when the compute dtype is float16, "
            f"bfloat16, or float32. Got dtype: {layer.compute_dtype}. Pass fused=False or "
            "None (the composite path computes in any float dtype)."
        )


def fused_can_be_used(layer) -> bool:
    """Whether ``raise_if_fused_cannot_be_used`` passes."""
    try:
        raise_if_fused_cannot_be_used(layer)
        return True
    except ValueError:
        return False


def fused_kernel_fits(layer, input_shape: tuple) -> bool:
    """One normalized axis that the fused kernel takes at this rank (4 or 5)."""
    return len(layer.axis) == 1 and (len(input_shape), layer.axis[0]) in _FUSED_DATA_FORMATS


def primitive_path_fits(layer, rank: int) -> bool:
    """Whether a layer that is not fused still runs the closed-form primitive (with the
    non-fused rule for the moving variance): not ``fused=False`` given explicitly (that is
    the composite graph, kept for reading), one axis, rank >= 2, none of renorm, ghost
    batches, adjustment or synchronized, and a float16 or float32 compute dtype. (A mask in
    training also needs the composite path; ``call`` checks that.)

    float64 stays on the composite graph, as in Keras (no float64 fused kernel): it is the
    precise reference. On data far from zero (mean 1e4, std 5e-3, epsilon 1e-6) its outputs
    are within 1e-13 of the exact ones, the kernels' within about 2e-10 (their CPU and GPU
    versions differ by 3e-10 there); on ordinary data the paths agree to 1e-10.
    """
    return (layer._fused_argument is not False and not layer.fused and rank >= 2
            and len(layer.axis) == 1 and not layer.renorm and layer.virtual_batch_size is None
            and layer.adjustment is None and not layer.synchronized
            and layer.compute_dtype in ("float16", "float32"))


def primitive_batch_norm(layer, inputs, training: bool, mask=None):
    """Normalize with ``minigrad.nn.batch_norm_train`` / ``batch_norm_infer``.

    In training the moving variance moves towards the batch's biased ``sigma2`` when the
    layer is not fused (Keras's non-fused rule), and towards the unbiased
    ``s2 = sigma2 * n / (n - 1)`` (``sigma2`` when n = 1, where it is 0) when it is, as
    TensorFlow's fused kernel does; see ``fused`` in the layer's docstring.
    """
    if mask is not None and layer.fused:
        warnings.warn("Masking is not supported with `fused=True`. You should either turn off "
                      "fusing (`fused=False`) or you should not pass a `mask` argument when "
                      "calling the layer. For the moment `mask` will be ignored for the "
                      "normalization.", stacklevel=4)
    gamma, beta = _gamma_and_beta(layer)
    axis = layer.axis[0]
    if not training:
        coefficients = _inference_coefficients(layer, inputs, gamma, beta)
        return mg.nn.batch_norm_infer(inputs, gamma, beta, layer.moving_mean,
                                      layer.moving_variance, axis=axis, epsilon=layer.epsilon,
                                      coefficients=coefficients)
    outputs, mean, variance = mg.nn.batch_norm_train(inputs, gamma, beta, axis=axis,
                                                     epsilon=layer.epsilon)
    n = inputs.size // inputs.shape[axis]  # values per channel
    if layer.fused and n > 1:
        variance = variance * (n / (n - 1))  # Bessel's correction, as the fused kernel
    layer._move(layer.moving_mean, mean)
    layer._move(layer.moving_variance, variance)
    return outputs


def _gamma_and_beta(layer):
    """gamma and beta, or the constants 1 and 0 where scale / center is False."""
    gamma = layer.gamma if layer.gamma is not None else mg.ones_like(layer.moving_mean)
    beta = layer.beta if layer.beta is not None else mg.zeros_like(layer.moving_mean)
    return gamma, beta


def _inference_coefficients(layer, inputs, gamma, beta):
    """Inference's per-channel scale and shift (``mg.nn.batch_norm_infer_coefficients``),
    kept in ``layer._inference_cache`` until gamma, beta or a moving statistic changes.

    A Variable gets a new read (``value()``) at every assignment (``assign``, an optimizer
    step, ``set_weights``, ``move_to``), so the reads are the version: the cache holds them
    and compares identities (holding them keeps their ids from being reused). A plain
    Tensor in a weight's place is immutable: it is its own version.
    """
    reads = tuple(v.value() if isinstance(v, mg.Variable) else v  # a Tensor never changes
                  for v in (layer.gamma, layer.beta, layer.moving_mean, layer.moving_variance))
    key = (inputs.dtype, inputs.device, layer.epsilon)
    cached = layer.__dict__.get("_inference_cache")
    if cached is not None and cached[0] == key and all(a is b for a, b in zip(cached[1], reads)):
        return cached[2]
    coefficients = mg.nn.batch_norm_infer_coefficients(
        gamma, beta, layer.moving_mean, layer.moving_variance, epsilon=layer.epsilon,
        dtype=inputs.dtype)
    layer._inference_cache = (key, reads, coefficients)
    return coefficients
