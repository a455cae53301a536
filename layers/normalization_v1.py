"""BatchNormalization with Keras V1 (TF1-era) semantics: deferred updates, ``trainable`` only freezes.

Reached as ``layers.v1.BatchNormalization``. It is ``BatchNormalizationBase`` (see
``layers/normalization.py`` for the formulas and every argument) with three differences:

1. **Deferred updates.** A training call does not change the moving statistics. It records
   them as pending ``layers.base.Update`` objects, found in ``layer.updates`` and
   ``layer.get_updates_for(inputs)``; nothing changes until the caller runs them (calling an
   update runs it). ``fit`` runs them itself; a custom loop must, as TF1's UPDATE_OPS had to
   be run::

       y = bn(x, training=True)
       ...                                   # gradients, optimizer step
       for update in bn.get_updates_for(x):  # or bn.updates
           update()

   Each update is the moving-average step of ``BatchNormalizationBase`` (its docstring states
   the rule), reading the variable when it runs and the batch's statistics from the call.
   The next call of the layer replaces the pending updates.
   With renorm, ``renorm_mean`` / ``renorm_stddev`` still change during the call: they are
   part of the training computation itself.
2. **``trainable=False`` does not force inference.** A frozen layer called with
   ``training=True`` still normalizes with the batch statistics; it only reports no
   updates (``layer.updates == []``), so its moving statistics stay as they are.
3. **``fused`` never raises.** None and True both mean "fused if possible": at build the
   layer is fused only for rank 4 or 5 inputs on a supported axis and a configuration the
   kernel supports; otherwise it is not fused (the primitive or the composite path, as
   for V2). ``synchronized`` is dropped (as tf-keras's V1 class does).

Each difference is one method below (``_move``, ``_uses_batch_statistics``,
``_check_fused_argument`` / ``_resolve_fused``). ``training=None`` is resolved by
``Layer.__call__`` (the learning phase, 0 unless set), without consulting ``trainable``.
"""

from __future__ import annotations

from layers.base import Update
from layers.normalization import BatchNormalizationBase
from layers.normalization_primitive import fused_can_be_used, fused_kernel_fits
from layers.normalization_shared import _assign_moving_average
from minigrad.validation import check_bool


class BatchNormalization(BatchNormalizationBase):
    """Batch normalization, Keras V1 behaviour (see the module docstring).

    Takes the arguments of ``layers.BatchNormalization`` (``BatchNormalizationBase``);
    ``synchronized`` is accepted and ignored.
    """

    def __init__(self, *args, **kwargs):
        # not implemented in V1: checked (a string would read as True), then dropped
        check_bool("synchronized", kwargs.pop("synchronized", False), where="BatchNormalization (V1)")
        super().__init__(*args, **kwargs)

    def call(self, inputs, training=None, mask=None):
        self._update_inputs = inputs  # the updates ``_move`` defers are conditional on them
        return super().call(inputs, training, mask)

    def _uses_batch_statistics(self, training) -> bool:
        """Difference 2: ``trainable`` is not consulted."""
        return bool(training)

    def _move(self, variable, value, then=None) -> None:
        """Difference 1: the moving-average step (and ``then(self)``) as a pending ``Update``
        in ``layer.updates``, run by the caller."""
        momentum = self.momentum

        def update():
            _assign_moving_average(variable, value, momentum)
            if then is not None:
                then(self)

        name = variable.name.split("/")[-1].split(":")[0]
        self.add_update(Update(update, name=f"{self.name}/{name}"), inputs=self._update_inputs)

    def _check_fused_argument(self, fused):
        """Difference 3: None means "fused if possible", decided at build."""
        return True if fused is None else fused

    def _resolve_fused(self, input_shape: tuple) -> None:
        """Difference 3: at build, fused only where the kernel fits; never raises."""
        if self.fused is not False:
            self.fused = fused_kernel_fits(self, input_shape) and fused_can_be_used(self)
