"""BatchNormalization: Keras V2 (tf.keras / tf-keras) batch normalization, every argument.

The layer normalizes each channel with statistics over the other ("reduced") axes:

    training:   y = gamma * (x - mu) / sqrt(sigma2 + epsilon) + beta      (mu, sigma2 of the batch)
    inference:  y = gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta

and, after each training call, moves the moving statistics towards the batch's:

    moving_mean     <- moving_mean     - (moving_mean     - mu)     * (1 - momentum)
    moving_variance <- moving_variance - (moving_variance - sigma2) * (1 - momentum)

``sigma2 = mean((x - mu)**2)`` is the biased variance. The file reads like Keras's own
``batch_normalization.py``: arguments (``__init__``), ``build``, ``call``, config, then the
private pieces (moments, renorm, the fused path, the moving-average updates).

``BatchNormalizationBase`` holds everything; ``BatchNormalization`` is the V2 class
(``trainable=False`` means inference, updates happen at once). The V1 class, with deferred
updates, is ``layers.normalization_v1.BatchNormalization`` (``layers.v1.BatchNormalization``).
"""

from __future__ import annotations

import functools
import math
import numbers
import warnings

import numpy as np

import minigrad as mg
from layers import backend, constraints, initializers, regularizers
from layers.base import InputSpec, Layer, Update, check_input_shape
from minigrad import distributed  # imports mpi4py only in distributed.init()
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.validation import check_bool, check_float, check_int

_RENORM_CLIPPING_KEYS = ["rmax", "rmin", "dmax"]
_FUSED_AXES = (-4, -3, -1, 1, 3, 4)  # the only axes the fused kernel may take (rank 4 or 5)
_FUSED_DATA_FORMATS = {(4, 1): "NCHW", (4, 3): "NHWC", (5, 1): "NCDHW", (5, 4): "NDHWC"}
_HALF_DTYPES = ("float16", "bfloat16")


