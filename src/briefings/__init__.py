"""Sourced timeline briefings from a small dataset of dated events."""

from . import _fastimport  # noqa: F401  (first: keeps a 2 s optional import out of nbformat)

__version__ = "0.1.0"
