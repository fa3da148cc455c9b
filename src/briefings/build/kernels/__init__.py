"""Kernels: the Jupyter kernels builds run notebooks on (one per build, forked from a warm
template in scheduled runs). May import report (to warm the template) and the layers below."""
