"""minigrad.errors: one family of named errors, each also a familiar built-in exception."""

from __future__ import annotations

import inspect

import pytest

import minigrad as mg
from minigrad import errors

# The built-in exception each error documents (and so can be caught as).
DOCUMENTED_BUILTIN = {
    "GradientShapeError": ValueError,
    "MissingBackwardError": NotImplementedError,
    "DeviceMismatchError": ValueError,
    "DeviceUnavailableError": RuntimeError,
    "TapeReuseError": RuntimeError,
    "InPlaceWriteError": TypeError,
    "UnsupportedDtypeError": TypeError,
    "GradcheckError": AssertionError,
}

ERROR_CLASSES = [
    cls for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, BaseException) and cls.__module__ == errors.__name__
]


def test_there_are_errors_to_check():
    assert errors.MinigradError in ERROR_CLASSES
    assert len(ERROR_CLASSES) >= len(DOCUMENTED_BUILTIN) + 1


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_error_is_a_minigrad_error(cls):
    assert issubclass(cls, errors.MinigradError)
    assert issubclass(cls, Exception)


@pytest.mark.parametrize("cls", [c for c in ERROR_CLASSES if c is not errors.MinigradError],
                         ids=lambda c: c.__name__)
def test_every_error_is_also_a_specific_builtin(cls):
    # the module promises each class "also derives from the built-in exception a user would expect"
    builtin_bases = [b for b in cls.__mro__ if b.__module__ == "builtins" and b not in
                     (Exception, BaseException, object)]
    assert builtin_bases, f"{cls.__name__} derives from no specific built-in exception"
    assert cls.__doc__, f"{cls.__name__} needs a docstring saying when it is raised"


@pytest.mark.parametrize("name, builtin", sorted(DOCUMENTED_BUILTIN.items()))
def test_documented_builtin(name, builtin):
    cls = getattr(errors, name)
    assert issubclass(cls, errors.MinigradError) and issubclass(cls, builtin)
    with pytest.raises(builtin):
        raise cls("message")
    with pytest.raises(errors.MinigradError, match="message"):
        raise cls("message")


def test_errors_are_reachable_from_the_package():
    assert mg.errors is errors


def test_a_real_error_can_be_caught_as_its_builtin():
    with pytest.raises(TypeError):  # UnsupportedDtypeError
        mg.tensor("text")
    with pytest.raises(TypeError):  # InPlaceWriteError
        mg.tensor([1.0])[0] = 2.0
