"""Numba-compiled arithmetic of the engine over NumPy arrays.

Importing this package is cheap: it does not import Numba. The submodules
``indexation`` and ``benefits`` import Numba and load their compiled kernels
from the on-disk cache, so callers on a latency-sensitive path import them
lazily: the mutations import them inside ``apply``, and ``model.warmup``
loads them in a background thread after start-up.
"""