class BatchNormalizationBase(Layer):
    r"""Layer that normalizes its inputs (shared by the V2 and V1 classes).

    Batch normalization keeps each channel's output near mean 0 and standard deviation 1,
    and it behaves differently in training and in inference.

    **Training** (``training=True``, e.g. in ``fit()``): each channel is normalized with the
    mean ``mu`` and the biased variance ``sigma2`` of the current batch,

        y = gamma * (x - mu) / sqrt(sigma2 + epsilon) + beta,

    computed as ``(x - mu) * k + beta`` with ``k = gamma / sqrt(sigma2 + epsilon)``
    (TensorFlow's ``x * k + (beta - mu * k)`` loses float32 precision when
    ``|mu| >> sigma``), with two-pass statistics. The moving statistics then take one step:
    ``m <- m - (m - mu)(1 - momentum)``, ``v <- v - (v - sigma2)(1 - momentum)``.

    **Inference** (``training=False``, the default outside ``fit()``): the moving statistics
    replace the batch's, ``y = gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta``,
    and nothing changes. Momentum 0.99 weights the *old* value: the moving statistics forget
    their initial 0 / 1 only after about ``1 / (1 - momentum) = 100`` training steps.

    Args:
        axis: an int or a list of ints: the axis or axes normalized (the channel axis: -1 for
            channels-last data, 1 for channels-first). With several axes every combination is
            normalized separately and the parameters have the input's rank with 1 on the
            reduced axes (``axis=[1, 3]`` on ``(N, A, B, C)`` gives shape ``(1, A, 1, C)``).
        momentum: ``rho`` of the moving averages (weight of the old value), e.g. 0.99;
            in [0, 1] (Keras never checks it; outside, the moving statistics diverge).
        epsilon: added to the variance inside the square root (1e-3; PyTorch uses 1e-5);
            must be > 0 (Keras accepts any float, but with epsilon <= 0 a constant channel
            gives ``1 / sqrt(0)``, an infinity or NaN).
        center: add the learned offset ``beta`` (False: ``beta = 0``, no weight made).
        scale: multiply by the learned ``gamma`` (False: ``gamma = 1``, no weight made).
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: initializers (names, config dicts or objects);
            zeros / ones / zeros / ones by default. The moving ones also seed the renorm
            variables.
        beta_regularizer, gamma_regularizer: regularizers of beta / gamma; each adds
            ``reg(weight)`` to ``layer.losses``.
        beta_constraint, gamma_constraint: projections applied by the optimizer after each
            step (``w <- constraint(w)``).
        renorm: use Batch Renormalization (Ioffe, 2017). In training,
            ``s_B = sqrt(sigma2 + epsilon)``, ``r = clip(s_B / max(renorm_stddev, sqrt(eps)),
            rmin, rmax)``, ``d = clip((mu - renorm_mean) / max(renorm_stddev, sqrt(eps)),
            -dmax, dmax)`` (both constants for the gradient, computed from the renorm
            statistics *before* this step) and ``y = ((x - mu) / s_B * r + d) * gamma + beta``.
            Then ``renorm_mean``, ``renorm_stddev`` move towards ``mu``, ``s_B`` with
            ``renorm_momentum``; ``moving_mean`` and ``moving_stddev`` towards ``mu``, ``s_B``
            with ``momentum``; and ``moving_variance = relu(moving_stddev**2 - epsilon)``.
            Inference is the plain formula. Adds the weights ``moving_stddev``,
            ``renorm_mean``, ``renorm_stddev``.
        renorm_clipping: a dict with some of the keys ``rmax``, ``rmin``, ``dmax`` (missing
            ones: +inf, 0, +inf, i.e. no clipping). Checked only when ``renorm=True``: the
            keys (as Keras) and, beyond Keras, the values: ``rmin >= 0``, ``rmax > 0``,
            ``rmin <= rmax``, ``dmax >= 0`` (rmax and dmax may be +inf).
        renorm_momentum: momentum of ``renorm_mean`` / ``renorm_stddev``.
        fused: which implementation runs. ``False``: the composite one, built from primitive
            minigrad ops and differentiated by the tape (the readable reference). ``True``:
            the fused primitive ``minigrad.nn.batch_norm_train`` / ``batch_norm_infer``, with
            a closed-form backward; it needs one channel axis that is 1 or 3 (rank 4) or 1 or 4
            (rank 5), no renorm, virtual_batch_size, adjustment or synchronized, and a float16
            or float32 compute dtype, else ValueError (V2). ``None`` (default): fused when
            possible, decided at build (input rank 4 or 5); otherwise the composite path
            runs. That includes ``axis=-4`` on rank-4 input (axis 0: each sample normalized
            on its own), which Keras V2 sends to the fused kernel and then rejects with
            ValueError ("Unsupported axis"). Like TensorFlow's fused kernel,
            the fused path updates the moving variance with the **unbiased** variance
            ``s2 = sigma2 * n / (n - 1)`` (n values per channel; ``s2 = 0`` when n = 1),
            while it normalizes with ``sigma2``. So on the same batch with ``momentum=0``,
            training uses ``sigma2`` and the following inference uses ``s2``: the two outputs
            differ by the factor ``sqrt((sigma2 + eps) / (s2 + eps))`` on ``x - mu``; the
            composite path, which stores ``sigma2``, gives identical outputs. Apart from that
            the two paths agree (to 1e-10 in float64).
        trainable: V2 (this class): False freezes the layer *and* puts it in inference mode
            (moving statistics are used and never updated, whatever ``training`` says).
            V1: False only freezes the weights (see ``layers.v1.BatchNormalization``).
        virtual_batch_size: Ghost Batch Normalization: split each training batch of size B
            into ``B / virtual_batch_size`` ghost batches normalized separately. As in
            Keras, the batch is reshaped to ``(virtual_batch_size, B / virtual_batch_size,
            ...)``, so ghost batch ``j`` holds the samples ``i`` with
            ``i mod (B / virtual_batch_size) == j`` (strided, not contiguous). The moving
            statistics take one step towards the mean of the ghost means and the mean of the
            ghost (biased) variances. Inference is the plain formula, for any batch size.
            Unlike Keras, the parameter shapes do not change (so ``from_config(get_config())``
            works). Must divide B in training. Two consequences differ from Keras, on
            purpose: a ``MaxNorm`` / ``UnitNorm`` / ``MinMaxNorm`` constraint (``axis=0``)
            acts on the whole ``(C,)`` vector here (one norm over the C channels), while
            Keras's weights have shape ``(1, 1, C)`` and the norm over axis 0 is that of
            each element alone (``MaxNorm(2)`` on gamma ``[3, 4]``: ``[1.2, 1.6]`` here,
            ``[2, 2]`` in Keras); and a ``mask`` works with ghost batches here (it is split
            into the same ghost batches as the data), while Keras fails (TensorFlow's
            InvalidArgumentError: it does not reshape the mask, which no longer fits).
        adjustment: a function ``f(shape) -> (a, b)`` called in training with the input's
            shape; then ``y = ((x - mu) / sqrt(sigma2 + eps) * a + b) * gamma + beta``.
            Inference ignores it. Not serialized.
        synchronized: compute the batch statistics from the data of every rank of
            ``minigrad.distributed`` (data-parallel training under ``mpiexec``): each rank's
            moments ``(n, mu, M2)`` (weighted count, mean, centred sum of squares
            ``sum((x - mu)**2)``) are all-gathered and combined with Chan's formula in rank
            order, so every rank normalizes with the same statistics, stable at any offset,
            and updates its moving statistics identically; the backward all-reduces the
            gradients of those moments (the per-channel sums of ``dy`` and ``dy (x - mu)``).
            Each rank's ``dgamma``/``dbeta`` is its local share, summed by the strategy's
            gradient all-reduce. Every rank must make the same training calls; batch sizes
            may differ. With ``virtual_batch_size=v``, ghost batch j of every rank is one
            synchronized ghost batch of ``v`` rows per rank. In one process (or without
            ``distributed.init()``) the statistics are the plain layer's up to rounding.
            Forces ``fused=False``. Otherwise the statistics are two-pass: ``mu`` first,
            then ``mean((x - mu)**2)``.
        name: the layer's name (default ``batch_normalization``, ``batch_normalization_1``, ...).
        dtype: the layer's dtype or a policy name ("mixed_float16"). With float16 (or the
            mixed policy) the parameters and moving statistics are float32 and the statistics
            are computed in float32; the output has the compute dtype.
        **kwargs: base Layer arguments (``input_shape``, ``batch_input_shape``, ...).

    Call arguments:
        inputs: a Tensor of any rank (float16 inputs are computed in float32).
        training: True (batch statistics, update the moving ones), False (moving
            statistics) or None, resolved as Keras V2 does: the enclosing call's value, else
            this thread's learning phase (0 unless set), so a plain ``layer(x)`` is inference.
        mask: bool Tensor with the input's shape minus the channel axis (or the input's
            full rank): masked (False) positions are left out of the batch statistics; every
            position is still normalized. Ignored in inference and by the fused path (with
            a warning). With ``virtual_batch_size`` each ghost batch takes its own part of
            the mask (Keras fails there; see ``virtual_batch_size``).

    Input shape:
        Any. Output shape: the same.

    Raises:
        ArgumentTypeError: (a TypeError) at construction for an ``axis`` that is neither an
            int nor a list/tuple of ints, a flag (``center``, ``scale``, ``renorm``,
            ``fused``, ``synchronized``, ``trainable``) that is not a bool (``center="no"``
            would read as True), a number of the wrong type, a non-float ``dtype``, or an
            ``adjustment`` that is not callable.
        InvalidArgumentError: (a ValueError) at construction for ``momentum`` or
            ``renorm_momentum`` outside [0, 1], ``epsilon <= 0``, NaN or infinite numbers,
            bad ``renorm_clipping`` values (see above); also at construction for
            ``fused=True`` with something the fused kernel does not support,
            ``fused=True`` with ``synchronized=True``, or unknown
            ``renorm_clipping`` keys (with ``renorm=True``); at build (first call) for an
            axis out of range or repeated, a channel axis of unknown size,
            ``virtual_batch_size <= 0``, ``virtual_batch_size`` with 0 in ``axis`` or with
            ``adjustment``, or ``fused=True`` on input of rank other than 4 or 5; at call for
            a training batch that ``virtual_batch_size`` does not divide, an empty training
            batch (TensorFlow's moments are NaN there and poison the moving averages), or a
            mask whose shape does not fit the input. (TensorFlow raises
            ``InvalidArgumentError`` from its reshape there; minigrad's is a ValueError.)

    Reference:
        Ioffe and Szegedy, 2015 (https://arxiv.org/abs/1502.03167); Ioffe, 2017 (renorm,
        https://arxiv.org/abs/1702.03275); Hoffer et al., 2017 (ghost batches).
    """

    # The V2 class keeps this True; the V1 class sets it to False (see normalization_v1.py).
    _USE_V2_BEHAVIOR = True

    # -- arguments ----------------------------------------------------------------------------
    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99,
                 fused=None, trainable=True, virtual_batch_size=None, adjustment=None, name=None,
                 synchronized=False, **kwargs):
        super().__init__(name=name, **kwargs)
        where = type(self).__name__
        if isinstance(axis, (list, tuple)) and axis and all(_is_int(a) for a in axis):
            self.axis = [int(a) for a in axis]
        elif _is_int(axis):
            self.axis = int(axis)
        else:
            raise ArgumentTypeError(
                "Expected an int or a list/tuple of ints for the argument 'axis', but received: "
                f"{axis!r}. Pass the index of the channel axis, e.g. axis=-1 for channels-last "
                "data or axis=1 for channels-first."
            )
        check_float_dtype(self)
        synchronized = check_bool("synchronized", synchronized, where=where)
        fused = check_bool("fused", fused, allow_none=True, where=where)
        if synchronized and fused:
            raise InvalidArgumentError(
                "`fused=True` is not supported when `synchronized=True`: the fused kernel "
                "cannot share its sums. Pass fused=False or None.")
        self.synchronized = synchronized
        if self.synchronized:
            fused = False
        # momentum weights the old value: outside [0, 1] the moving statistics diverge
        self.momentum = check_float("momentum", momentum, minimum=0.0, maximum=1.0, where=where)
        set_affine_arguments(self, epsilon, center, scale, beta_initializer, gamma_initializer,
                             beta_regularizer, gamma_regularizer, beta_constraint,
                             gamma_constraint)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.renorm = check_bool("renorm", renorm, where=where)
        # the type now; the value (> 0) at build, where Keras checks it
        self.virtual_batch_size = check_int("virtual_batch_size", virtual_batch_size,
                                            allow_none=True, where=where)
        if adjustment is not None and not callable(adjustment):
            raise ArgumentTypeError(f"{where}: `adjustment` must be a function shape -> (scale, "
                                    f"bias) or None, got {adjustment!r}.")
        self.adjustment = adjustment
        self._fused_argument = fused  # what the caller asked for (serialized when not None)
        if self._USE_V2_BEHAVIOR:
            if fused:
                self._raise_if_fused_cannot_be_used()
            # None stays None when fused is possible: build decides, knowing the rank
            elif fused is None and not self._fused_can_be_used():
                fused = False
        elif fused is None:
            fused = True  # V1: "use it if possible", decided at build
        self.fused = fused
        self.supports_masking = True
        self.trainable = trainable
        if self.renorm:
            renorm_clipping = _check_renorm_clipping(renorm_clipping, where)
            renorm_momentum = check_float("renorm_momentum", renorm_momentum, minimum=0.0,
                                          maximum=1.0, where=where)
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum

    def _raise_if_fused_cannot_be_used(self) -> None:
        """Raise ValueError if the fused kernel cannot run this configuration (the rank, 4 or 5,
        is checked in ``build``)."""
        if self.renorm:
            raise InvalidArgumentError(
                "Passing both `fused=True` and `renorm=True` is not supported: the "
                "fused kernel has no renorm correction. Pass fused=False or None.")
        axis = [self.axis] if isinstance(self.axis, int) else self.axis
        if len(axis) > 1 or axis[0] not in _FUSED_AXES:
            raise InvalidArgumentError(
                "Passing `fused=True` is only supported when axis is 1 or 3 for input rank = 4 "
                f"or 1 or 4 for input rank = 5. Got axis {axis}. Pass fused=False or None for "
                "other axes."
            )
        if self.virtual_batch_size is not None:
            raise InvalidArgumentError(
                "Passing `fused=True` is not supported when `virtual_batch_size` is "
                "specified. Pass fused=False or None.")
        if self.adjustment is not None:
            raise InvalidArgumentError(
                "Passing `fused=True` is not supported when `adjustment` is "
                "specified. Pass fused=False or None.")
        if self.compute_dtype not in ("float16", "bfloat16", "float32"):
            raise InvalidArgumentError(
                "Passing `fused=True` is only supported when the compute dtype is float16, "
                f"bfloat16, or float32. Got dtype: {self.compute_dtype}. Pass fused=False or "
                "None (the composite path computes in any float dtype)."
            )

    def _fused_can_be_used(self) -> bool:
        try:
            self._raise_if_fused_cannot_be_used()
            return True
        except ValueError:
            return False

    @property
    def _param_dtype(self) -> str:
        """The parameters' dtype: float32 for a float16 layer (its statistics overflow float16)."""
        return "float32" if self.dtype in _HALF_DTYPES else self.dtype

    # -- build --------------------------------------------------------------------------------
    def build(self, input_shape) -> None:
        """Resolve ``axis`` and ``fused`` for this input rank and create the weights.

        Weights, in this order: ``gamma`` (if scale), ``beta`` (if center), ``moving_mean``,
        ``moving_variance`` and, with renorm, ``moving_stddev``, ``renorm_mean``,
        ``renorm_stddev``; gamma and beta are trainable, the others are not.

        Raises:
            ValueError: for a bad axis, virtual_batch_size or fused (see the class docstring).
        """
        input_shape = check_input_shape(self, input_shape)
        self.axis = _validate_axis(self.axis, input_shape)
        rank = len(input_shape)

        self._check_virtual_batch_size()
        self._resolve_fused(input_shape)

        axis_to_dim = {a: input_shape[a] for a in self.axis}
        if any(dim is None for dim in axis_to_dim.values()):
            raise InvalidArgumentError(
                f"Input has undefined `axis` dimension. Received input with shape {input_shape} "
                f"and axis={tuple(self.axis)}. The normalized axes need a known size."
            )
        self.input_spec = InputSpec(ndim=rank, axes=axis_to_dim)
        if len(axis_to_dim) == 1:
            param_shape = (next(iter(axis_to_dim.values())),)
        else:  # the input's rank, with 1 on the reduced axes
            param_shape = tuple(axis_to_dim.get(i, 1) for i in range(rank))
        self._param_shape = param_shape
        # the shape that broadcasts a parameter against the input
        self._broadcast_shape = tuple(axis_to_dim.get(i, 1) for i in range(rank))

        dtype = self._param_dtype
        add_affine_weights(self, param_shape, dtype, self.scale, self.center)
        self.moving_mean = self.add_weight("moving_mean", param_shape, dtype,
                                           self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", param_shape, dtype,
                                               self.moving_variance_initializer, trainable=False)
        if self.renorm:
            # renorm tracks the inference standard deviation rather than the variance
            def moving_stddev_initializer(shape, dtype=None):
                return mg.sqrt(mg.tensor(self.moving_variance_initializer(shape, dtype=dtype)))

            self.moving_stddev = self.add_weight("moving_stddev", param_shape, dtype,
                                                 moving_stddev_initializer, trainable=False)
            self.renorm_mean = self.add_weight("renorm_mean", param_shape, dtype,
                                               self.moving_mean_initializer, trainable=False)
            self.renorm_stddev = self.add_weight("renorm_stddev", param_shape, dtype,
                                                 moving_stddev_initializer, trainable=False)
        self.built = True

    def _check_virtual_batch_size(self) -> None:
        """At build, knowing ``axis``: a positive ``virtual_batch_size``, with neither the
        batch axis in ``axis`` nor an ``adjustment``.

        Raises:
            InvalidArgumentError: otherwise (Keras's messages).
        """
        vbs = self.virtual_batch_size
        if vbs is None:
            return
        if not _is_int(vbs) or vbs <= 0:
            raise InvalidArgumentError(
                "`virtual_batch_size` must be a positive integer that divides the true batch "
                f"size of the input tensor. Received: virtual_batch_size={vbs!r}"
            )
        if 0 in self.axis:
            raise InvalidArgumentError(
                "When using `virtual_batch_size`, the batch dimension must be 0 and thus axis "
                f"cannot include 0. Received axis={self.axis}. Normalize another axis, or "
                "drop virtual_batch_size."
            )
        if self.adjustment is not None:
            raise InvalidArgumentError(
                "When using `virtual_batch_size`, adjustment cannot be specified: "
                "drop one of the two.")

    def _resolve_fused(self, input_shape: tuple) -> None:
        """At build, knowing the rank: ``fused=None`` (and V1's True) become whether the
        fused kernel fits this input; V2's ``fused=True`` is checked against it.

        Raises:
            InvalidArgumentError: for V2's fused=True on a rank other than 4 or 5, or on a
                rank-4 axis other than 1 or 3.
        """
        if self.fused not in (None, True):
            return
        rank = len(input_shape)
        supported = (rank, self.axis[0]) in _FUSED_DATA_FORMATS and len(self.axis) == 1
        if not self._USE_V2_BEHAVIOR:
            self.fused = supported and self._fused_can_be_used()  # V1 never raises
        elif self.fused is None:
            self.fused = supported
        elif rank not in (4, 5):
            raise InvalidArgumentError(
                "Batch normalization layers with `fused=True` only support 4D or 5D input "
                f"tensors. Received tensor with shape: {input_shape}. Pass fused=False or None."
            )
        elif not supported:
            if rank == 5:
                self.fused = False  # as Keras: a rank-5 input on another axis is not fused
            else:
                raise InvalidArgumentError(
                    "Unsupported axis. The use of `fused=True` is only possible with `axis=1` "
                    f"or `axis=3` for 4D input tensors. Received: axis={tuple(self.axis)}"
                )

    # -- call ---------------------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        """Normalize ``inputs`` (see the class docstring for the formulas).

        Returns:
            A Tensor of the input's shape, in the compute dtype.

        Raises:
            ValueError: in training, for a batch that ``virtual_batch_size`` does not divide,
                or for a mask whose rank fits neither the input nor the input minus the
                channel axes.
        """
        if inputs.dtype != self.compute_dtype:  # e.g. integer inputs, or autocast=False
            inputs = mg.cast(inputs, self.compute_dtype)
        training = self._get_training_value(training)
        if training and 0 in inputs.shape:
            raise InvalidArgumentError(
                f"Layer {self.name}: training=True on an empty batch (input shape "
                f"{tuple(inputs.shape)}): the batch statistics of no examples are undefined and "
                "would turn the moving averages into NaN. Skip empty batches, or call with "
                "training=False.")
        if self.fused:
            return self._fused_batch_norm(inputs, training=training, mask=mask)

        inputs_dtype = inputs.dtype
        x = inputs
        if inputs_dtype.name in _HALF_DTYPES:
            # all the math in float32: a float16 variance overflows easily (max 65504)
            x = mg.cast(x, "float32")
        weights = None if mask is None or not training else self._mask_weights(mask, x)

        ghost = self.virtual_batch_size is not None and training
        original_shape = tuple(x.shape)
        axes, bshape = list(self.axis), self._broadcast_shape
        if ghost:
            # Ghost batches: (B, ...) -> (vbs, B / vbs, ...); ghost j = samples i with
            # i mod (B / vbs) == j. Axis 1 indexes the ghost batches and is not reduced.
            x = self._split_ghost_batches(x)
            if weights is not None:
                weights = mg.reshape(weights, x.shape)
            axes = [a + 1 for a in axes]
            bshape = bshape[:1] + (1,) + bshape[1:]
        reduction_axes = tuple(i for i in range(x.ndim) if i not in axes and not (ghost and i == 1))

        scale = None if self.gamma is None else mg.reshape(self.gamma, bshape)
        offset = None if self.beta is None else mg.reshape(self.beta, bshape)

        if not training:
            variance = mg.reshape(self.moving_variance, bshape)
            centered = x - mg.reshape(self.moving_mean, bshape)
        else:
            if self.adjustment is not None:
                adj_scale, adj_bias = self.adjustment(tuple(x.shape))
                adj_scale = mg.cast(_on_device(adj_scale, x), x.dtype)
                adj_bias = mg.cast(_on_device(adj_bias, x), x.dtype)
                scale, offset = _compose_transforms(adj_scale, adj_bias, scale, offset)

            # kept dims, bshape-like; centered = x - mean
            mean, variance, centered = self._moments(x, reduction_axes, weights)
            if ghost:  # one moving-average step with the mean of the ghost statistics
                ### BEGIN SOLUTION ex11
                new_mean = mg.mean(mean, axis=1, keepdims=True)
                new_variance = mg.mean(variance, axis=1, keepdims=True)
                ### END SOLUTION
            else:
                new_mean, new_variance = mean, variance
            new_mean = mg.reshape(new_mean, self._param_shape)
            new_variance = mg.reshape(new_variance, self._param_shape)

            if self.renorm:
                r, d = self._renorm_correction(new_mean, new_variance, inputs)
                # (x_hat * r + d) * gamma + beta = x_hat * (r * gamma) + (d * gamma + beta)
                r, d = mg.reshape(r, bshape), mg.reshape(d, bshape)
                scale, offset = _compose_transforms(r, d, scale, offset)

            self._update_moving_statistics(new_mean, new_variance, inputs)

        outputs = _batch_normalization(centered, variance, offset, scale, self.epsilon)
        if ghost:
            outputs = mg.reshape(outputs, original_shape)
        if outputs.dtype != inputs_dtype:
            outputs = mg.cast(outputs, inputs_dtype)
        return outputs

    def compute_output_shape(self, input_shape):
        """The input's shape.

        Raises:
            ArgumentTypeError: for something that is not a shape (a tuple of ints / None).
            InvalidArgumentError: for a negative size, or a shape of rank 0.
        """
        return check_input_shape(self, input_shape)

    # -- config -------------------------------------------------------------------------------
    def get_config(self) -> dict:
        """The constructor arguments, as Keras writes them.

        ``renorm``, ``renorm_clipping``, ``renorm_momentum`` appear only with renorm, and
        ``virtual_batch_size`` only when set, as in Keras. ``adjustment`` (a function) is not
        serialized (with a warning). Beyond Keras, ``fused`` is written when it was given
        explicitly and ``synchronized`` when True, so that ``from_config(get_config())`` keeps
        the layer's behaviour (Keras drops both).
        """
        config = {
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
        if self.renorm:
            config["renorm"] = True
            config["renorm_clipping"] = self.renorm_clipping
            config["renorm_momentum"] = self.renorm_momentum
        if self.virtual_batch_size is not None:
            config["virtual_batch_size"] = self.virtual_batch_size
        if self._fused_argument is not None:
            config["fused"] = self._fused_argument
        if self.synchronized:
            config["synchronized"] = True
        if self.adjustment is not None:
            warnings.warn("The `adjustment` function of this `BatchNormalization` layer cannot be "
                          "serialized and has been omitted from the layer config. It will not be "
                          "included when re-creating the layer from the saved config.", stacklevel=2)
        return {**super().get_config(), **config}

    # -- private: training value, moments, renorm -------------------------------------------
    def _get_training_value(self, training) -> bool:
        """``training`` as a bool: None -> this thread's learning phase (0 unless set); in V2 a
        frozen layer (``trainable=False``) always runs in inference mode."""
        if training is None:
            training = backend.learning_phase()
        if isinstance(training, mg.Tensor):
            training = training.item()
        training = bool(training)
        if self._USE_V2_BEHAVIOR and not self.trainable:
            training = False  # the frozen layer overrides the value passed by the model
        return training

    def _split_ghost_batches(self, x):
        """(B, ...) -> (vbs, B / vbs, ...).

        Raises:
            ValueError: if vbs does not divide B (TensorFlow: InvalidArgumentError).
        """
        vbs, batch = self.virtual_batch_size, x.shape[0]
        if batch % vbs:
            raise InvalidArgumentError(
                f"virtual_batch_size={vbs} does not divide the batch size {batch} of the input "
                f"{tuple(x.shape)}: ghost batch normalization splits each training batch into "
                f"groups of {vbs}. Use a batch size that is a multiple of {vbs} (e.g. drop the "
                "last incomplete batch), or another virtual_batch_size."
            )
        ### BEGIN SOLUTION ex11
        return mg.reshape(x, (vbs, batch // vbs) + tuple(x.shape[1:]))
        ### END SOLUTION

    def _mask_weights(self, mask, x):
        """The mask as 0/1 weights of ``x``'s full shape (the channel axes broadcast).

        A mask of the input's rank minus the number of normalized axes gets size-1 axes
        inserted at the normalized axes (for axis=-1: ``mask[..., None]``, as Keras does).
        """
        mask = _on_device(mask, x)
        rank = x.ndim
        given = tuple(mask.shape)
        if mask.ndim == rank - len(self.axis):
            shape = list(mask.shape)
            for a in sorted(self.axis):
                shape.insert(a, 1)
            mask = mg.reshape(mask, tuple(shape))
        fits = mask.ndim == rank and all(m in (1, n) for m, n in zip(mask.shape, x.shape))
        if not fits:
            raise InvalidArgumentError(
                f"Layer {self.name}: the mask of shape {given} does not fit the input of shape "
                f"{tuple(x.shape)}: give it the input's shape without the normalized axes "
                f"{tuple(self.axis)} (or the input's full rank, broadcastable)."
            )
        return mg.broadcast_to(mg.cast(mask, x.dtype), tuple(x.shape))

    def _moments(self, x, reduction_axes: tuple, weights=None):
        """Mean and biased variance over ``reduction_axes`` (kept as size-1 axes), and the
        centred input ``x - mean``: two-pass (``two_pass_moments``) or, with
        ``synchronized=True``, from per-part moments (``_synchronized_moments``)."""
        if self.synchronized:
            return _synchronized_moments(x, reduction_axes, weights)
        return two_pass_moments(x, reduction_axes, weights)

    def _renorm_correction(self, mean, variance, inputs):
        """The renorm correction ``(r, d)`` (parameter-shaped constants for the gradient);
        moves ``renorm_mean`` and ``renorm_stddev`` towards this batch's ``mu`` and ``s_B``.

        The renorm statistics change during the training call itself, in V1 too (as in
        Keras, where they are part of the training computation): only the moving
        (inference) statistics are deferred in V1.
        """
        epsilon = self.epsilon
        stddev = mg.sqrt(variance + epsilon)
        renorm_mean = self.renorm_mean.value()
        # avoid dividing by zero early in training
        renorm_stddev = mg.maximum(self.renorm_stddev.value(), math.sqrt(epsilon))
        r = stddev / renorm_stddev
        d = (mean - renorm_mean) / renorm_stddev
        clipping = self.renorm_clipping
        rmin, rmax, dmax = (clipping.get(key) for key in ("rmin", "rmax", "dmax"))
        if rmin is not None:
            r = mg.maximum(r, rmin)
        if rmax is not None:
            r = mg.minimum(r, rmax)
        if dmax is not None:
            d = mg.minimum(mg.maximum(d, -dmax), dmax)
        r, d = mg.stop_gradient(r), mg.stop_gradient(d)  # computed before the update below
        if not _shape_inference():
            _assign_moving_average(self.renorm_mean, mean, self.renorm_momentum)
            _assign_moving_average(self.renorm_stddev, stddev, self.renorm_momentum)
        return r, d

    # -- private: moving statistics -------------------------------------------------------
    def _update_moving_statistics(self, mean, variance, inputs) -> None:
        """After a training step: ``m <- m - (m - mean)(1 - momentum)``, the same for the
        variance (with renorm: for ``moving_stddev`` towards ``sqrt(variance + eps)``, then
        ``moving_variance = relu(moving_stddev**2 - eps)``)."""
        mean, variance = mg.stop_gradient(mean), mg.stop_gradient(variance)
        momentum, epsilon = self.momentum, self.epsilon

        def mean_update():
            _assign_moving_average(self.moving_mean, mean, momentum)

        def variance_update():
            if self.renorm:
                # epsilon is part of moving_stddev, mirroring the training path
                stddev = _assign_moving_average(self.moving_stddev, mg.sqrt(variance + epsilon),
                                                momentum)
                with mg.no_recording():
                    self.moving_variance.assign(mg.relu(stddev * stddev - epsilon))
            else:
                _assign_moving_average(self.moving_variance, variance, momentum)

        self._add_moving_update(mean_update, "moving_mean", inputs)
        self._add_moving_update(variance_update, "moving_variance", inputs)

    def _add_moving_update(self, fn, what: str, inputs) -> None:
        """V2: run the update now. V1: record it as a pending ``Update`` (``layer.updates``)."""
        if self._USE_V2_BEHAVIOR:
            if not _shape_inference():
                fn()
        else:
            self.add_update(Update(fn, name=f"{self.name}/{what}"), inputs=inputs)

    # -- private: the fused path ------------------------------------------------------------
    def _fused_batch_norm(self, inputs, training: bool, mask=None):
        """The fused primitive: ``minigrad.nn.batch_norm_train`` / ``batch_norm_infer``.

        In training the moving variance moves towards the kernel's unbiased variance
        ``s2 = sigma2 * n / (n - 1)`` (``sigma2`` when n = 1, where it is 0), as TensorFlow's
        fused kernel does; see ``fused`` in the class docstring.
        """
        if mask is not None:
            warnings.warn("Masking is not supported with `fused=True`. You should either turn off "
                          "fusing (`fused=False`) or you should not pass a `mask` argument when "
                          "calling the layer. For the moment `mask` will be ignored for the "
                          "normalization.", stacklevel=3)
        gamma = self.gamma if self.scale else mg.ones_like(self.moving_mean)
        beta = self.beta if self.center else mg.zeros_like(self.moving_mean)
        axis = self.axis[0]
        if not training:
            return mg.nn.batch_norm_infer(inputs, gamma, beta, self.moving_mean,
                                          self.moving_variance, axis=axis, epsilon=self.epsilon)
        outputs, mean, variance = mg.nn.batch_norm_train(inputs, gamma, beta, axis=axis,
                                                         epsilon=self.epsilon)
        mean = mg.reshape(mean, self._param_shape)
        variance = mg.reshape(variance, self._param_shape)
        n = inputs.size // inputs.shape[axis]  # values per channel
        if n > 1:
            variance = variance * (n / (n - 1))  # Bessel's correction, as the fused kernel
        self._update_moving_statistics(mean, variance, inputs)
        return outputs


class BatchNormalization(BatchNormalizationBase):
    r"""Batch normalization with Keras V2 semantics (``tf.keras.layers.BatchNormalization``).

    In training (``training=True``, e.g. inside ``fit()``) each channel is normalized with
    the batch's mean and biased variance, ``y = gamma (x - mu) / sqrt(sigma2 + eps) + beta``,
    and the moving statistics are updated at once:
    ``moving_mean <- rho moving_mean + (1 - rho) mu``,
    ``moving_variance <- rho moving_variance + (1 - rho) sigma2``. In inference
    (``training=False``; also ``training=None`` outside ``fit()``) the moving statistics are
    used and nothing changes.

    **About ``trainable=False``:** it freezes the layer *and* puts it in inference mode: it
    uses the moving statistics and never updates them, even with ``training=True``. (Frozen
    and inference mode are different ideas for every other layer; TensorFlow 2 merged them
    for batch normalization, which is what fine-tuning needs.) For the old behaviour, where
    a frozen layer still uses batch statistics, see ``layers.v1.BatchNormalization``.

    See ``BatchNormalizationBase`` for every argument (``axis``, ``momentum``, ``epsilon``,
    ``center``, ``scale``, initializers, regularizers, constraints, ``renorm``,
    ``renorm_clipping``, ``renorm_momentum``, ``fused``, ``trainable``,
    ``virtual_batch_size``, ``adjustment``, ``synchronized``, ``name``, ``dtype``), the call
    arguments (``training``, ``mask``) and what raises. Errors that TensorFlow raises as
    ``InvalidArgumentError`` at run time (a batch that ``virtual_batch_size`` does not
    divide) are ValueError here.

    Example:
        >>> bn = BatchNormalization()
        >>> y = bn(mg.tensor([[0., 1.], [2., 3.], [4., 8.]]), training=True)
        >>> bn.moving_mean.numpy()          # 0.99 * 0 + 0.01 * [2, 4]
        array([0.02, 0.04], dtype=float32)
    """

    _USE_V2_BEHAVIOR = True


# -- helpers ---------------------------------------------------------------------------------
def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _check_renorm_clipping(renorm_clipping, where: str) -> dict:
    """``renorm_clipping`` as a dict with some of the keys rmax, rmin, dmax.

    Keras checks only the keys. minigrad also checks the values: each is None or a number
    (rmax and dmax may be +inf), ``rmin >= 0`` (r is a ratio of standard deviations),
    ``rmax > 0``, ``rmin <= rmax`` (else clip(r, rmin, rmax) is empty) and ``dmax >= 0``
    (d is clipped to ``[-dmax, dmax]``). ``rmax < 1`` or ``rmin > 1`` are allowed (they
    force r to one side of 1, an experiment rather than a mistake).

    Raises:
        ArgumentTypeError: for something other than a dict or None, or a value that is
            not a number.
        InvalidArgumentError: for an unknown key or a value out of range.
    """
    if renorm_clipping is None:
        return {}
    if not isinstance(renorm_clipping, dict):
        raise ArgumentTypeError(
            f"{where}: `renorm_clipping` must be a dict or None, got {renorm_clipping!r}. Pass "
            "e.g. renorm_clipping={'rmax': 3.0, 'rmin': 1 / 3, 'dmax': 5.0}.")
    clipping = dict(renorm_clipping)
    if set(clipping) - set(_RENORM_CLIPPING_KEYS):
        raise InvalidArgumentError(
            f"Received invalid keys for `renorm_clipping` argument: {clipping}. "
            f"Supported values: {_RENORM_CLIPPING_KEYS}. Remove the others."
        )
    bounds = {"rmin": (0.0, True), "rmax": (0.0, False), "dmax": (0.0, True)}
    for key, value in clipping.items():
        if value is None:
            continue
        minimum, inclusive = bounds[key]
        name = f"renorm_clipping[{key!r}]"
        if key != "rmin" and isinstance(value, numbers.Real) and value == math.inf:
            continue  # no clipping on that side
        check_float(name, value, minimum=minimum, min_inclusive=inclusive, where=where)
    rmin, rmax = clipping.get("rmin"), clipping.get("rmax")
    if rmin is not None and rmax is not None and rmin > rmax:
        raise InvalidArgumentError(
            f"{where}: renorm_clipping has rmin={rmin} > rmax={rmax}, so no r fits in "
            "[rmin, rmax]. Pass rmin <= rmax, e.g. {'rmin': 1 / 3, 'rmax': 3.0}.")
    return clipping


def _validate_axis(axis, input_shape: tuple) -> list:
    """``axis`` (an int or ints, possibly negative) as a list of non-negative ints.

    Raises:
        InvalidArgumentError: for an input of unknown rank, an axis outside [-rank, rank)
            (named as given, e.g. ``axis=-5``) or an axis given twice.
    """
    rank = len(input_shape)
    if not rank:
        raise InvalidArgumentError(f"Input has undefined rank. Received: input_shape={input_shape}. "
                                   "Batch normalization needs an input of rank >= 1.")
    given = [axis] if isinstance(axis, int) else list(axis)
    bad = [a for a in given if not -rank <= a < rank]
    if bad:
        raise InvalidArgumentError(
            "Invalid value for `axis` argument. Expected 0 <= axis < inputs.rank (with "
            f"inputs.rank={rank}). Received: axis={axis!r} ({', '.join(map(str, bad))} out of "
            f"range). Use an axis in [-{rank}, {rank}) for input of shape {input_shape}."
        )
    axes = [a % rank for a in given]
    if len(axes) != len(set(axes)):
        raise InvalidArgumentError(f"Duplicate axis: axis={axis!r} names the same axis twice "
                                   f"(for input rank {rank}): name each axis once.")
    return axes


def check_float_dtype(layer: Layer) -> None:
    """A normalization divides by a standard deviation: ``layer`` needs a float dtype.

    Raises:
        TypeError: (ArgumentTypeError) for an integer, bool or other non-float dtype.
    """
    if np.dtype(layer.compute_dtype).kind != "f":
        raise ArgumentTypeError(
            f"{type(layer).__name__}: `dtype` must be a floating dtype, got "
            f"dtype={layer.dtype_policy!r}. Pass dtype='float32' (the default), 'float64', "
            "'float16' or 'mixed_float16'; integer inputs are cast to it."
        )


def set_affine_arguments(layer: Layer, epsilon, center, scale, beta_initializer,
                         gamma_initializer, beta_regularizer, gamma_regularizer,
                         beta_constraint, gamma_constraint) -> None:
    """Check and store the arguments every normalization layer shares: ``epsilon``, whether
    to make ``beta`` (``center``) and ``gamma`` (``scale``), and their initializers,
    regularizers and constraints (resolved with ``initializers.get`` and the like).

    Raises:
        ValueError: (InvalidArgumentError) for an epsilon <= 0 or an unknown identifier.
        TypeError: (ArgumentTypeError) for a center or scale that is not a bool.
    """
    where = type(layer).__name__
    # epsilon > 0 keeps 1 / sqrt(variance + epsilon) finite for a constant channel or sample
    layer.epsilon = check_float("epsilon", epsilon, minimum=0.0, min_inclusive=False,
                                where=where)
    layer.center = check_bool("center", center, where=where)
    layer.scale = check_bool("scale", scale, where=where)
    layer.beta_initializer = initializers.get(beta_initializer)
    layer.gamma_initializer = initializers.get(gamma_initializer)
    layer.beta_regularizer = regularizers.get(beta_regularizer)
    layer.gamma_regularizer = regularizers.get(gamma_regularizer)
    layer.beta_constraint = constraints.get(beta_constraint)
    layer.gamma_constraint = constraints.get(gamma_constraint)


def add_affine_weights(layer: Layer, shape: tuple, dtype: str, make_gamma: bool,
                       make_beta: bool) -> None:
    """Make ``layer.gamma`` then ``layer.beta`` (trainable, with the initializers,
    regularizers and constraints ``set_affine_arguments`` stored); None when not made."""
    layer.gamma = layer.beta = None
    if make_gamma:
        layer.gamma = layer.add_weight("gamma", shape, dtype, layer.gamma_initializer,
                                       layer.gamma_regularizer, True, layer.gamma_constraint)
    if make_beta:
        layer.beta = layer.add_weight("beta", shape, dtype, layer.beta_initializer,
                                      layer.beta_regularizer, True, layer.beta_constraint)


def _on_device(value, like):
    """``value`` (a Tensor, array or list) as a Tensor on ``like``'s device."""
    if isinstance(value, mg.Tensor):
        return value if value.device == like.device else mg.to_device(value, like.device)
    return mg.tensor(np.asarray(value), device=like.device)


