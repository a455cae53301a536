"""BatchNormalization: Keras V2 (tf.keras / tf-keras) batch normalization, every argument.

The file reads like Keras's own ``batch_normalization.py``: the class docstring states the
formulas and the moving-average rule; then arguments (``__init__``), ``build`` in named
steps, ``call`` top to bottom (cast, moments, renorm, the moving update, normalize), config,
and the primitive path (``minigrad.nn.batch_norm_train`` / ``batch_norm_infer``).
The shared helpers live in ``normalization_shared.py``, renorm in
``batch_renormalization.py``, synchronized statistics in ``synchronized_moments.py``.

``BatchNormalizationBase`` holds everything; ``BatchNormalization`` is the V2 class
(``trainable=False`` means inference, updates happen at once). The V1 class, with deferred
updates, is ``layers.normalization_v1.BatchNormalization`` (``layers.v1.BatchNormalization``):
it overrides ``_move``, ``_resolve_fused`` and the two small rules next to them.
"""

from __future__ import annotations

import warnings

import minigrad as mg
from layers import constraints, initializers, regularizers
from layers.base import InputSpec, Layer, check_input_shape
from layers.batch_renormalization import (
    _check_renorm_clipping,
    add_renorm_weights,
    renorm_correction,
    variance_from_stddev,
)
from layers.normalization_primitive import (
    fused_can_be_used,
    fused_kernel_fits,
    primitive_batch_norm,
    primitive_path_fits,
    raise_if_fused_cannot_be_used,
)
from layers.normalization_shared import (  # noqa: F401  (also imported from here by other layers)
    _HALF_DTYPES,
    _assign_moving_average,
    _batch_normalization,
    _compose_transforms,
    _is_int,
    _on_device,
    _shape_inference,
    _validate_axis,
    add_affine_weights,
    check_float_dtype,
    set_affine_arguments,
    two_pass_moments,
)
from layers.synchronized_moments import _synchronized_moments
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.validation import check_bool, check_float, check_int


