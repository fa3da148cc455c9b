"""Sourced timeline briefings from a small dataset of dated events."""

__version__ = "0.1.0"