def _shape_inference() -> bool:
    """True while ``call`` runs only to find output shapes (symbolic inputs): no updates."""
    frame = backend.current_frame()
    return frame is not None and frame.shape_inference


def _nonzero(count):
    """``count`` with zeros replaced by ones: ``sum / _nonzero(count)`` is 0 where count is
    0 (then the sum is 0 too), as tf.math.divide_no_nan."""
    return mg.where(count > 0, count, mg.ones_like(count))


def two_pass_moments(x, reduction_axes: tuple, weights=None):
    """Mean and biased variance over ``reduction_axes`` (kept as size-1 axes), and the
    centred input ``x - mean``: the statistics of every normalization layer (batch, layer
    and group normalization differ only in the axes they reduce).

    Two passes, with a correction (``E[.]`` the mean over ``reduction_axes``, weighted
    by ``w`` with a mask, ``n = sum(w)``; n = 0 gives 0, as tf.math.divide_no_nan):

        mu0 = E[x]                 (rounded: float32 sums of values near 1e4 lose ~1e-2)
        d = x - mu0                (exact where x is near mu0)
        mu = mu0 + E[d],   x - mu = d - E[d],   sigma2 = E[(x - mu)**2]

    never ``E[x**2] - E[x]**2``, so the output keeps its precision when ``|mu| >> sigma``.
    ``mu0`` is a constant for the gradient (``mu`` is the same for any shift).

    Returns:
        ``(mean, variance, centered)``.
    """
    if weights is None:
        def average(t):
            return mg.mean(t, axis=reduction_axes, keepdims=True)
    else:
        count = _nonzero(mg.sum(weights, axis=reduction_axes, keepdims=True))

        def average(t):
            return mg.sum(weights * t, axis=reduction_axes, keepdims=True) / count
    shift = mg.stop_gradient(average(x))
    deviation = x - shift
    correction = average(deviation)
    centered = deviation - correction
    return shift + correction, average(mg.square(centered)), centered


