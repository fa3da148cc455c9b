"""Sourced timeline briefings from a small dataset of dated events."""

# First: spares every process ~2.4 s that nbformat's schema import spends on rfc3987_syntax.
from . import _fastimport  # noqa: F401

__version__ = "0.1.0"
