"""Kernels: the Jupyter kernels builds run notebooks on (one per build, forked from a warm
template in scheduled runs). May import report, data and inputs (to warm the template)."""
