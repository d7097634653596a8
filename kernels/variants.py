"""Serial and parallel compilation of one kernel function."""

import types

import numba as nb


def _renamed(func, suffix: str):
    """Return a copy of ``func`` whose qualified name ends with ``suffix``.

    Numba names a function's on-disk cache entry after its qualified name and
    line, and its cache index does not record ``parallel=True``. Two
    dispatchers of one function therefore load each other's machine code:
    whichever variant compiled first is what both run. Distinct names give
    each variant its own cache entry.
    """
    copy = types.FunctionType(func.__code__, func.__globals__, func.__name__ + suffix, func.__defaults__, func.__closure__)
    copy.__qualname__ = func.__qualname__ + suffix
    copy.__module__ = func.__module__
    copy.__doc__ = func.__doc__
    return copy


def serial_and_parallel(func):
    """Compile ``func`` twice: a single-threaded variant and a ``parallel=True`` variant.

    ``nb.prange`` loops in ``func`` run as plain ``range`` loops in the serial
    variant and are split across Numba's threads in the parallel one.
    """
    serial = nb.njit(cache=True, nogil=True)(_renamed(func, "_serial"))
    parallel = nb.njit(cache=True, nogil=True, parallel=True)(_renamed(func, "_parallel"))
    return serial, parallel