class BatchNormalizationBase(Layer):
    r"""Layer that normalizes its inputs (shared by the V2 and V1 classes).

    Batch normalization keeps each channel's output near mean 0 and standard deviation 1,
    and it behaves differently in training and in inference.

    **Training** (``training=True``, e.g. in ``fit()``): each channel is normalized with the
    mean ``mu`` and the biased variance ``sigma2`` of the current batch,

        y = gamma * (x - mu) / sqrt(sigma2 + epsilon) + beta,

    computed as ``(x - mu) * k + beta`` with ``k = gamma / sqrt(sigma2 + epsilon)``
    (TensorFlow's ``x * k + (beta - mu * k)`` loses float32 precision when
    ``|mu| >> sigma``), with two-pass statistics. Then each moving statistic takes one step
    towards the batch's (``_move``; the one place this rule is stated):

        moving_mean     <- moving_mean     - (moving_mean     - mu)     * (1 - momentum)
        moving_variance <- moving_variance - (moving_variance - sigma2) * (1 - momentum)

    i.e. ``rho * old + (1 - rho) * new`` with ``rho = momentum``. The V2 class moves them at
    once; the V1 class defers the same step into ``layer.updates``.

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
        beta_initializer, gamma_initializer, moving_mean_initializer, moving_variance_initializer:
            initializers (names, config dicts or objects);
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
            possible, decided at build (input rank 4 or 5); otherwise the layer is not fused
            (``layer.fused`` is False, as in Keras) and, in a plain float16/float32
            configuration (one axis, rank >= 2, no renorm, virtual_batch_size, adjustment,
            synchronized or mask), runs the same closed-form primitive with the non-fused
            rule (the moving variance moves towards the biased ``sigma2``), else the
            composite path (float64 too: the precise reference). Not fused
            includes ``axis=-4`` on rank-4 input (axis 0: each sample normalized on its
            own), which Keras V2 sends to the fused kernel and then rejects with ValueError
            ("Unsupported axis"). Like TensorFlow's fused kernel, the fused path updates the
            moving variance with the **unbiased** variance
            ``s2 = sigma2 * n / (n - 1)`` (n values per channel; ``s2 = 0`` when n = 1),
            while it normalizes with ``sigma2``. So on the same batch with ``momentum=0``,
            training uses ``sigma2`` and the following inference uses ``s2``: the two outputs
            differ by the factor ``sqrt((sigma2 + eps) / (s2 + eps))`` on ``x - mu``; the
            composite path, which stores ``sigma2``, gives identical outputs. Apart from that
            the paths agree (to 1e-10 in float64). In inference the primitive path keeps
            the per-channel scale and shift of ``y = x * k + (beta - m * k)`` until gamma,
            beta or the moving statistics are assigned (one multiply-add per element).
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
        self.fused = self._check_fused_argument(fused)
        self.supports_masking = True
        self.trainable = trainable
        if self.renorm:
            renorm_clipping = _check_renorm_clipping(renorm_clipping, where)
            renorm_momentum = check_float("renorm_momentum", renorm_momentum, minimum=0.0,
                                          maximum=1.0, where=where)
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self._primitive_fits = False  # set at build: see primitive_path_fits
        self._inference_cache = None  # see normalization_primitive

    def _check_fused_argument(self, fused):
        """V2: ``fused=True`` must be possible (the rank is checked at build); ``None`` stays
        None where it is, for build to decide knowing the rank, else becomes False.
        (V1 overrides this: None means "if possible".)"""
        if fused:
            self._raise_if_fused_cannot_be_used()
        elif fused is None and not self._fused_can_be_used():
            fused = False
        return fused

    def _raise_if_fused_cannot_be_used(self) -> None:
        raise_if_fused_cannot_be_used(self)

    def _fused_can_be_used(self) -> bool:
        return fused_can_be_used(self)

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
        self._check_virtual_batch_size()
        self._resolve_fused(input_shape)
        self._set_shapes(input_shape)
        self._add_weights()
        self._primitive_fits = primitive_path_fits(self, len(input_shape))
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
        """At build, knowing the rank: ``fused=None`` becomes whether the fused kernel fits
        this input; ``fused=True`` is checked against it. (V1 overrides this: it never raises.)

        Raises:
            InvalidArgumentError: for fused=True on a rank other than 4 or 5, or on a
                rank-4 axis other than 1 or 3.
        """
        if self.fused is False:
            return
        rank, supported = len(input_shape), fused_kernel_fits(self, input_shape)
        if self.fused is None:
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

    def _set_shapes(self, input_shape: tuple) -> None:
        """The input spec, the parameters' shape and the shape that broadcasts a parameter
        against the input.

        Raises:
            InvalidArgumentError: for a normalized axis of unknown size.
        """
        rank = len(input_shape)
        axis_to_dim = {a: input_shape[a] for a in self.axis}
        if any(dim is None for dim in axis_to_dim.values()):
            raise InvalidArgumentError(
                f"Input has undefined `axis` dimension. Received input with shape {input_shape} "
                f"and axis={tuple(self.axis)}. The normalized axes need a known size."
            )
        self.input_spec = InputSpec(ndim=rank, axes=axis_to_dim)
        if len(axis_to_dim) == 1:
            self._param_shape = (next(iter(axis_to_dim.values())),)
        else:  # the input's rank, with 1 on the reduced axes
            self._param_shape = tuple(axis_to_dim.get(i, 1) for i in range(rank))
        self._broadcast_shape = tuple(axis_to_dim.get(i, 1) for i in range(rank))

    def _add_weights(self) -> None:
        """gamma, beta, the moving statistics, then (renorm) the renorm statistics."""
        shape, dtype = self._param_shape, self._param_dtype
        add_affine_weights(self, shape, dtype, self.scale, self.center)
        self.moving_mean = self.add_weight("moving_mean", shape, dtype,
                                           self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape, dtype,
                                               self.moving_variance_initializer, trainable=False)
        if self.renorm:
            add_renorm_weights(self, shape, dtype)

    # -- call ---------------------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        """Normalize ``inputs`` (formulas and the moving-average rule: the class docstring).

        Returns:
            A Tensor of the input's shape, in the compute dtype.

        Raises:
            ValueError: in training, for an empty batch, a batch that ``virtual_batch_size``
                does not divide, or a mask whose rank fits neither the input nor the input
                minus the channel axes.
        """
        if inputs.dtype != self.compute_dtype:  # e.g. integer inputs, or autocast=False
            inputs = mg.cast(inputs, self.compute_dtype)
        training = self._uses_batch_statistics(training)
        if training and 0 in inputs.shape:
            raise InvalidArgumentError(
                f"Layer {self.name}: training=True on an empty batch (input shape "
                f"{tuple(inputs.shape)}): the batch statistics of no examples are undefined and "
                "would turn the moving averages into NaN. Skip empty batches, or call with "
                "training=False.")
        if self.fused or (self._primitive_fits and (mask is None or not training)):
            return primitive_batch_norm(self, inputs, training, mask)
        # the composite path: all the math in float32 (a float16 variance overflows easily)
        x = mg.cast(inputs, "float32") if inputs.dtype.name in _HALF_DTYPES else inputs
        if not training:
            return _cast(self._composite_inference(x), inputs.dtype)
        weights = None if mask is None else self._mask_weights(mask, x)
        x, weights, reduction_axes, bshape = self._batches_to_normalize(x, weights)
        scale = None if self.gamma is None else mg.reshape(self.gamma, bshape)
        offset = None if self.beta is None else mg.reshape(self.beta, bshape)
        if self.adjustment is not None:
            scale, offset = self._adjust(x, scale, offset)

        mean, variance, centered = self._moments(x, reduction_axes, weights)
        new_mean, new_variance = self._tracked_statistics(mean, variance)
        if self.renorm:
            r, d = renorm_correction(self, new_mean, new_variance)
            # (x_hat * r + d) * gamma + beta = x_hat * (r * gamma) + (d * gamma + beta)
            scale, offset = _compose_transforms(mg.reshape(r, bshape), mg.reshape(d, bshape),
                                                scale, offset)
        self._move(self.moving_mean, new_mean)
        if self.renorm:  # renorm tracks the standard deviation; the variance follows from it
            self._move(self.moving_stddev, mg.sqrt(new_variance + self.epsilon),
                       then=variance_from_stddev)
        else:
            self._move(self.moving_variance, new_variance)

        outputs = _batch_normalization(centered, variance, offset, scale, self.epsilon)
        if self.virtual_batch_size is not None:  # back from the ghost batches
            outputs = mg.reshape(outputs, tuple(inputs.shape))
        return _cast(outputs, inputs.dtype)

    def _uses_batch_statistics(self, training) -> bool:
        """V2's rule: a frozen layer (``trainable=False``) runs in inference, whatever
        ``training`` says. (V1 overrides this: ``trainable`` only freezes.)"""
        return bool(training) and self.trainable

    def _move(self, variable, value, then=None) -> None:
        """One step of the moving-average rule (class docstring) of ``variable`` towards
        ``value``, at once; then ``then(self)`` (renorm: the variance from the standard
        deviation). Nothing while ``call`` only infers shapes. (V1 overrides this: it
        defers the step into ``layer.updates``.)"""
        if _shape_inference():
            return
        _assign_moving_average(variable, value, self.momentum)
        if then is not None:
            then(self)

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

    # -- private: ghost batches, masks, moments ----------------------------------------------
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

    def _composite_inference(self, x):
        """``gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta``, op by op."""
        bshape = self._broadcast_shape
        scale = None if self.gamma is None else mg.reshape(self.gamma, bshape)
        offset = None if self.beta is None else mg.reshape(self.beta, bshape)
        centered = x - mg.reshape(self.moving_mean, bshape)
        return _batch_normalization(centered, mg.reshape(self.moving_variance, bshape), offset,
                                    scale, self.epsilon)

    def _batches_to_normalize(self, x, weights):
        """``(x, weights, reduction_axes, broadcast shape)``: as given, or split into ghost
        batches, ``(B, ...) -> (vbs, B / vbs, ...)``, where ghost j holds the samples i with
        ``i mod (B / vbs) == j``; the new axis 1 indexes the ghost batches and is not
        reduced."""
        axes, bshape = list(self.axis), self._broadcast_shape
        ghost = self.virtual_batch_size is not None
        if ghost:
            x = self._split_ghost_batches(x)
            if weights is not None:
                weights = mg.reshape(weights, x.shape)
            axes = [a + 1 for a in axes]
            bshape = bshape[:1] + (1,) + bshape[1:]
        reduction_axes = tuple(i for i in range(x.ndim) if i not in axes and not (ghost and i == 1))
        return x, weights, reduction_axes, bshape

    def _adjust(self, x, scale, offset):
        """``adjustment``'s ``(a, b)`` composed before gamma and beta:
        ``(x_hat * a + b) * gamma + beta``."""
        adj_scale, adj_bias = self.adjustment(tuple(x.shape))
        adj_scale = mg.cast(_on_device(adj_scale, x), x.dtype)
        adj_bias = mg.cast(_on_device(adj_bias, x), x.dtype)
        return _compose_transforms(adj_scale, adj_bias, scale, offset)

    def _tracked_statistics(self, mean, variance):
        """The batch statistics the moving ones move towards, parameter-shaped: with ghost
        batches, the mean of the ghost means and the mean of the ghost variances."""
        if self.virtual_batch_size is not None:
            mean = mg.mean(mean, axis=1, keepdims=True)
            variance = mg.mean(variance, axis=1, keepdims=True)
        return mg.reshape(mean, self._param_shape), mg.reshape(variance, self._param_shape)


class BatchNormalization(BatchNormalizationBase):
    r"""Batch normalization with Keras V2 semantics (``tf.keras.layers.BatchNormalization``).

    In training (``training=True``, e.g. inside ``fit()``) each channel is normalized with
    the batch's mean and biased variance, ``y = gamma (x - mu) / sqrt(sigma2 + eps) + beta``,
    and the moving statistics take one step at once (the rule is in
    ``BatchNormalizationBase``'s docstring). In inference (``training=False``; also
    ``training=None`` outside ``fit()``) the moving statistics are used and nothing changes.

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


def _cast(outputs, dtype):
    """``outputs`` in ``dtype`` (the input's: float16 inputs are computed in float32)."""
    return outputs if outputs.dtype == dtype else mg.cast(outputs, dtype)