def _synchronized_moments(x, reduction_axes: tuple, weights=None, parts: int = 2):
    """Mean, variance and ``x - mean`` from per-part moments combined with Chan's formula:
    across the ranks of ``minigrad.distributed`` when it runs on more than one, else across
    ``parts`` pieces of this process's batch.

    Each part gives ``(count, shift, offset, m2)`` (``_part_moments``), small numbers that
    ``_chan_combine`` merges. Unlike the sums ``S1 = sum(x)``, ``S2 = sum(x**2)``
    (``sigma2 = S2 / n - mu**2`` cancels catastrophically: at mean 1e4 in float32 outputs
    were off by up to 144), every term here is centred, so the result is the two-pass one up
    to rounding at any offset. In one process the batch is cut into ``parts`` pieces along
    the first reduction axis (one process plays ``parts`` replicas, so the combination always
    runs and is tested); across ranks see ``_all_ranks_moments``.
    """
    if _across_ranks():
        count, shift, offset, m2 = _all_ranks_moments(x, reduction_axes, weights)
        return shift + offset, m2 / _nonzero(count), (x - shift) - offset
    axis = reduction_axes[0] if reduction_axes else 0
    length = x.shape[axis] if reduction_axes else 1  # nothing reduced: one part, each value its own
    parts = max(1, min(parts, length))
    points = [length * k // parts for k in range(1, parts)]
    pieces = mg.split(x, points, axis=axis) if points else [x]
    piece_weights = ([None] * len(pieces) if weights is None else
                     mg.split(weights, points, axis=axis) if points else [weights])
    moments = [_part_moments(p, reduction_axes, w) for p, w in zip(pieces, piece_weights)]
    count, shift, offset, m2 = functools.reduce(_chan_combine, moments)
    return shift + offset, m2 / _nonzero(count), (x - shift) - offset


def _across_ranks() -> bool:
    """True when ``minigrad.distributed`` runs on several ranks (and this is not a symbolic
    call, which only infers shapes and must not wait for the other ranks)."""
    return distributed.is_initialized() and distributed.world_size() > 1 and not _shape_inference()


def _all_ranks_moments(x, reduction_axes: tuple, weights=None):
    """Every rank's part moments combined: ``(count, shift, offset, m2)`` of the global batch.

    This rank's ``(count, shift, offset, m2)`` are stacked, all-gathered (one collective of
    ``4 x channels`` numbers) and merged with ``_chan_combine`` in rank order, so every rank
    gets bit-identical statistics (and moving averages). ``all_gather`` is differentiable:
    its backward all-reduces (sums) the gradient of the gathered moments, which is how the
    backward shares the per-channel sums ``sum(dy)`` and ``sum(dy (x - mu))`` across ranks;
    each rank's ``dgamma``/``dbeta`` stay its local contribution (the strategy's gradient
    all-reduce adds them up). Every rank must make the same training calls, with the same
    statistic shape (the normalized axes); the batch sizes may differ.
    """
    local = mg.stack(list(_part_moments(x, reduction_axes, weights)))
    gathered = distributed.all_gather(local)  # (world_size, 4, *statistic shape)
    moments = [tuple(gathered[rank, i] for i in range(4)) for rank in range(gathered.shape[0])]
    return functools.reduce(_chan_combine, moments)


def _part_moments(x, reduction_axes: tuple, weights=None):
    """One part's ``(count, shift, offset, m2)``: its (weighted) count ``n``, a shift ``K``
    (its mean, a constant for the gradient), ``mean - K`` and the centred sum of squares
    ``m2 = sum(w (x - mean)**2)``, from two passes over ``x - K`` as in ``two_pass_moments``."""
    def total(t):
        return mg.sum(t, axis=reduction_axes, keepdims=True)

    if weights is None:
        n = 1
        for a in reduction_axes:
            n *= x.shape[a]
        shift = mg.stop_gradient(total(x) / float(n))
        deviation = x - shift
        offset = total(deviation) / float(n)
        count = mg.zeros_like(shift) + float(n)
        return count, shift, offset, total(mg.square(deviation - offset))
    count = total(weights)
    nonzero = _nonzero(count)
    shift = mg.stop_gradient(total(weights * x) / nonzero)
    deviation = x - shift
    offset = total(weights * deviation) / nonzero
    return count, shift, offset, total(weights * mg.square(deviation - offset))


def _chan_combine(a, b):
    """Chan, Golub and LeVeque's combination of two parts' moments (see ``_part_moments``).

    With ``delta = mean_b - mean_a``, taken as ``(K_b - K_a) + (offset_b - offset_a)`` so
    that no mean near a large offset is formed and subtracted:
    ``n = n_a + n_b``, ``mean = mean_a + delta n_b / n``,
    ``m2 = m2_a + m2_b + delta**2 n_a n_b / n``. The result keeps ``a``'s shift, or
    ``b``'s moments as they are where ``a`` has no weight (its shift, 0, is no mean).
    """
    count_a, shift_a, offset_a, m2_a = a
    count_b, shift_b, offset_b, m2_b = b
    count = count_a + count_b
    share_b = count_b / _nonzero(count)
    delta = (shift_b - shift_a) + (offset_b - offset_a)
    m2 = m2_a + m2_b + mg.square(delta) * count_a * share_b
    has_a = count_a > 0
    return (count, mg.where(has_a, shift_a, shift_b),
            mg.where(has_a, offset_a + delta * share_b, offset_b), m2)


def _compose_transforms(scale, offset, then_scale, then_offset):
    """``(v * scale + offset) * then_scale + then_offset`` as one ``v * scale' + offset'``;
    a None factor or term is left out."""
    if then_scale is not None:
        scale = scale * then_scale
        offset = offset * then_scale
    if then_offset is not None:
        offset = offset + then_offset
    return scale, offset


def _batch_normalization(centered, variance, offset, scale, epsilon):
    """``y = centered / sqrt(variance + epsilon) * scale + offset`` with ``centered = x - mean``
    (scale None: 1; offset None: 0).

    TensorFlow's ``tf.nn.batch_normalization`` computes ``x * k + (offset - mean * k)`` with
    ``k = scale / sqrt(variance + epsilon)``, the same number up to rounding; but when
    ``|mean| >> sqrt(variance)`` the two large terms cancel and float32 keeps only about
    ``|mean| / sqrt(variance) * 1e-7`` of relative accuracy (1e-3 at mean 1e4, std 1).
    Centring first (``x - mean`` is exact when ``x`` is near ``mean``) avoids that.
    """
    inv = mg.rsqrt(variance + epsilon)
    if scale is not None:
        inv = inv * scale
    outputs = centered * inv
    return outputs if offset is None else outputs + offset


def _assign_moving_average(variable, value, momentum):
    """``variable <- variable - (variable - value) * (1 - momentum)`` (not recorded by tapes).

    Returns:
        The variable.
    """
    with mg.no_recording():
        value = mg.cast(value, variable.dtype) if value.dtype != variable.dtype else value
        delta = (variable.value() - value) * (1.0 - momentum)
        return variable.assign_sub(delta)
